// Builds the self-contained browser artifacts (the two of `callcaps`, and the media classic script) (lit and rxjs inside). The ES
// modules for app bundlers, with their .d.ts, come from `tsc` (see `npm run build`).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';

const compile = () =>
  typescript({
    tsconfig: './tsconfig.json',
    filterRoot: '.',
    include: ['src/**/*.ts'],
    exclude: ['src/server/**'],
    declaration: false,
    declarationMap: false,
    outDir: 'dist',
    noEmitOnError: true,
  });

// No `development` export condition: lit resolves to its production build.
const resolve = () => nodeResolve({ browser: true });

// lit's html`` and css`` literals carry indentation and comments that terser keeps.
const minifyLiterals = () => minifyTemplateLiterals({ include: ['src/**/*.ts'], failOnError: true });

export default [
  {
    input: 'src/index.ts',
    plugins: [resolve(), compile(), minifyLiterals()],
    output: {
      file: 'dist/callcaps.bundle.js',
      format: 'es',
      sourcemap: true,
      plugins: [terser({ module: true, ecma: 2022, compress: { passes: 3 } })],
    },
  },
  {
    input: 'src/index.ts',
    plugins: [resolve(), compile(), minifyLiterals()],
    output: {
      file: 'dist/callcaps.iife.js',
      format: 'iife',
      name: 'Callcaps',
      sourcemap: true,
      // Its own terser without `module: true`, or the global would be dropped.
      plugins: [terser({ ecma: 2022, compress: { passes: 3 } })],
    },
  },
  {
    // Media and <call-stage>, for a page that already loads callcaps.iife.js: its
    // exports join window.Callcaps (extend). Self-contained (its own lit and rxjs):
    // the main classic script exposes neither, and has no room left to.
    input: 'src/callcaps-media.ts',
    plugins: [resolve(), compile(), minifyLiterals()],
    output: {
      file: 'dist/callcaps-media.iife.js',
      format: 'iife',
      name: 'Callcaps',
      extend: true,
      sourcemap: true,
      plugins: [terser({ ecma: 2022, compress: { passes: 3 } })],
    },
  },
];
