/**
 * The classic-script path for Daily and SignalWire: a page with no bundler
 * loads `dist/callcaps.iife.js`, the platform's script and the adapter's
 * classic script, and binds the elements. Daily's own build
 * (`window.Daily`) runs for real, its call machine the stand-in of
 * `daily-machine.ts`; SignalWire's room session is the stand-in of
 * `signalwire-session.ts` (a real one needs SignalWire's cloud). Reads the
 * build (`npm run build` first).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { actionable, part, loadClassicScript } from '../elements/helpers.js';
import { DailyMachine, GUEST, until, type DailyFactory } from './daily-machine.js';
import { StandInRoomSession, joinedParams } from './signalwire-session.js';

interface AdaptedCall {
  capabilities: { known: boolean };
  lock(): Promise<void>;
  leave(): Promise<void>;
}
interface Globals {
  Callcaps: { CapabilityError: new (...args: never[]) => Error };
  Daily: DailyFactory;
  CallcapsDaily: { fromDaily(callObject: unknown, options?: object): AdaptedCall };
  CallcapsSignalWire: { fromSignalWire(roomSession: unknown, options?: object): AdaptedCall };
}

describe('dist/adapters/daily.iife.js and signalwire.iife.js from plain <script> tags', () => {
  const g = window as unknown as Globals;
  before(async () => {
    if (!('Callcaps' in window)) await loadClassicScript('/dist/callcaps.iife.js');
    await loadClassicScript('/node_modules/@daily-co/daily-js/dist/daily.js');
    await loadClassicScript('/dist/adapters/daily.iife.js');
    await loadClassicScript('/dist/adapters/signalwire.iife.js');
  });

  it('binds a call object of Daily\'s own build to the elements, with one CapabilityError class', async () => {
    const m = DailyMachine.create(g.Daily, {}, ['s2']);
    // May send audio only, the camera off: the camera can be asked for, not started.
    m.local = {
      ...m.local,
      permissions: { ...GUEST, canSend: new Set(['audio']) },
      tracks: { ...m.local.tracks, video: { subscribed: true, state: 'off' } },
    };
    const call = g.CallcapsDaily.fromDaily(m.call);
    const controls = await fixture(html`<call-controls .call=${call}></call-controls>`);
    expect(call.capabilities.known).to.equal(false);
    await m.join();
    await until(() => call.capabilities.known, 'joined');
    await waitUntil(() => actionable(part(controls, 'mic')), 'the mic is offered');
    // Booleans: a failed expectation must not serialise an element.
    expect(part(controls, 'camera')?.dataset.mode, 'the camera in request mode').to.equal('request');
    const error = await call.lock().catch((e: unknown) => e);
    expect(error instanceof g.Callcaps.CapabilityError, String(error)).to.equal(true);
    await call.leave();
    await m.destroy();
  });

  it('binds a SignalWire room session to the elements, with one CapabilityError class', async () => {
    const session = new StandInRoomSession();
    const call = g.CallcapsSignalWire.fromSignalWire(session, { layouts: ['grid'] });
    const controls = await fixture(html`<call-controls .call=${call}></call-controls>`);
    session.emit('call.joined', joinedParams(['self.mute.audio', 'device']));
    await waitUntil(() => actionable(part(controls, 'mic')), 'the mic is offered');
    expect(actionable(part(controls, 'camera'))).to.equal(false);
    const error = await call.lock().catch((e: unknown) => e);
    expect(error instanceof g.Callcaps.CapabilityError, String(error)).to.equal(true);
    await call.leave();
  });
});
