/**
 * The WebSocket endpoint: JSON-RPC 2.0 framing, hardening (frame size, rate
 * limit), parameter validation, and one handler per request. Every request is
 * checked against the sender's current capabilities before anything changes;
 * a refusal changes nothing and is logged once with its code.
 */
import type { WebSocket } from 'ws';
import { can } from 'callcaps/client';
import { mayActOn, type Member, type MemberAction, type PermissionsUpdate, type RequestKind } from 'callcaps/client';
import { TokenError, verifyMeetingToken } from './auth.js';
import { CODES, LiveCall, randomId, RpcError, Session, type Identity, type MemberPage, type Wire } from './live.js';
import { administers, applies, JOIN_RULE, mergePermissions } from './policy.js';
import { MEDIA_METHODS } from './media/methods.js';
import type { Room } from './store.js';
import { ADMIN_KINDS, check, Invalid, isObject, type Json } from './validate.js';
import { RPC_PARAMS } from './schemas.js';
import type { Static } from '@sinclair/typebox';
import type { CallType } from './call-types.js';
import { clip, Sampler, type Logger } from './log.js';

/** What the RPC layer needs from the server. */
export interface RpcHost {
  readonly apiKey: string;
  readonly log: Logger;
  readonly maxKnocks: number;
  readonly rateLimit: { burst: number; perSecond: number };
  room(name: string): Room | undefined;
  callType(name: string): CallType | undefined;
  /** The live call of a room, created when there is none. */
  liveCall(room: Room, callType: CallType): LiveCall;
  /** The live call of a room, if there is one. */
  existingCall(name: string): LiveCall | undefined;
  audit(call: LiveCall, actor: Session, target: Session | null, action: string, detail?: unknown): void;
}

/** Frames larger than this are refused and the socket closed with 4413. */
export const MAX_FRAME = 64 * 1024;

type Handler = (s: Session, params: Json, host: RpcHost) => unknown;

const fail = (code: number, message: string): never => {
  throw new RpcError(code, message);
};

/** The call the sender is in with full access, or 4403. */
function inCall(s: Session): LiveCall {
  if (s.state !== 'joined' || !s.call) fail(CODES.forbidden, 'not in a call: join first');
  return s.call!;
}

function need(s: Session, flag: string): void {
  if (!can(s.caps, flag)) fail(CODES.forbidden, `forbidden: the capability "${flag}" is not granted`);
}

/** The member a request targets: the sender when `member_id` is absent or its own. */
function target(call: LiveCall, s: Session, memberId: string | undefined, actions: MemberAction[]): Session {
  const id = memberId ?? s.id;
  const self = id === s.id;
  // The capability first, so that probing ids without it learns nothing.
  for (const action of actions) if (!self) need(s, `member.${ACTION_FLAGS[action]}`);
  const t = self ? s : call.members.get(id) ?? fail(CODES.notFound, `no member "${id}" in this call`);
  for (const action of actions) {
    if (!mayActOn(s.caps, s.member, t.member, action)) {
      fail(CODES.forbidden, self
        ? `forbidden: the capability "self.${ACTION_FLAGS[action]}" is not granted`
        : t.member.owner && !s.member.owner
          ? 'forbidden: only an owner may act on an owner'
          : `forbidden: the capability "member.${ACTION_FLAGS[action]}" is not granted`);
    }
  }
  return t;
}

const ACTION_FLAGS: Record<MemberAction, string> = {
  'mute-audio': 'mute.audio.on', 'unmute-audio': 'mute.audio.off', 'mute-video': 'mute.video.on', 'unmute-video': 'mute.video.off',
  deaf: 'deaf.on', undeaf: 'deaf.off', raisehand: 'raisehand.on', lowerhand: 'raisehand.off',
  remove: 'remove', permissions: 'permissions.set', role: 'role.set',
};

type Method = keyof typeof RPC_PARAMS;

/**
 * The params of a request, checked completely against its schema (bounded in
 * depth, length and size) before the handler reads anything else; fields
 * named in `trim` are trimmed first. A refusal is a -32602 naming the field.
 */
function read<M extends Method>(method: M, params: Json, trim: string[] = []): Static<(typeof RPC_PARAMS)[M]> {
  let input: unknown = params;
  if (trim.some((f) => typeof params[f] === 'string')) {
    input = { ...params };
    for (const f of trim) if (typeof params[f] === 'string') (input as Json)[f] = (params[f] as string).trim();
  }
  return check(RPC_PARAMS[method], input, { root: 'params' });
}

/** A toggle on a member (self by default): `call.deaf`, `call.raisehand`… */
const memberToggle = (method: 'call.deaf' | 'call.undeaf' | 'call.raisehand' | 'call.lowerhand', action: MemberAction, field: 'deaf' | 'handraised', value: boolean, audit: string): Handler => (s, params, host) => {
  const p = read(method, params);
  const call = inCall(s);
  const t = target(call, s, p.member_id, [action]);
  if (t.member[field] !== value) call.update(t, { [field]: value });
  if (t !== s) host.audit(call, s, t, audit);
  return {};
};

/** A call-level switch: lock, recording, streaming, transcription. */
const roomToggle = (method: Method, flag: string, field: 'locked' | 'recording' | 'streaming' | 'transcribing', value: boolean): Handler => (s, params, host) => {
  read(method, params);
  const call = inCall(s);
  need(s, flag);
  if (call[field] !== value) {
    call[field] = value;
    host.audit(call, s, null, method);
    // Locking changes who may admit knockers, so everyone's flags are recomputed.
    call.roomChanged(field === 'locked');
  }
  return {};
};

const mute = (muted: boolean): Handler => (s, params, host) => {
  const p = read(muted ? 'call.mute' : 'call.unmute', params);
  const list = [...new Set(p.channels)];
  const call = inCall(s);
  const actions = list.map((c) => `${muted ? '' : 'un'}mute-${c}` as MemberAction);
  const t = target(call, s, p.member_id, actions);
  if (!muted && t !== s) {
    // Unmuting someone else: they must be allowed to send it.
    for (const c of list) if (!can(t.caps, `self.mute.${c}.off`)) fail(CODES.forbidden, `forbidden: that member may not send ${c}`);
  }
  // muted_by: so that the muted member's UI can tell a host's mute from its own (the page's, a shortcut's).
  const patch: Partial<Member> = Object.fromEntries([...list.map((c) => [`${c}_muted`, muted]), ...(muted ? [['muted_by', s.member.id]] : [])]);
  call.update(t, patch);
  if (t !== s) host.audit(call, s, t, muted ? 'member.mute' : 'member.unmute', { channels: list });
  return {};
};

/**
 * What a caller without a valid token hears about a room it may not enter: an
 * unknown room, an expired one and a private one (without knocking) look the
 * same, so room names cannot be probed.
 */
const closedRoom = (name: string) => `no public room "${name}" (it may be private: a meeting token is needed)`;

async function join(s: Session, params: Json, host: RpcHost): Promise<unknown> {
  const { room: roomName, token, user_name: userName, resume, protocol } = read('call.join', params, ['user_name']);
  if (s.state === 'joined' || s.state === 'lobby' || s.state === 'joining') fail(CODES.conflict, 'already in a call on this connection');
  // The token first: nothing about the room is said before it is checked.
  s.state = 'joining';
  let claims;
  try {
    claims = token === undefined ? undefined : await verifyMeetingToken(token, host.apiKey, roomName);
  } catch (error) {
    s.state = 'idle';
    if (error instanceof TokenError) fail(CODES.unauthenticated, error.message);
    throw error;
  }
  s.state = 'idle';
  if (s.closed) return {};
  s.protocol = protocol ?? 1;
  // Only a caller with a valid token (for this room, or for every room) learns that a room does not exist.
  const room = host.room(roomName) ?? fail(claims ? CODES.notFound : CODES.unauthenticated, claims ? `no room "${roomName}"` : closedRoom(roomName));
  if (room.properties.exp !== undefined && room.properties.exp * 1000 <= Date.now()) {
    fail(claims ? CODES.notFound : CODES.unauthenticated, claims ? `the room "${roomName}" has expired` : closedRoom(roomName));
  }
  if (claims && claims.room_name === undefined) host.log.warn(`a token without room_name (valid for every room) was used to join "${roomName}"`);
  const callType = host.callType(room.properties.call_type ?? 'default') ?? fail(CODES.notFound, `the room's call type "${room.properties.call_type}" does not exist`);
  const identity: Identity = {
    owner: claims?.is_owner === true,
    userId: claims?.user_id ?? `guest-${randomId(6)}`,
    name: claims?.user_name ?? userName ?? 'Guest',
    role: claims?.role ?? (claims?.is_owner ? 'host' : 'user'),
    appRole: claims?.app_role ?? 'user',
    permissions: claims?.permissions,
    hasToken: claims !== undefined,
    tokenUserId: claims?.user_id,
    ejectAt: claims?.eject_at_token_exp && claims.exp !== undefined ? claims.exp : undefined,
  };
  // A resume: a member whose connection dropped, back within the grace period with its current key and
  // the same token holder. Its place is restored as it was; any other key is ignored (a plain join).
  const old = resume === undefined ? undefined : host.existingCall(room.name)?.resumable(resume);
  if (old && sameHolder(old.identity!, identity)) {
    old.call!.resume(old, s, identity.ejectAt);
    return { member_id: s.id, access: { level: 'full', awaiting: null }, resumed: true };
  }
  const call = host.liveCall(room, callType);
  if (call.ended) {
    if (!identity.owner) fail(CODES.conflict, 'the call has ended');
    call.restart();
  }
  if (!applies(JOIN_RULE, call.context(identity, { hasPresence: true, canSend: false, canReceive: { base: true }, canAdmin: false }))) {
    fail(CODES.forbidden, `forbidden: the role "${identity.role}" may not join calls of type "${callType.name}"`);
  }
  const knocking = room.properties.enable_knocking === true;
  let lobby = false;
  if (!identity.owner && room.privacy === 'private' && !identity.hasToken) {
    if (!knocking) fail(CODES.unauthenticated, closedRoom(roomName));
    lobby = true;
  }
  if (!identity.owner && call.locked) {
    if (!knocking) fail(CODES.conflict, `the room "${roomName}" is locked`);
    lobby = true;
  }
  if (!lobby && call.full) fail(CODES.conflict, `the room "${roomName}" is full`);
  s.id = randomId();
  s.identity = identity;
  if (lobby) call.enterLobby(s);
  else call.admit(s, identity.name);
  return { member_id: s.id, access: { level: lobby ? 'lobby' : 'full', awaiting: null } };
}

/** Whether a resuming connection is the member's token holder again (or, like it, has no token). */
function sameHolder(member: Identity, now: Identity): boolean {
  return member.hasToken === now.hasToken && (!now.hasToken || (member.owner === now.owner && member.tokenUserId === now.tokenUserId));
}

/** Every request of the protocol. */
export const METHODS: Readonly<Record<string, Handler>> = Object.freeze({
  ...MEDIA_METHODS,
  'call.join': join,

  // The client's heartbeat (liveness): answered in every state, counted by the rate limit like any request.
  'call.ping': (_s, params) => {
    read('call.ping', params);
    return {};
  },

  'call.leave': (s, params) => {
    read('call.leave', params);
    if (s.state === 'joined') s.call!.remove(s, 'left');
    else if (s.state === 'lobby') s.call!.leaveLobby(s, 'left');
    return {};
  },

  'call.request_access': (s, params) => {
    const { name } = read('call.request_access', params, ['name']);
    if (s.state === 'joined') fail(CODES.conflict, 'already in the call');
    if (s.state !== 'lobby') fail(CODES.forbidden, 'not in a lobby: join first');
    s.call!.knock(s, name);
    return { access: { level: 'lobby', awaiting: 'full' } };
  },

  'call.mute': mute(true),
  'call.unmute': mute(false),
  'call.deaf': memberToggle('call.deaf', 'deaf', 'deaf', true, 'member.deaf'),
  'call.undeaf': memberToggle('call.undeaf', 'undeaf', 'deaf', false, 'member.undeaf'),
  'call.raisehand': memberToggle('call.raisehand', 'raisehand', 'handraised', true, 'member.raisehand'),
  'call.lowerhand': memberToggle('call.lowerhand', 'lowerhand', 'handraised', false, 'member.lowerhand'),

  'call.screenshare.start': (s, params) => {
    read('call.screenshare.start', params);
    const call = inCall(s);
    need(s, 'screenshare');
    if (!s.member.screenshare) call.update(s, { screenshare: true });
    return {};
  },
  'call.screenshare.stop': (s, params) => {
    read('call.screenshare.stop', params);
    const call = inCall(s);
    if (!s.member.permissions.hasPresence) fail(CODES.forbidden, 'forbidden: a member without presence shares nothing');
    if (s.member.screenshare) call.update(s, { screenshare: false });
    return {};
  },

  'call.lock': roomToggle('call.lock', 'lock.on', 'locked', true),
  'call.unlock': roomToggle('call.unlock', 'lock.off', 'locked', false),
  'call.record.start': roomToggle('call.record.start', 'record.on', 'recording', true),
  'call.record.stop': roomToggle('call.record.stop', 'record.off', 'recording', false),
  'call.stream.start': roomToggle('call.stream.start', 'stream.on', 'streaming', true),
  'call.stream.stop': roomToggle('call.stream.stop', 'stream.off', 'streaming', false),
  'call.transcribe.start': roomToggle('call.transcribe.start', 'transcribe.on', 'transcribing', true),
  'call.transcribe.stop': roomToggle('call.transcribe.stop', 'transcribe.off', 'transcribing', false),

  'call.end': (s, params, host) => {
    read('call.end', params);
    const call = inCall(s);
    need(s, 'end');
    host.audit(call, s, null, 'call.end', { members: call.members.size });
    call.end();
    return {};
  },

  'call.layout.set': (s, params) => {
    const { layout } = read('call.layout.set', params);
    const call = inCall(s);
    need(s, 'layout.set');
    if (!call.callType.settings.layout.options.includes(layout)) {
      throw new Invalid(`layout must be one of: ${call.callType.settings.layout.options.join(', ')}`);
    }
    if (call.layout !== layout) {
      call.layout = layout;
      call.roomChanged(false);
    }
    return {};
  },

  'call.digit.send': (s, params) => {
    read('call.digit.send', params);
    inCall(s);
    need(s, 'digit.send');
    return {};
  },

  'call.member.remove': (s, params, host) => {
    const p = read('call.member.remove', params);
    const call = inCall(s);
    const t = target(call, s, p.member_id, ['remove']);
    host.audit(call, s, t, 'member.remove');
    call.remove(t, t === s ? 'left' : 'removed');
    return {};
  },

  'call.member.update': (s, params, host) => {
    const p = read('call.member.update', params);
    const { member_id: memberId, role } = p;
    const update = p.permissions as PermissionsUpdate | undefined;
    if (update === undefined && role === undefined) throw new Invalid('params need permissions, role or both');
    const call = inCall(s);
    if (role !== undefined && !Object.hasOwn(call.callType.grants, role)) {
      throw new Invalid(`role must be one of: ${Object.keys(call.callType.grants).join(', ')}`);
    }
    const actions: MemberAction[] = [...(update ? ['permissions' as const] : []), ...(role !== undefined ? ['role' as const] : [])];
    let targets: Session[];
    if (memberId === '*') {
      for (const action of actions) need(s, `member.${ACTION_FLAGS[action]}`);
      targets = [...call.members.values()].filter((t) => t !== s && actions.every((a) => mayActOn(s.caps, s.member, t.member, a)));
    } else {
      targets = [target(call, s, memberId, actions)];
    }
    if (update?.canAdmin !== undefined && !s.member.owner) {
      // Nobody hands out administration rights it does not hold itself.
      const granted = update.canAdmin === true ? ADMIN_KINDS : update.canAdmin === false ? [] : update.canAdmin;
      const missing = granted.find((kind) => !administers(s.member.permissions, kind));
      if (missing) fail(CODES.forbidden, `forbidden: cannot grant canAdmin "${missing}" without holding it`);
    }
    // Every change is worked out before any is made: a refusal, or a failure, leaves every member as it was.
    const changes = targets.map((t) => {
      const before = t.member;
      const patch: { permissions?: typeof before.permissions; role?: string } = {};
      if (update) patch.permissions = mergePermissions(before.permissions, update);
      if (role !== undefined) patch.role = role;
      return { t, before, patch };
    });
    for (const { t, before, patch } of changes) {
      if (role !== undefined) t.identity = { ...t.identity!, role };
      call.update(t, patch);
      host.audit(call, s, t, 'member.update', { permissions: update, role, before: { permissions: before.permissions, role: before.role } });
    }
    return { updated: targets.length };
  },

  'call.waiting.update': (s, params, host) => {
    const { member_id: memberId, grant } = read('call.waiting.update', params);
    const call = inCall(s);
    need(s, 'waiting.admit');
    const knockers = memberId === '*'
      ? [...call.lobby.values()].filter((k) => k.knock)
      : [call.lobby.get(memberId)?.knock ? call.lobby.get(memberId)! : fail(CODES.notFound, `nobody "${memberId}" is knocking`)];
    const max = call.room.properties.max_participants;
    if (grant && max !== undefined && call.members.size + knockers.length > max) fail(CODES.conflict, 'the room is full');
    for (const k of knockers) {
      const name = k.knock!.name;
      host.audit(call, s, k, grant ? 'waiting.admit' : 'waiting.deny', { name });
      if (grant) {
        call.leaveLobby(k, null);
        call.admit(k, name);
      } else {
        call.leaveLobby(k, 'denied');
      }
    }
    return { updated: knockers.length };
  },

  'call.members.list': (s, params) => {
    const { cursor, search, limit } = read('call.members.list', params, ['search']);
    const call = inCall(s);
    return page(call.membersPage(s, cursor, search, limit));
  },

  'call.audience.list': (s, params) => {
    const { cursor, search, limit } = read('call.audience.list', params, ['search']);
    const call = inCall(s);
    need(s, 'member.permissions.set');
    return page(call.audiencePage(cursor, search, limit));
  },

  'call.permission.request': (s, params) => {
    const kinds: RequestKind[] = read('call.permission.request', params).permissions;
    const call = inCall(s);
    for (const kind of kinds) need(s, `request.${kind}`);
    const all = [...new Set([...(s.request?.kinds ?? []), ...kinds])];
    if (all.length !== s.request?.kinds.length) {
      s.request = { kinds: all, at: s.request?.at ?? Date.now() };
      call.notifyRequest(s, call.requestOf(s));
    }
    return {};
  },

  'call.permission.deny': (s, params, host) => {
    const p = read('call.permission.deny', params);
    const call = inCall(s);
    const t = target(call, s, p.member_id, ['permissions']);
    if (!t.request) fail(CODES.notFound, 'that member has no pending request');
    const request = call.requestOf(t);
    t.request = null;
    host.audit(call, s, t, 'request.deny', { permissions: request.permissions });
    call.notifyRequest(t, { ...request, permissions: [] });
    return {};
  },

  'call.message.send': (s, params) => {
    const p = read('call.message.send', params);
    const to = p.to ?? '*';
    const call = inCall(s);
    if (!s.member.permissions.hasPresence) fail(CODES.forbidden, 'forbidden: a member without presence cannot send');
    const message = { from: s.id, data: p.data };
    if (to === '*') call.broadcast('call.message', message, (o) => o !== s);
    else {
      const o = call.members.get(to) ?? fail(CODES.notFound, `no member "${to}" in this call`);
      call.flushTo(o); // its sender's join first
      o.notify('call.message', message);
    }
    return {};
  },
});

/** A page of members as a result: the members' cached JSON spliced in, not parsed again. */
class Page {
  constructor(readonly p: MemberPage) {}
  toJSON(): unknown {
    return { members: this.p.members.map((m) => JSON.parse(m)), total: this.p.total, cursor: this.p.cursor };
  }
}
const page = (p: MemberPage) => new Page(p);

type Id = string | number | null;

/** What `serve` is told about a connection beyond the RPC host. */
export interface ServeOptions {
  /** The raw socket, corked to coalesce a turn's frames. */
  wire?: Wire;
  /** The peer's address, for the log. */
  address?: string;
  /** Bytes that may wait for this connection before it is cut (4507). */
  maxBuffered?: number;
  /** Called when a failure escaped the handling of one of this connection's frames. */
  fault?: (s: Session, where: string, error: unknown) => void;
}

/** Close codes of the server, beside the JSON-RPC error codes (documented in the README). */
export const CLOSE = Object.freeze({
  /** The server is shutting down. */
  goingAway: 1001,
  /** A failure inside the server while handling this connection. */
  internal: 1011,
  /** No join within the join timeout, or in the lobby without a knock within the knock timeout. */
  idle: 4408,
  /** A frame over `MAX_FRAME`. */
  tooLarge: 4413,
  /** Frames keep coming while over the rate limit. */
  tooMany: 4429,
  /** The bytes queued for the connection passed its cap: the client does not read. */
  notReading: 4507,
});

/** How long a connection cut for not reading (4507) has to read its close frame before it is terminated. */
const OVERFLOW_CLOSE_MS = 1000;

/** Serves one WebSocket: frames in, replies and notifications out. */
export function serve(socket: WebSocket, host: RpcHost, options: ServeOptions = {}): Session {
  const s = new Session(socket, options.wire);
  const { burst, perSecond } = host.rateLimit;
  let tokens = burst;
  let last = Date.now();
  let strikes = 0;
  let closing = false;
  let queue: Promise<void> = Promise.resolve();
  const where = () => ({ address: options.address, ...(s.id ? { member: s.id } : {}) });
  // A flood of refusals from one connection: the first 100 a minute are written, then a count.
  const refusals = new Sampler(host.log, 'refusals not logged (sampled)', where);

  const reply = (id: Id, body: { result: unknown } | { error: { code: number; message: string } }) => {
    // The member events of this turn before the answer: what a request changed is known when it resolves.
    s.call?.flushTo(s);
    if ('result' in body && body.result instanceof Page) {
      const { members, total, cursor } = body.result.p;
      return s.send(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"members":[${members.join(',')}],"total":${total},"cursor":${cursor}}}`);
    }
    s.send(JSON.stringify({ jsonrpc: '2.0', id, ...body }));
  };

  /**
   * The message is built from the server's own words only (a known method
   * name, a code); what the client sent goes in fields, clipped.
   */
  const refuse = (id: Id, method: string | undefined, code: number, message: string) => {
    const known = method !== undefined && Object.hasOwn(METHODS, method);
    refusals.info(`refused ${known ? method : method === undefined ? '(no method)' : '(unknown method)'} code=${code}`, {
      ...where(),
      method: clip(method),
      code,
      reason: clip(message),
    });
    reply(id, { error: { code, message } });
  };

  const close = (code: number, reason: string) => {
    if (closing) return;
    closing = true;
    host.log.info(`closing connection code=${code}`, { ...where(), code, reason });
    socket.close(code, reason);
  };

  // Over its cap, a client that does not read gets a close frame behind what
  // it has not read, and is cut a moment later: it would not read a close
  // handshake either. Its member drops as on any lost connection.
  s.maxBuffered = options.maxBuffered ?? Infinity;
  s.overflow = () => {
    host.log.warn('closing connection code=4507: the client does not read', { ...where(), code: CLOSE.notReading, buffered: socket.bufferedAmount, cap: s.maxBuffered });
    closing = true;
    socket.close(CLOSE.notReading, 'not reading: too much queued');
    setTimeout(() => socket.terminate(), OVERFLOW_CLOSE_MS).unref();
  };

  const fault = (error: unknown, what: string) => {
    if (options.fault) options.fault(s, what, error);
    else host.log.error(`failure while handling ${what}`, { ...where(), err: error });
  };

  async function handle(id: Id, method: string, params: Json): Promise<void> {
    const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
    if (!handler) return refuse(id, method, CODES.unknownMethod, `unknown method "${method}"`);
    try {
      const result = await handler(s, params, host);
      if (!s.closed) reply(id, { result });
    } catch (error) {
      if (error instanceof RpcError) refuse(id, method, error.code, error.message);
      else if (error instanceof Invalid) refuse(id, method, CODES.badParams, `invalid params: ${error.message}`);
      else {
        // A failure, not a refusal: the request is answered, and the connection, whose
        // session may be half-changed, is closed (1011); the others go on.
        host.log.error(`internal error in ${Object.hasOwn(METHODS, method) ? method : '(unknown method)'}`, { ...where(), method: clip(method), err: error });
        refuse(id, method, CODES.internal, 'internal error');
        if (!closing && !s.closed) close(CLOSE.internal, 'internal error');
      }
    }
  }

  function receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (s.closed || closing) return;
    // Every frame is charged before it is read: malformed ones cost as much as requests.
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    const over = tokens < 1;
    if (over && ++strikes > burst) return close(CODES.tooMany, 'too many requests');
    if (!over) {
      tokens -= 1;
      strikes = 0;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (bytes.length > MAX_FRAME) return close(CODES.tooLarge, `frame of ${bytes.length} bytes is over ${MAX_FRAME}`);
    const refuseOver = (id: Id, method?: string) => refuse(id, method, CODES.tooMany, 'too many requests: slow down');
    if (isBinary) return over ? refuseOver(null) : refuse(null, undefined, CODES.invalid, 'invalid request: binary frames are not accepted');
    // Past the limit a frame is still read, to answer its request by id: at most `burst` of them before the close.
    let message: unknown;
    try {
      message = JSON.parse(bytes.toString('utf8'));
    } catch {
      return over ? refuseOver(null) : refuse(null, undefined, CODES.parse, 'parse error: the frame is not JSON');
    }
    const { id, method, params } = isObject(message) ? message : ({} as Json);
    const validId = (typeof id === 'string' && id.length <= 128) || (typeof id === 'number' && Number.isFinite(id));
    if (over) return refuseOver(validId ? (id as string | number) : null, typeof method === 'string' ? method : undefined);
    if (!isObject(message)) return refuse(null, undefined, CODES.invalid, `invalid request: expected an object${Array.isArray(message) ? ' (batches are not supported)' : ''}`);
    if (!validId) return refuse(null, typeof method === 'string' ? method : undefined, CODES.invalid, 'invalid request: id must be a string or a number (every request is answered)');
    const rid = id as string | number;
    if (message.jsonrpc !== '2.0') return refuse(rid, undefined, CODES.invalid, 'invalid request: jsonrpc must be "2.0"');
    if (typeof method !== 'string') return refuse(rid, undefined, CODES.invalid, 'invalid request: method must be a string');
    if (params !== undefined && !isObject(params)) return refuse(rid, method, CODES.badParams, 'invalid params: params must be an object');
    queue = queue
      .then(() => handle(rid, method, (params as Json | undefined) ?? {}))
      .catch((error) => fault(error, 'a request'));
  }

  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    try {
      receive(data, isBinary);
    } catch (error) {
      fault(error, 'a frame');
    }
  });
  socket.on('close', () => refusals.flush());

  return s;
}
