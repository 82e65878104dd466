/**
 * `connect()`: the reference server's client, a {@link Call} over one
 * WebSocket (the browser's, or one passed in). No DOM and no Node-only API.
 */
import type { Observable } from 'rxjs';
import { can } from '../core/capabilities.js';
import { SelfCapabilities } from '../core/self-capabilities.js';
import { Events, State } from '../core/state.js';
import {
  CapabilityError, CLOSE_LINK_LOST, ConnectionError, MEMBER_ACTION_FLAGS, mayActOn, ServerError,
  type Access, type Audience, type CallMedia, type CallMessage, type ConnectionState, type LargeRoomCall, type LeftReason, type MediaChannel,
  type MediaSignalling, type Member, type MemberAction, type MemberPage, type PagedRoster, type PermissionRequest, type PermissionsUpdate,
  type RequestKind, type RoomState, type RosterState, type WaitingParticipant,
} from '../core/call.js';

/**
 * An event handler property of {@link WebSocketLike}. Declared as a method (which
 * TypeScript checks bivariantly) so that both the DOM's `WebSocket`, whose handlers
 * take DOM events, and `ws`, whose handlers take its own event classes, fit; `E` is
 * what the client reads of the event, which both provide.
 */
type SocketHandler<E> = { handle(event: E): void }['handle'] | null;

/**
 * The part of the WebSocket API the client uses: the browser's `WebSocket` (also
 * Node 22's global one), or `ws`'s in Node. Messages are text frames, read as
 * strings; a binary frame that `ws` hands over as a `Buffer` is read as UTF-8 text.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown>;
  onmessage: SocketHandler<{ readonly data: unknown }>;
  /** The close code (1006 when the link dropped, 4xxx for the server's refusals) and the reason. */
  onclose: SocketHandler<{ readonly code: number; readonly reason: string }>;
  onerror: SocketHandler<unknown>;
  /** `ws` in Node: drops the connection at once, without a close handshake. Browsers have none. */
  terminate?(): void;
}

export interface ConnectOptions {
  /** The room to join. */
  room: string;
  /** A meeting token (needed for private rooms, unless knocking). */
  token?: string;
  /** The display name, when the token does not give one. */
  userName?: string;
  /**
   * The WebSocket class to connect with: `WebSocket` of the `ws` package in
   * Node 20 (which has no global one), or any class shaped as
   * {@link WebSocketLike}. Defaults to `globalThis.WebSocket` (browsers, Node
   * 22 and later); `connect()` rejects with a `TypeError` when neither is there.
   */
  WebSocket?: new (url: string) => WebSocketLike;
  /**
   * Reconnecting after a lost link, with decorrelated jitter: each delay is
   * drawn at random between `min` and three times the previous delay, and
   * never exceeds `max` (milliseconds). After `attempts` failed attempts in a
   * row the call is `closed`, and `closeReason$` holds a {@link ConnectionError}
   * with code `unreachable`. Defaults: 250, 10000 and 20; `attempts: Infinity`
   * never gives up. In a browser, no attempt is spent while `navigator.onLine`
   * is false: the client waits for the `online` event and then retries at once;
   * and when the page becomes visible again, it retries at once with the
   * backoff reset.
   */
  reconnect?: { min?: number; max?: number; attempts?: number };
  /**
   * Liveness, in milliseconds. When nothing has arrived from the server for
   * `heartbeat` ms, the client sends `call.ping`; when that is not answered
   * within another `heartbeat` ms, the link is dead: the client drops the
   * socket without waiting for a close handshake, rejects the pending requests,
   * goes `reconnecting` and reconnects. A dead link is thus noticed within
   * 2 × `heartbeat` of the last frame received. A request that times out also
   * sends a ping, so a link that only passes the server's frames is found
   * dead within `requestTimeout` + `heartbeat`. Default 15000 (a bound of
   * 30 s); 0 turns the heartbeat off.
   */
  heartbeat?: number;
  /**
   * How long a request waits for its answer before it rejects with a
   * {@link ConnectionError} with code `timeout`, in milliseconds; it also
   * bounds opening the WebSocket. Default 10000; 0: no timeout.
   */
  requestTimeout?: number;
}

/** Refusals after which reconnecting cannot help. */
const FINAL = [4401, 4403, 4404, 4409];

const now = (): number => performance.now();

/** A timer that only watches: it never keeps a Node process alive by itself (browsers' timers have no `unref`). */
function watchTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, ms);
  (timer as { unref?(): void }).unref?.();
  return timer;
}

/** What a browser page offers to follow the network and its own visibility; nothing of it in Node. */
const page = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener' | 'document' | 'navigator'>>;
/** The events after which a client waiting to reconnect retries at once (`visibilitychange` bubbles from the document to the window). */
const WAKE_EVENTS = ['online', 'visibilitychange'];

/** Lets go of a socket at once: no more events from it, and no waiting for a close handshake where that can be avoided. */
function abandon(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => {}; // `ws` reports an aborted handshake as an error event
  try {
    if (ws.terminate) ws.terminate();
    else if (ws.readyState < 2) ws.close(CLOSE_LINK_LOST, 'link lost');
  } catch {
    // Already closed, or closing: nothing left to release.
  }
}

const NO_ACCESS: Access = { level: 'unknown', awaiting: null };

type Ready = [resolve: (call: CallClient) => void, reject: (error: Error) => void];

/** One member event of a `members.changed` batch. */
interface MemberEvent {
  readonly type: 'joined' | 'updated' | 'left';
  /** The member's place in the order of joining (what list cursors count). */
  readonly seq: number;
  readonly member: Member;
}

/** A list loaded in pages: the roster (`query` '') or a search's results. */
interface Paged {
  readonly query: string;
  readonly members: Map<string, Member>;
  /** How many in all, as the server last counted. */
  total: number;
  /** The seq of the last member loaded; null: all loaded. */
  cursor: number | null;
}

const emptyRoster = (): Paged => ({ query: '', members: new Map(), total: 0, cursor: null });

/** A member event applied to a list that hears of it. */
function apply(list: Paged, type: MemberEvent['type'], member: Member): void {
  if (type === 'left') {
    if (list.members.delete(member.id)) list.total--;
  } else {
    if (type === 'joined') list.total++;
    list.members.set(member.id, member);
  }
}

/** A request waiting for its answer. */
interface Pending {
  readonly method: string;
  resolve(result: any): void;
  reject(error: Error): void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/** A {@link Call} on the reference server. Create it with {@link connect}. */
export class CallClient implements LargeRoomCall, MediaSignalling {
  readonly capabilities = new SelfCapabilities();
  readonly #self = new State<Member | null>(null);
  readonly #participants = new State<readonly Member[]>([]);
  readonly #waiting = new State<readonly WaitingParticipant[]>([]);
  readonly #access = new State<Access>(NO_ACCESS);
  readonly #room = new State<RoomState | null>(null);
  readonly #requests = new State<readonly PermissionRequest[]>([]);
  readonly #connection = new State<ConnectionState>('connecting');
  readonly #left = new State<LeftReason | null>(null);
  readonly #closeReason = new State<Error | null>(null);
  readonly #messages = new Events<CallMessage>();
  readonly #rosterState = new State<RosterState>({ members: [], total: 0, complete: true, search: '' });
  readonly #audience = new State<number | null>(null);
  readonly self$ = this.#self.$;
  readonly participants$ = this.#participants.$;
  readonly waiting$ = this.#waiting.$;
  readonly access$ = this.#access.$;
  readonly room$ = this.#room.$;
  readonly requests$ = this.#requests.$;
  readonly connection$ = this.#connection.$;
  readonly left$ = this.#left.$;
  readonly messages$: Observable<CallMessage> = this.#messages.$;
  /**
   * Why the connection ended, when it did not end by leaving or by a
   * `call.left` from the server (`left$` says why then): a
   * {@link ConnectionError} `unreachable` after the last reconnection attempt,
   * or the {@link ServerError} of a refusal that reconnecting cannot help
   * (4401 for an expired token…). Null until then.
   */
  readonly closeReason$ = this.#closeReason.$;
  /** Media, once `withMedia(call)` of `callcaps/media` added it. */
  media?: CallMedia;
  readonly #signals = new Events<{ method: string; params: any }>();
  /** Every `media.*` notification (for `callcaps/media`). */
  readonly signals$ = this.#signals.$;

  /**
   * The roster in pages (protocol 2). Below the server's threshold
   * (`roster.threshold`, 200 members with presence by default) `call.joined`
   * carries everyone and the roster is complete. Above it, `call.joined`
   * carries the first page: `participants$` holds the members loaded so far
   * (the server tells nothing of the others until their page is loaded, but
   * for the raised hands a host hears of),
   * `roster.state$.total` counts them all, `loadMore()` loads the next page
   * and `search(query)` searches on the server.
   */
  readonly roster: PagedRoster = {
    state$: this.#rosterState.$,
    loadMore: (limit) => (this.#loading ??= this.#loadMore(limit)),
    search: (query) => this.#search(query),
  };
  /** The audience (members without presence): its count for hosts (`members.count`), and its list (`call.audience.list`). */
  readonly audience: Audience = {
    count$: this.#audience.$,
    list: (options = {}) => this.#request('call.audience.list', options, 'member.permissions.set'),
  };

  /** The loaded members (the roster's pages: every member once `cursor` is null), in the order of joining. */
  #roster = emptyRoster();
  /** The search shown, if any. */
  #found: Paged | null = null;
  /** The page on its way, if any. */
  #loading: Promise<void> | null = null;
  #waitingMap = new Map<string, WaitingParticipant>();
  #requestMap = new Map<string, PermissionRequest>();
  #pending = new Map<number, Pending>();
  #ws: WebSocketLike | null = null;
  #id = 0;
  /** Reconnection attempts since the last successful join, and the last backoff delay. */
  #attempt = 0;
  #delay = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** When the last frame arrived; when the unanswered heartbeat ping, if any, was sent; the liveness timer. */
  #heard = 0;
  #probe: number | null = null;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #done = false;
  #knock: string | null = null;
  /** The server's key for resuming this member after a dropped connection (never shared). */
  #resume: string | undefined;
  #ready: Ready | null;
  readonly #url: string;
  readonly #options: ConnectOptions;

  /** Use {@link connect}, which resolves once joined or in the lobby. */
  constructor(url: string, options: ConnectOptions, ready: Ready) {
    this.#url = url;
    this.#options = options;
    this.#ready = ready;
    this.#open();
    for (const type of WAKE_EVENTS) page.addEventListener?.(type, this.#wake);
  }

  #open(): void {
    const WS = this.#options.WebSocket ?? (globalThis as { WebSocket?: ConnectOptions['WebSocket'] }).WebSocket;
    if (!WS) throw new TypeError("connect: no WebSocket here: pass options.WebSocket (in Node 20, `ws`'s)");
    const ws = (this.#ws = new WS(this.#url));
    this.#probe = null;
    const timeout = this.#timeout;
    if (timeout > 0) {
      this.#watchdog = watchTimer(
        () => this.#lost(ws, new ConnectionError('unreachable', `connect: no connection to ${this.#url} within ${timeout} ms`)),
        timeout,
      );
    }
    ws.onopen = () => {
      this.#heard = now();
      this.#watch(ws);
      const { room, token, userName } = this.#options;
      this.#send('call.join', { room, token, user_name: userName, resume: this.#resume, protocol: 2 }).then(
        (result) => {
          if (this.#knock !== null && result.access.level === 'lobby') this.requestAccess(this.#knock).catch(() => {});
        },
        // A lost link was handled when it was lost. A refusal or a timeout ends the
        // first attempt; later, only a final refusal does (after others, it retries).
        (error) => {
          if (ws !== this.#ws) return;
          if (this.#ready || FINAL.includes(error.code)) this.#stop(error);
          else this.#lost(ws, error);
        },
      );
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (ws !== this.#ws) return;
      this.#heard = now();
      try {
        this.#receive(JSON.parse(String(event.data)));
      } catch {
        // A frame this client cannot read changes nothing.
      }
    };
    ws.onclose = (event: { code: number; reason?: string }) => {
      const { code, reason } = event;
      this.#lost(ws, FINAL.includes(code)
        ? new ServerError(code, reason || `the server closed the connection (code ${code})`)
        : new ConnectionError(this.#ready ? 'unreachable' : 'disconnected', `connect: the connection to ${this.#url} closed (code ${code})`), code);
    };
    ws.onerror = () => {};
  }

  get #heartbeat(): number {
    return this.#options.heartbeat ?? 15_000;
  }

  get #timeout(): number {
    return this.#options.requestTimeout ?? 10_000;
  }

  /**
   * The liveness check, run on a timer: after `heartbeat` ms without a frame
   * it sends a ping; a ping unanswered for `heartbeat` ms means the link is dead.
   */
  #watch(ws: WebSocketLike): void {
    if (ws !== this.#ws) return;
    clearTimeout(this.#watchdog);
    const beat = this.#heartbeat;
    if (!(beat > 0)) return;
    let wait: number;
    if (this.#probe !== null) {
      wait = this.#probe + beat - now();
      if (wait <= 0) return this.#lost(ws, new ConnectionError('disconnected', `no answer to a heartbeat within ${beat} ms: the link is dead`));
    } else {
      wait = this.#heard + beat - now();
      if (wait <= 0) {
        this.#ping(ws);
        wait = beat;
      }
    }
    this.#watchdog = watchTimer(() => this.#watch(ws), wait);
  }

  /** Sends a heartbeat ping unless one is already out; any answer (even a refusal) proves the link alive. */
  #ping(ws: WebSocketLike): void {
    if (this.#probe !== null || ws !== this.#ws || ws.readyState !== 1 || !(this.#heartbeat > 0)) return;
    this.#probe = now();
    const answered = () => {
      if (ws !== this.#ws) return;
      this.#probe = null;
      this.#watch(ws);
    };
    this.#send('call.ping', undefined, 0).then(answered, (error) => error instanceof ServerError && answered());
  }

  #receive(message: { id?: number; method?: string; params?: any; result?: unknown; error?: { code: number; message: string; data?: unknown } }): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      clearTimeout(pending?.timer);
      if (message.error) pending?.reject(new ServerError(message.error.code, message.error.message, message.error.data));
      else pending?.resolve(message.result);
      return this.#closeWhenIdle();
    }
    const p = message.params;
    const roster = this.#roster;
    switch (message.method) {
      case 'call.joined':
        // The roster starts over: everyone, or the first page (`cursor`) of the `present` members with presence.
        this.#roster = { query: '', members: new Map(p.members.map((m: Member) => [m.id, m])), total: p.present, cursor: p.cursor ?? null };
        this.#show(null);
        this.#audience.set(p.audience ?? null);
        this.#waitingMap = new Map(p.waiting?.map((w: WaitingParticipant) => [w.id, w]));
        this.#requestMap = new Map(p.requests?.map((r: PermissionRequest) => [r.member_id, r]));
        this.#self.set(p.self);
        this.#room.set(p.room);
        this.#access.set(p.access ?? { level: 'full', awaiting: null });
        this.#left.set(null);
        this.#resume = p.resume;
        this.capabilities.update(p.capabilities);
        this.#connected();
        break;
      case 'access.updated':
        this.#access.set(p);
        this.#connected();
        break;
      case 'member.updated':
        // Only about oneself: the others' changes come in `members.changed`.
        this.#self.set(p.member);
        if (roster.members.has(p.member.id)) roster.members.set(p.member.id, p.member);
        break;
      case 'members.changed':
        // One batch, one change: all of it applied, then published once. The server tells of the
        // members in the loaded pages and in the search's results; a join beyond the pages is only counted.
        for (const { type, seq, member } of p.events as MemberEvent[]) {
          if (roster.cursor === null || seq <= roster.cursor) apply(roster, type, member);
          // Beyond the pages, a host hears of raised hands: listed while raised, so that they come first.
          else if (type !== 'left' && member.handraised && can(this.capabilities.state, 'member.permissions.set')) roster.members.set(member.id, member);
          else roster.members.delete(member.id);
          if (this.#found?.members.has(member.id)) apply(this.#found, type, member);
        }
        break;
      case 'members.count':
        roster.total = p.members;
        if (p.audience !== undefined) this.#audience.set(p.audience);
        break;
      case 'waiting.added':
      case 'waiting.updated':
        this.#waitingMap.set(p.participant.id, p.participant);
        break;
      case 'waiting.removed':
        this.#waitingMap.delete(p.participant.id);
        break;
      case 'permission.requested':
        if (p.permissions.length) this.#requestMap.set(p.member_id, p);
        else this.#requestMap.delete(p.member_id);
        break;
      case 'call.updated':
        this.#room.set(p.room);
        break;
      case 'call.message':
        this.#messages.emit(p);
        break;
      case 'call.left':
        this.#left.set(p.reason);
        this.#finish();
        return;
      default:
        if (message.method?.startsWith('media.')) return this.#signals.emit({ method: message.method, params: p });
    }
    this.#publish();
  }

  #publish(): void {
    this.#participants.set([...this.#roster.members.values()]);
    const found = this.#found;
    const shown = found ?? this.#roster;
    this.#rosterState.set({
      members: found ? [...found.members.values()] : this.#participants.value,
      // The server counts the members with presence; a self without is listed too.
      total: shown.total + +(!found && this.#self.value?.permissions.hasPresence === false),
      complete: shown.cursor === null,
      search: shown.query,
    });
    this.#waiting.set([...this.#waitingMap.values()]);
    this.#requests.set([...this.#requestMap.values()]);
  }

  #connected(): void {
    this.#attempt = 0;
    this.#delay = 0;
    this.#connection.set('connected');
    this.#ready?.[0](this);
    this.#ready = null;
  }

  /** Out of the call for good: nothing is known or allowed any more. */
  #finish(): void {
    this.#done = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#watchdog);
    this.#resume = undefined;
    this.#roster = emptyRoster();
    this.#found = null;
    this.#audience.set(null);
    this.#waitingMap.clear();
    this.#requestMap.clear();
    this.#self.set(null);
    this.#access.set({ level: 'none', awaiting: null });
    this.#publish();
    this.capabilities.forget();
    this.#connection.set('closed');
    for (const type of WAKE_EVENTS) page.removeEventListener?.(type, this.#wake);
    this.#closeWhenIdle();
  }

  /** Once out of the call, the socket closes as soon as no request waits for its answer. */
  #closeWhenIdle(): void {
    if (this.#done && !this.#pending.size) this.#ws?.close();
  }

  /** A refused join, a failed start, or no hope left of reconnecting: the connection ends. */
  #stop(error: Error): void {
    this.#ready?.[1](error);
    this.#ready = null;
    this.#closeReason.set(error);
    this.#finish();
  }

  /**
   * The link is gone (closed, found dead, or a rejoin failed): requests still
   * waiting reject at once, and unless that was the first attempt or a final
   * refusal, the client reconnects after a backoff delay.
   */
  #lost(ws: WebSocketLike, error: Error, code?: number): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    clearTimeout(this.#watchdog);
    this.#probe = null;
    abandon(ws);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionError('disconnected', `${p.method}: the connection was lost before the server answered`));
    }
    if (this.#done) return;
    if (this.#ready || (code !== undefined && FINAL.includes(code))) return this.#stop(error);
    const { min = 250, max = 10_000, attempts = 20 } = this.#options.reconnect ?? {};
    if (this.#attempt >= attempts) {
      return this.#stop(new ConnectionError('unreachable', `connect: gave up reconnecting to ${this.#url} after ${this.#attempt} attempts (${error.message})`));
    }
    this.#connection.set('reconnecting');
    this.#access.set(NO_ACCESS);
    this.capabilities.forget();
    // Decorrelated jitter: between min and three times the previous delay, at most max.
    const floor = Math.min(min, max);
    this.#delay = Math.min(max, floor + Math.random() * (3 * Math.max(floor, this.#delay) - floor));
    this.#retry = setTimeout(() => this.#reopen(), this.#delay);
  }

  /**
   * A reconnection attempt, unless one is under way or the call is over. An
   * offline browser spends none: `online` calls this again.
   */
  #reopen(): void {
    clearTimeout(this.#retry);
    if (this.#done || this.#ws || page.navigator?.onLine === false) return;
    this.#attempt++;
    this.#open();
  }

  /** Back online, or the page visible again: while waiting to reconnect, retry now, the backoff reset. */
  readonly #wake = (event: Event): void => {
    if (event.type === 'online' || page.document?.visibilityState === 'visible') {
      this.#delay = 0;
      this.#reopen();
    }
  };

  /** Sends a request; it rejects with a ConnectionError when not answered within `timeout` ms (0: never). */
  #send(method: string, params?: object, timeout = this.#timeout): Promise<any> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new ConnectionError('offline', `${method}: not connected`));
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      const timer = timeout > 0
        ? watchTimer(() => {
            if (!this.#pending.delete(id)) return;
            reject(new ConnectionError('timeout', `${method}: no answer from the server within ${timeout} ms`));
            if (this.#done) return this.#closeWhenIdle();
            // Is the link still alive? The ping's answer (or its absence) will tell.
            this.#ping(ws);
            this.#watch(ws);
          }, timeout)
        : undefined;
      this.#pending.set(id, { method, resolve, reject, timer });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Sends a request once `flags` are all granted; else rejects with a CapabilityError. */
  async #request(method: string, params?: object, ...flags: string[]): Promise<any> {
    for (const flag of flags) if (!can(this.capabilities.state, flag)) throw new CapabilityError(flag);
    return this.#send(method, params);
  }

  /** A request acting on a member (oneself when `memberId` is absent), checked by the per-target rules. */
  #act(method: string, actions: MemberAction[], memberId?: string, params: object = {}): Promise<void> {
    const me = this.#self.value;
    const target = memberId === undefined ? me : this.#roster.members.get(memberId) ?? { id: memberId, owner: false };
    for (const action of actions) {
      if (!target || !mayActOn(this.capabilities.state, me, target, action)) {
        return Promise.reject(new CapabilityError(`${target === me ? 'self' : 'member'}.${MEMBER_ACTION_FLAGS[action]}`));
      }
    }
    return this.#request(method, memberId === undefined ? params : { ...params, member_id: memberId });
  }

  /** The next page of the list shown (the roster's, or the search's). */
  async #loadMore(limit?: number): Promise<void> {
    const list = this.#found ?? this.#roster;
    try {
      if (list.cursor === null) return;
      const page: MemberPage = await this.#send('call.members.list', { search: list.query, cursor: list.cursor, limit });
      // Dropped when the roster started over (`call.joined`) or another search is shown.
      if (list !== (this.#found ?? this.#roster)) return;
      for (const m of page.members) list.members.set(m.id, m);
      list.total = page.total;
      list.cursor = page.cursor;
      this.#publish();
    } finally {
      // Before the subscribers' reactions to the publication run: they may want the next page at once.
      this.#loading = null;
    }
  }

  /** Shows the first page of the members whose name holds `query`; '' shows the roster again. */
  async #search(query: string): Promise<void> {
    // An empty search until its first page comes (cursor 0: from the start).
    this.#show(query ? { query, members: new Map(), total: 0, cursor: 0 } : null);
    if (query) return this.roster.loadMore();
    this.#publish();
  }

  /** Shows a search (or the roster): a page on its way for another list no longer holds up the next. */
  #show(found: Paged | null): void {
    this.#found = found;
    this.#loading = null;
  }

  /** Sends a `media.*` request (for `callcaps/media`). */
  signal(method: string, params?: object): Promise<any> {
    if (!method.startsWith('media.')) return Promise.reject(new TypeError(`signal: ${method} is not a media request`));
    return this.#send(method, params);
  }

  async leave(): Promise<void> {
    this.#done = true;
    // Unanswered (a dead link): drop the socket rather than wait for a close handshake that will not come.
    await this.#send('call.leave').catch((error) => error instanceof ServerError || (this.#ws && this.#lost(this.#ws, error)));
    this.#finish();
  }

  requestAccess(name: string): Promise<void> {
    this.#knock = name;
    return this.#request('call.request_access', { name });
  }

  mute(channels: readonly MediaChannel[], memberId?: string): Promise<void> {
    return this.#act('call.mute', channels.map((c) => `mute-${c}` as MemberAction), memberId, { channels });
  }

  unmute(channels: readonly MediaChannel[], memberId?: string): Promise<void> {
    return this.#act('call.unmute', channels.map((c) => `unmute-${c}` as MemberAction), memberId, { channels });
  }

  deaf(memberId?: string): Promise<void> {
    return this.#act('call.deaf', ['deaf'], memberId);
  }

  undeaf(memberId?: string): Promise<void> {
    return this.#act('call.undeaf', ['undeaf'], memberId);
  }

  raiseHand(memberId?: string): Promise<void> {
    return this.#act('call.raisehand', ['raisehand'], memberId);
  }

  lowerHand(memberId?: string): Promise<void> {
    return this.#act('call.lowerhand', ['lowerhand'], memberId);
  }

  startScreenshare(): Promise<void> {
    return this.#request('call.screenshare.start', {}, 'screenshare');
  }

  stopScreenshare(): Promise<void> {
    return this.#request('call.screenshare.stop');
  }

  lock(): Promise<void> {
    return this.#request('call.lock', {}, 'lock.on');
  }

  unlock(): Promise<void> {
    return this.#request('call.unlock', {}, 'lock.off');
  }

  end(): Promise<void> {
    return this.#request('call.end', {}, 'end');
  }

  setLayout(layout: string): Promise<void> {
    return this.#request('call.layout.set', { layout }, 'layout.set');
  }

  sendDigits(digits: string): Promise<void> {
    return this.#request('call.digit.send', { digits }, 'digit.send');
  }

  removeMember(memberId: string): Promise<void> {
    return this.#act('call.member.remove', ['remove'], memberId);
  }

  updateMember(memberId: string, update: { permissions?: PermissionsUpdate; role?: string }): Promise<void> {
    const actions: MemberAction[] = [];
    if (update.permissions) actions.push('permissions');
    if (update.role !== undefined) actions.push('role');
    const params = { ...update, member_id: memberId };
    return memberId === '*'
      ? this.#request('call.member.update', params, ...actions.map((a) => `member.${MEMBER_ACTION_FLAGS[a]}`))
      : this.#act('call.member.update', actions, memberId, update);
  }

  updateWaiting(memberId: string, grant: boolean): Promise<void> {
    return this.#request('call.waiting.update', { member_id: memberId, grant }, 'waiting.admit');
  }

  requestPermissions(permissions: readonly RequestKind[]): Promise<void> {
    return this.#request('call.permission.request', { permissions }, ...permissions.map((p) => `request.${p}`));
  }

  denyRequest(memberId: string): Promise<void> {
    return this.#request('call.permission.deny', { member_id: memberId }, 'member.permissions.set');
  }

  startRecording(): Promise<void> {
    return this.#request('call.record.start', {}, 'record.on');
  }

  stopRecording(): Promise<void> {
    return this.#request('call.record.stop', {}, 'record.off');
  }

  startStreaming(): Promise<void> {
    return this.#request('call.stream.start', {}, 'stream.on');
  }

  stopStreaming(): Promise<void> {
    return this.#request('call.stream.stop', {}, 'stream.off');
  }

  startTranscription(): Promise<void> {
    return this.#request('call.transcribe.start', {}, 'transcribe.on');
  }

  stopTranscription(): Promise<void> {
    return this.#request('call.transcribe.stop', {}, 'transcribe.off');
  }

  sendMessage(data: unknown, to?: string): Promise<void> {
    return this.#request('call.message.send', { data, to });
  }
}

/** The WebSocket URL of a server given as `http(s)://host:port` (or already `ws(s)://…/v1/ws`). */
function endpoint(url: string): string {
  const u = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  u.protocol = u.protocol.replace(/^http/, 'ws');
  if (!u.pathname.endsWith('/v1/ws')) u.pathname = `${u.pathname.replace(/\/$/, '')}/v1/ws`;
  return u.href;
}

/**
 * Connects to the reference server and joins `options.room`. Resolves with the
 * {@link Call} once joined or in the lobby; rejects with a {@link ServerError}
 * when the server refuses (private room, bad token, full, locked, ended), or a
 * {@link ConnectionError} when the server cannot be reached (`unreachable`) or
 * does not answer the join in time (`timeout`).
 */
export function connect(url: string, options: ConnectOptions): Promise<CallClient> {
  return new Promise((resolve, reject) => {
    new CallClient(endpoint(url), options, [resolve, reject]);
  });
}
