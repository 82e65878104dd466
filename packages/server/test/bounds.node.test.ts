/**
 * Bounded, validated input (issue 12, defects 1 and 7): values nested
 * thousands of levels deep, too many entries, prototype-named keys and roles,
 * room probing with bad tokens, and REST bodies over the limit. Each test
 * drives a real server over real sockets.
 */
import assert from 'node:assert/strict';
import { connect as tcp } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type RpcClient, type TestServer } from './helpers.js';

/**
 * Values too deep for `JSON.stringify` travel as JSON text: `raw(text)` is
 * spliced verbatim into the frame or body that carries it.
 */
class Raw {
  constructor(readonly text: string) {}
}
/** JSON text nested `depth` arrays deep, small enough for one frame. */
const deepArray = (depth: number) => new Raw('['.repeat(depth) + ']'.repeat(depth));
/** JSON text of an object nested `depth` levels deep: `{ a: { a: … } }`. */
const deepObject = (depth: number) => new Raw('{"a":'.repeat(depth) + 'true' + '}'.repeat(depth));

/** JSON text of a value that may hold {@link Raw} parts. */
function json(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

let nextId = 0;
/** Sends a request whose params may hold {@link Raw} parts; resolves with its reply. */
async function rawCall(c: RpcClient, method: string, params: unknown): Promise<any> {
  const id = `raw-${++nextId}`;
  c.send(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(method)},"params":${json(params)}}`);
  for (let i = 0; i < 200; i++) {
    const reply = c.replies.find((r) => r.id === id);
    if (reply) return reply;
    if (c.closeEvent) throw new Error(`closed ${JSON.stringify(c.closeEvent)}`);
    await settle(10);
  }
  throw new Error(`no reply to ${method}`);
}

describe('bounds: deep and huge permission values', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimit: { burst: 1e6, perSecond: 1e6 } });
    await t.rest('POST', '/v1/rooms', { name: 'deep' });
  });
  after(() => t.close());

  const poisons: [string, unknown][] = [
    ['byUserId nested 20,000 arrays deep', { byUserId: { someone: deepArray(20000) } }],
    ['byParticipantId nested 8,000 objects deep', { byParticipantId: { '*': deepObject(8000) } }],
    ['base nested 8,000 objects deep', { base: deepObject(8000) }],
    ['base with an unknown kind', { base: { smell: true } }],
    ['byUserId with 1,001 entries', { byUserId: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`u${i}`, true])) }],
    ['byUserId with a key of 129 characters', { byUserId: { ['k'.repeat(129)]: true } }],
    ['customVideo that is not a map of booleans', { base: { customVideo: { '*': { deeper: true } } } }],
    ['an unknown canReceive field', { everyone: true }],
  ];

  for (const [label, canReceive] of poisons) {
    it(`a moderator's canReceive ${label} is refused with -32602 and changes nothing`, async () => {
      const mod = await joined(t, 'deep', { token: await t.token({ room_name: 'deep', role: 'moderator', user_id: 'mod' }) });
      const guest = await joined(t, 'deep', { user_name: 'Target' });
      await settle();
      const before = (await joined(t, 'deep', { user_name: 'Probe' })).joined.members.find((m: { id: string }) => m.id === guest.id);
      const reply = await rawCall(mod.c, 'call.member.update', { member_id: guest.id, permissions: { canReceive } });
      assert.equal(reply.error?.code, -32602, JSON.stringify(reply).slice(0, 300));
      assert.match(reply.error.message, /canReceive/);
      // The member is unchanged, later joins still work, and the member can leave with the server still up.
      const probe = await joined(t, 'deep', { user_name: 'Probe' });
      assert.deepEqual(probe.joined.members.find((m: { id: string }) => m.id === guest.id), before);
      await guest.c.request('call.leave');
      await mod.c.next('member.left', (p) => p.member.id === guest.id);
      const after = await joined(t, 'deep', { user_name: 'After' });
      assert.equal(after.joined.room.name, 'deep');
      assert.equal((await t.rest('GET', '/v1/rooms/deep')).status, 200);
      for (const c of [mod.c, probe.c, after.c]) c.close();
      await settle();
    });
  }

  it('the reference shape of canReceive is accepted (reference/000), with __proto__ as an ordinary user id', async () => {
    const mod = await joined(t, 'deep', { token: await t.token({ room_name: 'deep', role: 'moderator' }) });
    const guest = await joined(t, 'deep');
    const canReceive = {
      base: { video: false, audio: true, screenVideo: false, screenAudio: false, customVideo: { '*': false }, customAudio: { '*': false } },
      byUserId: { 'presenter-user-id': { video: true }, __proto__: false, constructor: { audio: false } },
      byParticipantId: { '*': true },
    };
    const raw = `{"jsonrpc":"2.0","id":"x","method":"call.member.update","params":{"member_id":${JSON.stringify(guest.id)},"permissions":{"canReceive":${
      JSON.stringify(canReceive).replace('"byUserId":{', '"byUserId":{"__proto__":false,')}}}}`;
    mod.c.send(raw);
    const updated = await guest.c.next('member.updated', (p) => p.member.id === guest.id);
    assert.deepEqual(updated.member.permissions.canReceive.base, canReceive.base);
    assert.equal(updated.member.permissions.canReceive.byUserId.__proto__, false);
    assert.deepEqual(Object.keys(updated.member.permissions.canReceive.byUserId).sort(), ['__proto__', 'constructor', 'presenter-user-id']);
    mod.c.close();
    guest.c.close();
    await settle();
  });

  it('a deep call.message.send payload is refused with -32602, not an internal error', async () => {
    const a = await joined(t, 'deep');
    const reply = await rawCall(a.c, 'call.message.send', { data: deepArray(20000) });
    assert.equal(reply.error?.code, -32602, JSON.stringify(reply).slice(0, 300));
    assert.match(reply.error.message, /data/);
    assert.ok((await a.c.call('call.message.send', { data: { nested: [1, { ok: true }] } })).result);
    a.c.close();
  });

  it('REST room defaults nested deep are refused with 400, and the room keeps its defaults', async () => {
    const deep = { canReceive: { byUserId: { x: deepObject(5000) } } };
    const created = await t.rest('POST', '/v1/rooms', json({ name: 'deep-rest', properties: { permissions: deep } }));
    assert.equal(created.status, 400);
    assert.equal(created.body.error, 'invalid-request-error');
    assert.match(created.body.info, /properties\.permissions\.canReceive/);
    assert.equal((await t.rest('GET', '/v1/rooms/deep-rest')).status, 404);
    await t.rest('POST', '/v1/rooms', { name: 'deep-rest', properties: { permissions: { hasPresence: true } } });
    const updated = await t.rest('POST', '/v1/rooms/deep-rest', json({ properties: { permissions: deep } }));
    assert.equal(updated.status, 400);
    assert.deepEqual((await t.rest('GET', '/v1/rooms/deep-rest')).body.properties, { permissions: { hasPresence: true } });
    const a = await joined(t, 'deep-rest');
    assert.equal(a.joined.self.permissions.hasPresence, true);
    a.c.close();
  });

  it('token permissions nested deep are refused by POST /v1/meeting-tokens and createToken', async () => {
    const permissions = { canReceive: { base: deepObject(5000) } };
    const r = await t.rest('POST', '/v1/meeting-tokens', json({ properties: { room_name: 'deep', permissions } }));
    assert.equal(r.status, 400);
    assert.match(r.body.info, /properties\.permissions\.canReceive/);
    await assert.rejects(async () => t.token(JSON.parse(json({ room_name: 'deep', permissions }))), /canReceive/);
  });
});

describe('bounds: prototype-named roles', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'proto' });
    await t.rest('POST', '/v1/call-types', { name: 'protos', grants: { constructor: ['join-call', 'send-audio'] }, settings: { default_permissions: { constructor: { canSend: ['audio'] } } } });
    await t.rest('POST', '/v1/rooms', { name: 'proto-typed', properties: { call_type: 'protos' } });
  });
  after(() => t.close());

  it('a token with the role "constructor" in a call type without it joins on its app role, not with an internal error', async () => {
    const c = await t.client();
    const reply = await c.call('call.join', { room: 'proto', token: await t.token({ room_name: 'proto', role: 'constructor' }) });
    assert.equal(reply.result?.access.level, 'full', JSON.stringify(reply));
    const self = (await c.next('call.joined')).self;
    assert.equal(self.role, 'constructor');
    // The role grants nothing of its own (the app role "user" lets it join and send).
    const none = await c.call('call.join', { room: 'proto' });
    assert.equal(none.error.code, 4409);
    // Neither role nor app role grants anything: refused with 4403.
    const both = await t.client();
    const refused = await both.call('call.join', { room: 'proto', token: await t.token({ room_name: 'proto', role: 'constructor', app_role: 'tostring' }) });
    assert.equal(refused.error?.code, 4403, JSON.stringify(refused));
    const app = await joined(t, 'proto', { token: await t.token({ room_name: 'proto', app_role: 'constructor' }) });
    assert.equal(app.joined.self.role, 'user');
  });

  it('a call type whose role is named "constructor" works like any other', async () => {
    const a = await joined(t, 'proto-typed', { token: await t.token({ room_name: 'proto-typed', role: 'constructor' }) });
    assert.equal(a.joined.self.role, 'constructor');
    assert.deepEqual(a.joined.self.permissions.canSend, ['audio']);
    assert.ok(a.joined.capabilities.includes('self.mute.audio.off'));
    // A role the call type lacks cannot be given over RPC, whatever its name.
    const owner = await joined(t, 'proto-typed', { token: await t.token({ room_name: 'proto-typed', is_owner: true }) });
    for (const role of ['toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const reply = await owner.c.call('call.member.update', { member_id: a.id, role });
      assert.equal(reply.error?.code, -32602, `${role}: ${JSON.stringify(reply)}`);
    }
    assert.deepEqual(await owner.c.request('call.member.update', { member_id: a.id, role: 'constructor' }), { updated: 1 });
  });

  it('a role not in the call type, as a default_permissions key, refuses nothing and grants nothing', async () => {
    const r = await t.rest('PUT', '/v1/call-types/protos', { settings: { default_permissions: { tostring: { hasPresence: false } } } });
    assert.equal(r.status, 200);
    const a = await joined(t, 'proto-typed', { token: await t.token({ room_name: 'proto-typed', role: 'constructor' }) });
    assert.equal(a.joined.self.permissions.hasPresence, true);
  });

  it('grants and default_permissions refuse __proto__ as a role name', async () => {
    const raw = '{"name":"evil","grants":{"__proto__":["join-call"]}}';
    const r = await t.rest('POST', '/v1/call-types', raw);
    assert.equal(r.status, 400);
    assert.match(r.body.info, /role name/);
    const s = await t.rest('PUT', '/v1/call-types/protos', '{"settings":{"default_permissions":{"__proto__":{"hasPresence":false}}}}');
    assert.equal(s.status, 400);
  });
});

describe('bounds: join says nothing about a room before the token is checked', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'known', privacy: 'private' });
    await t.rest('POST', '/v1/rooms', { name: 'open' });
  });
  after(() => t.close());

  const answer = async (room: string, token?: string) => {
    const c = await t.client();
    const reply = await c.call('call.join', { room, ...(token === undefined ? {} : { token }) });
    c.close();
    return reply.error;
  };

  it('a bad token gets the same answer for a room that exists and one that does not', async () => {
    for (const token of ['garbage', 'a.b.c', await t.token({ room_name: 'elsewhere' })]) {
      const known = await answer('known', token);
      const unknown = await answer('ghost', token);
      assert.ok(known, 'refused');
      assert.deepEqual(unknown, { ...known, message: known.message.replace('"known"', '"ghost"') });
      assert.deepEqual(await answer('open', token), { ...known, message: known.message.replace('"known"', '"open"') });
    }
  });

  it('without a token, an unknown room looks like a private one', async () => {
    const known = await answer('known');
    const unknown = await answer('ghost');
    assert.equal(known.code, 4401);
    assert.deepEqual(unknown, { code: known.code, message: known.message.replace('"known"', '"ghost"') });
  });

  it('a valid token for the room, or an API-wide one, learns that the room does not exist', async () => {
    assert.equal((await answer('ghost', await t.token({ room_name: 'ghost' }))).code, 4404);
    assert.equal((await answer('ghost', await t.token({ user_name: 'Roamer' }))).code, 4404);
  });
});

describe('bounds: a REST body over the limit is refused before it is read', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  /** Sends a request head and `sent` bytes of a body that claims (or would reach) far more; resolves with the first response head. */
  const partial = (headers: string, sent: Buffer) =>
    new Promise<{ head: string; body: string; closed: boolean }>((resolve, reject) => {
      const { port } = new URL(t.server.url);
      const socket = tcp(Number(port), '127.0.0.1');
      let text = '';
      let closed = false;
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text)?.[1];
        if (end >= 0 && length !== undefined && text.length >= end + 4 + Number(length)) {
          resolve({ head: text.slice(0, end), body: text.slice(end + 4), closed });
        }
      });
      socket.on('close', () => {
        closed = true;
        reject(new Error(`closed without a full response: ${JSON.stringify(text)}`));
      });
      socket.write(headers);
      socket.write(sent);
    });

  const head = (extra: string) => `POST /v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.options.apiKey}\r\nContent-Type: application/json\r\n${extra}\r\n`;

  it('a content-length over 64 KiB is answered 413 at once, with the JSON error body', { timeout: 5000 }, async () => {
    const r = await partial(head('Content-Length: 10000000\r\n'), Buffer.from('{"name":"'));
    assert.match(r.head, /^HTTP\/1\.1 413/);
    assert.match(r.head, /connection: close/i);
    assert.equal(JSON.parse(r.body).error, 'payload-too-large');
  });

  it('a chunked body is answered 413 as soon as it passes 64 KiB, before it ends', { timeout: 5000 }, async () => {
    const chunk = Buffer.alloc(70 * 1024, 'x');
    const body = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    // The chunked body never ends: the answer must come from counting, not from the end of the body.
    const r = await partial(head('Transfer-Encoding: chunked\r\n'), body);
    assert.match(r.head, /^HTTP\/1\.1 413/);
    assert.equal(JSON.parse(r.body).error, 'payload-too-large');
  });

  it('the server still answers afterwards', async () => {
    assert.equal((await t.rest('GET', '/v1/rooms')).status, 200);
  });
});
