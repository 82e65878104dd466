/**
 * The REST API under `/v1`: rooms, meeting tokens, call types, permissions and
 * (extension) the audit log. JSON in and out; errors are
 * `{ "error": code, "info": message }` with a 4xx status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasApiKey, signMeetingToken } from './auth.js';
import { defaultSettings, PERMISSIONS, type CallType } from './call-types.js';
import { randomId } from './live.js';
import { LIMITS, REST_BODIES, REST_QUERIES } from './schemas.js';
import type { Room, Store } from './store.js';
import { CallcapsApiError, check, dictionary, Invalid, mergeSettings, object, tokenProperties, type Json, type RoomProperties } from './validate.js';

/** What the REST layer needs from the server. */
export interface RestHost {
  readonly apiKey: string;
  readonly store: Store;
  roomChanged(room: Room): void;
  roomDeleted(name: string): void;
  callTypeChanged(type: CallType): void;
}

const MAX_BODY = LIMITS.body;
const tooLarge = () => new CallcapsApiError(413, 'payload-too-large', `the body is over ${MAX_BODY} bytes`);

/**
 * Reads a JSON body of at most {@link MAX_BODY} bytes. A declared length over
 * the limit is refused before a byte is read; otherwise bytes are counted as
 * they come and the body is refused the moment it passes the limit, without
 * reading the rest (the 413 then closes the connection).
 */
function readBody(req: IncomingMessage): Promise<Json> {
  // Mounted behind a framework's body parser (express.json()…), the stream was read to its end
  // already: its parsed body is taken, and checked like any other.
  if (req.readableEnded) {
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    try {
      return Promise.resolve(parsed === undefined ? {} : object(parsed, 'the body'));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(tooLarge());
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY) return;
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      try {
        resolve(object(JSON.parse(text), 'the body'));
      } catch (error) {
        reject(error instanceof Invalid ? error : new CallcapsApiError(400, 'invalid-request-error', 'the body is not valid JSON'));
      }
    });
  });
}

/** A room as REST and the JS API give it. */
export interface RoomInfo {
  id: string;
  name: string;
  privacy: 'public' | 'private';
  /** ISO 8601. */
  created_at: string;
  properties: RoomProperties;
}

/** What `POST /v1/rooms` and `createRoom()` take: every field optional (a name is made up, privacy is public). */
export interface CreateRoomRequest {
  name?: string;
  privacy?: 'public' | 'private';
  properties?: RoomProperties;
}

const roomJson = (room: Room): RoomInfo => ({
  id: room.id,
  name: room.name,
  privacy: room.privacy,
  created_at: new Date(room.created_at).toISOString(),
  properties: room.properties,
});

const notFound = (what: string): never => {
  throw new CallcapsApiError(404, 'not-found', `${what} not found`);
};

function checkCallType(host: RestHost, properties: RoomProperties): void {
  if (properties.call_type !== undefined && !host.store.callType(properties.call_type)) {
    throw new Invalid(`properties.call_type "${properties.call_type}" is not a call type (see GET /v1/call-types)`);
  }
}

// ── Operations: each endpoint's work, shared by its route and the JS API ─────

/** Every room, oldest first (`GET /v1/rooms`). */
export function listRooms(host: RestHost): RoomInfo[] {
  return host.store.rooms().map(roomJson);
}

/** Creates a room from the body of `POST /v1/rooms` (checked against its schema); 409 when the name is taken. */
export function createRoom(host: RestHost, raw: unknown): RoomInfo {
  const body = check(REST_BODIES['POST /v1/rooms'], raw, { root: 'body' });
  const name = body.name ?? randomId(8).replace(/[^A-Za-z0-9]/g, 'x');
  const privacy = body.privacy ?? 'public';
  const properties = (body.properties ?? {}) as RoomProperties;
  checkCallType(host, properties);
  if (host.store.room(name)) throw new CallcapsApiError(409, 'already-exists', `a room named "${name}" already exists`);
  const room: Room = { id: crypto.randomUUID(), name, privacy, properties, created_at: Date.now() };
  host.store.putRoom(room);
  return roomJson(room);
}

/** Deletes a room and ends its call (`DELETE /v1/rooms/:name`); 404 when there is none. */
export function deleteRoom(host: RestHost, name: unknown): { deleted: true; name: string } {
  if (typeof name !== 'string') throw new Invalid('the room name must be a string');
  if (!host.store.deleteRoom(name)) notFound(`room "${name}"`);
  host.roomDeleted(name);
  return { deleted: true, name };
}

/** Signs a meeting token for these claims (`properties` of `POST /v1/meeting-tokens`, checked against its schema). */
export function createToken(host: RestHost, properties: unknown): Promise<string> {
  return signMeetingToken(tokenProperties(properties ?? {}), host.apiKey);
}

type Route = (host: RestHost, body: Json, params: string[], query: URLSearchParams) => unknown;

/** Method and path pattern → handler. `:x` segments are passed in order. */
const ROUTES: [string, RegExp, Route][] = [
  ['GET', /^\/v1\/rooms$/, (host) => {
    const data = listRooms(host);
    return { total_count: data.length, data };
  }],
  ['POST', /^\/v1\/rooms$/, (host, raw) => createRoom(host, raw)],
  ['GET', /^\/v1\/rooms\/([^/]+)$/, (host, _body, [name]) => roomJson(host.store.room(name) ?? notFound(`room "${name}"`))],
  ['POST', /^\/v1\/rooms\/([^/]+)$/, (host, raw, [name]) => {
    const room = host.store.room(name) ?? notFound(`room "${name}"`);
    const body = check(REST_BODIES['POST /v1/rooms/:name'], raw, { root: 'body' });
    const privacy = body.privacy ?? room.privacy;
    const changes: Json = body.properties ?? {};
    const properties: Json = { ...room.properties };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete properties[key];
      else properties[key] = value;
    }
    checkCallType(host, properties as RoomProperties);
    const updated: Room = { ...room, privacy, properties: properties as RoomProperties };
    host.store.putRoom(updated);
    host.roomChanged(updated);
    return roomJson(updated);
  }],
  ['DELETE', /^\/v1\/rooms\/([^/]+)$/, (host, _body, [name]) => deleteRoom(host, name)],
  ['POST', /^\/v1\/meeting-tokens$/, async (host, raw) => {
    const body = check(REST_BODIES['POST /v1/meeting-tokens'], raw, { root: 'body' });
    return { token: await createToken(host, body.properties) };
  }],
  ['GET', /^\/v1\/call-types$/, (host) => {
    const data = host.store.callTypes();
    return { total_count: data.length, data };
  }],
  ['POST', /^\/v1\/call-types$/, (host, raw) => {
    const body = check(REST_BODIES['POST /v1/call-types'], raw, { root: 'body' });
    const name = body.name;
    const type: CallType = {
      name,
      grants: dictionary(body.grants as CallType['grants'] | undefined),
      settings: mergeSettings(defaultSettings(), (body.settings ?? {}) as Partial<CallType['settings']>),
    };
    if (!host.store.createCallType(type)) throw new CallcapsApiError(409, 'already-exists', `a call type named "${name}" already exists`);
    return type;
  }],
  ['GET', /^\/v1\/call-types\/([^/]+)$/, (host, _body, [name]) => host.store.callType(name) ?? notFound(`call type "${name}"`)],
  ['PUT', /^\/v1\/call-types\/([^/]+)$/, (host, raw, [name]) => {
    const current = host.store.callType(name) ?? notFound(`call type "${name}"`);
    const body = check(REST_BODIES['PUT /v1/call-types/:name'], raw, { root: 'body' });
    const type: CallType = {
      name,
      // Each role given replaces that role's grants; the other roles stay.
      grants: body.grants === undefined ? current.grants : Object.assign(dictionary(current.grants), body.grants),
      settings: body.settings === undefined ? current.settings : mergeSettings(current.settings, body.settings as Partial<CallType['settings']>),
    };
    host.store.updateCallType(type);
    host.callTypeChanged(type);
    return type;
  }],
  ['GET', /^\/v1\/permissions$/, () => ({
    permissions: Object.entries(PERMISSIONS).map(([id, description]) => ({ id, description })),
  })],
  ['GET', /^\/v1\/audit-log$/, (host, _body, _params, query) => {
    const params = check(REST_QUERIES['GET /v1/audit-log'], Object.fromEntries(query), { root: 'query' });
    const room = params.room;
    const limit = Number(params.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Invalid('limit must be an integer from 1 to 1000');
    return { data: host.store.auditLog(room, limit) };
  }],
];

/** Every endpoint as `METHOD /path/:name`, as `REST_BODIES` and `REST_QUERIES` of schemas.ts name them (the fuzzer checks both cover it). */
export const ENDPOINTS: readonly string[] = ROUTES.map(([method, pattern]) =>
  `${method} ${pattern.source.replace(/^\^|\$$/g, '').replace(/\\\//g, '/').replace('([^/]+)', ':name')}`);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // A body over the limit was not read to its end: the connection cannot carry another request.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Answers a request under `/v1`. */
export async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL, host: RestHost): Promise<void> {
  try {
    if (!hasApiKey(req.headers.authorization, host.apiKey)) {
      throw new CallcapsApiError(401, 'authentication-error', 'missing or wrong API key: send "Authorization: Bearer $CALLCAPS_API_KEY"');
    }
    const matches = ROUTES.filter(([, pattern]) => pattern.test(url.pathname));
    if (matches.length === 0) notFound(`${url.pathname}`);
    const route = matches.find(([method]) => method === req.method);
    if (!route) throw new CallcapsApiError(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname} (allowed: ${matches.map(([m]) => m).join(', ')})`);
    const params = route[1].exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : {};
    send(res, 200, await route[2](host, body, params, url.searchParams));
  } catch (error) {
    // Invalid is a CallcapsApiError too (400, invalid-request-error).
    if (error instanceof CallcapsApiError) send(res, error.status, { error: error.code, info: error.message });
    else if (error instanceof URIError) send(res, 400, { error: 'invalid-request-error', info: 'malformed path' });
    else {
      send(res, 500, { error: 'server-error', info: 'internal error' });
      throw error;
    }
  }
}
