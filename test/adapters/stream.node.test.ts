/**
 * `fromStream` against a real Stream Video `Call` in Node (see
 * `stream-call.ts` for what runs offline and what stands in): the
 * conformance suite, then the mapping table case by case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import * as sdk from '@stream-io/video-client';
import { CallingState, OwnCapability } from '@stream-io/video-client';
import { CapabilityError, ServerError, can } from '../../src/core.js';
import { STREAM_CAPABILITY_FLAGS, fromStream, streamFlags, type StreamOptions } from '../../src/adapters/stream/index.js';
import { conformance, type Fixture } from './conformance.js';
import { counter, deliver, join, offlineCall, participant } from './stream-call.js';

const GUEST: OwnCapability[] = [OwnCapability.JOIN_CALL, OwnCapability.SEND_AUDIO, OwnCapability.SEND_VIDEO, OwnCapability.SCREENSHARE, OwnCapability.READ_CALL];
const HOST: OwnCapability[] = [
  ...GUEST, OwnCapability.MUTE_USERS, OwnCapability.KICK_USER, OwnCapability.BLOCK_USERS, OwnCapability.UPDATE_CALL_PERMISSIONS,
  OwnCapability.UPDATE_CALL_MEMBER, OwnCapability.END_CALL, OwnCapability.START_RECORD_CALL, OwnCapability.STOP_RECORD_CALL,
  OwnCapability.START_BROADCAST_CALL, OwnCapability.STOP_BROADCAST_CALL, OwnCapability.START_TRANSCRIPTION_CALL, OwnCapability.STOP_TRANSCRIPTION_CALL,
];

function created(options?: StreamOptions) {
  const o = offlineCall(sdk);
  const c = counter(o);
  c.begin();
  const call = fromStream(o.call, options);
  return { o, call, count: c.count };
}

function fixture(capabilities: OwnCapability[]): Fixture {
  const { o, call, count } = created();
  join(o, capabilities);
  return {
    call,
    otherId: 'u2',
    promote: async () => void o.call.state.setOwnCapabilities([...HOST]),
    demote: async () => void o.call.state.setOwnCapabilities([...GUEST]),
    repeat: async () => void o.call.state.setOwnCapabilities([...o.call.state.ownCapabilities]),
    sent: () => o.sent,
    listeners: count,
    close: async () => {
      await call.leave().catch(() => {});
      await o.client.disconnectUser();
    },
  };
}

conformance({
  name: 'Stream (StreamVideoClient Call, offline)',
  guest: async () => fixture(GUEST),
  host: async () => fixture(HOST),
  pending: async () => {
    const { o, call } = created();
    return {
      call,
      join: async () => join(o, GUEST),
      close: async () => {
        await call.leave().catch(() => {});
        await o.client.disconnectUser();
      },
    };
  },
  expected: {
    'mute self audio': 'microphone.disable()',
    'unmute self audio': 'microphone.enable()',
    'mute self video': 'camera.disable()',
    'unmute self video': 'camera.enable()',
    'raise hand': null,
    'lower hand': null,
    'deafen self': null,
    screenshare: 'screenShare.enable()',
    'mute member audio': 'POST /call/default/',
    'unmute member audio': null,
    'mute member video': '/mute_users {"user_ids":["u2"],"video":true',
    'deafen member': null,
    'lower member hand': null,
    'update member permissions': '/user_permissions {"user_id":"u2","grant_permissions":["send-audio"],"revoke_permissions":["send-video","screenshare"]}',
    'update everyone': '/user_permissions {"user_id":"u3"',
    'change role': '/members {"update_members":[{"user_id":"u2","role":"user"}]}',
    'deny request': '',
    lock: null,
    unlock: null,
    layout: null,
    digits: null,
    admit: null,
    'request audio': '/request_permission',
    'start recording': '/start_recording',
    'stop recording': '/stop_recording',
    'start streaming': '/start_broadcasting',
    'stop streaming': '/stop_broadcasting',
    'start transcription': '/start_transcription',
    'stop transcription': '/stop_transcription',
    'remove member': '/kick {"user_id":"u2"}',
    end: '/mark_ended',
  },
  hostFlags: ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'member.role.set', 'end', 'record.on', 'stream.on', 'transcribe.on'],
});

describe('fromStream: the mapping table', () => {
  it('every OwnCapability of the SDK has a line in the table', () => {
    assert.deepEqual(Object.values(OwnCapability).sort(), Object.keys(STREAM_CAPABILITY_FLAGS).sort());
  });

  it('send-audio, send-video, screenshare: what may be unmuted and shared; muting oneself always', () => {
    assert.deepEqual(streamFlags([]).sort(), ['self.mute.audio.on', 'self.mute.video.on', 'self.remove'].sort());
    const f = streamFlags(['send-audio']);
    assert.ok(f.includes('self.mute.audio.off') && f.includes('device'));
    assert.ok(!f.includes('self.mute.video.off') && !f.includes('screenshare'));
    assert.ok(streamFlags(['screenshare']).includes('screenshare'));
  });

  it('malformed capabilities grant nothing; unknown ones are ignored', () => {
    assert.deepEqual(streamFlags('send-audio'), []);
    assert.deepEqual(streamFlags([1, 'send-audio']), []);
    assert.deepEqual(streamFlags(['fly']).sort(), ['self.mute.audio.on', 'self.mute.video.on', 'self.remove'].sort());
  });

  it('member.remove follows the removal chosen: kick-user, or block-users', () => {
    assert.ok(streamFlags(['kick-user']).includes('member.remove'));
    assert.ok(!streamFlags(['block-users']).includes('member.remove'));
    assert.ok(streamFlags(['block-users'], { remove: 'block' }).includes('member.remove'));
    assert.ok(!streamFlags(['kick-user'], { remove: 'block' }).includes('member.remove'));
  });

  it('request flags: only for what is not held and the call settings let one request', () => {
    const canRequest = (p: string) => p === 'send-audio' || p === 'send-video';
    const f = streamFlags(['send-video'], { canRequest });
    assert.ok(f.includes('request.audio'));
    assert.ok(!f.includes('request.video'), 'already held');
    assert.ok(!f.includes('request.screenshare'), 'the settings do not allow it');
    assert.ok(!f.includes('request.presence'));
  });
});

describe('fromStream with a real Call', () => {
  it('not known until joined; reconnecting forgets; joined again knows', async () => {
    const { o, call } = created();
    assert.equal(call.capabilities.known, false);
    join(o, GUEST);
    assert.equal(call.capabilities.known, true);
    o.call.state.setCallingState(CallingState.RECONNECTING);
    assert.equal(call.capabilities.known, false);
    assert.equal(await firstValueFrom(call.connection$), 'reconnecting');
    o.call.state.setCallingState(CallingState.JOINED);
    assert.equal(call.capabilities.self.muteAudio.off, true);
    await call.leave();
    await o.client.disconnectUser();
  });

  it('members: one per user, the creator as owner, roles, what each publishes', async () => {
    const { o, call } = created();
    join(o, GUEST);
    o.call.state.setParticipants([
      participant('me', { isLocalParticipant: true }),
      participant('u2', { roles: ['host'], publishedTracks: [1, 3] }),
      participant('u2', { sessionId: 'second-session' }),
    ]);
    const members = await firstValueFrom(call.participants$);
    assert.deepEqual(members.map((m) => m.id), ['me', 'u2']);
    const u2 = members[1];
    assert.equal(u2.role, 'host');
    assert.deepEqual([u2.audio_muted, u2.video_muted, u2.screenshare], [false, true, true]);
    assert.deepEqual(u2.permissions.canAdmin, ['participants']);
    assert.equal((await firstValueFrom(call.self$))?.id, 'me');
    await call.leave();
    await o.client.disconnectUser();
  });

  it('permission requests arrive by the SDK\'s event; granting sends updateUserPermissions and clears the request; deny dismisses', async () => {
    const { o, call } = created();
    join(o, HOST);
    deliver(o, { type: 'call.permission_request', user: { id: 'u2', name: 'Ann' }, permissions: ['send-audio', 'screenshare'] });
    deliver(o, { type: 'call.permission_request', user: { id: 'u3', name: 'Bo' }, permissions: ['send-video'] });
    const requests = await firstValueFrom(call.requests$);
    assert.deepEqual(requests.map((r) => [r.member_id, r.name, r.permissions]), [['u2', 'Ann', ['audio', 'screenshare']], ['u3', 'Bo', ['video']]]);
    await call.updateMember('u2', { permissions: { canSend: ['audio', 'screenVideo', 'screenAudio'] } });
    assert.match(o.sent.at(-1)!, /\/user_permissions \{"user_id":"u2","grant_permissions":\["send-audio","screenshare"\],"revoke_permissions":\["send-video"\]\}/);
    await call.denyRequest('u3');
    assert.deepEqual(await firstValueFrom(call.requests$), []);
    await call.leave();
    await o.client.disconnectUser();
  });

  it('what Stream cannot express (presence, receive) is never offered and refused with a CapabilityError, never sent', async () => {
    const { o, call } = created();
    join(o, HOST);
    assert.deepEqual(call.permissionFields, ['canSend', 'canAdmin']);
    const before = o.sent.length;
    for (const permissions of [{ hasPresence: false }, { canReceive: { base: false } }, { canSend: true, hasPresence: true }]) {
      const error = await call.updateMember('u2', { permissions }).catch((e) => e);
      assert.ok(error instanceof CapabilityError, String(error));
      assert.match(error.message, /Stream cannot/);
    }
    assert.equal(o.sent.length, before);
    await call.leave();
    await o.client.disconnectUser();
  });

  it('a refusal from Stream\'s API reaches the caller as a ServerError with Stream\'s message and the HTTP code', async () => {
    const { o, call } = created();
    join(o, HOST);
    o.fail = { status: 403, code: 17, message: 'KickUser failed with error: "User does not have permission"' };
    const error = await call.removeMember('u2').catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 4403);
    assert.match(error.message, /User does not have permission/);
    o.fail = null;
    await call.leave();
    await o.client.disconnectUser();
  });

  it('a guest may request what it lacks when the call settings allow it', async () => {
    const { o, call } = created();
    const settings = {
      audio: { access_request_enabled: true }, video: { access_request_enabled: false }, screensharing: { access_request_enabled: true },
    } as never;
    o.call.state.setCurrentValue((o.call.state as unknown as { settingsSubject: never }).settingsSubject, settings);
    // What the SDK's join effects do with new settings (they are registered only by a real join).
    o.call.permissionsContext.setCallSettings(settings);
    join(o, [OwnCapability.JOIN_CALL]);
    assert.equal(call.capabilities.request.audio, true);
    assert.equal(call.capabilities.request.video, false);
    await call.requestPermissions(['audio']);
    assert.match(o.sent.at(-1)!, /\/request_permission \{"permissions":\["send-audio"\]\}/);
    await assert.rejects(call.requestPermissions(['video']), CapabilityError);
    await call.leave();
    await o.client.disconnectUser();
  });

  it('the call ended by a host: left$ says ended; the owner is the creator', async () => {
    const { o, call } = created();
    join(o, GUEST);
    o.call.state.setEndedAt(new Date());
    o.call.state.setCallingState(CallingState.LEFT);
    assert.equal(await firstValueFrom(call.left$), 'ended');
    assert.equal(can(call.capabilities.state, 'self.mute.audio.on'), false);
    await o.client.disconnectUser();
  });

  it('app messages: sent as a custom event, received from others', async () => {
    const { o, call } = created();
    join(o, GUEST);
    await call.sendMessage({ hi: 1 }, 'u2');
    assert.match(o.sent.at(-1)!, /\/event \{"custom":\{"type":"callcaps","data":\{"hi":1\},"to":"u2"\}\}/);
    const received = firstValueFrom(call.messages$);
    deliver(o, { type: 'custom', user: { id: 'u3' }, custom: { type: 'callcaps', data: { yo: 2 } } });
    assert.deepEqual(await received, { from: 'u3', data: { yo: 2 } });
    await call.leave();
    await o.client.disconnectUser();
  });
});
