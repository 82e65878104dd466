// Builds the self-contained browser artifacts (lit and rxjs inside): the two of
// `callcaps`, the media classic script, and a classic script per platform
// adapter. The ES modules for app bundlers, with their .d.ts, come from `tsc`
// (see `npm run build`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';
import ts from 'typescript';

const compile = () =>
  typescript({
    tsconfig: './tsconfig.json',
    filterRoot: '.',
    include: ['src/**/*.ts'],
    exclude: ['src/adapters/livekit-server/**'],
    declaration: false,
    declarationMap: false,
    outDir: 'dist',
    noEmitOnError: true,
  });

// rxjs from the TypeScript sources its package ships, compiled for ES2022 with the
// same class-field semantics as its builds: its ES2015 build spells every `?.` and `??`
// out (`null === (e = …) || void 0 === e ? …`), about 0.1 KB gzip more in the bundle.
// Side-effect free, as its package.json says of every module.
const RXJS = resolvePath('node_modules/rxjs/src');
const rxjsSource = () => ({
  name: 'rxjs-source',
  resolveId(id, importer) {
    const bare = id === 'rxjs' || id.startsWith('rxjs/');
    if (!bare && !(importer?.startsWith(RXJS) && id.startsWith('.'))) return null;
    const path = bare ? resolvePath(RXJS, id.slice(5)) : resolvePath(dirname(importer), id);
    return { id: existsSync(`${path}.ts`) ? `${path}.ts` : `${path}/index.ts`, moduleSideEffects: false };
  },
  transform(code, id) {
    if (!id.startsWith(RXJS)) return null;
    const { outputText, sourceMapText } = ts.transpileModule(code, {
      fileName: id,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, useDefineForClassFields: false, sourceMap: true },
    });
    return { code: outputText.replace(/\/\/# sourceMappingURL=.*$/, ''), map: sourceMapText };
  },
});

// No `development` export condition: lit resolves to its production build.
const resolve = () => [rxjsSource(), nodeResolve({ browser: true })];

// The self-contained bundles keep no comments: the licence headers of lit's modules
// (repeated per module) give way to one banner and to the full texts of every
// bundled package's licence in dist/THIRD-PARTY-NOTICES.txt, emitted beside them.
const BUNDLED = ['lit', 'lit-html', 'lit-element', '@lit/reactive-element', 'rxjs'];
const BANNER = '/*! callcaps (MIT), with lit (BSD-3-Clause, Google LLC) and rxjs (Apache-2.0): see THIRD-PARTY-NOTICES.txt */';
const notices = () => ({
  name: 'third-party-notices',
  generateBundle() {
    const text = BUNDLED.map((name) => {
      const dir = `node_modules/${name}`;
      const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
      const { version, license } = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
      return `${name} ${version} (${license})\n\n${readFileSync(`${dir}/${file}`, 'utf8').trim()}\n`;
    }).join(`\n${'-'.repeat(72)}\n\n`);
    this.emitFile({ type: 'asset', fileName: 'THIRD-PARTY-NOTICES.txt', source: text });
  },
});
const quiet = { comments: false, preamble: BANNER };
// Members named `_x` are internal by convention (lit states, protected helpers, rxjs'
// internals): renamed consistently within the bundle, never `_$…` (lit's
// cross-version protocol) and never quoted names; nothing outside the bundle reads them.
const mangle = { properties: { regex: /^_(?!\$)/ } };
// A fourth pass, function expressions that never read `this` as arrows (none of
// them is a constructor), and no unused trailing parameters (nothing reads a
// function's `length`): about 40 bytes gzip.
const compress = { passes: 4, unsafe_arrows: true, keep_fargs: false };

// lit's html`` and css`` literals carry indentation and comments that terser keeps.
const minifyLiterals = () =>
  minifyTemplateLiterals({ include: ['src/**/*.ts'], failOnError: true, options: { minifyOptions: { removeAttributeQuotes: true } } });

// The adapters' classic scripts run beside dist/callcaps.iife.js: they take
// callcaps' model (capabilities, SelfCapabilities, the errors) from
// `window.Callcaps`, so that `instanceof CapabilityError` holds across both, and
// the platform SDK from the page (the adapters import nothing of it at run
// time; should one ever, it would come from the SDK's own global).
const CORE = /[\\/]core[\\/](call|capabilities|self-capabilities)(\.js|\.ts)?$/;
const SDK_GLOBALS = {
  'livekit-client': 'LivekitClient',
  '@livekit/protocol': 'LivekitClient',
  '@stream-io/video-client': 'StreamVideoClient',
  '@daily-co/daily-js': 'Daily',
  '@signalwire/js': 'SignalWire',
};
const adapter = (name, global) => ({
  input: `src/adapters/${name}/index.ts`,
  external: (id) => CORE.test(id) || id in SDK_GLOBALS,
  plugins: [...resolve(), compile()],
  output: {
    file: `dist/adapters/${name}.iife.js`,
    format: 'iife',
    name: global,
    sourcemap: true,
    globals: (id) => (CORE.test(id) ? 'Callcaps' : SDK_GLOBALS[id]),
    plugins: [terser({ ecma: 2022, compress: { passes: 3 } })],
  },
});

// A locale's classic script, for a page that uses dist/callcaps.iife.js: it
// registers its table on load (before or after callcaps.iife.js: the registry
// is shared through a Symbol.for key) and adds it to window.CallcapsLocales.
// From tsc's output (run first by `npm run build`): the tables are plain data.
const locale = (lang) => ({
  input: `dist/locales/${lang}.js`,
  output: {
    file: `dist/locales/${lang}.iife.js`,
    format: 'iife',
    name: 'CallcapsLocales',
    extend: true,
    plugins: [terser({ ecma: 2022, compress: { passes: 3 } })],
  },
});

export default [
  ...['de', 'fr', 'es', 'ja'].map(locale),
  adapter('livekit', 'CallcapsLiveKit'),
  adapter('stream', 'CallcapsStream'),
  adapter('daily', 'CallcapsDaily'),
  adapter('signalwire', 'CallcapsSignalWire'),
  {
    input: 'src/index.ts',
    plugins: [...resolve(), compile(), minifyLiterals()],
    output: {
      file: 'dist/callcaps.bundle.js',
      format: 'es',
      sourcemap: true,
      plugins: [terser({ module: true, ecma: 2022, compress, mangle, format: quiet }), notices()],
    },
  },
  {
    input: 'src/index.ts',
    plugins: [...resolve(), compile(), minifyLiterals()],
    output: {
      file: 'dist/callcaps.iife.js',
      format: 'iife',
      name: 'Callcaps',
      sourcemap: true,
      // Its own terser without `module: true`, or the global would be dropped.
      plugins: [terser({ ecma: 2022, compress, mangle, format: quiet })],
    },
  },
  {
    // Media and <call-stage>, for a page that already loads callcaps.iife.js: its
    // exports join window.Callcaps (extend). Self-contained (its own lit and rxjs):
    // the main classic script exposes neither, and has no room left to.
    input: 'src/callcaps-media.ts',
    plugins: [...resolve(), compile(), minifyLiterals()],
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
