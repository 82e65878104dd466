/**
 * Reconnection backoff: decorrelated jitter between `reconnect.min` and
 * `reconnect.max`, and a cap on attempts after which the call is `closed`
 * with a ConnectionError `unreachable`. Driven through a fake WebSocket
 * constructor, with the client's timers recorded and run at once, so that
 * no test waits for real delays.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { filter, firstValueFrom } from 'rxjs';
import { ConnectionError, connect, type CallClient, type ConnectOptions, type WebSocketLike } from '../../src/core.js';
import { record } from './observe.js';

const MEMBER = {
  id: 'm1', user_id: 'u1', name: 'Fake', owner: false, role: 'user',
  permissions: { hasPresence: true, canSend: true, canReceive: { base: true }, canAdmin: false },
  audio_muted: true, video_muted: true, deaf: false, handraised: false, screenshare: false, joined_at: 0,
};
const ROOM = {
  name: 'fake', call_type: 'default', locked: false, layout: 'grid', layouts: ['grid'], roles: ['user'],
  recording: false, streaming: false, transcribing: false, vmuted_hidden: false,
};

/** A server in a socket: joins whoever asks while `reachable`, else every new socket fails as an unreachable host does. */
class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  static reachable = true;
  readyState = 0;
  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: any) => void) | null = null;
  onclose: ((event: any) => void) | null = null;
  onerror: ((event: any) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    const reachable = FakeSocket.reachable;
    queueMicrotask(() => {
      if (!reachable) return this.drop();
      this.readyState = 1;
      this.onopen?.({});
    });
  }

  send(data: string): void {
    const { id, method } = JSON.parse(data);
    const reply = (message: object) => queueMicrotask(() => this.onmessage?.({ data: JSON.stringify({ jsonrpc: '2.0', ...message }) }));
    if (method === 'call.join') {
      reply({ method: 'call.joined', params: { self: MEMBER, members: [MEMBER], room: ROOM, capabilities: ['self'], resume: 'key' } });
      reply({ id, result: { member_id: MEMBER.id, access: { level: 'full', awaiting: null } } });
    } else {
      reply({ id, result: {} });
    }
  }

  close(): void {
    this.drop();
  }

  /** The connection drops without a close frame. */
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

const realSetTimeout = globalThis.setTimeout;
/** Every delay the client asked setTimeout for; the callbacks run at once. */
let delays: number[] = [];

async function open(reconnect?: ConnectOptions['reconnect']): Promise<CallClient> {
  FakeSocket.reachable = true;
  // No heartbeat and no request timeout: the only timers left are the backoff's.
  const call = await connect('http://fake.invalid', { room: 'fake', WebSocket: FakeSocket, heartbeat: 0, requestTimeout: 0, reconnect });
  assert.equal(call.capabilities.known, true);
  return call;
}

/** Cuts the current socket while the server is unreachable, and waits for the client to give up. */
async function loseForGood(call: CallClient): Promise<void> {
  FakeSocket.reachable = false;
  FakeSocket.all.at(-1)!.drop();
  await firstValueFrom(call.connection$.pipe(filter((c) => c === 'closed')));
}

describe('connect(): reconnection backoff', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    delays = [];
    mock.method(globalThis, 'setTimeout', (callback: () => void, ms = 0) => {
      delays.push(ms);
      return realSetTimeout(callback, 0);
    });
  });
  afterEach(() => mock.restoreAll());

  it('waits between min and max with jitter, and gives up after `attempts`: closed, with a ConnectionError "unreachable"', async () => {
    const call = await open({ min: 10, max: 80, attempts: 12 });
    const states = record(call.connection$);
    const known = record(call.capabilities.known$);
    await loseForGood(call);
    assert.equal(FakeSocket.all.length, 1 + 12, 'one socket for the join, then one an attempt');
    assert.equal(delays.length, 12);
    for (const delay of delays) assert.ok(delay >= 10 && delay <= 80, `delay ${delay} out of [10, 80]`);
    assert.ok(new Set(delays).size > 1, `jitter: ${delays.join(', ')}`);
    assert.ok(delays.some((d) => d > 30), `the delays grow: ${delays.join(', ')}`);
    assert.deepEqual(states, ['connected', 'reconnecting', 'closed']);
    assert.deepEqual(known, [true, false]);
    const reason = await firstValueFrom(call.closeReason$);
    assert.ok(reason instanceof ConnectionError, String(reason));
    assert.equal(reason.code, 'unreachable');
    assert.match(reason.message, /gave up reconnecting .* after 12 attempts/);
    assert.equal(await firstValueFrom(call.left$), null);
    assert.deepEqual(await firstValueFrom(call.access$), { level: 'none', awaiting: null });
    const error = await call.raiseHand().then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error, 'nothing is allowed once closed');
  });

  it('two clients do not retry in step', async () => {
    const one = await open({ min: 10, max: 10_000, attempts: 8 });
    await loseForGood(one);
    const first = delays;
    delays = [];
    const two = await open({ min: 10, max: 10_000, attempts: 8 });
    await loseForGood(two);
    assert.notDeepEqual(delays, first);
  });

  it('defaults: 20 attempts, each delay between 250 ms and 10 s', async () => {
    const call = await open();
    await loseForGood(call);
    assert.equal(delays.length, 20);
    for (const delay of delays) assert.ok(delay >= 250 && delay <= 10_000, `delay ${delay} out of [250, 10000]`);
    assert.ok(new Set(delays).size > 1);
  });

  it('a successful reconnection starts the count again', async () => {
    const call = await open({ min: 1, max: 4, attempts: 3 });
    FakeSocket.reachable = false;
    FakeSocket.all.at(-1)!.drop();
    await firstValueFrom(call.connection$.pipe(filter((c) => c === 'reconnecting')));
    // Two attempts fail, the third works.
    while (FakeSocket.all.length < 3) await new Promise((resolve) => setImmediate(resolve));
    FakeSocket.reachable = true;
    await firstValueFrom(call.connection$.pipe(filter((c) => c === 'connected')));
    assert.equal(FakeSocket.all.length, 4);
    await loseForGood(call);
    assert.equal(FakeSocket.all.length, 4 + 3);
  });

  it('leaving is not a failure: closeReason$ stays null', async () => {
    const call = await open();
    await call.leave();
    assert.equal(await firstValueFrom(call.connection$), 'closed');
    assert.equal(await firstValueFrom(call.closeReason$), null);
  });
});
