/**
 * The client resumes its member after a dropped connection: it sends the
 * server's resume key with its rejoin, and gets the same member back when it
 * is within the server's grace period, a fresh one after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { record, until } from './observe.js';
import { WebSocket } from 'ws';
import { can, connect, type Call, type ConnectOptions, type Member } from '../../src/core.js';
import { joined, settle, startServer, type TestServer } from '../../packages/server/test/helpers.js';

const GRACE = 1000;

/** Every socket a client opened, so that a test can cut one. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    sockets.push(this);
  }
}

describe('connect(): resuming after a dropped connection', () => {
  let t: TestServer;
  let rooms = 0;
  const calls: Call[] = [];

  before(async () => {
    t = await startServer({ reconnectGrace: GRACE });
  });
  after(async () => {
    for (const call of calls) await call.leave().catch(() => {});
    await t.close();
  });

  /** An audio room with a host (a bare client) and a guest (connect()) whom the host let speak and made a moderator. */
  async function setup(reconnect: ConnectOptions['reconnect']) {
    const room = `client-resume-${++rooms}`;
    // With presence: audio_room users are an audience by default since issue 14.
    await t.rest('POST', '/v1/rooms', { name: room, properties: { call_type: 'audio_room', permissions: { hasPresence: true } } });
    const host = await joined(t, room, { token: await t.token({ room_name: room, is_owner: true }) });
    const call = await connect(t.server.url, { room, userName: 'Guest', WebSocket: TrackedWebSocket, reconnect });
    calls.push(call);
    const socket = sockets.at(-1)!;
    const me = (await firstValueFrom(call.self$))!;
    assert.equal(call.capabilities.self.muteAudio.off, false);
    await host.c.request('call.member.update', { member_id: me.id, permissions: { canSend: ['audio'] }, role: 'moderator' });
    await until(call.capabilities.state$, () => call.capabilities.self.muteAudio.off);
    const self = await until(call.self$, (m) => m?.role === 'moderator');
    await settle();
    host.c.drain();
    return { room, host, call, socket, self: self! };
  }

  it('within the grace period: the same member, its permissions and role; capabilities unknown meanwhile; the host sees no leave', async () => {
    const { host, call, socket, self } = await setup({ min: 20, max: 200 });
    const states = record(call.connection$);
    const known = record(call.capabilities.known$);
    socket.terminate();
    await until(call.connection$, (c) => c === 'connected' && states.includes('reconnecting'));
    assert.deepEqual(states, ['connected', 'reconnecting', 'connected']);
    assert.deepEqual(known, [true, false, true]);
    const back = (await firstValueFrom(call.self$))!;
    assert.equal(back.id, self.id);
    assert.deepEqual(back, self);
    assert.equal(call.capabilities.self.muteAudio.off, true);
    assert.ok(can(call.capabilities.state, 'member.mute.audio.on'), 'the moderator role came back');
    await call.unmute(['audio']);
    await settle(GRACE + 100);
    const seen = host.c.fresh().filter((n) => n.params?.member?.id === self.id);
    assert.deepEqual(seen.map((n) => [n.method, n.params.member.reconnecting]), [
      ['member.updated', true],
      ['member.updated', undefined],
      ['member.updated', undefined],
    ]);
    assert.equal(seen.at(-1)!.params.member.audio_muted, false);
  });

  it('dropped twice: the rotated key resumes again', async () => {
    const { call, self } = await setup({ min: 20, max: 200 });
    for (let i = 0; i < 2; i++) {
      sockets.at(-1)!.terminate();
      await until(call.connection$, (c) => c === 'reconnecting');
      await until(call.connection$, (c) => c === 'connected');
      assert.equal((await firstValueFrom(call.self$))!.id, self.id);
    }
  });

  it('after the grace period: member.left for the others, and a fresh member on rejoin', async () => {
    const { host, call, socket, self } = await setup({ min: GRACE * 2, max: GRACE * 2 });
    socket.terminate();
    assert.equal((await host.c.next('member.left', (p) => p.member.id === self.id, GRACE * 4)).reason, 'left');
    await until(call.connection$, (c) => c === 'connected' && sockets.at(-1) !== socket);
    const fresh = (await until(call.self$, (m) => m !== null && m.id !== self.id)) as Member;
    assert.deepEqual([fresh.permissions.canSend, fresh.role], [false, 'user']);
    assert.equal(call.capabilities.self.muteAudio.off, false);
    assert.equal((await host.c.next('member.joined')).member.id, fresh.id);
  });
});
