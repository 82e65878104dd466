/**
 * `callcaps/adapters/livekit-server`: the backend that `fromLiveKit`'s host
 * controls call, for the app's Node server, over livekit-server-sdk's
 * `RoomServiceClient`. Only the app knows who its hosts are, so every request
 * passes the app's `authorize` hook first; without one, nothing is allowed.
 *
 * Mount {@link liveKitHandler} on a route of `node:http`, Express or Fastify
 * (raw) and point the page's `httpBackend(url)` at it; or call
 * {@link createLiveKitBackend}'s `perform()` from a handler of your own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoomServiceClient } from 'livekit-server-sdk';
import type { LiveKitPermission } from '../livekit/index.js';

/** The part of `RoomServiceClient` the backend uses (a stand-in for tests must match its types). */
export type RoomService = Pick<RoomServiceClient, 'updateParticipant' | 'removeParticipant' | 'mutePublishedTrack' | 'deleteRoom'>;

/** A plain `ParticipantPermission`, as the page sends it (the browser adapter's own type). */
export type PermissionBody = LiveKitPermission;

/** One backend request, as `httpBackend` posts it. */
export type BackendRequest =
  | { action: 'updatePermissions'; room: string; identity: string; permission: PermissionBody }
  | { action: 'updateAttributes'; room: string; identity: string; attributes: Record<string, string> }
  | { action: 'removeParticipant'; room: string; identity: string }
  | { action: 'mutePublishedTrack'; room: string; identity: string; trackSid: string; muted: boolean }
  | { action: 'endRoom'; room: string };

export interface BackendOptions<Context> {
  /**
   * Whether the caller (described by `context`: the HTTP request, a session…)
   * may perform `request`: typically, whether the caller is a host of
   * `request.room`. Required; anything but `true` refuses with 403.
   */
  authorize: (request: BackendRequest, context: Context) => boolean | Promise<boolean>;
  /** Attribute keys a host may write (default: `role` and `callcaps.handraised`). */
  attributes?: readonly string[];
}

/** The answer to a backend request: an HTTP status and a JSON body (`{ ok: true }` or `{ error, info }`). */
export interface BackendAnswer {
  status: number;
  body: { ok: true } | { error: string; info: string };
}

const fail = (status: number, error: string, info: string): BackendAnswer => ({ status, body: { error, info } });
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256;
const isBool = (value: unknown): value is boolean => typeof value === 'boolean';
const PERMISSION_FIELDS = ['canSubscribe', 'canPublish', 'canPublishData', 'hidden', 'canUpdateMetadata'] as const;

/** Validates a request body; returns the request, or the reason it is malformed. */
export function parseRequest(body: unknown, attributeKeys: readonly string[]): BackendRequest | string {
  if (!body || typeof body !== 'object') return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (!isName(b.room)) return 'room: a non-empty string';
  switch (b.action) {
    case 'endRoom':
      return { action: 'endRoom', room: b.room };
    case 'removeParticipant':
    case 'updatePermissions':
    case 'updateAttributes':
    case 'mutePublishedTrack':
      break;
    default:
      return 'action: one of updatePermissions, updateAttributes, removeParticipant, mutePublishedTrack, endRoom';
  }
  if (!isName(b.identity)) return 'identity: a non-empty string';
  const { room, identity } = b;
  switch (b.action) {
    case 'removeParticipant':
      return { action: 'removeParticipant', room, identity };
    case 'mutePublishedTrack':
      if (!isName(b.trackSid)) return 'trackSid: a non-empty string';
      if (!isBool(b.muted)) return 'muted: a boolean';
      return { action: 'mutePublishedTrack', room, identity, trackSid: b.trackSid, muted: b.muted };
    case 'updateAttributes': {
      const attributes = b.attributes as Record<string, unknown> | null;
      if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) return 'attributes: an object of strings';
      for (const [key, value] of Object.entries(attributes)) {
        if (!attributeKeys.includes(key)) return `attributes: ${key} may not be written (allowed: ${attributeKeys.join(', ')})`;
        if (typeof value !== 'string' || value.length > 256) return `attributes.${key}: a string`;
      }
      return { action: 'updateAttributes', room, identity, attributes: attributes as Record<string, string> };
    }
    case 'updatePermissions': {
      const p = b.permission as Record<string, unknown> | null;
      if (!p || typeof p !== 'object') return 'permission: an object';
      for (const field of PERMISSION_FIELDS) if (!isBool(p[field])) return `permission.${field}: a boolean`;
      const sources = p.canPublishSources;
      if (!Array.isArray(sources) || !sources.every((s) => Number.isInteger(s) && s >= 0 && s <= 4)) {
        return 'permission.canPublishSources: an array of TrackSource numbers';
      }
      const permission = Object.fromEntries([...PERMISSION_FIELDS.map((f) => [f, p[f]]), ['canPublishSources', [...sources]]]) as unknown as PermissionBody;
      return { action: 'updatePermissions', room, identity, permission };
    }
  }
}

/** The backend: `perform()` checks, authorizes and calls LiveKit's server API. */
export function createLiveKitBackend<Context = IncomingMessage>(rooms: RoomService, options: BackendOptions<Context>) {
  if (typeof options?.authorize !== 'function') throw new TypeError('createLiveKitBackend: options.authorize is required (who may act as a host?)');
  const attributeKeys = options.attributes ?? ['role', 'callcaps.handraised'];
  return {
    /** Validates, authorizes and performs one request; never throws. */
    async perform(body: unknown, context: Context): Promise<BackendAnswer> {
      const request = parseRequest(body, attributeKeys);
      if (typeof request === 'string') return fail(400, 'bad_request', request);
      let allowed = false;
      try {
        allowed = (await options.authorize(request, context)) === true;
      } catch {
        allowed = false;
      }
      if (!allowed) return fail(403, 'forbidden', `not allowed to ${request.action} in ${request.room}`);
      try {
        switch (request.action) {
          case 'updatePermissions':
            await rooms.updateParticipant(request.room, request.identity, { permission: request.permission });
            break;
          case 'updateAttributes':
            await rooms.updateParticipant(request.room, request.identity, { attributes: request.attributes });
            break;
          case 'removeParticipant':
            await rooms.removeParticipant(request.room, request.identity);
            break;
          case 'mutePublishedTrack':
            await rooms.mutePublishedTrack(request.room, request.identity, request.trackSid, request.muted);
            break;
          case 'endRoom':
            await rooms.deleteRoom(request.room);
            break;
        }
      } catch (error) {
        // LiveKit's TwirpError carries the HTTP status (404 for an unknown participant…).
        const status = (error as { status?: unknown })?.status;
        const code = typeof status === 'number' && status >= 400 && status < 600 ? status : 502;
        return fail(code, 'livekit', error instanceof Error ? error.message : String(error));
      }
      return { status: 200, body: { ok: true } };
    },
  };
}

/** The largest request body accepted, in bytes. */
const MAX_BODY = 16 * 1024;

/**
 * A Node request handler (`node:http`, or Express/Fastify with the raw
 * request) for `POST` JSON requests from the page's `httpBackend(url)`.
 * `authorize` receives the request (read the app's session from it).
 */
export function liveKitHandler(rooms: RoomService, options: BackendOptions<IncomingMessage>) {
  const backend = createLiveKitBackend(rooms, options);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const answer = ({ status, body }: BackendAnswer) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return answer(fail(405, 'method_not_allowed', 'POST only'));
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(fail(415, 'unsupported_media_type', 'JSON only'));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY && !done) {
        done = true;
        answer(fail(413, 'too_large', `at most ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(fail(400, 'bad_request', 'the body is not JSON'));
      }
      void backend.perform(body, req).then(answer);
    });
    req.on('error', () => {
      done = true;
    });
  };
}
