/**
 * Property-based fuzzing of every JSON-RPC method and every REST endpoint,
 * with requests generated from the server's own schemas (schemas.ts) and made
 * hostile at any node: deep, huge, wrongly typed and prototype-named values.
 *
 * Properties:
 * - every request is answered, with a result or a JSON-RPC error (or the
 *   socket is closed with 4413/4429), never with -32603; REST never answers 5xx;
 * - the server stays up (it runs in this process: an exit fails the run);
 * - the state read back afterwards is one the sender was entitled to make: a
 *   guest changes no other member and nothing of the room; a moderator changes
 *   no owner, no role and nothing of the room; whatever an owner or the API key
 *   does, every member and every room still conforms to its schema and later
 *   joins work.
 *
 * Deterministic: the seed is fixed (FUZZ_SEED overrides it) and printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ENDPOINTS as API_ENDPOINTS } from '../src/rest.js';
import { METHODS } from '../src/rpc.js';
import { Grants, Permissions, PermissionsUpdate, RoomProperties, conforms } from '../src/schemas.js';
import { joined, RpcClient, settle, startServer, type TestServer } from './helpers.js';
import { arbitrary, bind, PROTOCOL, PROTO_NAMES, toJson, type Pools } from './schema-arbitrary.js';

// Requests are generated from the JSON Schema the package ships, as a client author would read it.
const RPC_METHODS = PROTOCOL['x-rpc-methods'];
const REST_BODIES = new Set(PROTOCOL['x-rest-bodies']);
const schemaOf = (name: string) => PROTOCOL.$defs[name];

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RPC_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const REST_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// 4503: media is off (the fuzzed server runs without Janus) or unavailable.
const KNOWN_CODES = new Set([-32700, -32600, -32601, -32602, 4401, 4403, 4404, 4409, 4413, 4429, 4503]);

/** Sends one raw frame with id `id` and resolves with its reply, or with the close if the socket closed first. */
function exchange(c: RpcClient, id: string, frame: string): Promise<{ reply?: any; closed?: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within 5 s to ${frame.slice(0, 300)}`)), 5000);
    const done = (value: { reply?: any; closed?: number }) => {
      clearTimeout(timer);
      c.ws.off('message', onMessage);
      c.ws.off('close', onClose);
      resolve(value);
    };
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.id === id) done({ reply: message });
    };
    const onClose = (code: number) => done({ closed: code });
    c.ws.on('message', onMessage);
    c.ws.on('close', onClose);
    if (c.closeEvent) return done({ closed: c.closeEvent.code });
    c.send(frame);
  });
}

/** Fails with fast-check's report, its counterexample cut short (hostile values can be 60 KB). */
function reporter<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? 'failed';
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${report.replace(/Counterexample: [\s\S]*?(\n\s*Shrunk|$)/, (m) => `${m.slice(0, 1500)}…$1`).slice(0, 4000)}\ncause: ${cause.slice(0, 1500)}`);
}

const ROOM_STATE = ['locked', 'layout', 'recording', 'streaming', 'transcribing', 'vmuted_hidden'] as const;
const pick = (room: any) => Object.fromEntries(ROOM_STATE.map((k) => [k, room[k]]));

describe(`fuzz: every JSON-RPC method from its schema, by a guest, a moderator and an owner (seed ${SEED})`, () => {
  let t: TestServer;
  let ownerToken: string;
  let modToken: string;
  let probeToken: string;
  const pools: Pools = {
    member: ['$guest', '$moderator', '$owner', '*', '*', 'nobody', ...PROTO_NAMES],
    room: ['fz', 'fz', 'other', 'missing', ...PROTO_NAMES],
    role: ['user', 'moderator', 'host', 'admin', 'call_member', ...PROTO_NAMES],
    layout: ['grid', 'speaker', 'spotlight', 'mosaic'],
    user: ['owner', 'mod', 'guest', '*'],
    resume: ['', 'x.y'],
  };

  before(async () => {
    t = await startServer({ rateLimit: { burst: 1e9, perSecond: 1e9 }, reconnectGrace: 0, heartbeatInterval: 0 });
    await t.rest('POST', '/v1/rooms', { name: 'fz' });
    await t.rest('POST', '/v1/rooms', { name: 'other' });
    ownerToken = await t.token({ room_name: 'fz', is_owner: true, user_id: 'owner', user_name: 'Owner' });
    modToken = await t.token({ room_name: 'fz', role: 'moderator', user_id: 'mod', user_name: 'Mod' });
    probeToken = await t.token({ is_owner: true, user_id: 'probe', user_name: 'Probe' });
    pools.token = [ownerToken, modToken, 'garbage', await t.token({ room_name: 'other' }), await t.token({ room_name: 'fz', permissions: { canAdmin: true } }),
      await t.token({ room_name: 'fz', role: 'constructor', app_role: 'tostring' }), await t.token({ role: 'constructor' })];
    console.log(`fuzz seed ${SEED} (FUZZ_SEED to replay), ${RPC_RUNS} runs`);
  });
  after(() => t.close());

  it('covers every method of METHODS with a schema', () => {
    assert.deepEqual([...RPC_METHODS].sort(), Object.keys(METHODS).sort());
  });

  /** What an owner who joins now sees: the room and every visible member. */
  async function look() {
    const probe = await joined(t, 'fz', { token: probeToken });
    const { room, members } = probe.joined;
    for (const m of members) assert.ok(conforms(Permissions, m.permissions), `a member's permissions conform: ${JSON.stringify(m).slice(0, 500)}`);
    await probe.c.request('call.leave');
    probe.c.close();
    return { room, members: new Map<string, any>(members.filter((m: any) => m.id !== probe.id).map((m: any) => [m.id, m])) };
  }

  const command = fc.tuple(
    fc.constantFrom(...RPC_METHODS),
    fc.nat(),
  ).chain(([method]) => fc.tuple(fc.constant(method), arbitrary(schemaOf(method), pools)));

  it('never exits, never answers -32603, answers every request, and leaves only what the sender may change', { timeout: 120_000 }, async () => {
    let requests = 0;
    const codes = new Map<number | string, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('guest', 'moderator', 'owner'), fc.array(command, { minLength: 1, maxLength: 6 }), async (who, commands) => {
        const owner = await joined(t, 'fz', { token: ownerToken });
        const moderator = await joined(t, 'fz', { token: modToken });
        const guest = await joined(t, 'fz', { user_name: 'Guest' });
        const clients = { owner, moderator, guest };
        const ids = { owner: owner.id, moderator: moderator.id, guest: guest.id };
        try {
          await settle(5);
          const before = await look();
          const lastAudit = (await t.rest('GET', '/v1/audit-log?room=fz&limit=1')).body.data[0]?.id ?? 0;
          const sender = clients[who].c;
          // A sender that left and joined again with a token from the pool may now be anyone, an owner included.
          let rejoined = false;
          for (const [method, params] of commands) {
            const id = `f${++requests}`;
            const frame = `{"jsonrpc":"2.0","id":"${id}","method":${JSON.stringify(method)},"params":${toJson(bind(params, ids))}}`;
            const { reply, closed } = await exchange(sender, id, frame);
            if (closed !== undefined) {
              assert.ok([4413, 4429].includes(closed), `closed with ${closed} after ${frame.slice(0, 300)}`);
              codes.set(`close ${closed}`, (codes.get(`close ${closed}`) ?? 0) + 1);
              break;
            }
            assert.ok(('result' in reply) !== ('error' in reply), `a result or an error: ${JSON.stringify(reply)}`);
            const code = reply.error?.code ?? 'ok';
            if (method === 'call.join' && reply.result) rejoined = true;
            codes.set(code, (codes.get(code) ?? 0) + 1);
            assert.notEqual(code, -32603, `internal error for ${who} ${frame.slice(0, 500)}`);
            if (reply.error) assert.ok(KNOWN_CODES.has(code), `a documented code: ${JSON.stringify(reply)}`);
          }
          await settle(5);
          const now = await look();
          // An owner is entitled to anything; look() checked that every member still conforms.
          if (who !== 'owner' && !rejoined) {
            // A guest or a moderator never ends, locks, records or re-lays out the call, and never touches an owner.
            assert.deepEqual(pick(now.room), pick(before.room), `${who} changed the room`);
            assert.equal(owner.c.notifications.some((n) => n.method === 'call.left'), false, `${who} removed the owner`);
            assert.deepEqual(now.members.get(owner.id), before.members.get(owner.id), `${who} changed the owner`);
            const entries = (await t.rest('GET', '/v1/audit-log?room=fz&limit=1000')).body.data.filter((e: any) => e.id > lastAudit);
            if (who === 'guest') {
              // A guest changes nobody but itself, and leaves no trace in the audit log.
              assert.deepEqual(now.members.get(moderator.id), before.members.get(moderator.id), 'the guest changed the moderator');
              assert.equal(moderator.c.notifications.some((n) => n.method === 'call.left'), false, 'the guest removed the moderator');
              assert.deepEqual(entries.filter((e: any) => e.actor.member_id === guest.id && e.target && e.target.member_id !== guest.id), []);
            } else {
              // A moderator changes no role, hands out no administration, and acts on nobody's behalf but its own grants.
              for (const e of entries) {
                assert.notEqual(e.target?.member_id, owner.id, `the moderator acted on the owner: ${JSON.stringify(e)}`);
                assert.ok(['member.mute', 'member.deaf', 'member.lowerhand', 'member.remove', 'member.update', 'request.deny', 'waiting.admit', 'waiting.deny'].includes(e.action), e.action);
                if (e.action === 'member.update') assert.equal(e.detail.role, undefined, 'the moderator changed a role');
              }
              for (const m of now.members.values()) {
                if (m.owner) continue;
                const admin = m.permissions.canAdmin;
                assert.ok(admin === false || (Array.isArray(admin) && admin.length === 0), `the moderator handed out canAdmin: ${JSON.stringify(m)}`);
                const was = before.members.get(m.id);
                if (was) assert.equal(m.role, was.role);
              }
            }
          }
        } finally {
          for (const { c } of Object.values(clients)) c.close();
          await Promise.all(Object.values(clients).map(({ c }) => c.closed));
          await settle(2);
        }
        // Later joins still work: a guest gets in or a documented refusal (4409 after call.end), and an owner always gets in.
        const late = await t.client();
        const reply = await late.call('call.join', { room: 'fz', user_name: 'Late' });
        assert.ok(reply.result || (reply.error && KNOWN_CODES.has(reply.error.code)), JSON.stringify(reply));
        const host = await t.client();
        const hosted = await host.call('call.join', { room: 'fz', token: ownerToken });
        assert.ok(hosted.result, `an owner cannot join after the run: ${JSON.stringify(hosted)}`);
        for (const c of [late, host]) c.close();
        await Promise.all([late.closed, host.closed]);
        await settle(2);
      }),
      { seed: SEED, numRuns: RPC_RUNS, endOnFailure: true, reporter },
    );
    // The requests reached every layer: parameters, capabilities, lookups, and some went through.
    for (const code of ['ok', -32602, 4403]) assert.ok((codes.get(code) ?? 0) > 5, `${code}: ${JSON.stringify([...codes])}`);
    console.log(`fuzz: ${requests} requests, answers ${JSON.stringify([...codes])}`);
  });
});

describe(`fuzz: every REST endpoint from its schema (seed ${SEED})`, () => {
  let t: TestServer;
  let roamer: string;
  const pools: Pools = {
    room: ['r1', 'r2', 'r3', ...PROTO_NAMES],
    callType: ['default', 'audio_room', 'ct1', 'ct2', ...PROTO_NAMES],
    role: ['user', 'moderator', 'host', 'student', ...PROTO_NAMES],
    layout: ['grid', 'speaker', 'spotlight', 'stage', 'mosaic'],
    user: ['owner', 'mod', '*'],
  };
  const names = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('r1', 'r2', 'r3', 'default', 'audio_room', 'livestream', 'ct1', 'ct2') },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '..', 'a%2Fb', 'x'.repeat(2000), '%00', 'a b') },
  );
  const ENDPOINTS = [...PROTOCOL['x-rest-bodies'], ...PROTOCOL['x-rest-queries']];

  before(async () => {
    t = await startServer({ rateLimit: { burst: 1e9, perSecond: 1e9 }, heartbeatInterval: 0 });
    roamer = await t.token({ is_owner: true, user_name: 'Roamer' });
  });
  after(() => t.close());

  it('covers every endpoint of the REST API with a schema', () => {
    assert.deepEqual([...ENDPOINTS].sort(), [...API_ENDPOINTS].sort());
  });

  const request = fc.constantFrom(...ENDPOINTS).chain((endpoint) => {
    const [method, path] = endpoint.split(' ');
    const body = REST_BODIES.has(endpoint) ? arbitrary(schemaOf(endpoint), pools) : fc.constant(undefined);
    const query = endpoint === 'GET /v1/audit-log' ? arbitrary(schemaOf('GET /v1/audit-log'), pools) : fc.constant({});
    return fc.record({ method: fc.constant(method), path: fc.constant(path), name: names, body, query });
  });

  it('never answers 5xx, always answers JSON, and leaves every room and call type valid and joinable', { timeout: 120_000 }, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (requests) => {
        for (const { method, path, name, body, query } of requests) {
          let url = path.replace(':name', name.startsWith('%') || name.includes('%') ? name : encodeURIComponent(name));
          const q = query && typeof query === 'object' ? Object.entries(query).filter(([, v]) => typeof v === 'string' || typeof v === 'number') : [];
          if (q.length) url += `?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
          const response = await fetch(t.server.url + url, {
            method,
            headers: { authorization: `Bearer ${t.options.apiKey}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : toJson(body),
          });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          assert.ok(response.status < 500, `${method} ${url.slice(0, 300)} → ${response.status} ${text.slice(0, 300)}`);
          // Node's own parser refuses a request line or headers over its limit (431) before the API sees it.
          if (response.status === 431) continue;
          const json = JSON.parse(text);
          if (response.status >= 400) assert.deepEqual(Object.keys(json).sort(), ['error', 'info'], text);
        }
        // Everything stored still conforms to its schema, and every room can still be joined (or refused with a code).
        const rooms = (await t.rest('GET', '/v1/rooms')).body.data;
        for (const room of rooms) assert.ok(conforms(RoomProperties, room.properties), `room ${room.name}: ${JSON.stringify(room.properties).slice(0, 500)}`);
        for (const type of (await t.rest('GET', '/v1/call-types')).body.data) {
          assert.ok(conforms(Grants, type.grants), `call type ${type.name} grants`);
          for (const update of Object.values(type.settings.default_permissions)) assert.ok(conforms(PermissionsUpdate, update), `call type ${type.name} defaults`);
        }
        for (const room of rooms.slice(0, 3)) {
          const c = await t.client();
          for (const token of [roamer, undefined]) {
            const reply = await c.call('call.join', { room: room.name, token });
            assert.ok(reply.result || KNOWN_CODES.has(reply.error?.code), `joining ${room.name}: ${JSON.stringify(reply)}`);
            if (reply.result) await c.request('call.leave');
          }
          c.close();
        }
      }),
      { seed: SEED, numRuns: REST_RUNS, endOnFailure: true, reporter },
    );
    for (const status of [200, 400, 404]) assert.ok((statuses.get(status) ?? 0) > 5, `${status}: ${JSON.stringify([...statuses])}`);
    console.log(`fuzz REST: statuses ${JSON.stringify([...statuses])}`);
  });
});
