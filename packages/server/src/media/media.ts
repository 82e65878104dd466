/**
 * The media layer: Janus instances (embedded or already running), the
 * VideoRoom of each live call, every member's publisher and subscriber handle,
 * and the reconciliation that makes the SFU follow the server's state.
 *
 * Two things drive it. Requests from a member's browser (`media.publish`,
 * `media.subscribe`, answers and candidates), checked against the member's
 * current capabilities. And hooks from `LiveCall` (a member's record or flags
 * changed, a member left, the call ended), after which the call is reconciled:
 * each published stream is moderated on or off by what its publisher may send
 * now, publishers without presence are unpublished, and each receiving
 * member's subscription is updated to exactly what `canReceive` lets it get.
 * Work on one call is serialized, so Janus sees one change at a time.
 */
import { EventEmitter } from 'node:events';
import type { LiveCall, Session } from '../live.js';
import type { Logger } from '../log.js';
import { findJanus, JanusProcess, type EmbeddedJanusOptions } from './janus-process.js';
import { delivers, forwards, KIND_TYPE, publishRefusal, type MediaKind } from './permissions.js';
import { mediaSections } from './sdp.js';
import { JanusError, Sfu, type JanusServerOptions, type Jsep, type SfuRoom, type SubscriberStream, type VideoRoomHandle } from './sfu.js';

/**
 * `media` in `createServer` options:
 * - `'auto'` — start an embedded Janus when the `janus` binary is found
 *   (`JANUS_PATH`, else `PATH`); otherwise run without media and say so once.
 * - `{ embedded: { … } }` — an embedded Janus, tuned; failing to start it fails `createServer`.
 * - `{ servers: [{ url, apiSecret?, adminKey? }, …], pick? }` — Janus instances already running;
 *   each call's room goes to `pick(room, servers)` (default: the one holding the fewest rooms).
 * - `false` / absent — no media (the library default).
 */
export type MediaOption = false | 'auto' | MediaOptions;

export interface MediaOptions {
  embedded?: EmbeddedJanusOptions;
  servers?: readonly JanusServerOptions[];
  /** Chooses the Janus for a new call's room: an index into `servers` (only those reachable are offered). */
  pick?: (room: string, servers: readonly MediaServerInfo[]) => number;
}

/** What the app sees of each Janus (the secrets are for the operator and the tests; browsers never see them). */
export interface MediaServerInfo {
  readonly index: number;
  readonly url: string;
  readonly apiSecret?: string;
  readonly adminKey?: string;
  readonly up: boolean;
  readonly rooms: number;
  /** The embedded Janus' pid and configuration folder. */
  readonly pid?: number;
  readonly dir?: string;
}

/** A member's view of one subscribed stream: whose, which kind, on which mid of its receiving PeerConnection. */
export interface StreamInfo {
  readonly mid: string;
  readonly member_id: string;
  readonly kind: MediaKind;
}

/** An error the RPC layer turns into a JSON-RPC error with `code`. */
export class MediaRefusal extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export const MEDIA_CODES = Object.freeze({ unavailable: 4503, forbidden: 4403, conflict: 4409, badParams: -32602 });

interface Slot {
  readonly index: number;
  options: JanusServerOptions;
  sfu: Sfu | null;
  process?: JanusProcess;
  reconnect?: NodeJS.Timeout;
  /** Whether it was ever connected (a later connection is a comeback: `restarted`). */
  connected?: boolean;
  connecting?: Promise<void>;
  /** A connection attempt failed and the outage was reported. */
  unreachable?: boolean;
}

interface Publisher {
  handle: VideoRoomHandle;
  feed: number;
  /** The kind each published mid carries. */
  kinds: Map<string, MediaKind>;
  /** Whether each mid is moderated (not forwarded) at the SFU now. */
  muted: Map<string, boolean>;
  /** Whether its PeerConnection is up (Janus subscribes nobody to a publisher before). */
  active: boolean;
}

interface Subscriber {
  handle: VideoRoomHandle;
  /** Janus' current list of the subscription's streams. */
  streams: SubscriberStream[];
}

interface MemberMedia {
  pub?: Publisher;
  sub?: Subscriber;
  /** The member asked to receive (`media.subscribe`) and has not stopped. */
  receiving: boolean;
}

interface CallMedia {
  readonly call: LiveCall;
  readonly slot: Slot;
  readonly sfu: Sfu;
  room: Promise<SfuRoom>;
  queue: Promise<unknown>;
  members: Map<string, MemberMedia>;
  scheduled: boolean;
  gone: boolean;
}

/** Janus error codes that mean the browser sent something wrong (bad SDP, wrong JSEP type or state). */
const CLIENT_FAULTS = new Set([431, 437, 464, 465, 466, 467]);
const CONFLICTS = new Set([469, 471]);

function refusalOf(error: unknown): unknown {
  if (!(error instanceof JanusError)) return error;
  if (error.code !== undefined && CLIENT_FAULTS.has(error.code)) return new MediaRefusal(MEDIA_CODES.badParams, `invalid params: the media server refused it (${error.message})`);
  if (error.code !== undefined && CONFLICTS.has(error.code)) return new MediaRefusal(MEDIA_CODES.conflict, `conflict: ${error.message}`);
  return new MediaRefusal(MEDIA_CODES.unavailable, `media unavailable: ${error.message}`);
}

const key = (feed: number, mid: string) => `${feed}:${mid}`;

/** Janus names its SDP session after the room (`s=VideoRoom <id>`): the browser gets a neutral name. */
const scrub = (jsep: Jsep): Jsep => ({ type: jsep.type, sdp: jsep.sdp.replace(/^s=.*$/m, 's=callcaps') });

/** The media layer of one server. Events: `down` ({ server }) when a Janus is lost, `restarted` ({ server }) when it is back. */
export class Media extends EventEmitter {
  readonly #slots: Slot[];
  readonly #calls = new Map<LiveCall, CallMedia>();
  #closed = false;

  private constructor(slots: Slot[], private readonly log: Logger, private readonly pick?: MediaOptions['pick']) {
    super();
    this.#slots = slots;
  }

  /**
   * Starts the media layer for a `media` option; resolves with undefined when
   * media is off (`'auto'` without a `janus` binary logs once why and how to
   * turn it on). An embedded Janus that was asked for explicitly and fails to
   * start rejects; under `'auto'` the failure is logged and media is off.
   */
  static async start(option: MediaOption | undefined, log: Logger): Promise<Media | undefined> {
    if (!option) return undefined;
    const options: MediaOptions = option === 'auto' ? { embedded: {} } : option;
    const slots: Slot[] = [];
    if (options.servers?.length) {
      for (const server of options.servers) slots.push({ index: slots.length, options: server, sfu: null });
    } else {
      const embedded = options.embedded ?? {};
      const found = embedded.path ? { path: embedded.path, reason: 'media.embedded.path' } : findJanus();
      if (!found.path) {
        if (option !== 'auto') throw new Error(`media: cannot start Janus: ${found.reason}`);
        log.info(`media: off (${found.reason}). Audio and video need Janus: install Debian's \`janus\` package or set JANUS_PATH.`);
        return undefined;
      }
      let process: JanusProcess;
      const started = Date.now();
      try {
        process = await JanusProcess.start(found.path, embedded, log);
      } catch (error) {
        if (option !== 'auto') throw error;
        log.error(`media: off: Janus (${found.path}) did not start: ${(error as Error).message}`);
        return undefined;
      }
      log.info(`media: Janus ${found.path} on ${process.endpoint.url} (pid ${process.pid}, ready in ${Date.now() - started} ms)`);
      slots.push({ index: 0, options: process.endpoint, sfu: null, process });
    }
    const media = new Media(slots, log, options.pick);
    try {
      await Promise.all(slots.map((slot) => media.#connect(slot, !slot.process)));
    } catch (error) {
      await media.close();
      throw error;
    }
    for (const slot of slots) slot.process?.on('restarted', (endpoint) => {
      slot.options = endpoint;
      void media.#connect(slot, true);
    });
    return media;
  }

  /** Connects a slot (once at a time); `retry`: keep trying every 2 s while it fails (a Janus may come later). */
  #connect(slot: Slot, retry: boolean): Promise<void> {
    slot.connecting ??= this.#connectOnce(slot, retry).finally(() => {
      slot.connecting = undefined;
    });
    return slot.connecting;
  }

  async #connectOnce(slot: Slot, retry: boolean): Promise<void> {
    clearTimeout(slot.reconnect);
    if (this.#closed || (slot.sfu && !slot.sfu.lost)) return;
    try {
      const sfu = await Sfu.connect(slot.options);
      if (this.#closed) {
        await sfu.close();
        return;
      }
      const again = slot.connected === true;
      slot.sfu = sfu;
      slot.connected = true;
      if (slot.unreachable) this.log.info(`media: reached Janus at ${slot.options.url}`);
      slot.unreachable = false;
      sfu.once('lost', () => this.#lost(slot, sfu));
      if (again) {
        this.log.info(`media: Janus at ${slot.options.url} is back`);
        this.emit('restarted', { server: slot.index });
      }
    } catch (error) {
      if (!retry) throw error;
      // Said once per outage, not every 2 s.
      if (!slot.unreachable) this.log.warn(`media: cannot reach Janus at ${slot.options.url} (${(error as Error).message}); retrying every 2 s`);
      slot.unreachable = true;
      slot.reconnect = setTimeout(() => void this.#connect(slot, true), 2000);
    }
  }

  /** A Janus connection dropped: its rooms and handles are gone; the members using them are told to start over. */
  #lost(slot: Slot, sfu: Sfu): void {
    if (this.#closed || slot.sfu !== sfu) return;
    this.log.error(`media: lost Janus at ${slot.options.url}; members on it must publish and subscribe again`);
    for (const cm of [...this.#calls.values()]) {
      if (cm.slot !== slot) continue;
      cm.gone = true;
      this.#calls.delete(cm.call);
      for (const [id, mm] of cm.members) {
        if (mm.pub || mm.sub || mm.receiving) cm.call.members.get(id)?.notify('media.reset', { reason: 'media-server-restarted' });
      }
    }
    this.emit('down', { server: slot.index });
    // An embedded Janus is restarted by its supervisor ('restarted' reconnects); an external one is polled.
    if (!slot.process) slot.reconnect = setTimeout(() => void this.#connect(slot, true), 1000);
    slot.sfu = null;
    void sfu.close();
  }

  /** Every Janus, for the operator and the tests. */
  get servers(): MediaServerInfo[] {
    return this.#slots.map((slot) => ({
      index: slot.index,
      url: slot.options.url,
      apiSecret: slot.options.apiSecret,
      adminKey: slot.options.adminKey,
      up: !!slot.sfu && !slot.sfu.lost,
      rooms: slot.sfu?.rooms ?? 0,
      pid: slot.process?.pid,
      dir: slot.process?.dir,
    }));
  }

  /** Stops every embedded Janus and closes every connection. */
  async close(): Promise<void> {
    // Rooms on a Janus that outlives the server are destroyed first (best effort, briefly).
    const rooms = [...this.#calls.values()].map((cm) => cm.room.then((room) => cm.sfu.destroyRoom(room)).catch(() => {}));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(rooms), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.#closed = true;
    for (const cm of this.#calls.values()) cm.gone = true;
    this.#calls.clear();
    await Promise.all(this.#slots.map(async (slot) => {
      clearTimeout(slot.reconnect);
      const sfu = slot.sfu;
      slot.sfu = null;
      await sfu?.close();
      await slot.process?.stop();
    }));
  }

  // ── The state of one call ────────────────────────────────────────────────────

  #state(call: LiveCall): CallMedia {
    let cm = this.#calls.get(call);
    if (cm && !cm.gone) return cm;
    const up = this.#slots.filter((slot) => slot.sfu && !slot.sfu.lost);
    if (!up.length) throw new MediaRefusal(MEDIA_CODES.unavailable, 'media unavailable: the media server is down; try again shortly');
    const infos = this.servers.filter((s) => s.up);
    let chosen = up.reduce((a, b) => (b.sfu!.rooms < a.sfu!.rooms ? b : a));
    if (this.pick) {
      const index = this.pick(call.room.name, infos);
      chosen = up.find((slot) => slot.index === index) ?? chosen;
    }
    const sfu = chosen.sfu!;
    const room = sfu.createRoom(`callcaps ${call.room.name}`);
    room.catch((error) => {
      // The next request tries a new room.
      if (this.#calls.get(call) === cm) this.#calls.delete(call);
      this.#report(`creating the room of ${call.room.name}`, error);
    });
    cm = { call, slot: chosen, sfu, room, queue: Promise.resolve(), members: new Map(), scheduled: false, gone: false };
    this.#calls.set(call, cm);
    return cm;
  }

  /** Runs `task` after everything queued on the call; Janus failures become refusals. */
  #run<T>(cm: CallMedia, task: () => Promise<T>): Promise<T> {
    const result = cm.queue.then(async () => {
      if (cm.gone) throw new MediaRefusal(MEDIA_CODES.unavailable, 'media unavailable: the media server restarted; publish and subscribe again');
      try {
        return await task();
      } catch (error) {
        throw refusalOf(error);
      }
    });
    cm.queue = result.catch(() => {});
    return result;
  }

  #member(cm: CallMedia, id: string): MemberMedia {
    let mm = cm.members.get(id);
    if (!mm) cm.members.set(id, (mm = { receiving: false }));
    return mm;
  }

  // ── Requests from browsers ───────────────────────────────────────────────────

  /**
   * A member's offer to publish: every sending section must carry a kind the
   * member may publish now (4403 otherwise); resolves with Janus' answer. The
   * streams it may not forward yet (muted) are moderated before the answer leaves.
   */
  async publish(call: LiveCall, s: Session, offer: Jsep, declared: Readonly<Record<string, MediaKind>>): Promise<{ jsep: Jsep; streams: { mid: string; kind: MediaKind }[] }> {
    let sections;
    try {
      sections = mediaSections(offer.sdp);
    } catch (error) {
      throw new MediaRefusal(MEDIA_CODES.badParams, `invalid params: jsep.sdp: ${(error as Error).message}`);
    }
    const kinds = new Map<string, MediaKind>();
    for (const section of sections) {
      if (!section.sending) continue;
      if (section.type !== 'audio' && section.type !== 'video') {
        throw new MediaRefusal(MEDIA_CODES.badParams, `invalid params: only audio and video are published (mid ${section.mid} is ${section.type})`);
      }
      const kind = declared[section.mid] ?? section.type;
      if (KIND_TYPE[kind] !== section.type) throw new MediaRefusal(MEDIA_CODES.badParams, `invalid params: mid ${section.mid} is ${section.type}, not ${kind}`);
      kinds.set(section.mid, kind);
    }
    for (const mid of Object.keys(declared)) {
      if (!kinds.has(mid)) throw new MediaRefusal(MEDIA_CODES.badParams, `invalid params: kinds names mid ${mid}, which the offer does not send`);
    }
    for (const kind of new Set(kinds.values())) {
      const refusal = publishRefusal(s.member, s.caps, kind);
      if (refusal) throw new MediaRefusal(MEDIA_CODES.forbidden, refusal);
    }
    const cm = this.#state(call);
    const id = s.id;
    return this.#run(cm, async () => {
      // Checked again in turn: the member may have left or lost a grant while this waited.
      const current = cm.call.members.get(id);
      if (!current) throw new MediaRefusal(MEDIA_CODES.forbidden, 'not in a call: join first');
      for (const kind of new Set(kinds.values())) {
        const refusal = publishRefusal(current.member, current.caps, kind);
        if (refusal) throw new MediaRefusal(MEDIA_CODES.forbidden, refusal);
      }
      const room = await cm.room;
      const mm = this.#member(cm, id);
      const descriptions = [...kinds].map(([mid, kind]) => ({ mid, description: kind }));
      let answer: Jsep;
      if (mm.pub) {
        answer = await cm.sfu.republish(mm.pub.handle, offer, descriptions);
        mm.pub.kinds = kinds;
        for (const mid of [...mm.pub.muted.keys()]) if (!kinds.has(mid)) mm.pub.muted.delete(mid);
      } else {
        const handle = await cm.sfu.attach();
        try {
          const published = await cm.sfu.publish(handle, room, id, offer, descriptions);
          mm.pub = { handle, feed: published.feed, kinds, muted: new Map(), active: false };
          answer = published.answer;
          this.#watch(cm, id, handle, 'publish');
        } catch (error) {
          await cm.sfu.detach(handle);
          throw error;
        }
      }
      // Before the answer leaves: nothing may flow that the member may not send now.
      const now = cm.call.members.get(id);
      if (now) await this.#moderate(cm, mm.pub, now);
      await this.#reconcileReceivers(cm);
      return { jsep: scrub(answer), streams: [...kinds].map(([mid, kind]) => ({ mid, kind })) };
    });
  }

  async unpublish(call: LiveCall, s: Session): Promise<void> {
    const cm = this.#calls.get(call);
    if (!cm?.members.get(s.id)?.pub) return;
    const id = s.id;
    await this.#run(cm, async () => {
      // Asked for: the member is not told what it just did.
      await this.#dropPublisher(cm, id, false);
      await this.#reconcileReceivers(cm);
    });
  }

  /**
   * The member wants to receive: from now on its subscription follows what it
   * may receive (`media.offer`). Asked again, it starts over on a new
   * PeerConnection (a fresh offer), for a browser whose receiving one failed.
   */
  async subscribe(call: LiveCall, s: Session): Promise<void> {
    const cm = this.#state(call);
    const id = s.id;
    await this.#run(cm, async () => {
      if (!cm.call.members.has(id)) throw new MediaRefusal(MEDIA_CODES.forbidden, 'not in a call: join first');
      const mm = this.#member(cm, id);
      mm.receiving = true;
      const old = mm.sub;
      mm.sub = undefined;
      if (old) await cm.sfu.detach(old.handle);
      await cm.room;
      await this.#reconcileReceivers(cm);
    });
  }

  async unsubscribe(call: LiveCall, s: Session): Promise<void> {
    const cm = this.#calls.get(call);
    const mm = cm?.members.get(s.id);
    if (!cm || !mm) return;
    mm.receiving = false;
    await this.#run(cm, async () => {
      const sub = mm.sub;
      mm.sub = undefined;
      if (sub) await cm.sfu.detach(sub.handle);
    });
  }

  /** The browser's answer to the last `media.offer`. */
  async answer(call: LiveCall, s: Session, answer: Jsep): Promise<void> {
    const cm = this.#calls.get(call);
    const id = s.id;
    if (!cm?.members.get(id)?.sub) throw new MediaRefusal(MEDIA_CODES.conflict, 'conflict: no subscription offer to answer');
    await this.#run(cm, async () => {
      const sub = cm.members.get(id)?.sub;
      if (!sub) throw new MediaRefusal(MEDIA_CODES.conflict, 'conflict: the subscription ended');
      await cm.sfu.start(sub.handle, answer);
    });
  }

  /** ICE candidates of the member's publishing or receiving PeerConnection (null: end of candidates). */
  async trickle(call: LiveCall, s: Session, pc: 'publish' | 'subscribe', candidates: readonly (Record<string, unknown> | null)[]): Promise<void> {
    const mm = this.#calls.get(call)?.members.get(s.id);
    const handle = pc === 'publish' ? mm?.pub?.handle : mm?.sub?.handle;
    if (!handle) throw new MediaRefusal(MEDIA_CODES.conflict, `conflict: no ${pc === 'publish' ? 'publication' : 'subscription'} to trickle to`);
    const cm = this.#calls.get(call)!;
    // Not queued behind the call's work: candidates go straight to Janus.
    try {
      for (const candidate of candidates) await cm.sfu.trickle(handle, candidate);
    } catch (error) {
      throw refusalOf(error);
    }
  }

  /** What the SFU does for a call now (tests and diagnostics): its room and each member's streams. */
  async inspect(call: LiveCall | string): Promise<{
    server: number; room: SfuRoom;
    members: { member_id: string; feed?: number; published: { mid: string; kind: MediaKind; forwarded: boolean }[]; receiving: StreamInfo[] }[];
  } | null> {
    const cm = typeof call === 'string' ? [...this.#calls.values()].find((c) => c.call.room.name === call) : this.#calls.get(call);
    if (!cm) return null;
    return this.#run(cm, async () => ({
      server: cm.slot.index,
      room: await cm.room,
      members: [...cm.members].map(([id, mm]) => ({
        member_id: id,
        feed: mm.pub?.feed,
        published: [...(mm.pub?.kinds ?? [])].map(([mid, kind]) => ({ mid, kind, forwarded: !mm.pub!.muted.get(mid) })),
        receiving: mm.sub ? this.#describe(cm, mm.sub.streams) : [],
      })),
    }));
  }

  // ── Hooks from LiveCall ──────────────────────────────────────────────────────

  /** A member's record or flags changed: reconcile the call on the next turn (one pass for a burst of changes). */
  memberChanged(call: LiveCall, _s: Session): void {
    const cm = this.#calls.get(call);
    if (cm) this.#schedule(cm);
  }

  #schedule(cm: CallMedia): void {
    if (cm.gone || cm.scheduled) return;
    cm.scheduled = true;
    queueMicrotask(() => {
      cm.scheduled = false;
      void this.#run(cm, () => this.#reconcile(cm)).catch((error) => this.#report('reconcile', error));
    });
  }

  /** Background work that failed: logged, unless the server is closing or the Janus went away (already reported). */
  #report(what: string, error: unknown): void {
    if (this.#closed) return;
    const message = (error as Error)?.message ?? String(error);
    if (message.includes('restarted; publish and subscribe again')) return;
    this.log.error(`media: ${what}: ${message}`);
  }

  /** A member left (left, removed, ejected, expired): its handles are torn down. */
  memberRemoved(call: LiveCall, s: Session): void {
    const cm = this.#calls.get(call);
    const mm = cm?.members.get(s.id);
    if (!cm || !mm) return;
    const id = s.id;
    mm.receiving = false;
    void this.#run(cm, async () => {
      await this.#dropPublisher(cm, id, false);
      const sub = mm.sub;
      mm.sub = undefined;
      cm.members.delete(id);
      if (sub) await cm.sfu.detach(sub.handle);
      await this.#reconcileReceivers(cm);
    }).catch((error) => this.#report(`teardown of ${id}`, error));
  }

  /** The call ended or was disposed: every handle is detached and its room destroyed. */
  callEnded(call: LiveCall): void {
    const cm = this.#calls.get(call);
    if (!cm) return;
    this.#calls.delete(call);
    void this.#run(cm, async () => {
      cm.gone = true;
      const handles = [...cm.members.values()].flatMap((mm) => [mm.pub?.handle, mm.sub?.handle]).filter((h): h is VideoRoomHandle => !!h);
      cm.members.clear();
      await Promise.all(handles.map((h) => cm.sfu.detach(h)));
      await cm.sfu.destroyRoom(await cm.room);
    }).catch((error) => this.#report(`closing the room of ${call.room.name}`, error));
  }

  // ── Reconciliation ───────────────────────────────────────────────────────────

  async #reconcile(cm: CallMedia): Promise<void> {
    for (const [id, mm] of [...cm.members]) {
      const s = cm.call.members.get(id);
      if (!mm.pub) continue;
      if (!s) await this.#dropPublisher(cm, id, false);
      else if (!s.member.permissions.hasPresence) await this.#dropPublisher(cm, id, true, 'presence');
      else await this.#moderate(cm, mm.pub, s);
    }
    await this.#reconcileReceivers(cm);
  }

  /** Moderates each stream of a publisher on or off by what it may send now. */
  async #moderate(cm: CallMedia, pub: Publisher, s: Session): Promise<void> {
    const room = await cm.room;
    await Promise.all([...pub.kinds].map(async ([mid, kind]) => {
      const mute = !forwards(s.member, s.caps, kind);
      if (pub.muted.get(mid) === mute) return;
      await cm.sfu.moderate(room, pub.feed, mid, mute);
      pub.muted.set(mid, mute);
    }));
  }

  /** Ends a publication: the handle leaves, so Janus ends every subscription to it. */
  async #dropPublisher(cm: CallMedia, id: string, tell = true, reason = 'unpublished'): Promise<void> {
    const mm = cm.members.get(id);
    const pub = mm?.pub;
    if (!pub) return;
    mm.pub = undefined;
    await cm.sfu.detach(pub.handle);
    if (tell) cm.call.members.get(id)?.notify('media.unpublished', { reason });
  }

  /** Brings every receiving member's subscription to exactly what it may receive now. */
  async #reconcileReceivers(cm: CallMedia): Promise<void> {
    const room = await cm.room;
    const publishers = [...cm.members].filter(([, mm]) => mm.pub);
    await Promise.all([...cm.members].map(async ([id, mm]) => {
      const viewer = cm.call.members.get(id);
      if (!mm.receiving || !viewer) return;
      const wanted = new Map<string, { feed: number; mid: string }>();
      for (const [pid, pmm] of publishers) {
        const publisher = cm.call.members.get(pid);
        if (!publisher || !pmm.pub!.active) continue;
        for (const [mid, kind] of pmm.pub!.kinds) {
          if (delivers(viewer.member, publisher.member, kind)) wanted.set(key(pmm.pub!.feed, mid), { feed: pmm.pub!.feed, mid });
        }
      }
      const current = new Map<string, { feed: number; mid: string }>();
      for (const st of mm.sub?.streams ?? []) {
        if (st.active !== false && st.feed_id !== undefined && st.feed_mid !== undefined) current.set(key(st.feed_id, st.feed_mid), { feed: st.feed_id, mid: st.feed_mid });
      }
      const add = [...wanted].filter(([k]) => !current.has(k)).map(([, v]) => v);
      const remove = [...current].filter(([k]) => !wanted.has(k)).map(([, v]) => v);
      if (!add.length && !remove.length) return;
      let offer: Jsep | undefined;
      let streams: SubscriberStream[] | undefined;
      if (!mm.sub) {
        if (!add.length) return;
        const handle = await cm.sfu.attach();
        try {
          ({ offer, streams } = await cm.sfu.subscribe(handle, room, add));
        } catch (error) {
          await cm.sfu.detach(handle);
          throw error;
        }
        mm.sub = { handle, streams: streams ?? [] };
        this.#watch(cm, id, handle, 'subscribe');
      } else {
        ({ offer, streams } = await cm.sfu.update(mm.sub.handle, add, remove));
        if (streams) mm.sub.streams = streams;
      }
      if (offer) this.#offer(cm, id, offer);
    }));
  }

  /** The streams of a subscription as the browser sees them: mid, member, kind. */
  #describe(cm: CallMedia, streams: readonly SubscriberStream[]): StreamInfo[] {
    const byFeed = new Map<number, [string, Publisher]>();
    for (const [id, mm] of cm.members) if (mm.pub) byFeed.set(mm.pub.feed, [id, mm.pub]);
    const out: StreamInfo[] = [];
    for (const st of streams) {
      if (st.active === false || st.feed_id === undefined || st.feed_mid === undefined) continue;
      const owner = byFeed.get(st.feed_id);
      const kind = owner?.[1].kinds.get(st.feed_mid);
      if (owner && kind) out.push({ mid: st.mid, member_id: owner[0], kind });
    }
    return out;
  }

  #offer(cm: CallMedia, id: string, jsep: Jsep): void {
    const sub = cm.members.get(id)?.sub;
    cm.call.members.get(id)?.notify('media.offer', { jsep: scrub(jsep), streams: sub ? this.#describe(cm, sub.streams) : [] });
  }

  /** Janus' own events on a handle: its candidates, renegotiations it starts, a PeerConnection that went down. */
  #watch(cm: CallMedia, id: string, handle: VideoRoomHandle, pc: 'publish' | 'subscribe'): void {
    handle.on('handle_trickle', (candidate: Record<string, unknown>) => {
      cm.call.members.get(id)?.notify('media.trickle', { pc, candidate: candidate.completed ? null : candidate });
    });
    if (pc === 'publish') {
      handle.on('handle_webrtcup', () => {
        const pub = cm.members.get(id)?.pub;
        if (pub?.handle !== handle || pub.active) return;
        pub.active = true;
        this.#schedule(cm);
      });
      handle.on('handle_hangup', () => {
        const pub = cm.members.get(id)?.pub;
        if (pub?.handle !== handle) return;
        void this.#run(cm, async () => {
          if (cm.members.get(id)?.pub !== pub) return;
          await this.#dropPublisher(cm, id, true, 'hangup');
          await this.#reconcileReceivers(cm);
        }).catch((error) => this.#report('hangup', error));
      });
    }
    if (pc === 'subscribe') {
      // The receiving PeerConnection went down: the subscription ends; the browser subscribes again when it wants.
      handle.on('handle_hangup', () => {
        const mm = cm.members.get(id);
        if (mm?.sub?.handle !== handle) return;
        mm.sub = undefined;
        mm.receiving = false;
        void cm.sfu.detach(handle);
        cm.call.members.get(id)?.notify('media.unsubscribed', { reason: 'hangup' });
      });
      handle.on('videoroom_updated', (data: { jsep?: Jsep; streams?: SubscriberStream[] }) => {
        const sub = cm.members.get(id)?.sub;
        if (!sub || sub.handle !== handle) return;
        if (data.streams) sub.streams = data.streams;
        if (data.jsep) this.#offer(cm, id, data.jsep);
      });
    }
  }
}
