// `npm run analyze`: custom-elements.json from the JSDoc of the element classes.
export default {
  globs: ['src/elements/**/*.ts'],
  // Styles and icons are implementation: their source text would only bloat the manifest.
  exclude: ['src/**/*.styles.ts', 'src/elements/shared/styles.ts', 'src/elements/shared/icons.ts', 'src/**/*.test.ts'],
  outdir: process.env.CEM_OUTDIR ?? '.',
  litelement: true,
  // Never rewrite package.json's "customElements" (the check writes to a scratch directory).
  packagejson: false,
  plugins: [
    {
      // The analyzer lists modules in the order its file walk finishes, which
      // varies from run to run; sort them so that the manifest is reproducible.
      name: 'callcaps-sort-modules',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort((a, b) => a.path.localeCompare(b.path));
      },
    },
  ],
};
