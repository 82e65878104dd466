/**
 * Per-connection budgets (issue 12): every frame counts against the rate
 * limit before it is parsed; a client that stops reading is cut once the
 * bytes queued for it pass the cap; connections that never join, lobby
 * sessions that never knock, and too many connections from one address are
 * refused, each with its documented code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { WebSocket } from 'ws';
import { joined, RpcClient, settle, startServer, type TestServer } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resolves with the close code, or with 'open' if the socket is still open after `ms`. */
function closedWithin(c: RpcClient, ms: number): Promise<number | 'open'> {
  return Promise.race([c.closed.then((e) => e.code), new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);
}

describe('malformed frames count against the rate limit', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  it('a flood of non-JSON frames is closed with 4429 long before each is answered, and not logged frame by frame', async () => {
    const c = await t.client();
    const logged = t.logs.length;
    const FLOOD = 5_000;
    for (let i = 0; i < FLOOD && c.ws.readyState === WebSocket.OPEN; i++) c.send(`not json ${i}`);
    assert.equal(await closedWithin(c, 5000), 4429);
    assert.ok(c.replies.length < 300, `${c.replies.length} frames were answered`);
    assert.ok(t.logs.length - logged < 200, `${t.logs.length - logged} log records for one flood`);
    // Others are not affected.
    const other = await t.client();
    assert.ok((await other.call('call.leave')).result);
  });

  it('binary frames and bad envelopes are charged too', async () => {
    const c = await t.client();
    for (let i = 0; i < 2_000 && c.ws.readyState === WebSocket.OPEN; i++) c.send(i % 2 ? Buffer.from([1, 2, 3]) : '[1,2]');
    assert.equal(await closedWithin(c, 5000), 4429);
    assert.ok(c.replies.length < 300, `${c.replies.length} frames were answered`);
  });
});

describe('a client that stops reading', () => {
  let t: TestServer;
  const CAP = 2 * 1024 * 1024;
  before(async () => {
    t = await startServer({ maxBufferedBytes: CAP });
    await t.rest('POST', '/v1/rooms', { name: 'stall' });
  });
  after(() => t.close());

  it('is closed once the bytes queued for it pass the cap; the server does not grow past the cap', async () => {
    const stalled = await joined(t, 'stall', { user_name: 'Stalled' });
    const watcher = await joined(t, 'stall', { user_name: 'Watcher' });
    const senders = await Promise.all(Array.from({ length: 20 }, (_, i) => joined(t, 'stall', { user_name: `s${i}` })));
    await settle(100);
    watcher.c.drain();
    // The stalled client reads nothing more: its socket is paused, so the kernel buffers fill, then the server's.
    (stalled.c.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    gc();
    const baseline = process.memoryUsage();
    const used = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
    let peak = 0;
    const data = 'x'.repeat(32 * 1024);
    const started = Date.now();
    // Each sender: 25 direct messages a second to the stalled client, within the default limit (burst 60, 30/s).
    const sending = setInterval(() => {
      for (const s of senders) for (let i = 0; i < 5; i++) s.c.send(JSON.stringify({ jsonrpc: '2.0', id: `m${i}`, method: 'call.message.send', params: { to: stalled.id, data } }));
    }, 200);
    const sampling = setInterval(() => {
      gc();
      peak = Math.max(peak, used(process.memoryUsage()) - used(baseline));
    }, 100);
    try {
      // The others see the stalled member drop (its place kept for a resume) within seconds, not at the 30 s heartbeat.
      const update = await watcher.c.next('member.updated', (p) => p.member.id === stalled.id && p.member.reconnecting, 8000);
      assert.equal(update.member.reconnecting, true);
      const cutAfter = Date.now() - started;
      assert.ok(cutAfter < 8000, `cut after ${cutAfter} ms`);
      // Keep sending a while longer: nothing more is queued for it.
      await settle(1500);
    } finally {
      clearInterval(sending);
      clearInterval(sampling);
    }
    // Senders were answered (the stalled member, kept for its grace, takes the messages into nowhere).
    assert.ok(senders.every((s) => s.c.replies.some((r) => r.result)), 'every sender was answered');
    const slack = 16 * 1024 * 1024;
    assert.ok(peak < CAP + slack, `server grew by ${(peak / 2 ** 20).toFixed(1)} MiB with a cap of ${CAP / 2 ** 20} MiB`);
    const record = t.logs.find((l) => l.record.code === 4507);
    assert.ok(record, 'the cut is logged with its code');
    // Once it reads again, the stalled client finds its connection closed.
    (stalled.c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const code = await closedWithin(stalled.c, 5000);
    assert.ok(code === 4507 || code === 1006, `closed with ${code}`);
  });

  it('a client that reads keeps its connection under the same traffic', async () => {
    const reader = await joined(t, 'stall', { user_name: 'Reader' });
    const senders = await Promise.all(Array.from({ length: 5 }, (_, i) => joined(t, 'stall', { user_name: `r${i}` })));
    const data = 'y'.repeat(32 * 1024);
    for (let round = 0; round < 5; round++) {
      for (const s of senders) for (let i = 0; i < 5; i++) s.c.send(JSON.stringify({ jsonrpc: '2.0', id: `r${round}.${i}`, method: 'call.message.send', params: { to: reader.id, data } }));
      await settle(200);
    }
    await settle(300);
    assert.equal(reader.c.closeEvent, null);
    assert.equal(reader.c.notifications.filter((n) => n.method === 'call.message').length, 125);
  });
});

describe('idle connections and connections per address', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ joinTimeout: 300, knockTimeout: 300, maxConnectionsPerAddress: 6 });
    await t.rest('POST', '/v1/rooms', { name: 'open' });
    await t.rest('POST', '/v1/rooms', { name: 'knock', privacy: 'private', properties: { enable_knocking: true } });
  });
  after(() => t.close());

  it('a connection that never joins is closed with 4408 after the join timeout; one that joined is not', async () => {
    const idle = await t.client();
    const member = await joined(t, 'open', { user_name: 'Member' });
    const started = Date.now();
    assert.equal(await closedWithin(idle, 3000), 4408);
    assert.ok(Date.now() - started >= 200, 'not before its time');
    await settle(400);
    assert.equal(member.c.closeEvent, null);
  });

  it('a lobby session that never knocks is closed with 4408; one that knocked is not', async () => {
    const silent = await t.client();
    assert.equal((await silent.request('call.join', { room: 'knock' })).access.level, 'lobby');
    const knocker = await t.client();
    await knocker.request('call.join', { room: 'knock' });
    await knocker.request('call.request_access', { name: 'Knocker' });
    assert.equal(await closedWithin(silent, 3000), 4408);
    await settle(400);
    assert.equal(knocker.closeEvent, null);
    knocker.close();
    await knocker.closed;
  });

});

describe('connections per address', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ maxConnectionsPerAddress: 4 });
  });
  after(() => t.close());

  const upgrade = () =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(t.server.wsUrl);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => {});
    });

  it('refuses connections over the limit per address with HTTP 429, and takes one again once one closed', async () => {
    const open = await Promise.all(Array.from({ length: 4 }, () => t.client()));
    assert.equal(await upgrade(), 429);
    open[0].close();
    await open[0].closed;
    await settle(50);
    assert.equal(await upgrade(), 101);
  });
});
