/**
 * Live call state, in memory: who is in which call, who is knocking, pending
 * permission requests, and the room state everyone sees. Every change goes
 * through here so that capabilities are recomputed and the right people are
 * told: a participant whose flags changed gets a fresh `call.joined`; the
 * others who can see it get its member events, batched per turn of the event
 * loop (`members.changed`, or `member.*` for clients of protocol 1).
 *
 * Large rooms: a member without presence is part of the audience: nobody but
 * itself hears of it (hosts get counts, `members.count`, and a paged list,
 * `call.audience.list`). Above `roster.threshold` members with presence, a
 * client of protocol 2 gets the roster in pages (`call.joined` carries the
 * first, `call.members.list` the rest) and only hears of the members in the
 * pages it loaded (its window) or found by its last search; a host also hears
 * of the members beyond its pages whose hand is raised (attention first).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import { can, NO_CAPABILITIES, parseCapabilities, type CallCapabilitiesState } from 'callcaps/client';
import type { LeftReason, Member, PermissionRequest, PermissionsUpdate, RequestKind, RoomState, WaitingParticipant } from 'callcaps/client';
import type { CallType } from './call-types.js';
import type { Media } from './media/media.js';
import { deriveFlags, grantsOf, initialPermissions, type PolicyContext } from './policy.js';
import type { AuditEntry, Room } from './store.js';

/** A refusal, sent as a JSON-RPC error. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export const CODES = Object.freeze({
  parse: -32700,
  invalid: -32600,
  unknownMethod: -32601,
  badParams: -32602,
  internal: -32603,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  conflict: 4409,
  tooLarge: 4413,
  tooMany: 4429,
});

export const randomId = (bytes = 12) => randomBytes(bytes).toString('base64url');

/** Who a participant is, from its token (or a guest without one). */
export interface Identity {
  readonly owner: boolean;
  readonly userId: string;
  readonly name: string;
  readonly role: string;
  readonly appRole: string;
  readonly permissions?: PermissionsUpdate;
  readonly hasToken: boolean;
  /** The token's `user_id`, if it had one (a resume must come from the same token holder). */
  readonly tokenUserId?: string;
  /** Unix seconds at which the participant is ejected, if the token asks for it. */
  readonly ejectAt?: number;
}

/** What a live call needs from the server around it. */
export interface Hub {
  readonly maxKnocks: number;
  /** How long a member whose connection dropped keeps its place, in ms; 0: it leaves at once. */
  readonly reconnectGrace: number;
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): void;
  disposed(call: LiveCall): void;
  /** A timer's work for `s` failed: logged and contained to that session (never thrown out of the timer). */
  fault(s: Session, where: string, error: unknown): void;
  /** The media layer (Janus), when media is on: told of every change so that the SFU follows. */
  readonly media?: Media;
  /** Paged rosters (protocol 2); defaults in {@link ROSTER_DEFAULTS}. */
  readonly roster?: Partial<RosterOptions>;
}

/** How rosters are paged. */
export interface RosterOptions {
  /** Above this many members with presence, a client of protocol 2 gets the roster in pages. */
  threshold: number;
  /** Members in `call.joined`'s first page, and the default `limit` of the list requests. */
  pageSize: number;
  /** The least time between two `members.count` to the same call, in ms. */
  countInterval: number;
}

export const ROSTER_DEFAULTS: RosterOptions = Object.freeze({ threshold: 200, pageSize: 100, countInterval: 250 });

/** A member event waiting for the end of the turn. */
interface MemberEvent {
  readonly type: 'joined' | 'updated' | 'left';
  readonly s: Session;
  /** The member's record when it happened. */
  readonly member: Member;
  readonly seq: number;
  readonly reason?: string;
}

/** A page of members, as the list requests answer it. */
export interface MemberPage {
  /** Each member's JSON. */
  members: string[];
  /** How many match (all pages). */
  total: number;
  /** The `cursor` of the next page; null at the end. */
  cursor: number | null;
}

const OPEN = 1;
/** A frame given as bytes is still a text frame. */
const TEXT = Object.freeze({ binary: false });

/** The raw socket under a WebSocket: frames written while it is corked leave in one write. */
export interface Wire {
  cork(): void;
  uncork(): void;
  /** Writes bytes as they are (a {@link Frame} framed once for many connections); without it, frames go through `ws`. */
  write?(chunk: Buffer): unknown;
}

/**
 * A text frame encoded once: the WebSocket frame (header and payload in one
 * buffer, unmasked as a server's are) written as is to every connection that
 * gets it, instead of `ws` framing it again for each. This server negotiates
 * no compression, so `ws` queues nothing of its own and an uncompressed frame
 * is always valid.
 */
export class Frame {
  readonly bytes: Buffer;
  constructor(readonly payload: Buffer) {
    const n = payload.length;
    const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    this.bytes = Buffer.allocUnsafe(head + n);
    this.bytes[0] = 0x81; // FIN, text
    if (n < 126) this.bytes[1] = n;
    else if (n < 65536) {
      this.bytes[1] = 126;
      this.bytes.writeUInt16BE(n, 2);
    } else {
      this.bytes[1] = 127;
      this.bytes.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
      this.bytes.writeUInt32BE(n >>> 0, 6);
    }
    payload.copy(this.bytes, head);
  }
}

export const frameOf = (text: string) => new Frame(Buffer.from(text));

/**
 * Outgoing frames are coalesced per connection: a connection's first frame in
 * a turn of the event loop is written at once; if more follow in the same turn
 * (a burst: 500 joins arriving together, each told to everyone), its socket is
 * corked and they leave in one write once the turn's I/O is handled. One
 * write per connection per turn instead of one per frame; order is unchanged.
 */
let turn = 0;
let scheduled = false;
const corked: Session[] = [];
function nextTurn(): void {
  scheduled = false;
  turn++;
  for (const s of corked) s.wire!.uncork();
  corked.length = 0;
}

/** One WebSocket connection and, once it joined or knocked, its place in a call. */
export class Session {
  state: 'idle' | 'joining' | 'lobby' | 'joined' | 'left' = 'idle';
  /** The member id in the current call (a new random id for every join; kept by a resume). */
  id = '';
  call: LiveCall | null = null;
  identity: Identity | null = null;
  member!: Member;
  flags: string[] = [];
  flagsKey = '';
  caps: CallCapabilitiesState = NO_CAPABILITIES;
  knock: { name: string; at: number } | null = null;
  request: { kinds: RequestKind[]; at: number } | null = null;
  ejectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The secret a new connection presents to take this member's place (`call.join { resume }`); rotated by every resume. */
  resumeKey = '';
  /** Running while the connection dropped and the member's place is kept: the end of the grace period. */
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;
  /**
   * Bytes that may wait for this connection (in `ws` and the socket's
   * buffers, corked frames included) before it counts as not reading:
   * `overflow` is called once, and nothing more is queued for it.
   */
  maxBuffered = Infinity;
  overflow: (() => void) | undefined;
  overflowed = false;

  /** Its place in the order of joining, in its call: rosters are in this order, and list cursors are seqs. */
  seq = 0;
  /** 2 (`call.join { protocol: 2 }`): `members.changed` batches and paged rosters; 1: `member.*` and whole rosters. */
  protocol = 1;
  /** The seq of the last member of the roster it was sent in order (its window); Infinity: the whole roster. */
  window = Infinity;
  /** Members outside the window found by its last search: it hears of them too. */
  extra: Set<string> | null = null;
  /** For a host with a paged roster: the members outside its window it was told have a raised hand (it hears of them until lowered). */
  raised = new Set<string>();
  /** Where, in its call's member events of this turn, the ones it has not been sent start. */
  since = 0;

  /** The turn of the event loop of the last frame sent, and whether the socket is corked until the next. */
  #turn = -1;
  #corked = false;

  constructor(readonly socket: WebSocket, readonly wire?: Wire) {}

  /** Sends an already serialized frame (a string, its UTF-8 bytes, or a {@link Frame}), if the socket is still open and its queue under the cap. */
  send(text: string | Buffer | Frame): void {
    if (this.socket.readyState !== OPEN || this.overflowed) return;
    if (this.wire) {
      if (this.#turn !== turn) {
        this.#turn = turn;
        this.#corked = false;
        if (!scheduled) {
          scheduled = true;
          setImmediate(nextTurn);
        }
      } else if (!this.#corked) {
        this.#corked = true;
        this.wire.cork();
        corked.push(this);
      }
    }
    if (!(text instanceof Frame)) this.socket.send(text, TEXT);
    else if (this.wire?.write) this.wire.write(text.bytes);
    else this.socket.send(text.payload, TEXT);
    // bufferedAmount: what ws holds plus the socket's unwritten (and corked) bytes.
    if (this.socket.bufferedAmount > this.maxBuffered) {
      this.overflowed = true;
      this.overflow?.();
    }
  }

  notify(method: string, params: unknown): void {
    this.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Back to a connection that is in no call. */
  reset(state: Session['state']): void {
    clearTimeout(this.ejectTimer);
    clearTimeout(this.graceTimer);
    this.ejectTimer = this.graceTimer = undefined;
    this.resumeKey = '';
    this.state = state;
    this.call = null;
    this.flags = [];
    this.flagsKey = '';
    this.caps = NO_CAPABILITIES;
    this.knock = null;
    this.request = null;
    this.window = Infinity;
    this.extra = null;
    this.raised.clear();
    this.since = 0;
  }
}

const MAX_TIMEOUT = 2 ** 31 - 1;

/** The live state of the call in one room. */
export class LiveCall {
  readonly id = randomId();
  readonly members = new Map<string, Session>();
  readonly lobby = new Map<string, Session>();
  locked = false;
  layout: string;
  recording = false;
  streaming = false;
  transcribing = false;
  vmutedHidden = false;
  /** Set by `call.end`: only an owner's join starts the next call. */
  ended = false;
  /** The members with presence, in the order of joining (seq): the roster others see. */
  readonly present: Session[] = [];
  readonly roster: RosterOptions;
  /** The last seq given. */
  #seq = 0;
  /** This turn's member events, sent at its end. */
  #pending: MemberEvent[] = [];
  #scheduled = false;
  /** The counts last sent, when, and the timer of the next when it must wait. */
  #counted = { members: 0, audience: 0, at: -Infinity };
  #countTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly hub: Hub, public room: Room, public callType: CallType) {
    this.layout = callType.settings.layout.default;
    this.roster = { ...ROSTER_DEFAULTS, ...hub.roster };
  }

  roomState(): RoomState {
    return {
      name: this.room.name,
      call_type: this.callType.name,
      locked: this.locked,
      layout: this.layout,
      layouts: [...this.callType.settings.layout.options],
      roles: Object.keys(this.callType.grants),
      recording: this.recording,
      streaming: this.streaming,
      transcribing: this.transcribing,
      vmuted_hidden: this.vmutedHidden,
    };
  }

  /** Starts over after `call.end`, for the owner who joins next. */
  restart(): void {
    this.ended = false;
    this.locked = this.recording = this.streaming = this.transcribing = this.vmutedHidden = false;
    this.layout = this.callType.settings.layout.default;
  }

  /** What the policy reads for a participant (`member` may be a candidate not yet in the call). */
  context(identity: Identity, permissions: Member['permissions']): PolicyContext {
    return {
      owner: identity.owner,
      permissions,
      grants: grantsOf(this.callType, identity.role, identity.appRole),
      settings: this.callType.settings,
      locked: this.locked,
    };
  }

  get full(): boolean {
    const max = this.room.properties.max_participants;
    return max !== undefined && this.members.size >= max;
  }

  // ── Fan-out ────────────────────────────────────────────────────────────────

  /**
   * Serializes once and sends to every member that passes `filter`. The
   * member events of the turn so far go first, so that nothing about a member
   * arrives before its join.
   */
  broadcast(method: string, params: unknown, filter: (s: Session) => boolean = () => true): void {
    this.flush();
    let frame: Frame | undefined;
    for (const s of this.members.values()) {
      if (!filter(s)) continue;
      s.send((frame ??= frameOf(JSON.stringify({ jsonrpc: '2.0', method, params }))));
    }
  }

  /** Tells the others who can see `s` (a member) that it changed, appeared or vanished (at the end of the turn). */
  announce(s: Session, before: Member | null): void {
    const visibleBefore = !!before && before.permissions.hasPresence;
    const visibleNow = s.member.permissions.hasPresence;
    if (visibleBefore && visibleNow) this.#queue('updated', s);
    else if (!visibleBefore && visibleNow) {
      this.#show(s);
      this.#queue('joined', s);
    } else if (visibleBefore && !visibleNow) {
      this.#hide(s);
      this.#queue('left', s, 'hidden');
    } else this.#schedule(); // the audience changed: its count may have
  }

  // ── Member events, batched per turn ─────────────────────────────────────────

  /** Where `seq` is, or would go, in `present`. */
  #at(seq: number): number {
    let lo = 0;
    let hi = this.present.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.present[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #show(s: Session): void {
    const i = this.#at(s.seq);
    if (this.present[i] !== s) this.present.splice(i, 0, s);
  }

  #hide(s: Session): void {
    const i = this.#at(s.seq);
    if (this.present[i]?.seq === s.seq) this.present.splice(i, 1);
  }

  #queue(type: MemberEvent['type'], s: Session, reason?: string): void {
    this.#pending.push({ type, s, member: s.member, seq: s.seq, reason });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flush();
    });
  }

  /**
   * Sends the turn's member events: to each member the ones it may see and
   * has not been sent, netted per member (joined then left: nothing; joined
   * then updated: one `joined`), in order, as one frame. Members that would
   * get the same frame share one serialization: all but those that joined,
   * changed or were sent a part already in this turn, or searched.
   */
  flush(): void {
    const events = this.#pending;
    if (events.length) {
      this.#pending = [];
      const subjects = new Set<Session>();
      for (const e of events) subjects.add(e.s);
      // Shared frames: protocol 1 (whole rosters), and protocol 2 by window (-1: the whole roster).
      let legacy: Frame[] | undefined;
      const byWindow = new Map<number, Frame[]>();
      for (const r of this.members.values()) {
        const since = r.since;
        r.since = 0;
        if (since >= events.length) continue;
        if (since > 0 || r.extra || subjects.has(r) || this.#pagedHost(r)) {
          for (const frame of this.#frames(r, events, since)) r.send(frame);
          continue;
        }
        let frames: Frame[] | undefined;
        if (r.protocol !== 2) frames = legacy ??= this.#frames(r, events, 0).map(frameOf);
        else {
          const key = r.window === Infinity ? -1 : r.window;
          frames = byWindow.get(key);
          if (!frames) byWindow.set(key, (frames = this.#frames(r, events, 0).map(frameOf)));
        }
        for (const frame of frames) r.send(frame);
      }
    }
    this.#count();
  }

  /** Sends `r` at once the member events of this turn it has not been sent (before a reply, which may depend on them). */
  flushTo(r: Session): void {
    if (r.call !== this || r.state !== 'joined') return;
    const events = this.#pending;
    if (events.length > r.since) for (const frame of this.#frames(r, events, r.since)) r.send(frame);
    r.since = events.length;
  }

  /** Whether `r` hears of the member of seq `seq` and id `id` (in its window, or found by its search). */
  #hears(r: Session, seq: number, id: string): boolean {
    return seq <= r.window || (r.extra !== null && r.extra.has(id));
  }

  /** A host whose roster is in pages: it also hears of raised hands beyond them (its own frames, never shared). */
  #pagedHost(r: Session): boolean {
    return r.protocol === 2 && r.window !== Infinity && this.isHost(r);
  }

  /** The frames of `events[since…]` for `r`, netted per member. */
  #frames(r: Session, events: MemberEvent[], since: number): string[] {
    // A paged host hears of every event, this turn, of a member beyond its pages whose hand was raised or is now.
    let byHand: Set<string> | undefined;
    if (this.#pagedHost(r)) {
      byHand = new Set(r.raised);
      for (let i = since; i < events.length; i++) if (events[i].member.handraised) byHand.add(events[i].member.id);
    }
    // Keyed by member id, not session: a connection that leaves and joins again in one turn is two members.
    const seen = new Map<string, { first: MemberEvent['type']; last: number }>();
    for (let i = since; i < events.length; i++) {
      const e = events[i];
      if (e.s === r || !(this.#hears(r, e.seq, e.member.id) || byHand?.has(e.member.id))) continue;
      const n = seen.get(e.member.id);
      if (n) n.last = i;
      else seen.set(e.member.id, { first: e.type, last: i });
    }
    // Told of a raised hand beyond its pages until it is lowered (or the member leaves).
    if (byHand) {
      for (const id of byHand) {
        const last = seen.get(id)?.last;
        if (last === undefined) continue;
        const e = events[last];
        if (e.type !== 'left' && e.member.handraised && e.seq > r.window) r.raised.add(id);
        else r.raised.delete(id);
      }
    }
    if (!seen.size) return [];
    const parts: string[] = [];
    for (let i = since; i < events.length; i++) {
      const e = events[i];
      const n = seen.get(e.member.id);
      if (!n || n.last !== i) continue;
      const before = n.first !== 'joined';
      const after = e.type !== 'left';
      if (!before && !after) continue;
      const type = !before ? 'joined' : after ? 'updated' : 'left';
      const reason = type === 'left' ? `,"reason":${JSON.stringify(e.reason ?? 'left')}` : '';
      if (r.protocol === 2) {
        const member = type === 'left' ? `{"id":${JSON.stringify(e.member.id)}}` : memberJson(e.member);
        parts.push(`{"type":"${type}","seq":${e.seq},"member":${member}${reason}}`);
      } else {
        parts.push(`{"jsonrpc":"2.0","method":"member.${type}","params":{"member":${memberJson(e.member)}${reason}}}`);
      }
    }
    if (r.protocol !== 2) return parts;
    return parts.length ? [`{"jsonrpc":"2.0","method":"members.changed","params":{"events":[${parts.join(',')}]}}`] : [];
  }

  /** The audience: members without presence. */
  get audience(): number {
    return this.members.size - this.present.length;
  }

  /**
   * `members.count` when the counts changed, at most once per
   * `countInterval`: to hosts (who may grant presence) with the audience,
   * and to members with a paged roster. Protocol 2 only.
   */
  #count(): void {
    const members = this.present.length;
    const audience = this.audience;
    if (members === this.#counted.members && audience === this.#counted.audience) return;
    const wait = this.#counted.at + this.roster.countInterval - performance.now();
    if (wait > 0) {
      this.#countTimer ??= setTimeout(() => {
        this.#countTimer = undefined;
        this.#count();
      }, wait);
      this.#countTimer.unref?.();
      return;
    }
    this.#counted = { members, audience, at: performance.now() };
    let all: Frame | undefined;
    let hosts: Frame | undefined;
    for (const r of this.members.values()) {
      if (r.protocol !== 2) continue;
      if (this.isHost(r)) r.send((hosts ??= frameOf(`{"jsonrpc":"2.0","method":"members.count","params":{"members":${members},"audience":${audience}}}`)));
      else if (r.window !== Infinity) r.send((all ??= frameOf(`{"jsonrpc":"2.0","method":"members.count","params":{"members":${members}}}`)));
    }
  }

  /** Whether `r` hears of the audience (counts, list): it may grant presence. */
  isHost(r: Session): boolean {
    return can(r.caps, 'member.permissions.set');
  }

  // ── Rosters in pages ───────────────────────────────────────────────────────

  /**
   * A page of the members `r` may see with presence, after `cursor` (a seq),
   * whose name holds `search` (case-insensitive). Without a search, a page
   * that continues `r`'s window widens it (to the whole roster at the end);
   * a search's results are what `r` hears of outside its window until its next search.
   */
  membersPage(r: Session, cursor = 0, search = '', limit = this.roster.pageSize): MemberPage {
    const q = search.toLowerCase();
    const page: Session[] = [];
    let total = 0;
    let more = false;
    if (!q) {
      total = this.present.length;
      const from = this.#at(cursor + 1);
      page.push(...this.present.slice(from, from + limit));
      more = from + limit < this.present.length;
    } else {
      for (const o of this.present) {
        if (!o.member.name.toLowerCase().includes(q)) continue;
        total++;
        if (o.seq <= cursor) continue;
        if (page.length < limit) page.push(o);
        else more = true;
      }
    }
    const next = more ? page[page.length - 1].seq : null;
    if (!q) {
      if (cursor <= r.window) r.window = next === null ? Infinity : Math.max(r.window, next);
    } else {
      if (!cursor || !r.extra) r.extra = new Set();
      for (const o of page) if (o.seq > r.window && r.extra.size < MAX_EXTRA) r.extra.add(o.id);
      if (!r.extra.size) r.extra = null;
    }
    return { members: page.map((o) => memberJson(o.member)), total, cursor: next };
  }

  /** A page of the audience (members without presence), for hosts; as {@link membersPage}, and nothing heard of them. */
  audiencePage(cursor = 0, search = '', limit = this.roster.pageSize): MemberPage {
    const q = search.toLowerCase();
    const page: Session[] = [];
    let total = 0;
    let more = false;
    for (const o of this.members.values()) {
      if (o.member.permissions.hasPresence || (q && !o.member.name.toLowerCase().includes(q))) continue;
      total++;
      if (o.seq <= cursor) continue;
      if (page.length < limit) page.push(o);
      else more = true;
    }
    return { members: page.map((o) => memberJson(o.member)), total, cursor: more ? page[page.length - 1].seq : null };
  }

  waitingList(): WaitingParticipant[] {
    const list: WaitingParticipant[] = [];
    for (const s of this.lobby.values()) if (s.knock) list.push(waitingOf(s));
    return list;
  }

  requestOf(s: Session): PermissionRequest {
    return { member_id: s.id, name: s.member.name, permissions: s.request?.kinds ?? [], requested_at: s.request?.at ?? Date.now() };
  }

  requestsFor(viewer: Session): PermissionRequest[] {
    const hosts = can(viewer.caps, 'member.permissions.set');
    const list: PermissionRequest[] = [];
    for (const s of this.members.values()) if (s.request && (hosts || s === viewer)) list.push(this.requestOf(s));
    return list;
  }

  /**
   * A full `call.joined`, assembled from each member's cached JSON: the
   * members it may see (itself included), all of them, or for a client of
   * protocol 2 above the threshold the first page (and `cursor`); `present`
   * counts the members with presence. It resets the member's window.
   */
  sendJoined(s: Session): void {
    const members: string[] = [];
    const self = s.member.permissions.hasPresence ? null : s;
    const paged = s.protocol === 2 && this.present.length > this.roster.threshold;
    const page = paged ? this.present.slice(0, this.roster.pageSize) : this.present;
    if (self) members.push(memberJson(self.member));
    for (const o of page) members.push(memberJson(o.member));
    s.window = page.length < this.present.length ? page[page.length - 1].seq : Infinity;
    s.extra = null;
    s.raised.clear();
    // A host with pages gets the raised hands beyond them too (after the page).
    if (this.#pagedHost(s)) {
      for (const o of this.present) {
        if (o.seq > s.window && o.member.handraised && o !== s) {
          members.push(memberJson(o.member));
          s.raised.add(o.id);
        }
      }
    }
    s.since = this.#pending.length;
    const rest = JSON.stringify({
      capabilities: s.flags,
      waiting: s.caps.admit ? this.waitingList() : [],
      requests: this.requestsFor(s),
      access: { level: 'full', awaiting: null },
      resume: s.resumeKey || undefined,
      ...(s.protocol === 2 ? {
        present: this.present.length,
        cursor: s.window === Infinity ? null : s.window,
        ...(this.isHost(s) ? { audience: this.audience } : {}),
      } : {}),
    });
    s.send(`{"jsonrpc":"2.0","method":"call.joined","params":{"call_id":${JSON.stringify(this.id)},"room":${JSON.stringify(this.roomState())},`
      + `"self":${memberJson(s.member)},"members":[${members.join(',')}],${rest.slice(1)}}`);
  }

  /** Tells the hosts (and the requester) where a member's request stands; no kinds = cleared. */
  notifyRequest(s: Session, request: PermissionRequest): void {
    this.broadcast('permission.requested', request, (o) => o === s || can(o.caps, 'member.permissions.set'));
  }

  toAdmitters(method: string, participant: WaitingParticipant): void {
    this.broadcast(method, { participant }, (o) => o.caps.admit);
  }

  // ── Capabilities ───────────────────────────────────────────────────────────

  /**
   * Recomputes a member's flags after its record (`before` → `s.member`) or
   * the call changed; mutes what it may no longer send; sends `call.joined`
   * when its flags changed, `member.updated` otherwise; tells the others;
   * trims its pending request to what it still lacks.
   */
  refresh(s: Session, before: Member): void {
    const flags = deriveFlags(this.context(s.identity!, s.member.permissions));
    const caps = parseCapabilities(flags);
    const m = s.member;
    const revoked = {
      audio_muted: m.audio_muted || !can(caps, 'self.mute.audio.off'),
      video_muted: m.video_muted || !can(caps, 'self.mute.video.off'),
      screenshare: m.screenshare && can(caps, 'screenshare'),
    };
    if (revoked.audio_muted !== m.audio_muted || revoked.video_muted !== m.video_muted || revoked.screenshare !== m.screenshare) {
      s.member = { ...m, ...revoked };
    }
    const key = flags.join(' ');
    const changed = s.member !== before;
    s.caps = caps;
    s.flags = flags;
    // The others first: their one shared frame is cheaper than the member's full call.joined.
    if (changed) this.announce(s, before);
    if (key !== s.flagsKey) {
      s.flagsKey = key;
      this.sendJoined(s);
    } else if (changed) {
      s.send(`{"jsonrpc":"2.0","method":"member.updated","params":{"member":${memberJson(s.member)}}}`);
    }
    this.trimRequest(s);
    this.hub.media?.memberChanged(this, s);
  }

  refreshAll(): void {
    for (const s of this.members.values()) this.refresh(s, s.member);
  }

  /** Changes a member's record and recomputes. */
  update(s: Session, patch: Partial<Member>): void {
    const before = s.member;
    s.member = { ...before, ...patch };
    this.refresh(s, before);
  }

  /** Drops requested kinds the member now holds or may no longer ask for. */
  trimRequest(s: Session): void {
    if (!s.request) return;
    const kinds = s.request.kinds.filter((kind) => can(s.caps, `request.${kind}`));
    if (kinds.length === s.request.kinds.length) return;
    const request = { ...this.requestOf(s), permissions: kinds };
    s.request = kinds.length ? { kinds, at: s.request.at } : null;
    this.notifyRequest(s, request);
  }

  /** Every member's flags again (after a lock, a call type edit…), and the room to all. */
  roomChanged(recompute: boolean): void {
    this.broadcast('call.updated', { room: this.roomState() });
    if (recompute) this.refreshAll();
  }

  // ── Joining, knocking, leaving ───────────────────────────────────────────────

  /** Puts a session in the call with full access and sends it `call.joined`. */
  admit(s: Session, name: string): void {
    const identity = s.identity!;
    s.state = 'joined';
    s.call = this;
    s.member = {
      id: s.id,
      user_id: identity.userId,
      name,
      owner: identity.owner,
      role: identity.role,
      permissions: initialPermissions(identity.owner, identity.role, this.callType.settings, this.room.properties.permissions, identity.permissions),
      audio_muted: true,
      video_muted: true,
      deaf: false,
      handraised: false,
      screenshare: false,
      joined_at: Date.now(),
    };
    s.seq = ++this.#seq;
    this.members.set(s.id, s);
    this.issueKey(s);
    s.flags = deriveFlags(this.context(identity, s.member.permissions));
    s.flagsKey = s.flags.join(' ');
    s.caps = parseCapabilities(s.flags);
    if (s.member.permissions.hasPresence) this.#show(s); // in its own roster
    this.sendJoined(s);
    this.announce(s, null);
    this.armEject(s);
  }

  enterLobby(s: Session): void {
    s.state = 'lobby';
    s.call = this;
    this.lobby.set(s.id, s);
    s.notify('access.updated', { level: 'lobby', awaiting: null });
    this.armEject(s);
  }

  /** A knock, or a knocker's new name. */
  knock(s: Session, name: string): void {
    const added = !s.knock;
    if (added && this.waitingList().length >= this.hub.maxKnocks) {
      throw new RpcError(CODES.tooMany, `too many people are already knocking at "${this.room.name}"; try again later`);
    }
    s.knock = { name, at: s.knock?.at ?? Date.now() };
    s.notify('access.updated', { level: 'lobby', awaiting: 'full' });
    this.toAdmitters(added ? 'waiting.added' : 'waiting.updated', waitingOf(s));
  }

  /** Takes a session out of the lobby; `reason` tells it why (`null`: it is being admitted). */
  leaveLobby(s: Session, reason: LeftReason | null, tell = true): void {
    this.lobby.delete(s.id);
    if (s.knock) this.toAdmitters('waiting.removed', waitingOf(s));
    if (reason === null) {
      s.knock = null;
      return;
    }
    if (tell) s.notify('call.left', { reason });
    s.reset('left');
    this.disposeIfEmpty();
  }

  /** Takes a member out of the call; the others who could see it are told. */
  remove(s: Session, reason: LeftReason, tell = true): void {
    this.members.delete(s.id);
    this.hub.media?.memberRemoved(this, s);
    if (s.request) this.notifyRequest(s, { ...this.requestOf(s), permissions: [] });
    this.#gone(s, reason);
    if (tell) s.notify('call.left', { reason });
    s.reset('left');
    this.disposeIfEmpty();
  }

  /** A member out of the call: the others who could see it hear that it left. */
  #gone(s: Session, reason: string): void {
    if (s.member.permissions.hasPresence) {
      this.#hide(s);
      this.#queue('left', s, reason);
    } else this.#schedule();
  }

  /** A member taken out after a failure: as a leave, without a word to it. */
  forget(s: Session): void {
    if (this.members.get(s.id) === s) {
      this.members.delete(s.id);
      this.#gone(s, 'left');
    }
    if (this.lobby.get(s.id) === s) this.lobby.delete(s.id);
  }

  /** Ends the call: everyone in it or knocking is told, and only an owner starts the next. */
  end(): void {
    this.ended = true;
    this.#pending = [];
    this.present.length = 0;
    this.hub.media?.callEnded(this);
    const text = frameOf(JSON.stringify({ jsonrpc: '2.0', method: 'call.left', params: { reason: 'ended' } }));
    for (const s of [...this.members.values(), ...this.lobby.values()]) {
      s.send(text);
      s.reset('left');
    }
    this.members.clear();
    this.lobby.clear();
  }

  /**
   * A closed connection: gone without a word to itself. A member whose
   * connection `dropped` (no close frame) keeps its place, marked
   * `reconnecting`, for the grace period, so that it can resume.
   */
  drop(s: Session, dropped = false): void {
    if (s.state === 'joined' && dropped && s.resumeKey) {
      s.graceTimer = setTimeout(() => {
        try {
          this.remove(s, 'left', false);
        } catch (error) {
          this.hub.fault(s, 'reconnect grace', error);
        }
      }, this.hub.reconnectGrace);
      this.update(s, { reconnecting: true });
    } else if (s.state === 'joined') this.remove(s, 'left', false);
    else if (s.state === 'lobby') this.leaveLobby(s, 'left', false);
  }

  // ── Resuming ─────────────────────────────────────────────────────────────────

  /** A new resume key: the member id (to find it) and 24 random bytes. None when resuming is off. */
  issueKey(s: Session): void {
    s.resumeKey = this.hub.reconnectGrace > 0 ? `${s.id}.${randomId(24)}` : '';
  }

  /** The member whose current resume key `key` is, if any. */
  resumable(key: string): Session | undefined {
    const dot = key.indexOf('.');
    const s = dot > 0 ? this.members.get(key.slice(0, dot)) : undefined;
    return s?.resumeKey && sameSecret(key, s.resumeKey) ? s : undefined;
  }

  /**
   * A new connection `s` takes the place of the member `old` whose key it
   * presented: same id, record, flags and pending request; a new key; a fresh
   * `call.joined`. The others see the member back (`member.updated`). A
   * connection `old` still had is closed (4409). `ejectAt` (the new token's)
   * can only bring the ejection nearer.
   */
  resume(old: Session, s: Session, ejectAt: number | undefined): void {
    const identity = old.identity!;
    s.identity = ejectAt !== undefined && ejectAt < (identity.ejectAt ?? Infinity) ? { ...identity, ejectAt } : identity;
    s.id = old.id;
    s.state = 'joined';
    s.call = this;
    s.member = old.member;
    s.request = old.request;
    s.flags = old.flags;
    s.flagsKey = old.flagsKey;
    s.caps = old.caps;
    old.reset('left');
    if (!old.closed) old.socket.close(CODES.conflict, 'resumed on another connection');
    s.seq = old.seq;
    const at = this.#at(s.seq);
    if (this.present[at] === old) this.present[at] = s;
    this.members.set(s.id, s);
    this.issueKey(s);
    const before = s.member;
    if (before.reconnecting) {
      const { reconnecting: _, ...member } = before;
      s.member = member;
      this.announce(s, before);
    }
    this.sendJoined(s);
    this.armEject(s);
  }

  disposeIfEmpty(): void {
    if (this.members.size === 0 && this.lobby.size === 0 && !this.ended) this.hub.disposed(this);
  }

  /** Ejects at the token's `exp` when it asks for it (`eject_at_token_exp`). */
  armEject(s: Session): void {
    const at = s.identity?.ejectAt;
    if (at === undefined) return;
    const fire = () => {
      const left = at * 1000 - Date.now();
      if (left > 0) {
        s.ejectTimer = setTimeout(fire, Math.min(left, MAX_TIMEOUT));
        return;
      }
      try {
        if (s.state === 'joined') this.remove(s, 'expired');
        else if (s.state === 'lobby') this.leaveLobby(s, 'expired');
      } catch (error) {
        this.hub.fault(s, 'ejection at token expiry', error);
      }
    };
    fire();
  }
}

/** The most members a search adds to what its client hears of. */
const MAX_EXTRA = 1000;

/** Each member record is immutable (replaced on change), so its JSON is computed once. */
const memberJsonCache = new WeakMap<Member, string>();
function memberJson(member: Member): string {
  let text = memberJsonCache.get(member);
  if (text === undefined) memberJsonCache.set(member, (text = JSON.stringify(member)));
  return text;
}

const digest = (text: string) => createHash('sha256').update(text).digest();
/** Compares two secrets in constant time. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function waitingOf(s: Session): WaitingParticipant {
  return { id: s.id, name: s.knock?.name ?? '', awaiting: 'full', requested_at: s.knock?.at ?? 0 };
}
