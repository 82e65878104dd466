// The adapters' browser suites (`test/adapters/**/*.browser.ts`): the elements
// in Chromium bound to each adapter over the platforms' real SDK objects.
//   npx web-test-runner --config test/adapters/web-test-runner.config.mjs
//
// The SDKs do not load through the shared config's node-resolve: both depend
// on CommonJS packages (webrtc-adapter's `sdp`, `sdp-transform`) and Stream's
// axios maps its Node HTTP adapter away only through the `browser` field. So
// this config serves each SDK as the page's bundler would: built once by
// esbuild (browser platform, CommonJS converted), with shared chunks so that
// livekit-client and @livekit/protocol share one copy of the protocol classes.
// daily-js runs whole, but its call machine (the bundle Daily's CDN serves) is
// the stand-in `daily-call-machine.js`, see `daily-machine.ts`.
import { build } from 'esbuild';
import { countingReporter } from '../../scripts/counting-reporter.mjs';
import base from '../../web-test-runner.config.mjs';

const SDKS = {
  'livekit-client': 'livekit-client',
  '@livekit/protocol': 'livekit-protocol',
  '@stream-io/video-client': 'stream-video-client',
  '@daily-co/daily-js': 'daily-js',
  '@signalwire/js': 'signalwire-js',
};

let bundled;
const bundle = () =>
  (bundled ??= build({
    entryPoints: Object.fromEntries(Object.entries(SDKS).map(([pkg, name]) => [name, pkg])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/__sdk',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  }).then((result) => new Map(result.outputFiles.map((file) => [file.path, file.text]))));

const bundledSdks = {
  name: 'callcaps-bundled-sdks',
  resolveImport({ source }) {
    if (source in SDKS) return `/__sdk/${SDKS[source]}.js`;
    // The conformance suite, written for node:test, runs here too (see browser-node-shims.ts).
    if (source === 'node:test' || source === 'node:assert/strict') return '/test/adapters/browser-node-shims.ts';
    return undefined;
  },
  async serve(context) {
    if (!context.path.startsWith('/__sdk/')) return undefined;
    const body = (await bundle()).get(context.path);
    return body === undefined ? undefined : { body, type: 'js' };
  },
};

export default {
  ...base,
  files: ['test/adapters/**/*.browser.ts'],
  plugins: [bundledSdks, ...base.plugins],
  reporters: [...base.reporters.slice(0, 2), countingReporter('test-output/adapters-browser-counts.json')],
};
