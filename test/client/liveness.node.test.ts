/**
 * The client notices a silently dead link (issue 12, defect 6): between
 * `connect()` and a real server sits a TCP proxy that at some point passes
 * nothing without closing anything. The client finds out from its own
 * heartbeat within 2 × `heartbeat`, rejects what was pending, forgets its
 * capabilities, and resumes its member once the network works again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ConnectionError, connect, type Call, type ConnectionErrorCode, type ConnectOptions } from '../../src/core.js';
import { joined, settle, startServer, type TestServer } from '../../packages/server/test/helpers.js';
import { record, until } from './observe.js';
import { startProxy, type Proxy } from './proxy.js';

const HEARTBEAT = 300;
/** Timers on a shared, loaded machine fire late: the slack allowed beyond a bound. */
const SLACK = 400;

/** The coded error a request rejects with when the link fails it. */
function assertConnectionError(error: unknown, code: ConnectionErrorCode): void {
  assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${String(error)}`);
  assert.equal(error.name, 'ConnectionError');
  assert.equal(error.code, code, String(error));
}

describe('connect(): liveness on a silently dead link', () => {
  let t: TestServer;
  let proxy: Proxy;
  let rooms = 0;
  const calls: Call[] = [];

  before(async () => {
    t = await startServer();
  });
  after(async () => {
    for (const call of calls) await call.leave().catch(() => {});
    await t.close();
  });

  async function open(extra: Partial<ConnectOptions>) {
    proxy = await startProxy(t.server.port);
    const room = `liveness-${++rooms}`;
    await t.rest('POST', '/v1/rooms', { name: room });
    const call = await connect(proxy.url, {
      room, userName: 'Guest', WebSocket, reconnect: { min: 20, max: 100 }, ...extra,
    });
    calls.push(call);
    return call;
  }

  it('a dead link: reconnecting within 2 × heartbeat, capabilities unknown, the pending request rejected; then the same member back', async () => {
    const call = await open({ heartbeat: HEARTBEAT, requestTimeout: 2000 });
    const me = (await firstValueFrom(call.self$))!;
    assert.equal(call.capabilities.known, true);
    const states = record(call.connection$);
    const known = record(call.capabilities.known$);

    proxy.stall('both');
    const stalled = performance.now();
    const pending = call.raiseHand().then(
      () => 'answered',
      (error: unknown) => ({ error, after: performance.now() - stalled }),
    );
    await until(call.connection$, (c) => c === 'reconnecting', 2 * HEARTBEAT + 2000);
    const noticed = performance.now() - stalled;
    assert.ok(noticed <= 2 * HEARTBEAT + SLACK, `noticed after ${Math.round(noticed)} ms; the bound is ${2 * HEARTBEAT} ms`);
    assert.equal(call.capabilities.known, false);
    const outcome = await pending;
    assert.notEqual(outcome, 'answered');
    const { error, after: rejectedAfter } = outcome as { error: unknown; after: number };
    assertConnectionError(error, 'disconnected');
    assert.ok(rejectedAfter <= 2 * HEARTBEAT + SLACK, `rejected after ${Math.round(rejectedAfter)} ms`);

    // While the network stays dead, attempts fail (each bounded by the request timeout); then it works again.
    await settle(300);
    assert.equal(await firstValueFrom(call.connection$), 'reconnecting');
    proxy.resume();
    await until(call.connection$, (c) => c === 'connected', 5000);
    assert.equal(call.capabilities.known, true);
    assert.deepEqual(states.slice(0, 3), ['connected', 'reconnecting', 'connected']);
    assert.deepEqual(known.slice(0, 3), [true, false, true]);
    assert.equal((await firstValueFrom(call.self$))!.id, me.id, 'the server still held the place: the same member');
    await call.raiseHand();
    await until(call.self$, (m) => m?.handraised === true);
    await proxy.close();
  });

  it('a healthy but quiet link stays connected: the heartbeat is answered', async () => {
    const call = await open({ heartbeat: 100 });
    const states = record(call.connection$);
    const sent = proxy.bytesUp;
    await settle(1000);
    assert.ok(proxy.bytesUp > sent, 'the client sent pings');
    assert.deepEqual(states, ['connected']);
    assert.equal(call.capabilities.known, true);
    assert.deepEqual(t.logs.filter((l) => l.line.includes('call.ping')), [], 'pings are not refused');
    await proxy.close();
  });

  it('a request the server never answers rejects with the timeout code after requestTimeout', async () => {
    const call = await open({ heartbeat: 0, requestTimeout: 300 });
    proxy.stall('up');
    const sent = performance.now();
    const error = await call.raiseHand().then(() => null, (e: unknown) => e);
    const waited = performance.now() - sent;
    assertConnectionError(error, 'timeout');
    assert.ok(waited >= 290 && waited <= 300 + SLACK, `rejected after ${Math.round(waited)} ms`);
    await proxy.close();
  });

  it('a request that times out probes the link: a link that passes nothing upward is found dead even while the server talks', async () => {
    const call = await open({ heartbeat: HEARTBEAT, requestTimeout: 200 });
    const other = await joined(t, `liveness-${rooms}`);
    const talk = setInterval(() => other.c.request('call.message.send', { data: 'hi' }).catch(() => {}), 50);
    after(() => clearInterval(talk));
    await until(call.messages$, () => true);
    proxy.stall('up');
    const error = await call.raiseHand().then(() => null, (e: unknown) => e);
    assertConnectionError(error, 'timeout');
    await until(call.connection$, (c) => c === 'reconnecting', HEARTBEAT + SLACK);
    clearInterval(talk);
    proxy.resume();
    await until(call.connection$, (c) => c === 'connected', 5000);
    await proxy.close();
  });
});

describe('connect(): the first connection is bounded too', () => {
  it('through a network that passes nothing: rejects with ConnectionError "unreachable" after requestTimeout', async () => {
    const t = await startServer();
    const proxy = await startProxy(t.server.port);
    proxy.stall('both');
    const started = performance.now();
    const error = await connect(proxy.url, { room: 'anything', WebSocket, requestTimeout: 300 }).then(() => null, (e: unknown) => e);
    const waited = performance.now() - started;
    assertConnectionError(error, 'unreachable');
    assert.ok(waited >= 290 && waited <= 300 + SLACK, `rejected after ${Math.round(waited)} ms`);
    await proxy.close();
    await t.close();
  });

  it('a server that never answers the join: rejects with ConnectionError "timeout"', async () => {
    const mute = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(mute, 'listening');
    const url = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
    const error = await connect(url, { room: 'anything', WebSocket, requestTimeout: 300 }).then(() => null, (e: unknown) => e);
    assertConnectionError(error, 'timeout');
    assert.match((error as Error).message, /call\.join/);
    for (const client of mute.clients) client.terminate();
    mute.close();
  });
});

describe('call.ping: the server side of the heartbeat', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimit: { burst: 6, perSecond: 0.01 } });
    await t.rest('POST', '/v1/rooms', { name: 'ping-open' });
    await t.rest('POST', '/v1/rooms', { name: 'ping-knock', privacy: 'private', properties: { enable_knocking: true } });
  });
  after(() => t.close());

  it('is answered before joining, in the lobby, while knocking, joined, and after leaving', async () => {
    const early = await t.client();
    assert.deepEqual(await early.request('call.ping'), {});
    const knocker = await t.client();
    assert.equal((await knocker.request('call.join', { room: 'ping-knock' })).access.level, 'lobby');
    assert.deepEqual(await knocker.request('call.ping'), {});
    await knocker.request('call.request_access', { name: 'Knocky' });
    assert.deepEqual(await knocker.request('call.ping'), {});
    const member = await joined(t, 'ping-open');
    assert.deepEqual(await member.c.request('call.ping'), {});
    await member.c.request('call.leave');
    assert.deepEqual(await member.c.request('call.ping'), {});
    assert.equal(await member.c.refused('call.ping', { extra: 1 }), -32602);
  });

  it('counts against the rate limit like any request', async () => {
    const c = await t.client();
    for (let i = 0; i < 6; i++) assert.deepEqual(await c.request('call.ping'), {});
    assert.equal(await c.refused('call.ping'), 4429);
  });
});
