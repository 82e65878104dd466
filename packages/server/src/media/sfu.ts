/**
 * The SFU facade: one Janus (embedded or already running) seen through
 * janode's VideoRoom handles. One VideoRoom per live call, created with a
 * secret and a pin that only the server knows; per member a publisher handle
 * and one multistream subscriber handle. Everything the rest of the server
 * needs from Janus is here: publish, subscribe and update, trickle, and the
 * enforcement primitives `moderate`, `unpublish`, `kick` and `destroyRoom`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Janode from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import type { Connection, Jsep, Session, VideoRoomHandle } from './janode-types.js';

// janode logs to the console by default; the server reports what matters itself.
Janode.Logger.setLevel('none');

export type { Jsep, SubscriberStream, VideoRoomHandle } from './janode-types.js';

/** How to reach one Janus. */
export interface JanusServerOptions {
  /** Its WebSocket API, e.g. `ws://127.0.0.1:8188`. */
  readonly url: string;
  /** Its `api_secret`, if it has one. */
  readonly apiSecret?: string;
  /** The VideoRoom plugin's `admin_key`, if room creation is guarded. */
  readonly adminKey?: string;
}

/** A VideoRoom of one call. */
export interface SfuRoom {
  readonly id: number;
  readonly secret: string;
  readonly pin: string;
}

/** A Janus refused or failed a request. */
export class JanusError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

const TIMEOUT = 5000;

/** Rejects if `promise` takes longer than `ms` (janode's requests have no deadline of their own). */
function deadline<T>(promise: Promise<T>, what: string, ms = TIMEOUT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JanusError(`Janus did not answer ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** janode errors read "<code> <reason>". */
function janusError(error: unknown, what: string): JanusError {
  if (error instanceof JanusError) return error;
  const message = (error as Error)?.message ?? String(error);
  const code = Number(/^(\d+) /.exec(message)?.[1]);
  return new JanusError(`${what}: ${message}`, Number.isFinite(code) ? code : undefined);
}

async function call<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await deadline(promise, what);
  } catch (error) {
    throw janusError(error, what);
  }
}

/**
 * One Janus: a connection, a session and a manager handle for room
 * administration. Emits `lost` (once) when the connection drops; handles
 * die with it, and the owner connects a new `Sfu`.
 */
export class Sfu extends EventEmitter {
  #lost = false;
  /** How many rooms this Janus holds (the default placement picks the least loaded). */
  rooms = 0;

  private constructor(
    readonly options: JanusServerOptions,
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly manager: VideoRoomHandle,
  ) {
    super();
    const lose = () => {
      if (this.#lost) return;
      this.#lost = true;
      this.emit('lost');
    };
    connection.once(Janode.EVENT.CONNECTION_ERROR, lose);
    connection.once(Janode.EVENT.CONNECTION_CLOSED, lose);
    session.once(Janode.EVENT.SESSION_DESTROYED, lose);
  }

  get lost(): boolean {
    return this.#lost;
  }

  static async connect(options: JanusServerOptions): Promise<Sfu> {
    const connection = await call(
      Janode.connect({ address: { url: options.url, apisecret: options.apiSecret }, max_retries: 0, retry_time_secs: 1 }),
      `connecting to ${options.url}`,
    );
    try {
      const session = await call(connection.create(15), 'create');
      const manager = await call(session.attach(VideoRoomPlugin), 'attach');
      return new Sfu(options, connection, session, manager);
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  /** Closes the connection (Janus then frees the session, its handles and, when asked first, its rooms). */
  async close(): Promise<void> {
    this.#lost = true;
    await this.session.destroy().catch(() => {});
    await this.connection.close().catch(() => {});
  }

  // ── Rooms ──────────────────────────────────────────────────────────────────

  /** A new private VideoRoom with a secret and a pin only the server knows. */
  async createRoom(description: string): Promise<SfuRoom> {
    const room: SfuRoom = { id: randomInt(1, 2 ** 47), secret: token(), pin: token() };
    await call(this.manager.create({
      room: room.id,
      description: description.slice(0, 64),
      secret: room.secret,
      pin: room.pin,
      admin_key: this.options.adminKey,
      is_private: true,
      permanent: false,
      max_publishers: 100,
      notify_joining: false,
      talking_events: false,
    }), 'create room');
    this.rooms++;
    return room;
  }

  async destroyRoom(room: SfuRoom): Promise<void> {
    this.rooms = Math.max(0, this.rooms - 1);
    if (this.#lost) return;
    await call(this.manager.destroy({ room: room.id, secret: room.secret }), 'destroy room');
  }

  /** Janus' own list of a room's participants (for tests and diagnostics). */
  async participants(room: SfuRoom): Promise<{ feed: number; display?: string; publisher: boolean }[]> {
    return (await call(this.manager.listParticipants({ room: room.id, secret: room.secret }), 'listparticipants')).participants;
  }

  // ── Enforcement ────────────────────────────────────────────────────────────

  /** Stops (`mute`) or resumes forwarding one stream of a publisher, whatever its browser sends. */
  async moderate(room: SfuRoom, feed: number, mid: string, mute: boolean): Promise<void> {
    await call(this.manager.message({ request: 'moderate', room: room.id, secret: room.secret, id: feed, mid, mute }), 'moderate');
  }

  /** Throws a participant out of the room (its handles stay, joined nowhere). */
  async kick(room: SfuRoom, feed: number): Promise<void> {
    await call(this.manager.kick({ room: room.id, feed, secret: room.secret }), 'kick');
  }

  // ── Handles ────────────────────────────────────────────────────────────────

  async attach(): Promise<VideoRoomHandle> {
    return call(this.session.attach(VideoRoomPlugin), 'attach');
  }

  /** Joins a publisher and hands Janus the browser's offer; resolves with the feed id and Janus' answer. */
  async publish(handle: VideoRoomHandle, room: SfuRoom, display: string, offer: Jsep, descriptions: { mid: string; description: string }[]) {
    const joined = await call(handle.joinConfigurePublisher({
      room: room.id, pin: room.pin, feed: randomInt(1, 2 ** 47), display, jsep: offer, descriptions,
    }), 'publish');
    if (!joined.jsep) throw new JanusError('publish: Janus sent no answer');
    return { feed: joined.feed, answer: joined.jsep };
  }

  /** A new offer from a publisher already in the room (a track added or removed). */
  async republish(handle: VideoRoomHandle, offer: Jsep, descriptions: { mid: string; description: string }[]): Promise<Jsep> {
    const configured = await call(handle.configure({ jsep: offer, descriptions }), 'configure');
    if (!configured.jsep) throw new JanusError('configure: Janus sent no answer');
    return configured.jsep;
  }

  /** Starts a multistream subscription to `streams`; resolves with Janus' offer. */
  async subscribe(handle: VideoRoomHandle, room: SfuRoom, streams: { feed: number; mid: string }[]) {
    const joined = await call(handle.joinSubscriber({ room: room.id, pin: room.pin, streams, use_msid: true }), 'subscribe');
    return { offer: joined.jsep, streams: joined.streams ?? [] };
  }

  /** Adds and removes streams of a subscription; resolves with Janus' new offer, if it renegotiates. */
  async update(handle: VideoRoomHandle, subscribe: { feed: number; mid: string }[], unsubscribe: { feed: number; mid: string }[]) {
    // Janus refuses an empty list (430), so an empty side is left out.
    const updated = await call(handle.update({
      subscribe: subscribe.length ? subscribe : undefined,
      unsubscribe: unsubscribe.length ? unsubscribe : undefined,
    }), 'update');
    return { offer: updated.jsep, streams: updated.streams };
  }

  /** The browser's answer to a subscription offer. */
  async start(handle: VideoRoomHandle, answer: Jsep): Promise<void> {
    await call(handle.start({ jsep: answer }), 'start');
  }

  async trickle(handle: VideoRoomHandle, candidate: unknown): Promise<void> {
    await call(candidate ? handle.trickle(candidate) : handle.trickleComplete(), 'trickle');
  }

  /** Leaves and frees a handle: its PeerConnection closes, and for a publisher every subscription to it ends. */
  async detach(handle: VideoRoomHandle): Promise<void> {
    if (this.#lost) return;
    await deadline(handle.detach(), 'detach').catch(() => {});
  }
}

const token = () => randomBytes(18).toString('base64url');

