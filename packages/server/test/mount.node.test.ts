/**
 * The JS API beside REST, and callcaps mounted on a server it does not own:
 * a plain `node:http` server, an Express app and a Fastify app, each on its
 * own port, answering REST and the WebSocket (a real client joins a call)
 * while the app's own routes and WebSocket endpoints still answer.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect, type Call } from 'callcaps/client';
import express from 'express';
import Fastify from 'fastify';
import { firstValueFrom } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { CallcapsApiError, createCallcapsHandler, silentLogger, type CallcapsHandler } from '../src/index.js';
import { API_KEY, joined, startServer, type TestServer } from './helpers.js';

const handlerOptions = { dataPath: ':memory:', apiKey: API_KEY, logger: silentLogger, media: false } as const;

/** A REST call with the API key against `base`. */
async function rest(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

/** The app's own WebSocket endpoint on `/app-ws`: it echoes. */
function echoEndpoint(): { wss: WebSocketServer; upgrade(req: Parameters<CallcapsHandler['handleUpgrade']>[0], socket: Parameters<CallcapsHandler['handleUpgrade']>[1], head: Buffer): void } {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
  return {
    wss,
    upgrade(req, socket, head) {
      if (req.url === '/app-ws') wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      else socket.destroy();
    },
  };
}

async function echo(base: string): Promise<string> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/app-ws`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send('hi');
  const reply = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.close();
  return reply;
}

/** What every mount must do on the app's port: REST, a real client in a call, the app's own routes and socket. */
async function exercise(base: string, callcaps: CallcapsHandler, room: string): Promise<void> {
  const created = await rest(base, 'POST', '/v1/rooms', { name: room, privacy: 'private' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.name, room);
  assert.equal((await rest(base, 'GET', `/v1/rooms/${room}`)).body.privacy, 'private');
  const refused = await fetch(`${base}/v1/rooms`);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-content-type-options'), 'nosniff');
  // The room made over REST is the JS API's room too.
  assert.ok((await callcaps.listRooms()).some((r) => r.name === room));

  const token = (await rest(base, 'POST', '/v1/meeting-tokens', { properties: { room_name: room, is_owner: true, user_name: 'Ada' } })).body.token;
  const calls: Call[] = [];
  try {
    const ada = await connect(base, { room, token, WebSocket, reconnect: { attempts: 1 } });
    calls.push(ada);
    assert.equal(ada.capabilities.known, true);
    assert.equal(ada.capabilities.lock.on, true, 'an owner may lock');
    const bob = await connect(base, { room, token: await callcaps.createToken({ room_name: room, user_name: 'Bob' }), WebSocket, reconnect: { attempts: 1 } });
    calls.push(bob);
    const names = async (call: Call) => (await firstValueFrom(call.participants$)).map((m) => m.name).sort();
    for (let i = 0; i < 50 && (await names(ada)).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await names(ada), ['Ada', 'Bob']);
  } finally {
    for (const call of calls) await call.leave().catch(() => {});
  }

  // The app's own routes and WebSocket endpoint still answer, without callcaps' headers.
  const own = await fetch(`${base}/app`);
  assert.equal(own.status, 200);
  assert.equal(await own.text(), 'the app');
  assert.equal(own.headers.get('content-security-policy'), null);
  assert.equal(await echo(base), 'echo hi');
}

describe('the JS API beside REST', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  it('createRoom, listRooms, deleteRoom and createToken do what their endpoints do, with the same checks', async () => {
    const room = await t.server.createRoom({ name: 'js-api', privacy: 'private', properties: { enable_knocking: true } });
    assert.deepEqual({ name: room.name, privacy: room.privacy, properties: room.properties }, { name: 'js-api', privacy: 'private', properties: { enable_knocking: true } });
    assert.equal(typeof room.id, 'string');
    assert.ok(!Number.isNaN(Date.parse(room.created_at)));
    // REST sees it exactly as the JS API returned it.
    assert.deepEqual((await t.rest('GET', '/v1/rooms/js-api')).body, room);
    assert.deepEqual((await t.server.listRooms()).map((r) => r.name), (await t.rest('GET', '/v1/rooms')).body.data.map((r: { name: string }) => r.name));
    // A name is made up when none is given.
    assert.match((await t.server.createRoom()).name, /^[A-Za-z0-9]+$/);

    const token = await t.server.createToken({ room_name: 'js-api', is_owner: true, user_name: 'Owner' });
    const owner = await joined(t, 'js-api', { token });
    assert.equal(owner.joined.self.owner, true);

    assert.deepEqual(await t.server.deleteRoom('js-api'), { deleted: true, name: 'js-api' });
    assert.equal((await owner.c.next('call.left')).reason, 'ended', 'deleting the room ends its call');
    assert.equal((await t.rest('GET', '/v1/rooms/js-api')).status, 404);
  });

  it('refuses bad input with a CallcapsApiError carrying the status and code REST answers with', async () => {
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => assert.fail('resolved'), (e: unknown) => e);
      assert.ok(error instanceof CallcapsApiError, String(error));
      return { status: error.status, code: error.code, message: error.message };
    };
    const bad = await refusal(t.server.createRoom({ name: 'no spaces' }));
    assert.deepEqual([bad.status, bad.code], [400, 'invalid-request-error']);
    assert.match(bad.message, /^name has invalid characters/);
    // The same message as REST gives for the same body.
    assert.equal((await t.rest('POST', '/v1/rooms', { name: 'no spaces' })).body.info, bad.message);
    assert.match((await refusal(t.server.createRoom({ properties: { call_type: 'nope' } }))).message, /call_type "nope" is not a call type/);
    await t.server.createRoom({ name: 'taken' });
    assert.deepEqual((await refusal(t.server.createRoom({ name: 'taken' }))).code, 'already-exists');
    assert.deepEqual(await refusal(t.server.deleteRoom('missing')), { status: 404, code: 'not-found', message: 'room "missing" not found' });
    const token = await refusal(t.server.createToken({ exp: 2_000_000_000, nbf: 2_000_000_001 }));
    assert.equal(token.message, 'properties.nbf must be before properties.exp');
    assert.match((await refusal(t.server.createToken({ role: 'Not A Role' } as never))).message, /properties\.role/);
  });
});

describe('mounted on a server callcaps does not own', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('a plain node:http server: REST and the WebSocket on its port, its own routes and socket still answer', async () => {
    const callcaps = await createCallcapsHandler(handlerOptions);
    const app = echoEndpoint();
    const server = createHttpServer((req, res) => {
      callcaps.handleRequest(req, res, () => {
        if (req.url === '/app') res.end('the app');
        else res.writeHead(404).end();
      });
    });
    server.on('upgrade', (req, socket, head) => {
      if (!callcaps.handleUpgrade(req, socket, head)) app.upgrade(req, socket, head);
    });
    cleanup.push(() => new Promise((r) => server.close(r)), () => callcaps.close(), () => app.wss.close());
    await exercise(await listen(server), callcaps, 'plain');
  });

  it('an Express app, behind express.json(): REST and the WebSocket on its port, its own routes still answer', async () => {
    const callcaps = await createCallcapsHandler(handlerOptions);
    const app = express();
    // A body parser ahead of callcaps: the parsed body is taken, and checked like any other.
    app.use(express.json());
    app.use(callcaps.handleRequest);
    app.get('/app', (_req, res) => void res.send('the app'));
    const server = createHttpServer(app);
    const own = echoEndpoint();
    server.on('upgrade', (req, socket, head) => {
      if (!callcaps.handleUpgrade(req, socket, head)) own.upgrade(req, socket, head);
    });
    cleanup.push(() => new Promise((r) => server.close(r)), () => callcaps.close(), () => own.wss.close());
    const base = await listen(server);
    await exercise(base, callcaps, 'express');
    // A parsed body that breaks the schema is refused as over plain HTTP.
    const bad = await rest(base, 'POST', '/v1/rooms', { name: 'x', privacy: 'secret' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.info, 'privacy must be "public" or "private"');
  });

  it('a Fastify app: REST and the WebSocket on its port, its own routes still answer', async () => {
    const callcaps = await createCallcapsHandler(handlerOptions);
    const app = Fastify();
    await app.register(async (scope) => {
      // callcaps reads and checks its request bodies itself.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/v1/*', (request, reply) => {
        reply.hijack();
        callcaps.handleRequest(request.raw, reply.raw);
      });
    });
    app.get('/app', async () => 'the app');
    const own = echoEndpoint();
    app.server.on('upgrade', (req, socket, head) => {
      if (!callcaps.handleUpgrade(req, socket, head)) own.upgrade(req, socket, head);
    });
    cleanup.push(() => app.close(), () => callcaps.close(), () => own.wss.close());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    await exercise(base, callcaps, 'fastify');
  });

  it('close() closes callcaps connections and answers 503 under /v1, while the app goes on', async () => {
    const callcaps = await createCallcapsHandler(handlerOptions);
    const server = createHttpServer((req, res) => callcaps.handleRequest(req, res, () => res.end('the app')));
    server.on('upgrade', (req, socket, head) => {
      if (!callcaps.handleUpgrade(req, socket, head)) socket.destroy();
    });
    cleanup.push(() => new Promise((r) => server.close(r)));
    const base = await listen(server);
    await callcaps.createRoom({ name: 'closing' });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await callcaps.close();
    assert.equal(await closed, 1001);
    assert.equal((await rest(base, 'GET', '/v1/rooms')).status, 503);
    assert.equal(await (await fetch(`${base}/anything`)).text(), 'the app');
  });
});
