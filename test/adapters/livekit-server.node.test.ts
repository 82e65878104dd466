/**
 * `callcaps/adapters/livekit-server` end to end, as an app deploys it:
 * page (`fromLiveKit` with `httpBackend`) → the app's route (`liveKitHandler`)
 * → livekit-server-sdk's real `RoomServiceClient` → LiveKit's server API.
 *
 * Stand-in, and why: LiveKit's server (cloud or self-hosted) is unreachable
 * here, so a local HTTP server answers its Twirp API
 * (`/twirp/livekit.RoomService/<Method>`). It reads each request with
 * @livekit/protocol's own request classes (`UpdateParticipantRequest.fromJson`…)
 * and checks the SDK's access token with the SDK's own `TokenVerifier`, so a
 * change in the SDK's types or wire format fails this suite. The page's Room is
 * the real offline Room of `livekit-room.ts`.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  DeleteRoomRequest, MuteRoomTrackRequest, RoomParticipantIdentity, UpdateParticipantRequest, TrackSource,
} from '@livekit/protocol';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { CapabilityError, ServerError } from '../../src/core.js';
import { fromLiveKit, httpBackend } from '../../src/adapters/livekit/index.js';
import { createLiveKitBackend, liveKitHandler, type RoomService } from '../../src/adapters/livekit-server/index.js';
import { GUEST_PERMISSION, OfflineRoom, recordLocal } from './livekit-room.js';

const KEY = 'APIkey';
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });

/** What the stand-in LiveKit server received, parsed by the protocol's classes. */
interface Received {
  method: string;
  request: UpdateParticipantRequest | RoomParticipantIdentity | MuteRoomTrackRequest | DeleteRoomRequest;
  roomAdmin: boolean | undefined;
  roomCreate: boolean | undefined;
}

describe('livekit-server: the app backend over RoomServiceClient', () => {
  let livekit: Server;
  let app: Server;
  let appUrl: string;
  const received: Received[] = [];
  let missing = false;

  before(async () => {
    const verifier = new TokenVerifier(KEY, SECRET);
    livekit = createServer(async (req, res) => {
      const method = req.url!.replace('/twirp/livekit.RoomService/', '');
      const json = JSON.parse(await body(req));
      const grants = await verifier.verify(String(req.headers.authorization).replace(/^Bearer /, ''));
      const parse = {
        UpdateParticipant: () => UpdateParticipantRequest.fromJson(json),
        RemoveParticipant: () => RoomParticipantIdentity.fromJson(json),
        MutePublishedTrack: () => MuteRoomTrackRequest.fromJson(json),
        DeleteRoom: () => DeleteRoomRequest.fromJson(json),
      }[method];
      if (!parse) return res.writeHead(404).end();
      received.push({ method, request: parse(), roomAdmin: grants.video?.roomAdmin, roomCreate: grants.video?.roomCreate });
      if (missing) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ code: 'not_found', msg: 'participant not found' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(method === 'MutePublishedTrack' ? '{"track":{}}' : '{}');
    });
    const rooms: RoomService = new RoomServiceClient(await listen(livekit), KEY, SECRET);
    const handler = liveKitHandler(rooms, {
      // The app's rule: only its hosts (here: a header the test sets) act as hosts.
      authorize: (request, req) => req.headers['x-host'] === 'yes' && request.room === 'simulated-room',
    });
    app = createServer((req, res) => (req.url === '/livekit' ? handler(req, res) : res.writeHead(404).end()));
    appUrl = `${await listen(app)}/livekit`;
  });
  after(() => {
    livekit.close();
    app.close();
  });

  async function hostCall(headers: Record<string, string>) {
    const offline = new OfflineRoom();
    recordLocal(offline.room.localParticipant, []);
    const call = fromLiveKit(offline.room, { backend: httpBackend(appUrl, { headers }) });
    await offline.connect();
    offline.update(offline.remote('simulated-0'), offline.remote('simulated-1'));
    offline.update(offline.local(GUEST_PERMISSION, { role: 'host' }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { call, offline };
  }

  it('every host action of the page reaches LiveKit through the app, signed with the grant LiveKit requires', async () => {
    const { call } = await hostCall({ 'x-host': 'yes' });
    received.length = 0;
    await call.mute(['audio'], 'simulated-0');
    await call.updateMember('simulated-0', { permissions: { canSend: ['audio'], hasPresence: false } });
    await call.updateMember('simulated-1', { role: 'host' });
    await call.removeMember('simulated-0');
    await call.end();
    assert.deepEqual(received.map((r) => r.method), ['MutePublishedTrack', 'UpdateParticipant', 'UpdateParticipant', 'RemoveParticipant', 'DeleteRoom']);
    // The SDK signs each call with the grant LiveKit requires: roomAdmin, and roomCreate to delete a room.
    assert.ok(received.every((r) => (r.method === 'DeleteRoom' ? r.roomCreate : r.roomAdmin) === true));
    const mute = received[0].request as MuteRoomTrackRequest;
    assert.deepEqual([mute.room, mute.identity, mute.trackSid, mute.muted], ['simulated-room', 'simulated-0', 'TR_mic_simulated-0', true]);
    const perms = (received[1].request as UpdateParticipantRequest).permission!;
    assert.deepEqual([perms.canPublish, perms.canPublishSources, perms.hidden, perms.canSubscribe], [true, [TrackSource.MICROPHONE], true, true]);
    assert.deepEqual((received[2].request as UpdateParticipantRequest).attributes, { role: 'host' });
    await call.leave();
  });

  it('a caller the app does not authorize is refused: 403, a ServerError 4403 on the page, nothing reaches LiveKit', async () => {
    const { call } = await hostCall({});
    received.length = 0;
    const error = await call.removeMember('simulated-0').catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 4403);
    assert.match(error.message, /not allowed to removeParticipant/);
    assert.deepEqual(received, []);
    await call.leave();
  });

  it('LiveKit\'s own refusal (unknown participant) reaches the page with its status and message', async () => {
    const { call } = await hostCall({ 'x-host': 'yes' });
    missing = true;
    try {
      const error = await call.removeMember('simulated-1').catch((e) => e);
      assert.ok(error instanceof ServerError);
      assert.equal(error.code, 4404);
      assert.match(error.message, /participant not found/);
    } finally {
      missing = false;
    }
    await call.leave();
  });

  it('validates requests: method, type, size, fields, attributes a host may not write', async () => {
    const post = (payload: unknown, init: RequestInit = {}) =>
      fetch(appUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-host': 'yes' }, body: JSON.stringify(payload), ...init });
    assert.equal((await fetch(appUrl)).status, 405);
    assert.equal((await post({}, { headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await post({ action: 'endRoom', room: 'x'.repeat(20000) })).status, 413);
    for (const bad of [
      { action: 'fly', room: 'simulated-room' },
      { action: 'removeParticipant', room: 'simulated-room' },
      { action: 'mutePublishedTrack', room: 'simulated-room', identity: 'a', trackSid: 'T', muted: 'yes' },
      { action: 'updatePermissions', room: 'simulated-room', identity: 'a', permission: { canPublish: true } },
      { action: 'updateAttributes', room: 'simulated-room', identity: 'a', attributes: { admin: 'true' } },
    ]) {
      const response = await post(bad);
      assert.equal(response.status, 400, JSON.stringify(bad));
      assert.equal(((await response.json()) as { error: string }).error, 'bad_request');
    }
  });

  it('requires an authorize hook; a throwing hook refuses', async () => {
    const rooms: RoomService = new RoomServiceClient('http://127.0.0.1:1', KEY, SECRET);
    assert.throws(() => createLiveKitBackend(rooms, {} as never), /authorize is required/);
    const backend = createLiveKitBackend<null>(rooms, { authorize: () => { throw new Error('no session'); } });
    assert.equal((await backend.perform({ action: 'endRoom', room: 'r' }, null)).status, 403);
  });

  it('without a backend on the page, host controls are not offered', async () => {
    const offline = new OfflineRoom();
    const call = fromLiveKit(offline.room);
    await offline.connect();
    offline.update(offline.local(GUEST_PERMISSION, { role: 'host' }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(call.capabilities.member.remove, false);
    await assert.rejects(call.end(), CapabilityError);
    await call.leave();
  });
});
