/**
 * `fromDaily` over a real daily-js call object in Chromium, offline (see
 * `daily-machine.ts`: daily-js is real, Daily's call machine is a stand-in
 * served by the test runner). daily-js needs a browser, so the `Call`
 * conformance suite runs here, unchanged (node:test and node:assert map to
 * mocha and chai, see `browser-node-shims.ts`); then the mapping table and
 * the Daily flows case by case, all driven through daily-js's own events.
 */
import { expect } from '@open-wc/testing';
import * as DailyModule from '@daily-co/daily-js';
import { firstValueFrom } from 'rxjs';
import { CapabilityError, ServerError, can } from '../../src/core.js';
import { dailyFlags, fromDaily, type DailyOptions } from '../../src/adapters/daily/index.js';
import { conformance, type Fixture } from './conformance.js';
import { ADMIN, DailyMachine, GUEST, dailyParticipant, until, type DailyFactory } from './daily-machine.js';
import type { DailyParticipantPermissions } from '@daily-co/daily-js';

/** The module's default export (under NodeNext, TypeScript reads daily-js's declarations as CommonJS). */
const Daily = ((DailyModule as { default?: unknown }).default ?? DailyModule) as DailyFactory;
const OPTIONS: DailyOptions = { liveStreaming: { rtmpUrl: 'rtmp://live.example/app/key' } };
const HOST: DailyParticipantPermissions = { ...GUEST, canAdmin: new Set(['participants', 'streaming', 'transcription']) };
const settle = (ms = 60) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every listener on the call object's own emitter. */
function listenerTotal(call: unknown): number {
  const emitter = call as { eventNames(): (string | symbol)[]; listenerCount(e: string | symbol): number };
  return emitter.eventNames().reduce((n, e) => n + emitter.listenerCount(e), 0);
}

function created(owner = false, options: DailyOptions = OPTIONS) {
  const m = DailyMachine.create(Daily, { owner });
  const baseline = listenerTotal(m.call);
  const call = fromDaily(m.call, options);
  return { m, call, held: () => listenerTotal(m.call) - baseline };
}

async function joined(permissions: DailyParticipantPermissions, owner = false, options?: DailyOptions) {
  const c = created(owner, options);
  c.m.local = { ...c.m.local, permissions };
  await c.m.join();
  await until(() => c.call.capabilities.known, 'capabilities known');
  await until(() => c.call.flags !== null, 'flags');
  return c;
}

function fixture(c: Awaited<ReturnType<typeof joined>>): Fixture {
  const set = (permissions: DailyParticipantPermissions, check: () => boolean) => async () => {
    c.m.setLocal(permissions);
    await until(check, 'the new permissions');
  };
  return {
    call: c.call,
    otherId: 's2',
    promote: set(HOST, () => c.call.capabilities.member.remove),
    demote: set(GUEST, () => !c.call.capabilities.member.remove),
    repeat: async () => {
      c.m.setLocal(c.m.local.permissions);
      await settle();
    },
    sent: () => c.m.sent,
    listeners: c.held,
    close: async () => {
      await c.call.leave().catch(() => {});
      await c.m.destroy();
    },
  };
}

conformance({
  name: 'Daily (a real daily-js call object, its call machine a stand-in)',
  guest: async () => fixture(await joined(GUEST)),
  host: async () => fixture(await joined(HOST, true)),
  pending: async () => {
    const c = created();
    return {
      call: c.call,
      join: async () => {
        await c.m.join();
        await until(() => c.call.capabilities.known, 'capabilities known');
      },
      close: async () => {
        await c.call.leave().catch(() => {});
        await c.m.destroy();
      },
    };
  },
  expected: {
    'mute self audio': 'local-audio {"state":false',
    'unmute self audio': 'local-audio {"state":true',
    'mute self video': 'local-video {"state":false',
    'unmute self video': 'local-video {"state":true',
    'raise hand': null,
    'lower hand': null,
    'deafen self': null,
    screenshare: 'local-screen-start',
    'mute member audio': 'update-participant {"id":"s2","properties":{"setAudio":false}}',
    'unmute member audio': null,
    'mute member video': 'update-participant {"id":"s2","properties":{"setVideo":false}}',
    'deafen member': null,
    'lower member hand': null,
    'update member permissions': 'update-participant {"id":"s2","properties":{"updatePermissions":{"canSend":["audio"]}}}',
    'update everyone': 'update-participants {"participants":{"*":{"updatePermissions":{"canSend":true}}}}',
    'change role': null,
    'deny request': 'app-msg {"data":{"type":"request-denied","sessionId":"s2"},"to":"*"}',
    lock: null,
    unlock: null,
    layout: null,
    digits: null,
    admit: 'daily-method-update-waiting-participants {"updatesById":{"*":{"grantRequestedAccess":true}}}',
    'request audio': 'app-msg {"data":{"type":"request-permissions","sessionId":"me","permissions":["audio"]}',
    'start recording': 'local-recording-start',
    'stop recording': 'local-recording-stop',
    'start streaming': 'daily-method-start-live-streaming {"rtmpUrl":"rtmp://live.example/app/key"}',
    'stop streaming': 'daily-method-stop-live-streaming',
    'start transcription': 'daily-method-start-transcription',
    'stop transcription': 'daily-method-stop-transcription',
    'remove member': 'update-participant {"id":"s2","properties":{"eject":true}}',
    end: 'update-participants {"participants":{"*":{"eject":true}}}',
  },
  hostFlags: ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'waiting.admit', 'record.on', 'stream.on', 'transcribe.on'],
});

describe('fromDaily: the mapping table', () => {
  it('presence, canSend and canAdmin as daily-js gives them (Sets or booleans)', () => {
    expect(dailyFlags({ permissions: { ...GUEST, hasPresence: false } })).to.deep.equal(['self.remove', 'request.presence']);
    const audioOnly = dailyFlags({ permissions: { ...GUEST, canSend: new Set(['audio']) } });
    expect(audioOnly).to.include.members(['self.mute.audio.on', 'self.mute.audio.off', 'self.mute.video.on', 'request.video', 'request.screenshare']);
    expect(audioOnly).not.to.include.members(['self.mute.video.off', 'screenshare', 'request.audio']);
    expect(dailyFlags({ permissions: { ...GUEST, canSend: true } })).to.include.members(['self.mute.audio.off', 'self.mute.video.off', 'screenshare']);
    expect(dailyFlags({ permissions: { ...GUEST, canSend: false } })).not.to.include('self.mute.audio.off');
    expect(dailyFlags({ permissions: ADMIN })).to.include.members(['member.remove', 'member.permissions.set', 'waiting.admit', 'member.mute.audio.on']);
    expect(dailyFlags({ permissions: ADMIN })).not.to.include.members(['record.on', 'end', 'member.mute.audio.off']);
    expect(dailyFlags({ permissions: { ...GUEST, canAdmin: new Set(['streaming']) } })).to.include.members(['record.on', 'stream.off']);
    expect(dailyFlags({ permissions: { ...GUEST, canAdmin: true } })).to.include.members(['member.remove', 'record.on', 'transcribe.on']);
    expect(dailyFlags({ permissions: GUEST, owner: true })).to.include.members(['member.remove', 'record.on', 'transcribe.on', 'end']);
  });

  it('malformed permissions grant nothing; requests can be turned off', () => {
    expect(dailyFlags(null)).to.deep.equal([]);
    expect(dailyFlags({ permissions: 'all' })).to.deep.equal([]);
    expect(dailyFlags({ permissions: { ...GUEST, hasPresence: false } }, { requests: false })).to.deep.equal(['self.remove']);
  });
});

describe('fromDaily over a real daily-js call object', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  const use = async (permissions: DailyParticipantPermissions, owner = false, options?: DailyOptions) => {
    const c = await joined(permissions, owner, options);
    open.push({ close: async () => { await c.call.leave().catch(() => {}); await c.m.destroy(); } });
    return c;
  };

  it('members from participants(): session ids, owners, permissions as arrays, track states', async () => {
    const { m, call } = await use(GUEST);
    m.emitParticipant(dailyParticipant('s2', { owner: true, permissions: ADMIN, tracks: { ...m.remotes.get('s2')!.tracks, audio: { subscribed: true, state: 'off' } } }));
    await until(() => call.capabilities.known && (m.call.participants().s2?.owner ?? false), 's2 an owner');
    await settle();
    const s2 = (await firstValueFrom(call.participants$)).find((x) => x.id === 's2')!;
    expect(s2.owner).to.equal(true);
    expect(s2.audio_muted).to.equal(true);
    expect(s2.permissions.canAdmin).to.deep.equal(['participants']);
    expect(s2.permissions.canSend).to.deep.equal(['audio', 'video', 'screenVideo', 'screenAudio']);
    expect((await firstValueFrom(call.room$))?.name).to.equal('standup');
  });

  it('the request-presence flow of Daily\'s guide: locked out, ask over app messages, the owner admits', async () => {
    // The participant: no presence, may only ask.
    const guest = await use({ ...GUEST, hasPresence: false, canSend: false });
    expect(guest.call.capabilities.request.presence).to.equal(true);
    expect(guest.call.capabilities.self.muteAudio.on).to.equal(false);
    await guest.call.requestPermissions(['presence']);
    expect(guest.m.sent.at(-1)).to.equal('app-msg {"data":{"type":"request-presence","sessionId":"me"},"to":"*"}');

    // The owner: s2 lost its presence (hidden), then asks.
    const owner = await use(GUEST, true);
    owner.m.emitParticipant({ ...owner.m.remotes.get('s2')!, permissions: { ...GUEST, hasPresence: false } });
    await until(() => !('s2' in owner.m.call.participants()), 's2 hidden');
    owner.m.appMessage('s2', { type: 'request-presence', sessionId: 's2' });
    owner.m.appMessage('s3', { type: 'request-presence', sessionId: 's2' }); // speaks for someone else: ignored
    await until(() => owner.call.capabilities.known, 'known');
    const requests = await (async () => {
      await settle();
      return firstValueFrom(owner.call.requests$);
    })();
    expect(requests.map((r) => [r.member_id, r.permissions])).to.deep.equal([['s2', ['presence']]]);
    await owner.call.updateMember('s2', { permissions: { hasPresence: true } });
    expect(owner.m.sent.at(-1)).to.equal('update-participant {"id":"s2","properties":{"updatePermissions":{"hasPresence":true}}}');
    expect(await firstValueFrom(owner.call.requests$)).to.deep.equal([]);
  });

  it('a refusal reaches the requester (callcaps\' request-denied message, heeded from hosts only); a grant answers its own request', async () => {
    const guest = await use({ ...GUEST, hasPresence: false, canSend: false });
    const own = async () => (await firstValueFrom(guest.call.requests$)).map((r) => [r.member_id, r.permissions]);
    await guest.call.requestPermissions(['presence']);
    expect(await own()).to.deep.equal([['me', ['presence']]]);
    // Another guest's "refusal" is ignored; a host's is heeded.
    guest.m.appMessage('s3', { type: 'request-denied', sessionId: 'me' });
    guest.m.emitParticipant({ ...guest.m.remotes.get('s2')!, owner: true });
    await settle();
    expect(await own()).to.deep.equal([['me', ['presence']]]);
    guest.m.appMessage('s2', { type: 'request-denied', sessionId: 'me' });
    await until(() => guest.call.capabilities.known, 'known');
    await settle();
    expect(await own()).to.deep.equal([]);
    // Asked again and granted: the request is answered by the grant itself.
    await guest.call.requestPermissions(['presence']);
    expect(await own()).to.deep.equal([['me', ['presence']]]);
    guest.m.setLocal({ ...GUEST, hasPresence: true, canSend: false });
    await settle();
    expect(await own()).to.deep.equal([]);
  });

  it('knocking: waitingParticipants() and the waiting-participant events; admit one, admit all', async () => {
    const { m, call } = await use(ADMIN);
    m.knock('k1', 'Kim');
    m.knock('k2', 'Lou');
    await until(() => Object.keys(m.call.waitingParticipants()).length === 2, 'two knockers');
    await settle();
    expect((await firstValueFrom(call.waiting$)).map((w) => [w.id, w.name, w.awaiting])).to.deep.equal([['k1', 'Kim', 'full'], ['k2', 'Lou', 'full']]);
    await call.updateWaiting('k1', true);
    expect(m.sent.at(-1)).to.equal('daily-method-update-waiting-participant {"id":"k1","updates":{"grantRequestedAccess":true}}');
    await until(() => Object.keys(m.call.waitingParticipants()).length === 1, 'one knocker left');
    await settle();
    expect((await firstValueFrom(call.waiting$)).map((w) => w.id)).to.deep.equal(['k2']);
    await call.updateWaiting('*', false);
    await settle();
    expect(await firstValueFrom(call.waiting$)).to.deep.equal([]);
  });

  it('a guest cannot admit, eject or change permissions: CapabilityError, nothing reaches daily-js', async () => {
    const { m, call } = await use(GUEST);
    const before = m.sent.length;
    for (const run of [() => call.updateWaiting('*', true), () => call.removeMember('s2'), () => call.updateMember('*', { permissions: { canSend: false } })]) {
      const error = await run().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CapabilityError);
    }
    await settle(20);
    expect(m.sent.length).to.equal(before);
  });

  it('another participant\'s update re-lists the members but leaves the capabilities alone', async () => {
    const { m, call } = await use(GUEST);
    const states: unknown[] = [];
    const subscription = call.capabilities.state$.subscribe((s) => states.push(s));
    m.emitParticipant({ ...m.remotes.get('s2')!, tracks: { ...m.remotes.get('s2')!.tracks, video: { subscribed: true, state: 'off' } } });
    await until(() => m.call.participants().s2?.tracks.video.state === 'off', 's2 camera off');
    await settle();
    expect((await firstValueFrom(call.participants$)).find((x) => x.id === 's2')?.video_muted).to.equal(true);
    expect(states.length).to.equal(1);
    subscription.unsubscribe();
  });

  it('signalling interrupted: nothing is known, reconnecting; connected again: the same capabilities', async () => {
    const { m, call } = await use(ADMIN);
    m.signalling('interrupted');
    await until(() => !call.capabilities.known, 'forgotten');
    expect(await firstValueFrom(call.connection$)).to.equal('reconnecting');
    m.signalling('connected');
    await until(() => call.capabilities.known, 'known again');
    expect(call.capabilities.member.remove).to.equal(true);
    expect(await firstValueFrom(call.connection$)).to.equal('connected');
  });

  it('a revocation through participant-updated takes the host rights away at once', async () => {
    const { m, call } = await use(ADMIN);
    expect(can(call.capabilities.state, 'member.remove')).to.equal(true);
    m.setLocal({ ...ADMIN, canAdmin: false });
    await until(() => !call.capabilities.member.remove, 'revoked');
    expect(call.capabilities.admit).to.equal(false);
  });

  it('daily-js refusing an update (its own validation) reaches the caller as a ServerError with its message', async () => {
    const { call } = await use(ADMIN);
    const error = await call.updateMember('s2', { permissions: { canSend: ['smell' as never] } }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ServerError);
    expect((error as Error).message).to.match(/updatePermissions/);
  });

  it('app messages: sent in callcaps\' envelope, received from others; ejected ends as removed', async () => {
    const { m, call } = await use(GUEST);
    await call.sendMessage({ hi: 1 }, 's2');
    expect(m.sent.at(-1)).to.equal('app-msg {"data":{"type":"callcaps","data":{"hi":1}},"to":"s2"}');
    const received = firstValueFrom(call.messages$);
    m.appMessage('s3', { type: 'callcaps', data: { yo: 2 } });
    expect(await received).to.deep.equal({ from: 's3', data: { yo: 2 } });
    m.eject();
    await until(() => m.call.meetingState() === 'left-meeting' || m.call.meetingState() === 'error', 'ejected');
    await settle();
    expect(await firstValueFrom(call.left$)).to.equal('removed');
    expect(call.listeners).to.equal(0);
  });
});
