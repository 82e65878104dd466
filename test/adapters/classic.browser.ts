/**
 * The classic-script path: a page with no bundler loads callcaps, the
 * LiveKit SDK (its own UMD build, `window.LivekitClient`) and the adapter's
 * classic script from `<script>` tags, and binds the elements. Reads the build
 * (`npm run build` first).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { actionable, part, loadClassicScript } from '../elements/helpers.js';

interface Globals {
  Callcaps: { CapabilityError: new (...args: never[]) => Error };
  LivekitClient: { Room: new () => LiveKitRoom };
  CallcapsLiveKit: { fromLiveKit(room: LiveKitRoom, options?: object): { capabilities: { known: boolean }; lock(): Promise<void>; leave(): Promise<void> } };
}
interface LiveKitRoom {
  simulateParticipants(options: object): Promise<void>;
  localParticipant: { setPermissions(permissions: object): boolean };
}

describe('dist/adapters/livekit.iife.js from a plain <script> tag', () => {
  before(async () => {
    await loadClassicScript('/dist/callcaps.iife.js');
    await loadClassicScript('/node_modules/livekit-client/dist/livekit-client.umd.js');
    await loadClassicScript('/dist/adapters/livekit.iife.js');
  });

  it('binds the page\'s LiveKit Room to the elements of dist/callcaps.iife.js, with one CapabilityError class', async () => {
    const g = window as unknown as Globals;
    const room = new g.LivekitClient.Room();
    const call = g.CallcapsLiveKit.fromLiveKit(room);
    const controls = await fixture(html`<call-controls .call=${call}></call-controls>`);
    expect(call.capabilities.known).to.equal(false);
    await room.simulateParticipants({ participants: { count: 2, video: false, audio: false }, publish: { audio: false, video: false } });
    // What the SDK does with the server's permission for the local participant.
    room.localParticipant.setPermissions({ canPublish: true, canSubscribe: true, canPublishData: true, hidden: false, canPublishSources: [2] });
    await waitUntil(() => call.capabilities.known);
    await waitUntil(() => actionable(part(controls, 'mic')), 'the mic is offered');
    // canPublishSources holds the microphone only: the camera cannot be started (booleans: a failed expectation must not serialise an element).
    expect(actionable(part(controls, 'camera'))).to.equal(false);
    const error = await call.lock().catch((e: unknown) => e);
    expect(error instanceof g.Callcaps.CapabilityError, String(error)).to.equal(true);
    await call.leave();
  });
});
