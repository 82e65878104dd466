/**
 * Browser media for a reference-server {@link Call}: one sending
 * RTCPeerConnection (camera, microphone, screen) and one receiving
 * RTCPeerConnection, negotiated with the server over the call's WebSocket
 * (`media.*`, see the README's protocol section). DOM APIs (WebRTC,
 * getUserMedia), no elements and no lit.
 *
 * What it captures follows the server's record of the local member and its
 * capabilities, so the call-controls toggles drive it and a grant alone starts
 * nothing:
 * - a kind is published (a sending section) while it is granted
 *   (`self.mute.audio.off`, `self.mute.video.off`, `screenshare`);
 * - its device is captured and sent only while the member's record has it on
 *   (`audio_muted: false`, `video_muted: false`, `screenshare: true`); on mute
 *   the sender's track is replaced with null and the device released;
 * - a revoked kind keeps its section, with no track (the server moderates it
 *   at the SFU in any case); the next renegotiation leaves it out.
 */
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { can, NO_CAPABILITIES, sameValue, type CallCapabilitiesState } from '../core/capabilities.js';
import {
  type Call, type CallMedia, type ConnectionState, type DeviceKind, type MediaSignalling, type MediaState, type Member, type MemberTracks,
} from '../core/call.js';

/** A kind a browser publishes, as the server names it. */
export type PublishKind = 'audio' | 'video' | 'screenVideo';

/** A mid of the receiving PeerConnection: whose media and which kind (`media.offer`'s `streams`). */
export interface ReceivedStream {
  readonly mid: string;
  readonly member_id: string;
  readonly kind: 'audio' | 'video' | 'screenVideo' | 'screenAudio';
}

export interface MediaOptions {
  /** The RTCPeerConnection configuration (ICE servers…); the defaults suit the embedded Janus. */
  rtcConfiguration?: RTCConfiguration;
  /** Captures the camera or microphone; defaults to `navigator.mediaDevices.getUserMedia`. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Captures a screen; defaults to `navigator.mediaDevices.getDisplayMedia`. */
  getDisplayMedia?: (options: DisplayMediaStreamOptions) => Promise<MediaStream>;
  /** Delay before asking again after the server said media is unavailable (4503), doubling up to 60 s. Default 5000 ms. */
  retry?: number;
}

const SEND_FLAG: Readonly<Record<PublishKind, string>> = { audio: 'self.mute.audio.off', video: 'self.mute.video.off', screenVideo: 'screenshare' };
const TRACK_KIND: Readonly<Record<ReceivedStream['kind'], keyof MemberTracks>> = { audio: 'audio', video: 'video', screenVideo: 'screen', screenAudio: 'screenAudio' };
const KINDS: readonly PublishKind[] = ['audio', 'video', 'screenVideo'];
const UNAVAILABLE = 4503;

/** A value that replays its current state and emits only when it changed by value. */
class Value<T> {
  readonly #subject: BehaviorSubject<T>;
  constructor(value: T, readonly byValue = true) {
    this.#subject = new BehaviorSubject(value);
  }
  get $(): Observable<T> {
    return this.#subject.asObservable();
  }
  get value(): T {
    return this.#subject.value;
  }
  set(value: T): void {
    if (this.byValue ? !sameValue(value, this.#subject.value) : value !== this.#subject.value) this.#subject.next(value);
  }
}

/** The sending side: its PeerConnection, a transceiver per kind, the kinds the server accepted. */
interface Publication {
  readonly pc: RTCPeerConnection;
  readonly tx: Partial<Record<PublishKind, RTCRtpTransceiver>>;
  /** The kinds of the last accepted offer. */
  kinds: PublishKind[];
  /** Whether the server has the publication (candidates may go to it). */
  live: boolean;
  candidates: (RTCIceCandidateInit | null)[];
}

/** The receiving side: its PeerConnection and what each of its mids carries. */
interface Reception {
  readonly pc: RTCPeerConnection;
  streams: readonly ReceivedStream[];
  answered: boolean;
  candidates: (RTCIceCandidateInit | null)[];
}

/**
 * The media of one call. Create it with {@link withMedia}, which also sets
 * `call.media`. It starts at once and stops when the call is left.
 */
export class BrowserMedia implements CallMedia {
  readonly #state = new Value<MediaState>('off');
  readonly #streams = new Value<ReadonlyMap<string, MemberTracks>>(new Map(), false);
  readonly #local = new Value<MemberTracks>({}, false);
  readonly #preview = new Value<MediaStream | null>(null, false);
  readonly #devices = new Value<readonly MediaDeviceInfo[]>([], false);
  readonly #selected = new Value<Readonly<Record<DeviceKind, string>>>({ audioinput: '', videoinput: '', audiooutput: '' });
  readonly state$ = this.#state.$;
  readonly streams$ = this.#streams.$;
  readonly local$ = this.#local.$;
  readonly preview$ = this.#preview.$;
  readonly devices$ = this.#devices.$;
  readonly selected$ = this.#selected.$;

  readonly #call: Call & MediaSignalling;
  readonly #options: MediaOptions;
  readonly #subscriptions: Subscription[] = [];
  #self: Member | null = null;
  #caps: CallCapabilitiesState = NO_CAPABILITIES;
  #connection: ConnectionState = 'connecting';
  #pub: Publication | null = null;
  #sub: Reception | null = null;
  /** The local tracks by kind. */
  #tracks: Partial<Record<PublishKind, MediaStreamTrack>> = {};
  /** Kinds whose capture failed (no device, permission refused): not retried until the member turns them off and on. */
  #failed = new Set<PublishKind>();
  #retryDelay = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #dirty = false;
  #stopped = false;
  /** Ask the server again although media was unavailable (the retry timer fired). */
  #probe = false;

  constructor(call: Call & MediaSignalling, options: MediaOptions = {}) {
    this.#call = call;
    this.#options = options;
    this.#subscriptions.push(
      call.self$.subscribe((self) => {
        this.#self = self;
        this.#schedule();
      }),
      call.capabilities.state$.subscribe((caps) => {
        this.#caps = caps;
        this.#schedule();
      }),
      call.connection$.subscribe((connection) => this.#onConnection(connection)),
      call.left$.subscribe((reason) => reason && this.stop()),
      call.signals$.subscribe(({ method, params }) => this.#onSignal(method, params)),
    );
    const devices = globalThis.navigator?.mediaDevices;
    if (devices?.addEventListener) {
      const refresh = () => void this.#refreshDevices();
      devices.addEventListener('devicechange', refresh);
      this.#subscriptions.push({ unsubscribe: () => devices.removeEventListener('devicechange', refresh) } as Subscription);
      refresh();
    }
  }

  async selectDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    this.#selected.set({ ...this.#selected.value, [kind]: deviceId });
    if (kind === 'audiooutput') return;
    const type: PublishKind = kind === 'audioinput' ? 'audio' : 'video';
    const old = this.#tracks[type];
    if (!old) return;
    // A live track is swapped for one from the new device, on the same sender: no renegotiation.
    const track = await this.#capture(type);
    if (!track || this.#stopped) return track?.stop();
    this.#tracks[type] = track;
    old.stop();
    await this.#pub?.tx[type]?.sender.replaceTrack(track);
    this.#emitLocal();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#connection === 'connected' && this.#self) {
      if (this.#pub) this.#call.signal('media.unpublish', {}).catch(() => {});
      if (this.#sub) this.#call.signal('media.unsubscribe', {}).catch(() => {});
    }
    clearTimeout(this.#retryTimer);
    for (const s of this.#subscriptions) s.unsubscribe();
    for (const kind of KINDS) this.#release(kind);
    this.#closePublication();
    this.#closeSubscription();
    this.#emitLocal();
    this.#state.set('off');
  }

  // ── What drives it ─────────────────────────────────────────────────────────

  #onConnection(connection: ConnectionState): void {
    const was = this.#connection;
    this.#connection = connection;
    if (connection === 'closed') return this.stop();
    // Back after a lost link: the server may have let the old handles go (a new
    // member) or kept them (a resume); either way, start over on new PeerConnections.
    if (connection === 'connected' && was === 'reconnecting') this.#restart(true);
    this.#schedule();
  }

  #onSignal(method: string, params: any): void {
    if (this.#stopped) return;
    switch (method) {
      case 'media.offer':
        // The receiving side takes its own turns: an offer never waits for a capture or a publish.
        this.#receiving = this.#receiving.then(() => (this.#stopped ? undefined : this.#answer(params.jsep, params.streams ?? []))).catch((e) => this.#failedWith(e));
        break;
      case 'media.trickle': {
        const pc = params.pc === 'publish' ? this.#pub?.pc : this.#sub?.pc;
        pc?.addIceCandidate(params.candidate ?? undefined).catch(() => {});
        break;
      }
      case 'media.unpublished':
        this.#closePublication();
        this.#schedule();
        break;
      case 'media.unsubscribed':
        this.#closeSubscription();
        this.#schedule();
        break;
      case 'media.reset':
        this.#restart(false);
        break;
    }
  }

  /** Starts over: new PeerConnections, published and subscribed again. */
  #restart(unpublish: boolean): void {
    const had = !!this.#pub;
    this.#closePublication();
    this.#closeSubscription();
    clearTimeout(this.#retryTimer);
    this.#retryDelay = 0;
    if (this.#state.value === 'unavailable') this.#probe = true;
    if (unpublish && had) void this.#enqueue(() => this.#call.signal('media.unpublish', {}).catch(() => {}));
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#dirty = true;
    if (!this.#running) this.#running = this.#loop();
  }

  /** Runs `sync` until nothing changed while it ran; offers and other work take turns with it. */
  async #loop(): Promise<void> {
    await Promise.resolve();
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      await this.#enqueue(() => this.#sync());
    }
    this.#running = null;
  }

  #queue: Promise<unknown> = Promise.resolve();
  #receiving: Promise<unknown> = Promise.resolve();

  #enqueue<T>(task: () => Promise<T>): Promise<T | undefined> {
    const run = this.#queue.then(() => (this.#stopped ? undefined : task())).catch((error) => this.#failedWith(error));
    this.#queue = run;
    return run as Promise<T | undefined>;
  }

  #failedWith(error: unknown): undefined {
    // By its code, not its class: the client may come from another bundle (the classic scripts).
    if ((error as { code?: unknown } | null)?.code === UNAVAILABLE) {
      // Fail closed: no media server, nothing is sent or received; ask again later.
      this.#closePublication();
      this.#closeSubscription();
      this.#state.set('unavailable');
      this.#schedule();
      this.#retryDelay = Math.min(60_000, this.#retryDelay ? this.#retryDelay * 2 : this.#options.retry ?? 5000);
      clearTimeout(this.#retryTimer);
      // The state stays `unavailable` while it asks again (no flicker in the UI).
      this.#retryTimer = setTimeout(() => {
        this.#probe = true;
        this.#schedule();
      }, this.#retryDelay);
    }
    // Other refusals (a grant lost while an offer was on its way, a lost link) are
    // retried at the next change of the member, its capabilities or the connection.
    return undefined;
  }

  /** The member may publish `kind` now. */
  #granted(kind: PublishKind): boolean {
    return !!this.#self?.permissions?.hasPresence && can(this.#caps, SEND_FLAG[kind]);
  }

  /** The member's own record has `kind` on (unmuted, camera on, sharing). */
  #on(kind: PublishKind): boolean {
    const self = this.#self;
    if (!self) return false;
    return kind === 'audio' ? !self.audio_muted : kind === 'video' ? !self.video_muted : self.screenshare;
  }

  /**
   * Brings the captured devices and the PeerConnections to what the member's
   * state and grants ask for. Without media on the server (4503) the devices
   * still follow the toggles (the local tile shows the camera), but nothing is
   * sent and nothing is received.
   */
  async #sync(): Promise<void> {
    if (this.#connection !== 'connected' || !this.#self) return;
    const media = this.#state.value !== 'unavailable' || this.#probe;
    this.#probe = false;
    if (media && this.#state.value === 'off') this.#state.set('connecting');
    if (media && !this.#sub) await this.#subscribe();

    // Devices: captured while granted and on; released otherwise.
    for (const kind of KINDS) {
      const wanted = this.#granted(kind) && this.#on(kind);
      if (!wanted) {
        this.#failed.delete(kind);
        this.#release(kind);
      } else if (!this.#tracks[kind] && !this.#failed.has(kind)) {
        const track = await this.#capture(kind);
        if (this.#stopped) return track?.stop();
        if (track) this.#tracks[kind] = track;
        else if (kind === 'screenVideo') await this.#call.stopScreenshare().catch(() => {});
        else this.#failed.add(kind);
      }
    }
    this.#emitLocal();
    if (!media) return;

    // Sections: every granted kind (a screen only while shared); renegotiated when that set changes.
    const kinds = KINDS.filter((kind) => this.#granted(kind) && (kind !== 'screenVideo' || this.#tracks.screenVideo));
    const pub = this.#pub;
    if (!kinds.length) {
      if (pub) {
        this.#closePublication();
        await this.#call.signal('media.unpublish', {});
      }
    } else if (!pub || kinds.some((kind) => !pub.kinds.includes(kind)) || pub.kinds.includes('screenVideo') !== kinds.includes('screenVideo')) {
      await this.#publish(kinds);
    }
    // Tracks onto their senders (null when off or revoked: nothing is sent).
    for (const kind of KINDS) {
      const sender = this.#pub?.tx[kind]?.sender;
      const track = this.#granted(kind) ? this.#tracks[kind] ?? null : null;
      if (sender && sender.track !== track) await sender.replaceTrack(track);
    }
    this.#retryDelay = 0;
    this.#state.set('on');
  }

  // ── Publishing ─────────────────────────────────────────────────────────────

  async #publish(kinds: PublishKind[]): Promise<void> {
    let pub = this.#pub;
    if (!pub) {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', ...this.#options.rtcConfiguration });
      pub = this.#pub = { pc, tx: {}, kinds: [], live: false, candidates: [] };
      const self = pub;
      pc.onicecandidate = ({ candidate }) => this.#trickle('publish', self, candidate);
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed' && this.#pub === self) this.#restart(true);
      };
    }
    for (const kind of KINDS) {
      const want = kinds.includes(kind);
      let tx = pub.tx[kind];
      if (!tx && want) tx = pub.tx[kind] = pub.pc.addTransceiver(kind === 'audio' ? 'audio' : 'video', { direction: 'sendonly' });
      if (tx) tx.direction = want ? 'sendonly' : 'inactive';
    }
    const offer = await pub.pc.createOffer();
    await pub.pc.setLocalDescription(offer);
    const screen = pub.tx.screenVideo;
    const declared = screen?.mid && kinds.includes('screenVideo') ? { [screen.mid]: 'screenVideo' } : undefined;
    const result = await this.#call.signal('media.publish', { jsep: { type: 'offer', sdp: pub.pc.localDescription!.sdp }, kinds: declared });
    if (this.#pub !== pub) return;
    await pub.pc.setRemoteDescription(result.jsep);
    pub.kinds = kinds;
    if (!pub.live) {
      pub.live = true;
      this.#flush('publish', pub);
    }
  }

  #closePublication(): void {
    const pub = this.#pub;
    this.#pub = null;
    if (pub) pub.pc.close();
  }

  // ── Receiving ──────────────────────────────────────────────────────────────

  /** A new receiving PeerConnection, then `media.subscribe` (asked again, the server starts over with a fresh offer). */
  async #subscribe(): Promise<void> {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', ...this.#options.rtcConfiguration });
    const sub: Reception = (this.#sub = { pc, streams: [], answered: false, candidates: [] });
    pc.onicecandidate = ({ candidate }) => this.#trickle('subscribe', sub, candidate);
    pc.ontrack = () => this.#emitStreams();
    await this.#call.signal('media.subscribe', {});
  }

  /** Answers the server's offer for the receiving PeerConnection; `streams` says whose media each mid carries. */
  async #answer(jsep: RTCSessionDescriptionInit, streams: readonly ReceivedStream[]): Promise<void> {
    // Offers come only after media.subscribe, which made the PeerConnection; one
    // without it is for a subscription already ended (media.unsubscribed).
    const sub = this.#sub;
    if (!sub) return;
    await sub.pc.setRemoteDescription(jsep);
    await sub.pc.setLocalDescription(await sub.pc.createAnswer());
    sub.streams = streams;
    this.#emitStreams();
    await this.#call.signal('media.answer', { jsep: { type: 'answer', sdp: sub.pc.localDescription!.sdp } });
    if (this.#sub === sub && !sub.answered) {
      sub.answered = true;
      this.#flush('subscribe', sub);
    }
  }

  #closeSubscription(): void {
    const sub = this.#sub;
    this.#sub = null;
    if (!sub) return;
    sub.pc.close();
    this.#emitStreams();
  }

  #emitStreams(): void {
    const out = new Map<string, MemberTracks>();
    const sub = this.#sub;
    if (sub) {
      const byMid = new Map(sub.pc.getTransceivers().map((t) => [t.mid, t]));
      for (const { mid, member_id, kind } of sub.streams) {
        const track = byMid.get(mid)?.receiver.track;
        if (!track) continue;
        out.set(member_id, { ...out.get(member_id), [TRACK_KIND[kind]]: track });
      }
    }
    this.#streams.set(out);
  }

  // ── ICE ────────────────────────────────────────────────────────────────────

  /** A local candidate: sent at once when the server has the PeerConnection's handle, else held until it does. */
  #trickle(pc: 'publish' | 'subscribe', side: Publication | Reception, candidate: RTCIceCandidate | null): void {
    const init = candidate && candidate.candidate ? candidate.toJSON() : null;
    const ready = 'live' in side ? side.live : side.answered;
    if (!ready) return void side.candidates.push(init);
    if (side === this.#pub || side === this.#sub) this.#call.signal('media.trickle', { pc, candidate: init }).catch(() => {});
  }

  #flush(pc: 'publish' | 'subscribe', side: Publication | Reception): void {
    const held = side.candidates.splice(0);
    for (let i = 0; i < held.length; i += 32) {
      this.#call.signal('media.trickle', { pc, candidates: held.slice(i, i + 32) }).catch(() => {});
    }
  }

  // ── Devices ────────────────────────────────────────────────────────────────

  async #capture(kind: PublishKind): Promise<MediaStreamTrack | undefined> {
    const devices = globalThis.navigator?.mediaDevices;
    try {
      if (kind === 'screenVideo') {
        const display = this.#options.getDisplayMedia ?? devices?.getDisplayMedia?.bind(devices);
        const track = (await display?.({ video: true, audio: false }))?.getVideoTracks()[0];
        // The browser's own "Stop sharing" ends the share for everyone.
        track?.addEventListener('ended', () => {
          if (this.#tracks.screenVideo === track) void this.#call.stopScreenshare().catch(() => {});
        });
        return track;
      }
      const gum = this.#options.getUserMedia ?? devices?.getUserMedia?.bind(devices);
      const id = this.#selected.value[kind === 'audio' ? 'audioinput' : 'videoinput'];
      const constraints: MediaTrackConstraints | boolean = id ? { deviceId: { exact: id } } : true;
      const stream = await gum?.(kind === 'audio' ? { audio: constraints } : { video: constraints });
      void this.#refreshDevices();
      return kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
    } catch {
      return undefined; // no device, or the user said no: nothing is sent
    }
  }

  #release(kind: PublishKind): void {
    const track = this.#tracks[kind];
    if (!track) return;
    delete this.#tracks[kind];
    track.stop();
    const sender = this.#pub?.tx[kind]?.sender;
    if (sender?.track === track) void sender.replaceTrack(null).catch(() => {});
  }

  #emitLocal(): void {
    const t = this.#tracks;
    const local = { audio: t.audio, video: t.video, screen: t.screenVideo };
    const was = this.#local.value;
    if (was.audio === local.audio && was.video === local.video && was.screen === local.screen) return;
    this.#local.set(local);
    if (was.video !== local.video) this.#preview.set(local.video ? new MediaStream([local.video]) : null);
  }

  async #refreshDevices(): Promise<void> {
    try {
      this.#devices.set((await globalThis.navigator?.mediaDevices?.enumerateDevices?.()) ?? []);
    } catch {
      // No device list (an insecure origin): none.
    }
  }
}

/**
 * Adds media to a reference-server call (`connect()`'s `CallClient`, or any
 * `Call` that carries {@link MediaSignalling}): sets `call.media` and returns
 * it. Adding it twice returns the same media.
 */
export function withMedia<C extends Call & MediaSignalling>(call: C, options?: MediaOptions): C & { media: CallMedia } {
  if (!call.media) call.media = new BrowserMedia(call, options);
  return call as C & { media: CallMedia };
}
