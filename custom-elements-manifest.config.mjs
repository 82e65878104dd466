// `npm run analyze`: custom-elements.json from the JSDoc of the element classes.
export default {
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/**/*.styles.ts', 'src/**/*.test.ts'],
  outdir: process.env.CEM_OUTDIR ?? '.',
  litelement: true,
  // Never rewrite package.json's "customElements" (the check writes to a scratch directory).
  packagejson: false,
};
