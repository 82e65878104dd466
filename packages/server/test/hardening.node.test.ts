import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { METHODS } from '../src/rpc.js';
import { joined, settle, startServer, type RpcClient, type TestServer } from './helpers.js';

describe('hardening', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimit: { burst: 10, perSecond: 5 } });
    await t.rest('POST', '/v1/rooms', { name: 'hard' });
  });
  after(() => t.close());

  /** Sends one raw frame and resolves with the reply it got. */
  const raw = (c: RpcClient, frame: string | Buffer) =>
    new Promise<any>((resolve) => {
      c.ws.once('message', (data) => resolve(JSON.parse(data.toString())));
      c.send(frame);
    });

  const malformed: [string, string | Buffer, number][] = [
    ['not JSON', '{"jsonrpc":', -32700],
    ['an empty frame', '', -32700],
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"call.leave"}]', -32600],
    ['a number', '42', -32600],
    ['a request without an id', '{"jsonrpc":"2.0","method":"call.leave"}', -32600],
    ['an object id', '{"jsonrpc":"2.0","id":{},"method":"call.leave"}', -32600],
    ['a wrong jsonrpc', '{"jsonrpc":"1.0","id":1,"method":"call.leave"}', -32600],
    ['a method that is not a string', '{"jsonrpc":"2.0","id":1,"method":7}', -32600],
    ['an unknown method', '{"jsonrpc":"2.0","id":1,"method":"call.fly"}', -32601],
    ['a prototype key as method', '{"jsonrpc":"2.0","id":1,"method":"__proto__"}', -32601],
    ['params as an array', '{"jsonrpc":"2.0","id":1,"method":"call.join","params":["hard"]}', -32602],
    ['a wrong parameter type', '{"jsonrpc":"2.0","id":1,"method":"call.join","params":{"room":5}}', -32602],
    ['an unknown parameter', '{"jsonrpc":"2.0","id":1,"method":"call.join","params":{"room":"hard","x":1}}', -32602],
    ['a binary frame', Buffer.from([1, 2, 3]), -32600],
  ];
  for (const [label, frame, code] of malformed) {
    it(`answers ${label} with ${code}`, async () => {
      const c = await t.client();
      const reply = await raw(c, frame);
      assert.equal(reply.error.code, code, JSON.stringify(reply));
      assert.equal(reply.jsonrpc, '2.0');
      assert.ok(reply.error.message.length > 5);
      c.close();
    });
  }

  it('answers bad parameters with -32602 naming the field', async () => {
    const { c } = await joined(t, 'hard');
    for (const [method, params, field] of [
      ['call.mute', { channels: ['smell'] }, /channels/],
      ['call.mute', { channels: 'audio' }, /channels/],
      ['call.member.update', { member_id: 5, permissions: {} }, /member_id/],
      ['call.member.update', { member_id: 'x' }, /permissions, role or both/],
      ['call.member.update', { member_id: 'x', permissions: { canSend: 'yes' } }, /canSend/],
      ['call.waiting.update', { member_id: 'x', grant: 'yes' }, /grant/],
      ['call.permission.request', { permissions: [] }, /permissions/],
      ['call.message.send', { to: 'x' }, /data is required/],
    ] as const) {
      const reply = await c.call(method, params);
      assert.equal(reply.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
      assert.match(reply.error.message, field);
    }
  });

  it('closes the socket with 4413 on a frame over 64 KB, and stays up', async () => {
    const c = await t.client();
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'hard', user_name: 'x'.repeat(70 * 1024) } }));
    assert.equal((await c.closed).code, 4413);
    const again = await joined(t, 'hard');
    assert.equal(again.joined.room.name, 'hard');
  });

  it('a frame just under 64 KB is read (and refused for its content, not its size)', async () => {
    const c = await t.client();
    const reply = await c.call('call.join', { room: 'hard', user_name: 'x'.repeat(60 * 1024) });
    assert.equal(reply.error.code, -32602);
    assert.match(reply.error.message, /user_name/);
  });

  it('rate limits a connection with 4429, then closes one that keeps going', async () => {
    const c = await t.client();
    const replies = await Promise.all(Array.from({ length: 15 }, () => c.call('call.leave')));
    const codes = replies.map((r) => r.error?.code ?? 'ok');
    assert.deepEqual(codes.slice(0, 10), Array(10).fill('ok'));
    assert.ok(codes.slice(10).every((code) => code === 4429), String(codes));
    for (let i = 0; i < 30 && !c.closeEvent; i++) c.send(JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'call.leave' }));
    assert.equal((await c.closed).code, 4429);
    // Other connections are not affected.
    assert.equal((await (await t.client()).call('call.leave')).result !== undefined, true);
  });

  it('refuses upgrades on other paths', async () => {
    const error = await new Promise((resolve) => {
      const ws = new WebSocket(t.server.url.replace('http', 'ws') + '/elsewhere');
      ws.on('error', resolve);
      ws.on('open', () => resolve(null));
    });
    assert.ok(error instanceof Error);
    assert.match(String(error), /404/);
  });
});

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: 10,000 seeded random and malformed frames from an unprivileged client', () => {
  const SEED = 20261123;
  const FRAMES = 10_000;
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimit: { burst: 1e9, perSecond: 1e9 } });
    await t.rest('POST', '/v1/call-types', { name: 'shut', grants: { user: ['join-call', 'send-audio', 'send-video', 'screenshare'] }, settings: { presence: { access_request_enabled: false } } });
    await t.rest('POST', '/v1/rooms', { name: 'fuzz', properties: { call_type: 'shut', permissions: { hasPresence: false } } });
  });
  after(() => t.close());

  it('the server stays up, answers every frame with an error or a close code, and the room is unchanged', async () => {
    const random = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const int = (n: number) => Math.floor(random() * n);
    const owner = await joined(t, 'fuzz', { token: await t.token({ room_name: 'fuzz', is_owner: true, user_id: 'owner' }) });
    await owner.c.request('call.member.update', { member_id: owner.id, permissions: { hasPresence: true } });
    const observer = await joined(t, 'fuzz', { token: await t.token({ room_name: 'fuzz', permissions: { hasPresence: true } }) });
    await settle();
    owner.c.drain();
    observer.c.drain();
    const snapshot = async () => {
      const probe = await joined(t, 'fuzz', { token: await t.token({ room_name: 'fuzz', is_owner: true, user_id: 'probe' }) });
      const { call_id: _, self: _s, capabilities: _c, resume: _r, ...state } = probe.joined;
      await probe.c.request('call.leave');
      await settle(20);
      owner.c.drain();
      observer.c.drain();
      return { ...state, members: state.members.filter((m: { id: string }) => m.id !== probe.id) };
    };
    const before = await snapshot();
    const audit = (await t.rest('GET', '/v1/audit-log')).body.data;

    let fuzzer: RpcClient;
    const enter = async () => {
      fuzzer = await t.client();
      await fuzzer.request('call.join', { room: 'fuzz', user_name: 'Fuzzer' });
      const joinedFrame = await fuzzer.next('call.joined');
      assert.deepEqual(joinedFrame.capabilities, []);
    };
    await enter();

    const ids = () => [owner.id, observer.id, '*', 'nobody', '', 42, null];
    const value = (depth = 0): unknown => {
      switch (int(depth > 2 ? 6 : 9)) {
        case 0: return int(1000) - 500;
        case 1: return random() < 0.5;
        case 2: return null;
        case 3: return pick(['', 'audio', 'video', 'presence', 'grid', 'fuzz', '*', '\u0000', 'x'.repeat(int(300))]);
        case 4: return pick(ids());
        case 5: return random() * 1e300;
        case 6: return Array.from({ length: int(4) }, () => value(depth + 1));
        case 7: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(KEYS), value(depth + 1)]));
        default: return { hasPresence: true, canSend: true, canAdmin: true };
      }
    };
    const KEYS = ['room', 'token', 'user_name', 'name', 'member_id', 'channels', 'permissions', 'role', 'grant', 'layout', 'digits', 'data', 'to',
      'hasPresence', 'canSend', 'canAdmin', 'canReceive', '__proto__', 'constructor'];
    // Left out: those an unprivileged client may always send (leaving, the heartbeat, reading the roster's pages).
    const methods = Object.keys(METHODS).filter((m) => m !== 'call.leave' && m !== 'call.ping' && m !== 'call.members.list');
    const frame = (id: number): string | Buffer => {
      const request = { jsonrpc: '2.0', id, method: pick(methods), params: Object.fromEntries(Array.from({ length: int(4) }, () => [pick(KEYS), value()])) };
      switch (int(12)) {
        case 0: return Array.from({ length: int(80) }, () => String.fromCharCode(int(128))).join('');
        case 1: return JSON.stringify(request).slice(0, int(60));
        case 2: return JSON.stringify(value());
        case 3: return JSON.stringify({ ...request, id: pick([{}, [], true, null, undefined, 1.5e308 * 10]) });
        case 4: return JSON.stringify({ ...request, jsonrpc: pick(['1.0', 2, undefined]) });
        case 5: return JSON.stringify({ ...request, method: pick(['call', 'toString', 'hasOwnProperty', '', 'call.join.x', 5]) });
        case 6: return JSON.stringify({ ...request, params: pick([[], 'x', 5, null, true]) });
        case 7: return Buffer.from(Array.from({ length: int(32) }, () => int(256)));
        case 8: return int(500) === 0 ? JSON.stringify({ ...request, params: { data: 'x'.repeat(66 * 1024) } }) : JSON.stringify(request);
        case 9: return JSON.stringify({ ...request, params: { member_id: pick(ids()), permissions: value(), role: pick(['host', 'admin', 5]) } });
        default: return JSON.stringify(request);
      }
    };

    const outcomes = { errors: 0, closes: 0 };
    const codes = new Map<number, number>();
    for (let i = 0; i < FRAMES; i++) {
      const f = frame(i + 1);
      const outcome = await new Promise<'error' | 'close' | 'result'>((resolve) => {
        const onMessage = (data: Buffer) => {
          const message = JSON.parse(data.toString());
          if (!('id' in message)) return; // a notification
          done();
          if (message.error) codes.set(message.error.code, (codes.get(message.error.code) ?? 0) + 1);
          resolve(message.error ? 'error' : 'result');
          if (!message.error) assert.fail(`frame ${i} was accepted: ${String(f).slice(0, 200)} → ${JSON.stringify(message)}`);
        };
        const onClose = () => {
          done();
          resolve('close');
        };
        const done = () => {
          fuzzer.ws.off('message', onMessage);
          fuzzer.ws.off('close', onClose);
        };
        fuzzer.ws.on('message', onMessage);
        fuzzer.ws.on('close', onClose);
        fuzzer.send(f);
      });
      if (outcome === 'close') {
        outcomes.closes++;
        assert.ok([4413, 4429].includes((await fuzzer!.closed).code), `close code ${(await fuzzer!.closed).code}`);
        await enter();
      } else outcomes.errors++;
    }
    assert.equal(outcomes.errors + outcomes.closes, FRAMES);
    assert.ok(outcomes.closes > 0, 'some oversized frames closed the socket');
    // The frames reached every layer: parsing, the envelope, dispatch, parameters, capabilities.
    for (const code of [-32700, -32600, -32601, -32602, 4403]) assert.ok((codes.get(code) ?? 0) > 20, `${code}: ${JSON.stringify([...codes])}`);

    await settle();
    assert.deepEqual(owner.c.fresh(), []);
    assert.deepEqual(observer.c.fresh(), []);
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual((await t.rest('GET', '/v1/audit-log')).body.data, audit);
    assert.equal(t.logs.filter((l) => l.level === 'error').length, 0);
  });
});
