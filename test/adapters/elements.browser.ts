/**
 * The elements in Chromium bound to each adapter, over the platforms' real SDK
 * objects created in the page (livekit-client's `Room`, a Stream `Call` from a
 * `StreamVideoClient`, a daily-js call object, bundled by the test runner) or,
 * for SignalWire, a room session stand-in typed by @signalwire/js: the same
 * gating as with the reference client. A promotion shows the host controls, a
 * revocation hides them again, and a control pressed reaches the SDK. The
 * stand-ins are those of the other suites (see `livekit-room.ts`,
 * `stream-call.ts`, `daily-machine.ts` and `signalwire-session.ts`).
 * Runs with its own config (the SDKs need bundling, see there):
 *   npx web-test-runner --config test/adapters/web-test-runner.config.mjs
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import * as sdk from '@stream-io/video-client';
import * as DailyModule from '@daily-co/daily-js';
import type { OwnCapability } from '@stream-io/video-client';
import { define, type Call, type CallControls, type CapabilityGate, type PermissionsPanel } from '../../src/core.js';
import { fromLiveKit } from '../../src/adapters/livekit/index.js';
import { fromStream } from '../../src/adapters/stream/index.js';
import { fromDaily } from '../../src/adapters/daily/index.js';
import { fromSignalWire } from '../../src/adapters/signalwire/index.js';
import { GUEST as DAILY_GUEST, DailyMachine, until, type DailyFactory } from './daily-machine.js';
import { StandInRoomSession, joinedParams } from './signalwire-session.js';
import { GUEST_PERMISSION, OfflineRoom, recordLocal, recordingBackend } from './livekit-room.js';
import { join, offlineCall } from './stream-call.js';
import { actionable, has, part, settle } from '../elements/helpers.js';

define();

interface Platform {
  call: Call;
  sent: string[];
  promote(): Promise<void>;
  revoke(): Promise<void>;
  /** What pressing the mic sends to the SDK (LiveKit's simulated local participant publishes nothing: unmute; Stream's publishes audio: mute). */
  micSent: string;
  /** A call-controls part only a host is offered (default `end`). */
  hostPart?: string;
  close(): Promise<void>;
}

const Daily = ((DailyModule as { default?: unknown }).default ?? DailyModule) as DailyFactory;

const { OwnCapability: CAP } = sdk;
const GUEST: OwnCapability[] = [CAP.JOIN_CALL, CAP.SEND_AUDIO, CAP.SEND_VIDEO];
const HOST: OwnCapability[] = [...GUEST, CAP.MUTE_USERS, CAP.KICK_USER, CAP.UPDATE_CALL_PERMISSIONS, CAP.END_CALL];

const platforms: Record<string, () => Promise<Platform>> = {
  LiveKit: async () => {
    const offline = new OfflineRoom();
    const sent: string[] = [];
    recordLocal(offline.room.localParticipant, sent);
    const call = fromLiveKit(offline.room, { backend: recordingBackend(sent) });
    await offline.connect();
    offline.update(offline.remote('simulated-0'), offline.remote('simulated-1'));
    offline.update(offline.local(GUEST_PERMISSION));
    return {
      call,
      sent,
      promote: async () => offline.update(offline.local(GUEST_PERMISSION, { role: 'host' })),
      revoke: async () => offline.update(offline.local(GUEST_PERMISSION, { role: 'participant' })),
      micSent: 'setMicrophoneEnabled(true)',
      close: () => call.leave(),
    };
  },
  Stream: async () => {
    const o = offlineCall(sdk);
    const call = fromStream(o.call);
    join(o, GUEST);
    return {
      call,
      sent: o.sent,
      promote: async () => void o.call.state.setOwnCapabilities([...HOST]),
      revoke: async () => void o.call.state.setOwnCapabilities([...GUEST]),
      micSent: 'microphone.disable()',
      close: async () => {
        await call.leave();
        await o.client.disconnectUser();
      },
    };
  },
  Daily: async () => {
    const m = DailyMachine.create(Daily);
    const call = fromDaily(m.call);
    await m.join();
    await until(() => call.capabilities.known, 'joined');
    // canAdmin changes mid-call through updateParticipant (owner status comes only with a token at join).
    const admin = { ...DAILY_GUEST, canAdmin: new Set(['participants', 'streaming', 'transcription'] as const) };
    return {
      call,
      sent: m.sent,
      promote: async () => m.setLocal(admin),
      revoke: async () => m.setLocal(DAILY_GUEST),
      micSent: 'local-audio {"state":false,"options":{}}',
      hostPart: 'record',
      close: async () => {
        await call.leave().catch(() => {});
        await m.destroy();
      },
    };
  },
  SignalWire: async () => {
    const session = new StandInRoomSession();
    const call = fromSignalWire(session, { layouts: ['grid-responsive'] });
    session.emit('call.joined', joinedParams(['self', 'device']));
    return {
      call,
      sent: session.sent,
      promote: async () => session.emit('call.joined', joinedParams(['self', 'device', 'member', 'end'])),
      revoke: async () => session.emit('call.joined', joinedParams(['self', 'device'])),
      micSent: 'audioMute()',
      close: () => call.leave(),
    };
  },
};

for (const [name, create] of Object.entries(platforms)) {
  describe(`the elements bound to ${name}`, () => {
    let p: Platform;
    beforeEach(async () => {
      p = await create();
    });
    afterEach(() => p.close());

    it('a promotion shows the host controls; a revocation hides them again', async () => {
      const panel = await fixture<PermissionsPanel>(html`<permissions-panel .call=${p.call}></permissions-panel>`);
      const gate = await fixture<CapabilityGate>(html`<capability-gate .call=${p.call} capability="member.remove"><button>Kick</button><span slot="fallback">no</span></capability-gate>`);
      await settle(panel);
      expect(has(panel, 'participant'), 'a guest sees no panel').to.equal(false);
      expect(gate.status).to.equal('denied');

      await p.promote();
      await waitUntil(() => has(panel, 'participant'), 'the promoted host sees the rows');
      const row = panel.shadowRoot!.querySelector<HTMLElement>('[part~="participant"]')!;
      expect(actionable(part(panel, 'mute-audio', row))).to.equal(true);
      // Remove lives in the row's menu (since the panel's row menu).
      part(panel, 'more', row)!.click();
      await settle(panel);
      expect(actionable(part(panel, 'remove', part(panel, 'menu')!))).to.equal(true);
      part(panel, 'more', row)!.click();
      await settle(panel);
      await waitUntil(() => gate.status !== 'denied');
      await expect(panel).to.be.accessible();

      await p.revoke();
      await waitUntil(() => !has(panel, 'participant'), 'the revoked host sees no rows');
      await waitUntil(() => gate.status === 'denied');
    });

    it('call-controls offers what the platform grants, and a press reaches the SDK', async () => {
      const controls = await fixture<CallControls>(html`<call-controls .call=${p.call}></call-controls>`);
      await settle(controls);
      const mic = part(controls, 'mic');
      expect(actionable(mic), 'the mic').to.equal(true);
      expect(has(controls, 'lock'), 'no platform here can lock').to.equal(false);
      const hostPart = p.hostPart ?? 'end';
      expect(has(controls, hostPart), `a guest is not offered ${hostPart}`).to.equal(false);
      await expect(controls).to.be.accessible();
      mic!.click();
      await waitUntil(() => p.sent.includes(p.micSent), `pressing the mic sends ${p.micSent}`);
      await p.promote();
      await waitUntil(() => has(controls, hostPart), `a host is offered ${hostPart}`);
    });
  });
}
