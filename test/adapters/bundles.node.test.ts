/**
 * The platform SDKs are optional peers: nothing of them may enter the main
 * entry, `dist/callcaps.iife.js` or `dist/callcaps.bundle.js`; the adapters'
 * own modules and classic scripts import nothing of them at run time (the
 * SDK objects are the app's). Reads the build (`npm run build` first; `npm
 * test` builds before the Node suites).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';

const SDK_MARKERS = [
  'livekit-client', '@livekit/protocol', 'livekit-server-sdk', '@stream-io/video-client', 'LivekitClient',
  'simulateParticipants', 'RoomServiceClient', 'StreamVideoClient', 'fromLiveKit', 'fromStream', 'axios',
  '@daily-co/daily-js', '@signalwire/js', '@signalwire/core', 'fromDaily', 'fromSignalWire', 'iframe-call-message', 'SignalWire JS SDK',
];
/** Code only the SDKs themselves hold (daily-js's call-machine channel, SignalWire's bundle banner and RPC client). */
const SDK_ONLY = ['simulateParticipants', 'RoomServiceClient', 'StreamVideoClient', 'axios', 'iframe-call-message', 'callMachineInitialized', 'SignalWire JS SDK', 'signalwire.connect'];

const read = (file: string) => {
  assert.ok(existsSync(file), `${file} is missing: run npm run build`);
  return readFileSync(file, 'utf8');
};

/** Every module the ES entry reaches through relative imports, and every bare specifier it imports. */
function graph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const queue = [normalize(entry)];
  while (queue.length) {
    const file = queue.shift()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const [, spec] of read(file).matchAll(/(?:^|[\s;])(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      if (!spec) continue;
      if (spec.startsWith('.')) queue.push(normalize(join(dirname(file), spec)));
      else bare.add(spec);
    }
  }
  return { files, bare };
}

describe('the platform SDKs stay out of the main bundles', () => {
  for (const bundle of ['dist/callcaps.iife.js', 'dist/callcaps.bundle.js']) {
    it(`${bundle} holds no SDK code and no adapter`, () => {
      const source = read(bundle);
      for (const marker of SDK_MARKERS) assert.ok(!source.includes(marker), `${bundle} contains ${marker}`);
    });
  }

  for (const entry of ['dist/index.js', 'dist/core.js']) {
    it(`${entry} reaches no adapter module and imports only lit and rxjs`, () => {
      const { files, bare } = graph(entry);
      assert.ok(files.length > 5);
      assert.deepEqual(files.filter((f) => f.includes(`${join('dist', 'adapters')}`)), []);
      for (const spec of bare) assert.match(spec, /^(lit|@lit\/|rxjs)/, `${entry} imports ${spec}`);
    });
  }

  for (const [entry, sdk] of [
    ['dist/adapters/livekit/index.js', /livekit/], ['dist/adapters/stream/index.js', /stream-io/],
    ['dist/adapters/daily/index.js', /daily-co/], ['dist/adapters/signalwire/index.js', /signalwire/],
  ] as const) {
    it(`${entry} imports nothing of its SDK at run time (types only)`, () => {
      const { bare } = graph(entry);
      for (const spec of bare) assert.doesNotMatch(spec, sdk);
      assert.deepEqual([...bare].filter((s) => !s.startsWith('rxjs')), []);
    });
  }

  for (const [script, global] of [
    ['dist/adapters/livekit.iife.js', 'CallcapsLiveKit'], ['dist/adapters/stream.iife.js', 'CallcapsStream'],
    ['dist/adapters/daily.iife.js', 'CallcapsDaily'], ['dist/adapters/signalwire.iife.js', 'CallcapsSignalWire'],
  ] as const) {
    it(`${script} defines ${global}, takes callcaps' model from window.Callcaps and bundles no SDK`, () => {
      const source = read(script);
      // ok(test()), not match(): a failure must not print the whole bundle.
      assert.ok(new RegExp(`^var ${global}=function`).test(source), `${script} does not define ${global}`);
      assert.ok(/\}\(\{\},Callcaps(,Callcaps)*\);\s*(\/\/# sourceMappingURL=.*)?\s*$/.test(source), `${script} does not take its model from window.Callcaps`);
      for (const marker of [...SDK_ONLY, 'Not allowed: the capability']) {
        assert.ok(!source.includes(marker), `${script} contains ${marker}`);
      }
    });
  }
});
