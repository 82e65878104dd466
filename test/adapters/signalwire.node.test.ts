/**
 * `fromSignalWire` over a room session stand-in typed against @signalwire/js
 * (see `signalwire-session.ts` for why a stand-in and what keeps it honest):
 * the conformance suite, then the mapping case by case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { CapabilityError, ServerError, can, parseCapabilities } from '../../src/core.js';
import { fromSignalWire, signalWireFlags } from '../../src/adapters/signalwire/index.js';
import { conformance, type Fixture } from './conformance.js';
import { ROOM, StandInRoomSession, joinedParams, sdkCapabilities, swMember } from './signalwire-session.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** What a SignalWire guest gets: itself, its media, its hand, the screen and its devices. */
const GUEST = ['self', 'screenshare', 'device'];
/** A moderator: everything of the grammar SignalWire's `Capability` type lists. */
const HOST = [...GUEST, 'member', 'layout', 'digit', 'vmuted', 'lock', 'end'];

function joined(capabilities: string[]) {
  const session = new StandInRoomSession();
  const call = fromSignalWire(session, { layouts: ['grid-responsive', 'highlight-1-responsive'] });
  session.emit('call.joined', joinedParams(capabilities));
  return { session, call };
}

function fixture(capabilities: string[]): Fixture {
  const { session, call } = joined(capabilities);
  const again = (flags: string[]) => async () => {
    session.emit('call.joined', joinedParams(flags));
    await settle();
  };
  let current = capabilities;
  return {
    call,
    otherId: 'm2',
    promote: async () => {
      current = HOST;
      await again(HOST)();
    },
    demote: async () => {
      current = GUEST;
      await again(GUEST)();
    },
    repeat: async () => again(current)(),
    sent: () => session.sent,
    listeners: () => session.listenerCount,
    close: () => call.leave(),
  };
}

conformance({
  name: 'SignalWire (FabricRoomSession stand-in typed by @signalwire/js)',
  guest: async () => fixture(GUEST),
  host: async () => fixture(HOST),
  pending: async () => {
    const session = new StandInRoomSession();
    const call = fromSignalWire(session, { layouts: ['grid'] });
    return {
      call,
      join: async () => session.emit('call.joined', joinedParams(GUEST)),
      close: () => call.leave(),
    };
  },
  expected: {
    'mute self audio': 'audioMute()',
    'unmute self audio': 'audioUnmute()',
    'mute self video': 'videoMute()',
    'unmute self video': 'videoUnmute()',
    'raise hand': 'setRaisedHand({"raised":true})',
    'lower hand': 'setRaisedHand({"raised":false})',
    'deafen self': 'deaf()',
    screenshare: 'startScreenShare()',
    'mute member audio': 'audioMute({"memberId":"m2"})',
    'unmute member audio': 'audioUnmute({"memberId":"m2"})',
    'mute member video': 'videoMute({"memberId":"m2"})',
    'deafen member': 'deaf({"memberId":"m2"})',
    'lower member hand': 'setRaisedHand({"memberId":"m2","raised":false})',
    'update member permissions': null,
    'update everyone': null,
    'change role': null,
    'deny request': null,
    lock: 'lock()',
    unlock: 'unlock()',
    layout: 'setLayout({"name":"grid-responsive"})',
    digits: 'sendDigits("1")',
    admit: null,
    'request audio': null,
    'start recording': null,
    'stop recording': null,
    'start streaming': null,
    'stop streaming': null,
    'start transcription': null,
    'stop transcription': null,
    'remove member': 'removeMember({"memberId":"m2"})',
    end: 'end()',
  },
  hostFlags: ['member.remove', 'member.mute.audio.on', 'member.mute.audio.off', 'member.deaf.on', 'lock.on', 'lock.off', 'layout.set', 'digit.send', 'end'],
});

describe('fromSignalWire: the capability strings', () => {
  it('are taken out of what call.joined carries: the server\'s array, the SDK\'s CallCapabilities, or its contract\'s shape', () => {
    const sent = ['self', 'member.remove', 'lock.on', 'request.audio'];
    assert.deepEqual(signalWireFlags(sent), sent);
    assert.deepEqual(signalWireFlags(sdkCapabilities(sent)), sent, 'the strings the SDK keeps, request.* included');
    // Only the public contract: read back into leaves granting exactly the same.
    const { _flags, ...contract } = sdkCapabilities(['self', 'member.mute', 'lock.off', 'layout', 'end', 'vmuted.hide.on', 'device']);
    const back = parseCapabilities(signalWireFlags(contract));
    const expected = parseCapabilities(_flags);
    // The contract's fields (callcaps' `permissions` and `role` extensions are not SignalWire's).
    const member = ({ permissions: _p, role: _r, ...rest }: (typeof back)['self']) => rest;
    for (const who of ['self', 'member'] as const) assert.deepEqual(member(back[who]), member(expected[who]), who);
    for (const key of ['end', 'setLayout', 'sendDigit', 'lock', 'vmutedHide', 'device', 'screenshare'] as const) {
      assert.deepEqual(back[key], expected[key], key);
    }
    assert.deepEqual(signalWireFlags(null), []);
    assert.deepEqual(signalWireFlags('self'), []);
    assert.deepEqual(signalWireFlags([1, 'self']), []);
  });

  it('arrive unchanged: the grammar is callcaps\' own, parents grant their leaves, unknown strings are ignored', () => {
    const { call } = joined(['self.mute.audio', 'member.remove', 'lock.on', 'vmuted.hide.on', 'fly.to.moon']);
    assert.deepEqual(call.flags, ['self.mute.audio', 'member.remove', 'lock.on', 'vmuted.hide.on', 'fly.to.moon']);
    assert.equal(call.capabilities.self.muteAudio.on, true);
    assert.equal(call.capabilities.self.muteAudio.off, true);
    assert.equal(call.capabilities.lock.on, true);
    assert.equal(call.capabilities.lock.off, false);
    assert.equal(call.capabilities.vmutedHide.on, true);
  });

  it('what SignalWire has no method for is dropped, whatever the server sends', () => {
    const { call } = joined(['member.permissions.set', 'member.role.set', 'waiting.admit', 'record', 'stream', 'transcribe', 'request', 'end']);
    assert.deepEqual(call.flags, ['end']);
    for (const flag of ['member.permissions.set', 'member.role.set', 'waiting.admit', 'record.on', 'stream.on', 'transcribe.on', 'request.audio']) {
      assert.equal(can(call.capabilities.state, flag), false, flag);
    }
  });

  it('malformed capabilities grant nothing; a fresh call.joined replaces everything', () => {
    const session = new StandInRoomSession();
    const call = fromSignalWire(session, { layouts: [] });
    session.emit('call.joined', { ...joinedParams([]), capabilities: 'self' as never });
    assert.equal(call.capabilities.known, true);
    assert.equal(can(call.capabilities.state, 'self.mute.audio.on'), false);
    session.emit('call.joined', joinedParams(['lock']));
    assert.equal(call.capabilities.lock.off, true);
    session.emit('call.joined', joinedParams(['self']));
    assert.equal(call.capabilities.lock.off, false);
  });
});

describe('fromSignalWire: members and the room', () => {
  it('room.joined lists room_session.members; member.joined/updated/left keep the list', async () => {
    const { session, call } = joined(GUEST);
    assert.deepEqual((await firstValueFrom(call.participants$)).map((m) => m.id), ['me', 'm2', 'm3']);
    assert.equal((await firstValueFrom(call.self$))?.id, 'me');
    session.emit('member.joined', { ...ROOM, member: swMember('m4', { name: 'Dee', audio_muted: true }) });
    session.emit('member.updated', { ...ROOM, member: { ...swMember('m2'), handraised: true, updated: ['handraised'] } as never });
    session.emit('member.left', { ...ROOM, member: swMember('m3'), reason: 'hangup' });
    const members = await firstValueFrom(call.participants$);
    assert.deepEqual(members.map((m) => m.id), ['me', 'm2', 'm4']);
    assert.equal(members.find((m) => m.id === 'm4')?.audio_muted, true);
    assert.equal(members.find((m) => m.id === 'm2')?.handraised, true);
    const room = await firstValueFrom(call.room$);
    assert.equal(room?.name, 'standup');
    assert.equal(room?.layout, 'grid-responsive');
    await call.leave();
  });

  it('recovering forgets the capabilities; the next call.joined restores them; room.left finishes', async () => {
    const { session, call } = joined(HOST);
    session.emit('recovering');
    assert.equal(call.capabilities.known, false);
    assert.equal(await firstValueFrom(call.connection$), 'reconnecting');
    session.emit('call.joined', joinedParams(HOST));
    assert.equal(call.capabilities.lock.on, true);
    session.emit('call.left', { ...joinedParams([]), reason: 'kicked' } as never);
    assert.equal(await firstValueFrom(call.left$), 'removed');
    assert.equal(session.listenerCount, 0);
  });

  it('a refusal from SignalWire reaches the caller as a ServerError with SignalWire\'s message; an absent flag never reaches it', async () => {
    const { session, call } = joined(HOST);
    session.fail = { code: '403', message: 'Permission denied: member.remove' };
    const error = await call.removeMember('m2').catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.match(error.message, /Permission denied/);
    session.fail = null;
    session.emit('call.joined', joinedParams(GUEST));
    const before = session.sent.length;
    await assert.rejects(call.lock(), CapabilityError);
    assert.equal(session.sent.length, before);
    await call.leave();
  });
});
