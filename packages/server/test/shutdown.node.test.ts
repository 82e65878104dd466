/**
 * Shutdown and containment (issue 12): close() tells each client 1001 and
 * nothing else (no N² departures); a failure while handling one connection's
 * close or timer is logged and contained to it, and the process goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LiveCall } from '../src/live.js';
import { joined, settle, startServer, type TestServer } from './helpers.js';

describe('shutdown', () => {
  it('sends every client 1001 and no member.left', async () => {
    const t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'bye' });
    const members = [];
    for (let i = 0; i < 12; i++) members.push(await joined(t, 'bye', { user_name: `m${i}` }));
    await settle(100);
    for (const m of members) m.c.drain();
    await t.server.close();
    const codes = await Promise.all(members.map((m) => m.c.closed.then((e) => e.code)));
    assert.deepEqual(codes, Array(12).fill(1001));
    for (const m of members) assert.deepEqual(m.c.fresh().map((n) => n.method), []);
    await t.close();
  });

  it('does not wait for ever for a client that does not answer the close', async () => {
    const t = await startServer({ shutdownTimeout: 300 });
    await t.rest('POST', '/v1/rooms', { name: 'bye' });
    const m = await joined(t, 'bye', { user_name: 'Deaf' });
    (m.c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    await t.server.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    m.c.ws.terminate(); // its own side would wait 30 s for a close answer
    await t.close();
  });
});

describe('containment', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ reconnectGrace: 200 });
    await t.rest('POST', '/v1/rooms', { name: 'faults' });
  });
  after(() => t.close());

  it('a failure in one connection’s close handler is logged; the process and the others go on', async () => {
    const victim = await joined(t, 'faults', { user_name: 'Victim' });
    const other = await joined(t, 'faults', { user_name: 'Other' });
    const drop = LiveCall.prototype.drop;
    LiveCall.prototype.drop = function (this: LiveCall, s, dropped) {
      if (s.id === victim.id) throw new Error('injected fault in drop');
      return drop.call(this, s, dropped);
    };
    try {
      victim.c.close();
      await victim.c.closed;
      await settle(100);
    } finally {
      LiveCall.prototype.drop = drop;
    }
    assert.ok(t.logs.some((l) => l.level === 'error' && /injected fault in drop/.test(l.line)), 'the fault is logged');
    // The member is taken out of the call all the same, and the others are told.
    await other.c.next('member.left', (p) => p.member.id === victim.id);
    assert.ok((await other.c.call('call.raisehand')).result);
  });

  it('a failure while handling a request: answered -32603, logged, that connection closed with 1011, the others go on', async () => {
    const victim = await joined(t, 'faults', { user_name: 'Victim3' });
    const other = await joined(t, 'faults', { user_name: 'Other3' });
    const update = LiveCall.prototype.update;
    LiveCall.prototype.update = function (this: LiveCall, s, patch) {
      if (s.id === victim.id) throw new Error('injected fault in update');
      return update.call(this, s, patch);
    };
    try {
      const reply = await victim.c.call('call.raisehand');
      assert.equal(reply.error.code, -32603);
      assert.equal((await victim.c.closed).code, 1011);
    } finally {
      LiveCall.prototype.update = update;
    }
    assert.ok(t.logs.some((l) => l.level === 'error' && /injected fault in update/.test(l.line)), 'the fault is logged');
    assert.ok((await other.c.call('call.raisehand')).result);
    await other.c.next('member.left', (p) => p.member.id === victim.id);
  });

  it('a failure in a grace timer is logged; the process and the others go on', async () => {
    const victim = await joined(t, 'faults', { user_name: 'Victim2' });
    const other = await joined(t, 'faults', { user_name: 'Other2' });
    const remove = LiveCall.prototype.remove;
    LiveCall.prototype.remove = function (this: LiveCall, s, reason, tell) {
      if (s.id === victim.id) throw new Error('injected fault in remove');
      return remove.call(this, s, reason, tell);
    };
    try {
      victim.c.ws.terminate(); // dropped: the grace timer runs, then remove() throws
      await settle(500);
    } finally {
      LiveCall.prototype.remove = remove;
    }
    assert.ok(t.logs.some((l) => l.level === 'error' && /injected fault in remove/.test(l.line)), 'the fault is logged');
    await other.c.next('member.left', (p) => p.member.id === victim.id);
    assert.ok((await other.c.call('call.lowerhand')).result);
  });
});
