/**
 * `connect()`: the reference server's client, a {@link Call} over one
 * WebSocket (the browser's, or one passed in). No DOM and no Node-only API.
 */
import { BehaviorSubject, distinctUntilChanged, Subject, type Observable } from 'rxjs';
import { can, sameValue } from '../core/capabilities.js';
import { SelfCapabilities } from '../core/self-capabilities.js';
import {
  CapabilityError, MEMBER_ACTION_FLAGS, mayActOn, ServerError,
  type Access, type Call, type CallMessage, type ConnectionState, type LeftReason, type MediaChannel, type Member,
  type MemberAction, type PermissionRequest, type PermissionsUpdate, type RequestKind, type RoomState, type WaitingParticipant,
} from '../core/call.js';

/** The part of the WebSocket API the client uses (the browser's, or `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // `any`: each implementation has its own event types (the DOM's, `ws`'s).
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
}

export interface ConnectOptions {
  /** The room to join. */
  room: string;
  /** A meeting token (needed for private rooms, unless knocking). */
  token?: string;
  /** The display name, when the token does not give one. */
  userName?: string;
  /** The WebSocket constructor; defaults to `globalThis.WebSocket`. */
  WebSocket?: new (url: string) => WebSocketLike;
  /** Reconnection backoff in milliseconds: the first delay, doubled up to `max`. Default 250 and 5000. */
  reconnect?: { min?: number; max?: number };
}

/** Refusals after which reconnecting cannot help. */
const FINAL = [4401, 4403, 4404, 4409];

const NO_ACCESS: Access = { level: 'unknown', awaiting: null };

/** A value that replays its current state and emits only when it changed by value. */
class State<T> {
  readonly #subject: BehaviorSubject<T>;
  readonly $: Observable<T>;
  constructor(value: T) {
    this.#subject = new BehaviorSubject(value);
    this.$ = this.#subject.pipe(distinctUntilChanged<T>(sameValue));
  }
  get value(): T {
    return this.#subject.value;
  }
  set(value: T): void {
    if (!sameValue(value, this.#subject.value)) this.#subject.next(value);
  }
}

type Pending = [resolve: (result: any) => void, reject: (error: Error) => void];

/** A {@link Call} on the reference server. Create it with {@link connect}. */
export class CallClient implements Call {
  readonly capabilities = new SelfCapabilities();
  readonly #self = new State<Member | null>(null);
  readonly #participants = new State<readonly Member[]>([]);
  readonly #waiting = new State<readonly WaitingParticipant[]>([]);
  readonly #access = new State<Access>(NO_ACCESS);
  readonly #room = new State<RoomState | null>(null);
  readonly #requests = new State<readonly PermissionRequest[]>([]);
  readonly #connection = new State<ConnectionState>('connecting');
  readonly #left = new State<LeftReason | null>(null);
  readonly #messages = new Subject<CallMessage>();
  readonly self$ = this.#self.$;
  readonly participants$ = this.#participants.$;
  readonly waiting$ = this.#waiting.$;
  readonly access$ = this.#access.$;
  readonly room$ = this.#room.$;
  readonly requests$ = this.#requests.$;
  readonly connection$ = this.#connection.$;
  readonly left$ = this.#left.$;
  readonly messages$: Observable<CallMessage> = this.#messages.asObservable();

  #members = new Map<string, Member>();
  #waitingMap = new Map<string, WaitingParticipant>();
  #requestMap = new Map<string, PermissionRequest>();
  #pending = new Map<number, Pending>();
  #ws: WebSocketLike | null = null;
  #id = 0;
  #attempt = 0;
  #done = false;
  #knock: string | null = null;
  /** The server's key for resuming this member after a dropped connection (never shared). */
  #resume: string | undefined;
  #ready: Pending | null;
  readonly #url: string;
  readonly #options: ConnectOptions;

  /** Use {@link connect}, which resolves once joined or in the lobby. */
  constructor(url: string, options: ConnectOptions, ready: Pending) {
    this.#url = url;
    this.#options = options;
    this.#ready = ready;
    this.#open();
  }

  #open(): void {
    const WS = this.#options.WebSocket ?? (globalThis as { WebSocket?: ConnectOptions['WebSocket'] }).WebSocket;
    if (!WS) throw new Error('connect: no WebSocket implementation (pass options.WebSocket)');
    const ws = (this.#ws = new WS(this.#url));
    ws.onopen = () => {
      const { room, token, userName } = this.#options;
      this.#send('call.join', { room, token, user_name: userName, resume: this.#resume }).then(
        (result) => {
          this.#attempt = 0;
          if (this.#knock !== null && result.access.level === 'lobby') this.requestAccess(this.#knock).catch(() => {});
        },
        // A refusal ends the first attempt; later, only a final one does (others retry).
        (error) => (this.#ready || FINAL.includes(error.code) ? this.#stop(error) : ws.close()),
      );
    };
    ws.onmessage = (event: { data: unknown }) => {
      try {
        this.#receive(JSON.parse(String(event.data)));
      } catch {
        // A frame this client cannot read changes nothing.
      }
    };
    ws.onclose = (event: { code: number }) => this.#closed(ws, event.code);
    ws.onerror = () => {};
  }

  #receive(message: { id?: number; method?: string; params?: any; result?: unknown; error?: { code: number; message: string; data?: unknown } }): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.[1](new ServerError(message.error.code, message.error.message, message.error.data));
      else pending?.[0](message.result);
      if (this.#done && !this.#pending.size) this.#ws?.close();
      return;
    }
    const p = message.params;
    const members = this.#members;
    switch (message.method) {
      case 'call.joined':
        this.#members = new Map(p.members.map((m: Member) => [m.id, m]));
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
      case 'member.joined':
      case 'member.updated':
        members.set(p.member.id, p.member);
        if (p.member.id === this.#self.value?.id) this.#self.set(p.member);
        break;
      case 'member.left':
        members.delete(p.member.id);
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
        this.#messages.next(p);
        break;
      case 'call.left':
        this.#left.set(p.reason);
        this.#finish();
        return;
    }
    this.#publish();
  }

  #publish(): void {
    this.#participants.set([...this.#members.values()]);
    this.#waiting.set([...this.#waitingMap.values()]);
    this.#requests.set([...this.#requestMap.values()]);
  }

  #connected(): void {
    this.#connection.set('connected');
    this.#ready?.[0](this);
    this.#ready = null;
  }

  /** Out of the call for good: nothing is known or allowed any more. */
  #finish(): void {
    this.#done = true;
    this.#resume = undefined;
    this.#members.clear();
    this.#waitingMap.clear();
    this.#requestMap.clear();
    this.#self.set(null);
    this.#access.set({ level: 'none', awaiting: null });
    this.#publish();
    this.capabilities.forget();
    this.#connection.set('closed');
    if (!this.#pending.size) this.#ws?.close();
  }

  /** A refused join (or a failed start): the connection ends. */
  #stop(error: Error): void {
    this.#ready?.[1](error);
    this.#ready = null;
    this.#finish();
  }

  #closed(ws: WebSocketLike, code: number): void {
    if (ws !== this.#ws) return;
    for (const [, reject] of this.#pending.values()) reject(new Error('connection lost'));
    this.#pending.clear();
    if (this.#done) return;
    if (this.#ready || FINAL.includes(code)) return this.#stop(new Error(`connect: the connection to ${this.#url} closed (code ${code})`));
    this.#connection.set('reconnecting');
    this.#access.set(NO_ACCESS);
    this.capabilities.forget();
    const { min = 250, max = 5000 } = this.#options.reconnect ?? {};
    setTimeout(() => this.#done || this.#open(), Math.min(max, min * 2 ** this.#attempt++));
  }

  #send(method: string, params?: object): Promise<any> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new Error(`${method}: not connected`));
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, [resolve, reject]);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Sends a request once `flags` are all granted; else rejects with a CapabilityError. */
  async #request(method: string, params?: object, ...flags: string[]): Promise<void> {
    for (const flag of flags) if (!can(this.capabilities.state, flag)) throw new CapabilityError(flag);
    await this.#send(method, params);
  }

  /** A request acting on a member (oneself when `memberId` is absent), checked by the per-target rules. */
  #act(method: string, actions: MemberAction[], memberId?: string, params: object = {}): Promise<void> {
    const me = this.#self.value;
    const target = memberId === undefined ? me : this.#members.get(memberId) ?? { id: memberId, owner: false };
    for (const action of actions) {
      if (!target || !mayActOn(this.capabilities.state, me, target, action)) {
        return Promise.reject(new CapabilityError(`${target === me ? 'self' : 'member'}.${MEMBER_ACTION_FLAGS[action]}`));
      }
    }
    return this.#request(method, memberId === undefined ? params : { ...params, member_id: memberId });
  }

  async leave(): Promise<void> {
    this.#done = true;
    await this.#send('call.leave').catch(() => {});
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
 * when the server refuses (private room, bad token, full, locked, ended), or an
 * Error when the server cannot be reached.
 */
export function connect(url: string, options: ConnectOptions): Promise<Call> {
  return new Promise((resolve, reject) => {
    new CallClient(endpoint(url), options, [resolve, reject]);
  });
}
