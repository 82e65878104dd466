/**
 * `fromLiveKit` against a real livekit-client `Room` in Node (see
 * `livekit-room.ts` for what runs offline and what stands in): the
 * conformance suite, then the mapping table case by case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom, type Observable } from 'rxjs';
import { TrackSource } from '@livekit/protocol';
import { CapabilityError, ServerError, can } from '../../src/core.js';
import { fromLiveKit, liveKitFlags, type LiveKitBackend, type LiveKitCall, type LiveKitOptions } from '../../src/adapters/livekit/index.js';
import { conformance, type Fixture } from './conformance.js';
import { GUEST_PERMISSION, OfflineRoom, recordLocal, recordingBackend } from './livekit-room.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

interface Setup {
  offline: OfflineRoom;
  call: LiveKitCall;
  sent: string[];
  fns: Set<Function>;
}

/** A Room and its call, created before the Room connects. */
function setup(options: (sent: string[]) => LiveKitOptions = (sent) => ({ backend: recordingBackend(sent) })): Setup {
  const offline = new OfflineRoom();
  const sent: string[] = [];
  recordLocal(offline.room.localParticipant, sent);
  const { value: call, fns } = OfflineRoom.collect(offline.room, () => fromLiveKit(offline.room, options(sent)));
  return { offline, call, sent, fns };
}

async function joined(attributes: Record<string, string>, options?: (sent: string[]) => LiveKitOptions): Promise<Setup> {
  const s = setup(options);
  await s.offline.connect();
  s.offline.update(s.offline.remote('simulated-0'), s.offline.remote('simulated-1'));
  s.offline.update(s.offline.local(GUEST_PERMISSION, attributes));
  await settle();
  return s;
}

function fixture(s: Setup): Fixture {
  return {
    call: s.call,
    otherId: 'simulated-0',
    promote: async () => {
      s.offline.update(s.offline.local(GUEST_PERMISSION, { role: 'host' }));
      await settle();
    },
    demote: async () => {
      s.offline.update(s.offline.local(GUEST_PERMISSION, { role: 'participant' }));
      await settle();
    },
    repeat: async () => {
      s.offline.update(s.offline.local(GUEST_PERMISSION, { ...s.offline.room.localParticipant.attributes }));
      await settle();
    },
    sent: () => s.sent,
    listeners: () => OfflineRoom.count(s.offline.room, s.fns),
    close: () => s.call.leave(),
  };
}

conformance({
  name: 'LiveKit (livekit-client Room, offline)',
  guest: async () => fixture(await joined({})),
  host: async () => fixture(await joined({ role: 'host' })),
  pending: async () => {
    const s = setup();
    return {
      call: s.call,
      join: async () => {
        await s.offline.connect();
        s.offline.update(s.offline.local(GUEST_PERMISSION));
        await settle();
      },
      close: () => s.call.leave(),
    };
  },
  expected: {
    'mute self audio': 'setMicrophoneEnabled(false)',
    'unmute self audio': 'setMicrophoneEnabled(true)',
    'mute self video': 'setCameraEnabled(false)',
    'unmute self video': 'setCameraEnabled(true)',
    'raise hand': 'setAttributes({"callcaps.handraised":"true"})',
    'lower hand': 'setAttributes({"callcaps.handraised":""})',
    'deafen self': null,
    screenshare: 'setScreenShareEnabled(true)',
    'mute member audio': 'mutePublishedTrack {"room":"simulated-room","identity":"simulated-0","trackSid":"TR_mic_simulated-0","muted":true}',
    'unmute member audio': null,
    'mute member video': 'mutePublishedTrack {"room":"simulated-room","identity":"simulated-0","trackSid":"TR_cam_simulated-0","muted":true}',
    'deafen member': null,
    'lower member hand': 'updateAttributes {"room":"simulated-room","identity":"simulated-0","attributes":{"callcaps.handraised":""}}',
    'update member permissions': `updatePermissions {"room":"simulated-room","identity":"simulated-0","permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true,"canPublishSources":[${TrackSource.MICROPHONE}],"hidden":false,"canUpdateMetadata":true}}`,
    'update everyone': 'updatePermissions {"room":"simulated-room","identity":"simulated-1"',
    'change role': 'updateAttributes {"room":"simulated-room","identity":"simulated-0","attributes":{"role":"participant"}}',
    'deny request': '',
    lock: null,
    unlock: null,
    layout: null,
    digits: null,
    admit: null,
    'request audio': null,
    'start recording': null,
    'stop recording': null,
    'start streaming': null,
    'stop streaming': null,
    'start transcription': null,
    'stop transcription': null,
    'remove member': 'removeParticipant {"room":"simulated-room","identity":"simulated-0"}',
    end: 'endRoom {"room":"simulated-room"}',
  },
  hostFlags: ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'member.role.set', 'end'],
});

describe('fromLiveKit: the mapping table', () => {
  const flags = (permission: Parameters<typeof liveKitFlags>[0]['permission'], host = false, backend: LiveKitBackend = recordingBackend([]), remoteUnmute = false) =>
    liveKitFlags({ permission, host, backend, remoteUnmute }) ?? [];

  it('no permission yet (not joined): not known', () => {
    assert.equal(liveKitFlags({ permission: undefined, host: false, backend: {}, remoteUnmute: false }), null);
  });

  it('canPublish with an empty canPublishSources: every source', () => {
    const f = flags({ canPublish: true, canPublishSources: [] });
    for (const flag of ['self.mute.audio.off', 'self.mute.video.off', 'screenshare', 'device']) assert.ok(f.includes(flag), flag);
  });

  it('canPublishSources narrows what may be unmuted and shared', () => {
    const f = flags({ canPublish: true, canPublishSources: [TrackSource.MICROPHONE] });
    assert.ok(f.includes('self.mute.audio.off'));
    assert.ok(!f.includes('self.mute.video.off'));
    assert.ok(!f.includes('screenshare'));
    const screen = flags({ canPublish: true, canPublishSources: [TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO] });
    assert.ok(screen.includes('screenshare') && !screen.includes('self.mute.audio.off'));
  });

  it('canPublish false: muting oneself only; malformed fields read as not granted', () => {
    assert.deepEqual(flags({ canPublish: false, canPublishSources: [] }), ['self.mute.audio.on', 'self.mute.video.on', 'self.remove']);
    assert.deepEqual(flags({ canPublish: 'yes' as unknown as boolean, canUpdateMetadata: 1 as unknown as boolean }), ['self.mute.audio.on', 'self.mute.video.on', 'self.remove']);
  });

  it('canUpdateMetadata: raising one\'s hand (an attribute)', () => {
    assert.ok(flags({ canUpdateMetadata: true }).includes('self.raisehand'));
  });

  it('host flags follow the backend calls given; remote unmute only when enabled', () => {
    assert.deepEqual(flags({}, true, {}).filter((f) => f.startsWith('member') || f === 'end'), []);
    const all = flags({}, true);
    for (const flag of ['member.mute.audio.on', 'member.mute.video.on', 'member.remove', 'member.permissions.set', 'member.role.set', 'end']) assert.ok(all.includes(flag), flag);
    assert.ok(!all.includes('member.mute.audio.off'));
    assert.ok(flags({}, true, recordingBackend([]), true).includes('member.mute.audio.off'));
    assert.deepEqual(flags({}, false).filter((f) => f.startsWith('member')), []);
  });
});

describe('fromLiveKit with a real Room', () => {
  it('without backend.updateAttributes, making a host is never offered and refused before any backend call', async () => {
    const s = await joined({ role: 'host' }, (sent) => {
      const { updateAttributes: _, ...backend } = recordingBackend(sent);
      return { backend };
    });
    assert.deepEqual(s.call.permissionFields, ['hasPresence', 'canSend', 'canReceive']);
    const error = await s.call.updateMember('simulated-0', { permissions: { canAdmin: true } }).catch((e) => e);
    assert.ok(error instanceof CapabilityError, String(error));
    await s.call.updateMember('simulated-0', { permissions: { hasPresence: false } });
    assert.deepEqual(s.sent.map((line) => line.split(' ')[0]), ['updatePermissions']);
    await s.call.leave();
  });

  it('members: identities, names, hosts, mutes and hands; hidden participants are not listed', async () => {
    const s = await joined({});
    s.offline.update(
      s.offline.remote('simulated-0', GUEST_PERMISSION, { role: 'host', 'callcaps.handraised': 'true' }, true),
      s.offline.remote('simulated-1', { ...GUEST_PERMISSION, hidden: true }),
    );
    await settle();
    const members = await firstValueFrom(s.call.participants$);
    assert.deepEqual(members.map((m) => m.id), ['simulated-local', 'simulated-0']);
    const other = members[1];
    assert.equal(other.name, 'Name simulated-0');
    assert.equal(other.owner, true);
    assert.equal(other.handraised, true);
    assert.equal(other.audio_muted, true);
    assert.deepEqual(other.permissions, { hasPresence: true, canSend: true, canReceive: { base: true }, canAdmin: ['participants'] });
    await s.call.leave();
  });

  it('a permission update from the server changes the capabilities (canPublishSources, then canPublish false)', async () => {
    const s = await joined({});
    assert.equal(s.call.capabilities.self.muteVideo.off, true);
    s.offline.update(s.offline.local({ ...GUEST_PERMISSION, canPublishSources: [TrackSource.MICROPHONE] }));
    await settle();
    assert.equal(s.call.capabilities.self.muteVideo.off, false);
    assert.equal(s.call.capabilities.self.muteAudio.off, true);
    s.offline.update(s.offline.local({ ...GUEST_PERMISSION, canPublish: false }));
    await settle();
    assert.equal(s.call.capabilities.self.muteAudio.off, false);
    assert.equal(s.call.capabilities.screenshare, false);
    const error = await s.call.unmute(['audio']).catch((e) => e);
    assert.ok(error instanceof CapabilityError);
    assert.equal(error.capability, 'self.mute.audio.off');
    await s.call.leave();
  });

  it('without a backend, a host is offered no host control', async () => {
    const s = await joined({ role: 'host' }, () => ({}));
    const state = s.call.capabilities.state;
    for (const flag of ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'end']) assert.equal(can(state, flag), false, flag);
    await assert.rejects(s.call.removeMember('simulated-0'), CapabilityError);
    await s.call.leave();
  });

  it('a custom isHost decides who is a host', async () => {
    const s = await joined({}, (sent) => ({ backend: recordingBackend(sent), isHost: (p) => p.identity === 'simulated-local' }));
    assert.equal(s.call.capabilities.member.remove, true);
    await s.call.leave();
  });

  it('a backend refusal reaches the caller as a ServerError with the platform\'s message and code', async () => {
    const s = await joined({ role: 'host' }, (sent) => ({ backend: recordingBackend(sent, { status: 403, message: 'only hosts may remove participants' }) }));
    const error = await s.call.removeMember('simulated-0').catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 4403);
    assert.equal(error.message, 'only hosts may remove participants');
    const missing = await s.call.removeMember('nobody').catch((e) => e);
    assert.ok(missing instanceof ServerError);
    assert.equal(missing.code, 4404);
    await s.call.leave();
  });

  it('reconnecting: capabilities not known; reconnected: known again', async () => {
    const s = await joined({});
    const known: boolean[] = [];
    s.call.capabilities.known$.subscribe((k) => known.push(k));
    const room = s.offline.room as unknown as { state: string; emit(e: string, ...a: unknown[]): void };
    room.state = 'reconnecting';
    room.emit('connectionStateChanged', 'reconnecting');
    assert.equal(await firstValueFrom(s.call.connection$), 'reconnecting');
    room.state = 'connected';
    room.emit('connectionStateChanged', 'connected');
    assert.deepEqual(known, [true, false, true]);
    await s.call.leave();
  });

  it('removed by the server: left$ says removed, and every listener is released', async () => {
    const s = await joined({});
    assert.ok(OfflineRoom.count(s.offline.room, s.fns) > 0);
    s.offline.room.emit('disconnected', 4);
    assert.equal(await firstValueFrom(s.call.left$), 'removed');
    assert.equal(OfflineRoom.count(s.offline.room, s.fns), 0);
    await s.offline.room.disconnect();
  });

  it('app messages: sent on the callcaps topic, received from others', async () => {
    const s = await joined({});
    await s.call.sendMessage({ hi: 1 }, 'simulated-0');
    assert.match(s.sent.at(-1)!, /^publishData\(\{"hi":1\}, \{"reliable":true,"topic":"callcaps","destinationIdentities":\["simulated-0"\]\}\)$/);
    const received = firstValueFrom(s.call.messages$);
    const from = s.offline.room.remoteParticipants.get('simulated-1')!;
    s.offline.room.emit('dataReceived', new TextEncoder().encode('{"yo":2}'), from, undefined, 'callcaps');
    assert.deepEqual(await received, { from: 'simulated-1', data: { yo: 2 } });
    await s.call.leave();
  });

  it('destroy() completes every observable', async () => {
    const s = await joined({});
    let completed = 0;
    for (const o of [s.call.self$, s.call.participants$, s.call.room$, s.call.connection$] as Observable<unknown>[]) o.subscribe({ complete: () => completed++ });
    s.call.destroy();
    assert.equal(completed, 4);
    assert.equal(OfflineRoom.count(s.offline.room, s.fns), 0);
    await s.offline.room.disconnect();
  });
});
