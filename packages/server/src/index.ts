/**
 * `@callcaps/server`: the reference call server. It serves the REST API
 * (`/v1/...`), the WebSocket JSON-RPC endpoint (`/v1/ws`) and, optionally,
 * static files (the demo and the built bundles), either on a port of its own
 * (`createServer`) or mounted on an existing `node:http` server, Express or
 * Fastify app (`createCallcapsHandler`). Both carry the same JS API as REST
 * (`createRoom`, `listRooms`, `deleteRoom`, `createToken`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, type Stats } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import compression from 'compression';
import send from 'send';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_LINK_LOST } from 'callcaps/client';
import type { CallType } from './call-types.js';
import { LiveCall, type Hub, type RosterOptions, type Session } from './live.js';
import { clip, consoleLogger, type Logger } from './log.js';
import { createRoom, createToken, deleteRoom, handleRest, listRooms, type CreateRoomRequest, type RestHost, type RoomInfo } from './rest.js';
import { Media, type MediaOption } from './media/index.js';
import { CLOSE, MAX_FRAME, serve, type RpcHost } from './rpc.js';
import { Store, type Room } from './store.js';
import type { TokenProperties } from './validate.js';

export type { DestinationStream, LogFields, Logger } from './log.js';
export { consoleLogger, jsonLogger, silentLogger } from './log.js';
export type { CallType, CallTypeSettings, Permission } from './call-types.js';
export { PERMISSIONS, builtInCallTypes } from './call-types.js';
export { POLICY, deriveFlags, type PolicyContext, type Rule } from './policy.js';
export type { AuditEntry, Room } from './store.js';
export { SchemaVersionError } from './store.js';
export { CLOSE } from './rpc.js';
export type { TokenProperties, RoomProperties } from './validate.js';
export { CallcapsApiError } from './validate.js';
export type { CreateRoomRequest, RoomInfo } from './rest.js';
export type { Media, MediaOption, MediaOptions, MediaServerInfo, EmbeddedJanusOptions, JanusServerOptions } from './media/index.js';

/** Files under `dir` served at the URL path prefix `path` (`/` for the root). */
export interface StaticMount {
  readonly path: string;
  readonly dir: string;
  /**
   * Seconds a browser may reuse a file without asking (`Cache-Control:
   * max-age`). Default 0: it asks every time, and the file's ETag makes the
   * answer a 304 when it has not changed.
   */
  readonly maxAge?: number;
  /** Adds `immutable` to `Cache-Control` (for file names that change with their content). */
  readonly immutable?: boolean;
}

/** The options of {@link createCallcapsHandler}: everything but where to listen. */
export interface CallcapsHandlerOptions {
  /** The SQLite file. Default `CALLCAPS_DATA`, else `./.callcaps/callcaps.db`; `:memory:` keeps nothing. */
  dataPath?: string;
  /** The API key for REST and for signing tokens. Default `CALLCAPS_API_KEY`, else one generated and stored. */
  apiKey?: string;
  /** Static directories, matched in order after the API. */
  static?: readonly StaticMount[];
  /** Where log lines go. Default the console. */
  logger?: Logger;
  /** How many people may knock at one room at once. Default 50. */
  maxKnocks?: number;
  /** The per-connection rate limit: a bucket of `burst` requests refilled at `perSecond`. Default 60 and 30. */
  rateLimit?: { burst: number; perSecond: number };
  /**
   * How long a member whose connection dropped (closed without a close frame)
   * keeps its place, in ms, for its client to resume it (`call.join { resume }`).
   * Default 30000; 0 turns resuming off (a dropped member leaves at once).
   */
  reconnectGrace?: number;
  /**
   * How often, in ms, the server pings every connection; one that has not
   * answered the previous ping by the next is cut as dropped (its member then
   * gets the reconnect grace). Default 30000; 0 turns the heartbeat off.
   */
  heartbeatInterval?: number;
  /**
   * The most bytes that may wait to be sent to one connection (in `ws` and
   * the socket's buffers). A client over it does not read: it is closed with
   * 4507 (and terminated a second later), and its member drops as on a lost
   * connection. Default 8 MiB: four times a `call.joined` of a 5,000-member
   * call plus a change to all of them. Infinity turns the cap off.
   */
  maxBufferedBytes?: number;
  /**
   * How many WebSocket connections one client address may hold at once; one
   * more is refused at the upgrade with HTTP 429. Default 64; 0 turns the
   * limit off (behind a proxy every client has the proxy's address).
   */
  maxConnectionsPerAddress?: number;
  /** A connection in no call (never joined, or left) this long, in ms, is closed with 4408. Default 10000; 0: never. */
  joinTimeout?: number;
  /** A lobby session that has not knocked (`call.request_access`) this long, in ms, is closed with 4408. Default 60000; 0: never. */
  knockTimeout?: number;
  /** How long `close()` waits for clients to answer the 1001 close before cutting them, in ms. Default 2000. */
  shutdownTimeout?: number;
  /**
   * The `Content-Security-Policy` of every response. Default: the demo's
   * policy (`'self'` only; inline scripts of a served page allowed by their
   * hash; `'unsafe-eval'` for Vue's in-DOM templates in the embedding
   * example). A string replaces it (no hashes are added); `false` sends none.
   */
  contentSecurityPolicy?: string | false;
  /**
   * Real audio and video through a Janus SFU that only the server talks to.
   * `'auto'` starts an embedded Janus when the `janus` binary is found
   * (`JANUS_PATH`, else `PATH`) and otherwise runs without media, saying so
   * once; `{ embedded: {…} }` tunes the embedded one (failing to start it
   * fails `createServer`); `{ servers: [{ url, apiSecret?, adminKey? }, …] }`
   * uses Janus instances already running. Default off; `npm start` and the
   * CLI pass `'auto'`.
   */
  media?: MediaOption;
  /**
   * Large rooms, for clients of protocol 2: above `threshold` members with
   * presence (default 200), `call.joined` carries the first `pageSize`
   * (default 100) and the rest is listed on request (`call.members.list`);
   * `members.count` is sent at most every `countInterval` ms (default 250).
   */
  roster?: Partial<RosterOptions>;
}

/** The options of {@link createServer}: the handler's, and where to listen. */
export interface ServerOptions extends CallcapsHandlerOptions {
  /** The port; 0 picks a free one. Default 8787. */
  port?: number;
  /** The interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/**
 * The JS API beside REST: the same operations as the endpoints, through the
 * same code (the same checks, the same effects on live calls). Each returns
 * what the endpoint answers with, as plain data, and rejects with a
 * {@link CallcapsApiError} (`status` and `code` as REST would answer, and a
 * message that says why) where the endpoint answers 4xx. No API key is
 * needed: holding the object is the authority.
 */
export interface CallcapsApi {
  /** `POST /v1/rooms`: creates a room; `already-exists` (409) when the name is taken, `invalid-request-error` (400) for bad input. */
  createRoom(request?: CreateRoomRequest): Promise<RoomInfo>;
  /** `GET /v1/rooms`: every room, oldest first. */
  listRooms(): Promise<RoomInfo[]>;
  /** `DELETE /v1/rooms/:name`: deletes the room and ends its call (everyone in it gets `call.left { reason: "ended" }`); `not-found` (404) when there is none. */
  deleteRoom(name: string): Promise<{ deleted: true; name: string }>;
  /** `POST /v1/meeting-tokens`: signs a meeting token (a JWT, HS256) with these claims. */
  createToken(properties?: TokenProperties): Promise<string>;
}

/**
 * callcaps mounted on a server it does not own: a request handler and an
 * upgrade handler for an existing `node:http` server, Express or Fastify app.
 * The methods are bound: pass them as they are (`app.use(callcaps.handleRequest)`).
 */
export interface CallcapsHandler extends CallcapsApi {
  /**
   * Answers a request under `/v1` (REST), or a static file of `static`. For
   * any other request it calls `next()` when given (Express falls through to
   * the app's own routes), else answers 404. Mount it before any body parser,
   * or behind one that leaves JSON bodies as `req.body`.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /**
   * Takes over an upgrade to `/v1/ws` (the WebSocket JSON-RPC endpoint) and
   * returns true; returns false, touching nothing, for any other path (the
   * app's own WebSocket endpoints, or a 404 of its own).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  readonly apiKey: string;
  /** True when the API key was generated by this or an earlier run (not given). */
  readonly apiKeyGenerated: boolean;
  /** The media layer when media is on (its Janus instances, `down` and `restarted` events), else undefined. */
  readonly media: Media | undefined;
  /**
   * Closes every callcaps WebSocket connection (code 1001), the database and
   * media (an embedded Janus stops); the app's server and its other
   * connections are the app's. Requests under `/v1` are answered 503 from then on.
   */
  close(): Promise<void>;
}

/** The server {@link createServer} started on a port of its own. */
export interface CallcapsServer extends CallcapsApi {
  /** `http://host:port` */
  readonly url: string;
  /** `ws://host:port/v1/ws` */
  readonly wsUrl: string;
  readonly port: number;
  readonly apiKey: string;
  /** True when the API key was generated by this or an earlier run (not given). */
  readonly apiKeyGenerated: boolean;
  /** The media layer when media is on (its Janus instances, `down` and `restarted` events), else undefined. */
  readonly media: Media | undefined;
  /** Closes every connection (code 1001), the port, the database and media (an embedded Janus stops). */
  close(): Promise<void>;
}

/** Sent with every response, API and files alike. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * The default policy: everything from this origin only (WebSocket included),
 * no plugins, no framing, no `<base>`. Inline scripts run only when the page
 * that carries them was served from a static mount (their hashes are added);
 * inline styles are allowed (lit and the demo set them). `'unsafe-eval'` is
 * the price of the Vue embedding example, whose in-DOM template Vue compiles
 * with `Function`; a deployment without it passes its own policy.
 */
function defaultPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-eval'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The sha256 of every inline `<script>` of a page, as CSP sources. */
function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(match[1]) || !match[2]) continue;
    hashes.push(`sha256-${createHash('sha256').update(match[2]).digest('base64')}`);
  }
  return hashes;
}

/** Pages up to this size have their inline scripts hashed into their CSP; a larger page gets the policy without hashes. */
const MAX_PAGE = 2 * 1024 * 1024;

/**
 * The static files of the mounts, through `send` (ETag and Last-Modified with
 * 304s, Cache-Control, ranges, HEAD; a download aborted or failing midway
 * releases its file) and `compression` (gzip or brotli on the fly for
 * compressible types, as the request accepts). Resolves true when one of the
 * mounts answered, false when none has the file (nothing was written).
 */
function createStatic(mounts: readonly StaticMount[], policy: string | false | undefined, log: Logger) {
  /** The responses that are ours to compress (the `compression` filter; an app's response passing through is never). */
  const ours = new WeakSet<ServerResponse>();
  const compress = compression({ filter: (req, res) => ours.has(res as ServerResponse) && compression.filter(req, res) });
  /** The CSP of each page by path, kept while its size and mtime stay. */
  const pagePolicies = new Map<string, { size: number; mtimeMs: number; policy: string }>();
  const pagePolicy = (path: string, stat: Stats): string => {
    const known = pagePolicies.get(path);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.policy;
    let hashes: string[] = [];
    try {
      if (stat.size <= MAX_PAGE) hashes = inlineScriptHashes(readFileSync(path, 'utf8'));
    } catch (error) {
      log.warn('static page unreadable for its CSP', { path: clip(path), err: error });
    }
    const page = defaultPolicy(hashes);
    pagePolicies.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, policy: page });
    return page;
  };

  const tryMount = (mount: StaticMount, pathname: string, req: IncomingMessage, res: ServerResponse) =>
    new Promise<boolean>((resolveServed) => {
      const prefix = mount.path.endsWith('/') ? mount.path : `${mount.path}/`;
      if (pathname !== mount.path && !pathname.startsWith(prefix)) return resolveServed(false);
      const rest = pathname === mount.path ? '/' : pathname.slice(prefix.length - 1);
      let special = false;
      send(req, rest, { root: resolve(mount.dir), index: ['index.html'], dotfiles: 'ignore', maxAge: (mount.maxAge ?? 0) * 1000, immutable: mount.immutable ?? false })
        .on('file', (_path: string, stat: Stats) => {
          // A FIFO or device would hold a thread of the pool open until it is written to: never served.
          if (stat.isFile()) return;
          special = true;
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('not found');
        })
        .on('headers', (response: ServerResponse, path: string, stat: Stats) => {
          ours.add(response);
          if (policy === undefined && extname(path) === '.html') response.setHeader('content-security-policy', pagePolicy(path, stat));
        })
        .on('directory', (response: ServerResponse) => {
          // A folder without its slash: redirected to it, so that the page's relative links resolve inside it.
          const location = `${pathname}/${req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`;
          response.writeHead(301, { location, 'content-length': 0 });
          response.end();
          resolveServed(true);
        })
        .on('error', (error: Error & { status?: number }) => {
          if (special) return resolveServed(true);
          if (ours.has(res)) {
            // The file was found and its headers set, then reading it failed: that response is cut, the server goes on.
            log.warn('static download failed', { path: clip(pathname), err: error });
            res.destroy();
            return resolveServed(true);
          }
          // Absent, hidden (a dotfile) or outside the root: not this mount's file.
          if ((error.status ?? 500) < 500) return resolveServed(false);
          log.warn('static file unreadable', { path: clip(pathname), err: error });
          resolveServed(false);
        })
        .on('stream', () => resolveServed(true))
        .on('end', () => resolveServed(true))
        .pipe(res);
      // A 304 or a HEAD ends without a stream.
      res.once('finish', () => resolveServed(true));
    });

  return async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || mounts.length === 0) return false;
    await new Promise<void>((next) => compress(req as never, res as never, () => next()));
    for (const mount of mounts) if (await tryMount(mount, url.pathname, req, res)) return true;
    return false;
  };
}

/**
 * The URL of a request, its target read as a path (`//x` is the path `//x`,
 * not the host `x`); undefined when it is not one (answered 400).
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return undefined;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return undefined;
  }
}

/** The handler, and its shutdown in two steps so that a server of its own can close its port in between. */
interface Started {
  handler: Omit<CallcapsHandler, 'close'>;
  /** Refuses new work and closes every WebSocket connection (1001, then cut after the shutdown timeout). */
  hangUp(): Promise<void>;
  /** Ends the calls, media and the database. */
  release(): Promise<void>;
}

/**
 * callcaps as a request handler and an upgrade handler, for a `node:http`
 * server, Express or Fastify app that owns the port (see the README's
 * "Mounting on your own server"). Resolves once the database is open and media
 * (when asked for) has started.
 */
export async function createCallcapsHandler(options: CallcapsHandlerOptions = {}): Promise<CallcapsHandler> {
  const { handler, hangUp, release } = await start(options);
  let closed: Promise<void> | undefined;
  return { ...handler, close: () => (closed ??= hangUp().then(release)) };
}

async function start(options: CallcapsHandlerOptions): Promise<Started> {
  const log = options.logger ?? consoleLogger;
  const store = new Store(options.dataPath ?? process.env.CALLCAPS_DATA ?? './.callcaps/callcaps.db');
  let apiKey = options.apiKey;
  let apiKeyGenerated = false;
  if (!apiKey) {
    apiKey = store.meta('api_key');
    if (!apiKey) store.setMeta('api_key', (apiKey = `cc_${randomBytes(24).toString('base64url')}`));
    apiKeyGenerated = true;
  }
  const key = apiKey;
  const media = await Media.start(options.media, log).catch((error) => {
    store.close();
    throw error;
  });
  const calls = new Map<string, LiveCall>();
  const sessions = new Set<Session>();
  /** Whether each connection answered the last heartbeat ping. */
  const alive = new WeakMap<WebSocket, boolean>();
  /** Set by close(): connections closing now are not departures to tell anyone about. */
  let shuttingDown = false;

  /**
   * A failure while handling one connection (a frame, its close, one of its
   * timers) is logged and kept to that connection: it is closed with 1011,
   * and a session whose connection is already gone is taken out of its call
   * as best it can be. The process goes on.
   */
  const fault = (s: Session, where: string, error: unknown) => {
    log.error(`failure while handling ${where}; the connection is closed`, { member: s.id || undefined, err: error });
    try {
      if (!s.closed) {
        s.socket.close(CLOSE.internal, 'internal error');
        return;
      }
      const call = s.call;
      if (!call) return;
      call.forget(s);
      s.reset('left');
      call.disposeIfEmpty();
    } catch (again) {
      log.error('failure while containing a failure', { member: s.id || undefined, err: again });
    }
  };

  const hub: Hub = {
    maxKnocks: options.maxKnocks ?? 50,
    reconnectGrace: options.reconnectGrace ?? 30_000,
    audit: (entry) => store.audit(entry),
    disposed: (call) => {
      media?.callEnded(call);
      if (calls.get(call.room.name) === call) calls.delete(call.room.name);
    },
    fault,
    media,
    roster: options.roster,
  };

  const who = (s: Session) => ({ user_id: s.identity?.userId ?? '', name: s.knock?.name ?? s.member?.name ?? '', member_id: s.id });

  const rpcHost: RpcHost = {
    apiKey: key,
    log,
    maxKnocks: hub.maxKnocks,
    rateLimit: options.rateLimit ?? { burst: 60, perSecond: 30 },
    room: (name) => store.room(name),
    callType: (name) => store.callType(name),
    liveCall(room, callType) {
      let call = calls.get(room.name);
      if (!call) calls.set(room.name, (call = new LiveCall(hub, room, callType)));
      return call;
    },
    existingCall: (name) => calls.get(name),
    audit(call, actor, target, action, detail) {
      store.audit({ room: call.room.name, actor: who(actor), target: target && who(target), action, detail });
    },
  };

  /** A call type was edited: the calls using it recompute everyone's flags. */
  const applyCallType = (call: LiveCall, type: CallType) => {
    call.callType = type;
    if (!type.settings.layout.options.includes(call.layout)) call.layout = type.settings.layout.default;
    call.roomChanged(true);
  };

  const restHost: RestHost = {
    apiKey: key,
    store,
    roomChanged(room: Room) {
      const call = calls.get(room.name);
      if (!call) return;
      const typeName = room.properties.call_type ?? 'default';
      call.room = room;
      if (typeName !== call.callType.name) applyCallType(call, store.callType(typeName)!);
    },
    roomDeleted(name: string) {
      const call = calls.get(name);
      if (!call) return;
      call.end();
      calls.delete(name);
    },
    callTypeChanged(type: CallType) {
      for (const call of calls.values()) if (call.callType.name === type.name) applyCallType(call, type);
    },
  };

  const policy = options.contentSecurityPolicy;
  const basePolicy = policy === undefined ? defaultPolicy() : policy;
  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
  };
  const serveStatic = createStatic(options.static ?? [], policy, log);
  const setHeaders = (res: ServerResponse, on: boolean) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) on ? res.setHeader(name, value) : res.removeHeader(name);
    if (basePolicy !== false) on ? res.setHeader('content-security-policy', basePolicy) : res.removeHeader('content-security-policy');
  };
  const handleRequest = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const url = requestUrl(req);
    if (!url) {
      if (next) return next();
      setHeaders(res, true);
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request target');
      return;
    }
    setHeaders(res, true);
    const failed = (error: unknown) => {
      log.error('failure while handling an HTTP request', { method: clip(req.method), path: clip(url.pathname), err: error });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error');
      } else res.destroy();
    };
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      if (shuttingDown) {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ error: 'unavailable', info: 'the server is shutting down' }));
        return;
      }
      handleRest(req, res, url, restHost).catch(failed);
      return;
    }
    serveStatic(url, req, res).then((served) => {
      if (served) return;
      if (!next) return notFound(res);
      // Not ours: the app's own response carries none of our headers.
      setHeaders(res, false);
      next();
    }, failed);
  };

  // Frames up to 1 MiB are read so that those over 64 KB get a clear 4413; beyond that ws closes with 1009.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * MAX_FRAME });
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const perAddress = options.maxConnectionsPerAddress ?? 64;
  /** Open WebSocket connections (and upgrades under way) per client address. */
  const connections = new Map<string, number>();

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    if (requestUrl(req)?.pathname !== '/v1/ws') return false;
    if (shuttingDown) {
      socket.destroy();
      return true;
    }
    const address = req.socket.remoteAddress ?? '';
    const count = connections.get(address) ?? 0;
    if (perAddress > 0 && count >= perAddress) {
      log.warn('refused a connection: too many from one address', { address, limit: perAddress });
      socket.end('HTTP/1.1 429 Too Many Requests\r\nretry-after: 10\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return true;
    }
    // Counted from the upgrade request to the socket's close, whether the upgrade succeeds or not.
    connections.set(address, count + 1);
    socket.once('close', () => {
      const left = (connections.get(address) ?? 1) - 1;
      if (left > 0) connections.set(address, left);
      else connections.delete(address);
    });
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = serve(ws, rpcHost, { wire: socket, address, maxBuffered, fault });
      sessions.add(session);
      watch(session);
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('error', () => {});
      ws.on('close', (code: number) => {
        session.closed = true;
        sessions.delete(session);
        idle.delete(session);
        // Shutting down: everyone is being closed, nobody is told who left.
        if (shuttingDown) return;
        try {
          // 1006: no close frame, the connection dropped (a network blip); CLOSE_LINK_LOST: the
          // client found the link dead and let go of it; or it was cut for not reading:
          // the member's place is kept for a resume.
          session.call?.drop(session, code === 1006 || code === CLOSE_LINK_LOST || session.overflowed);
        } catch (error) {
          fault(session, 'a closed connection', error);
        }
      });
    });
    return true;
  };

  // A connection that died silently (no FIN, no close frame) is only noticed by
  // pinging it: one that missed a ping is terminated, which closes it as 1006.
  const heartbeatInterval = options.heartbeatInterval ?? 30_000;
  const heartbeat =
    heartbeatInterval > 0
      ? setInterval(() => {
          for (const client of wss.clients) {
            try {
              if (!alive.get(client)) {
                client.terminate();
                continue;
              }
              alive.set(client, false);
              client.ping();
            } catch (error) {
              log.error('failure while pinging a connection', { err: error });
              client.terminate();
            }
          }
        }, heartbeatInterval)
      : undefined;
  heartbeat?.unref();

  // Connections that hold a place without using it: in no call (never joined,
  // or left) past the join timeout, or in a lobby without knocking past the
  // knock timeout. Each is closed with 4408. A sweep looks at every
  // connection a few times per timeout, noting when its state last changed.
  const joinTimeout = options.joinTimeout ?? 10_000;
  const knockTimeout = options.knockTimeout ?? 60_000;
  const idle = new Map<Session, { state: string; since: number }>();
  const stateOf = (s: Session) => (s.state === 'joined' ? 'joined' : s.state === 'lobby' ? (s.knock ? 'knocking' : 'lobby') : 'none');
  function watch(s: Session): void {
    idle.set(s, { state: stateOf(s), since: Date.now() });
  }
  const limits = [joinTimeout, knockTimeout].filter((ms) => ms > 0);
  const sweep =
    limits.length > 0
      ? setInterval(() => {
          const now = Date.now();
          for (const [s, seen] of idle) {
            try {
              const state = stateOf(s);
              if (state !== seen.state) {
                idle.set(s, { state, since: now });
                continue;
              }
              const limit = state === 'none' ? joinTimeout : state === 'lobby' ? knockTimeout : 0;
              if (limit > 0 && now - seen.since >= limit && !s.closed) {
                idle.delete(s);
                const reason = state === 'none' ? 'no join in time' : 'no knock in time';
                log.info(`closing connection code=${CLOSE.idle}`, { member: s.id || undefined, code: CLOSE.idle, reason });
                s.socket.close(CLOSE.idle, reason);
              }
            } catch (error) {
              idle.delete(s);
              fault(s, 'the idle sweep', error);
            }
          }
        }, Math.min(1000, Math.max(20, Math.min(...limits) / 10)))
      : undefined;
  sweep?.unref();

  const api = (): CallcapsApi => ({
    // Async like REST, so that a refusal is a rejection and never a throw at the call.
    createRoom: async (request = {}) => createRoom(restHost, request),
    listRooms: async () => listRooms(restHost),
    deleteRoom: async (name) => deleteRoom(restHost, name),
    createToken: async (properties = {}) => createToken(restHost, properties),
  });

  let hungUp: Promise<void> | undefined;
  let released: Promise<void> | undefined;
  return {
    handler: {
      ...api(),
      handleRequest,
      handleUpgrade,
      apiKey: key,
      apiKeyGenerated,
      media,
    },
    hangUp() {
      clearInterval(heartbeat);
      clearInterval(sweep);
      shuttingDown = true;
      hungUp ??= (async () => {
        // 1001 to everyone first; nobody is told that anyone left (everyone is leaving).
        const handshakes = [...wss.clients].map((client) => new Promise<void>((r) => {
          if (client.readyState === client.CLOSED) return r();
          client.once('close', () => r());
          try {
            client.close(CLOSE.goingAway, 'server shutting down');
          } catch {
            client.terminate();
          }
        }));
        // A bounded wait for the close handshakes, then whoever is left is cut.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([Promise.all(handshakes), new Promise((r) => (timer = setTimeout(r, options.shutdownTimeout ?? 2000)))]);
        clearTimeout(timer);
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
      })();
      return hungUp;
    },
    release() {
      released ??= (async () => {
        for (const call of calls.values()) for (const s of [...call.members.values(), ...call.lobby.values()]) s.reset('left');
        calls.clear();
        await media?.close();
        store.close();
      })();
      return released;
    },
  };
}

/** Starts the server on a port of its own; resolves once it listens. */
export async function createServer(options: ServerOptions = {}): Promise<CallcapsServer> {
  const { handler, hangUp, release } = await start(options);
  const http = createHttpServer((req, res) => handler.handleRequest(req, res));
  http.on('upgrade', (req, socket, head) => {
    if (handler.handleUpgrade(req, socket, head)) return;
    socket.end(requestUrl(req)
      ? 'HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n'
      : 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolveListen, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 8787, host, () => {
        http.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    // The port is taken (or the like): no Janus is left behind.
    await hangUp();
    await release();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  const { handleRequest: _request, handleUpgrade: _upgrade, ...rest } = handler;

  return {
    ...rest,
    url: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}/v1/ws`,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => http.close(() => r()));
        await hangUp();
        http.closeAllConnections();
        await closed;
        await release();
      })();
      return closing;
    },
  };
}
