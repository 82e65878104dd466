/**
 * The heartbeat: a connection that stops answering pings (a peer that vanished
 * without closing) is cut as dropped, so its member shows as reconnecting and
 * then leaves, instead of staying in the call for ever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, RpcClient, startServer, type TestServer } from './helpers.js';

describe('the heartbeat', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ heartbeatInterval: 100, reconnectGrace: 300 });
  });
  after(() => t.close());

  it('cuts a connection that stops answering pings; its member reconnects, then leaves', async () => {
    await t.rest('POST', '/v1/rooms', { name: 'heartbeat', privacy: 'public' });
    const watcher = await joined(t, 'heartbeat', { user_name: 'Watcher' });
    const silent = await RpcClient.open(t.server.wsUrl, { autoPong: false });
    const { member_id: id } = await silent.request('call.join', { room: 'heartbeat', user_name: 'Silent' });
    await watcher.c.next('member.joined', (p) => p.member.id === id);

    await watcher.c.next('member.updated', (p) => p.member.id === id && p.member.reconnecting === true);
    await watcher.c.next('member.left', (p) => p.member.id === id);
  });

  it('keeps a connection that answers pings', async () => {
    await t.rest('POST', '/v1/rooms', { name: 'heartbeat-alive', privacy: 'public' });
    const watcher = await joined(t, 'heartbeat-alive', { user_name: 'Watcher' });
    const lively = await joined(t, 'heartbeat-alive', { user_name: 'Lively' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(lively.c.ws.readyState, lively.c.ws.OPEN);
    const left = watcher.c.fresh().filter((n) => n.method === 'member.left' || n.params?.member?.reconnecting);
    assert.deepEqual(left, []);
  });
});
