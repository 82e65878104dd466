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
      // The elements declare reactive properties in \`static properties\` (no decorator
      // helpers in the bundle); the analyzer then marks every field \`public\` and
      // gives internal state (\`state: true\`, private or protected) an attribute.
      // Give the manifest the shape decorators gave it.
      name: 'callcaps-static-properties',
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of customElementsManifest.modules.flatMap((module) => module.declarations ?? [])) {
          const internal = new Set();
          for (const member of declaration.members ?? []) {
            if (member.privacy === 'public') delete member.privacy;
            else if (member.privacy && member.attribute) {
              internal.add(member.name);
              delete member.attribute;
            }
          }
          if (declaration.attributes) {
            declaration.attributes = declaration.attributes.filter((attribute) => !internal.has(attribute.fieldName));
          }
        }
      },
    },
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
