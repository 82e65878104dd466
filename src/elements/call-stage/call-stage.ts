import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { MediaState, Member, MemberTracks, RoomState } from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { audioLevel$ } from '../../media/audio-level.js';
import { CallcapsElement } from '../shared/callcaps-element.js';
import type { Plural } from '../shared/locale.js';
import { COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './call-stage.styles.js';

/** Every user-visible string of `<call-stage>`. */
export interface CallStageStrings extends CommonStrings {
  /** Accessible name of the list of tiles. */
  participants: string;
  /** The local participant's own tile; `{name}`. */
  you: string;
  /** A screen share's tile; `{name}`. */
  presenting: string;
  owner: string;
  muted: string;
  micOn: string;
  handRaised: string;
  speaking: string;
  /** The local participant has no presence: nobody else sees it. */
  hidden: string;
  /** A member whose connection dropped and may come back. */
  memberReconnecting: string;
  /** Pin button (speaker layout); `{name}`. */
  pin: string;
  /** Status when the server has no media: only names and avatars. */
  mediaUnavailable: string;
  /** The last tile when there are more members than `max-tiles`: how many have no tile, `{count}`. */
  more: Plural;
}

export const CALL_STAGE_STRINGS: CallStageStrings = {
  ...COMMON_STRINGS,
  participants: 'Participants',
  you: '{name} (you)',
  presenting: '{name} is presenting',
  owner: 'Owner',
  muted: 'Muted',
  micOn: 'Mic on',
  handRaised: '✋ Hand raised',
  speaking: 'Speaking',
  hidden: 'Hidden',
  memberReconnecting: 'Reconnecting…',
  pin: 'Pin {name}',
  mediaUnavailable: 'Audio and video are not available in this call.',
  more: { other: '+{count} more' },
};

/** The level (0…1, RMS) above which a member counts as speaking. */
const SPEAKING_LEVEL = 0.02;
/** How long a member stays "speaking" after its last loud sample, in milliseconds. */
const SPEAKING_HOLD = 600;

const NONE = new BehaviorSubject<never[]>([]);
const NO_TRACKS = new BehaviorSubject<ReadonlyMap<string, MemberTracks>>(new Map());
const NO_LOCAL = new BehaviorSubject<MemberTracks>({});
const NO_MEDIA = new BehaviorSubject<MediaState>('off');
const NULL = new BehaviorSubject<null>(null);

/** One MediaStream per track, so that a re-render never reloads a `<video>`. */
const streams = new WeakMap<MediaStreamTrack, MediaStream>();
const streamOf = (track: MediaStreamTrack): MediaStream => {
  let stream = streams.get(track);
  if (!stream) streams.set(track, (stream = new MediaStream([track])));
  return stream;
};

const initial = (name: string): string => (name || '?').trim().charAt(0).toUpperCase() || '?';

/**
 * The call itself: a tile per member the local participant may see, with
 * video or an avatar, and their screen shares as larger tiles.
 *
 * @tagname call-stage
 * @summary The call's tiles: video or avatar, name, muted, hand raised, reconnecting and speaking, screen shares larger, in the room's layout.
 *
 * Reads `call.participants$`, `self$`, `room$` and, when the page added media
 * (`callcaps/media`), `call.media` (received tracks, local tracks, state).
 * Members without presence get no tile (the local participant sees its own,
 * marked hidden), nor, while the room hides them (`vmuted_hidden`), members
 * whose camera is off. Remote audio plays through hidden `<audio>` elements on the
 * speaker chosen with `call.media.selectDevice('audiooutput', id)`. The
 * layout is the room's (`grid`, or a speaker layout for any other, such as
 * `speaker` and `sidebar`) unless the `layout` attribute overrides it.
 *
 * @csspart stage - The wrapper; `data-layout` is `grid` or `speaker`.
 * @csspart tiles - The list of member tiles.
 * @csspart tile - A member's tile; `data-member-id`, `data-speaking` while it speaks, `data-self` for the local participant.
 * @csspart more - The last tile when there are more members than `max-tiles`: "+4,975 more" (also `tile`).
 * @csspart screen-tile - A screen share's tile (larger, before the member tiles); `data-member-id`.
 * @csspart main - The main tile of the speaker layout (also `tile`).
 * @csspart video - A tile's video.
 * @csspart avatar - The initial shown without video.
 * @csspart name - A tile's name.
 * @csspart badges - The state badges of a tile.
 * @csspart badge - One badge (each also has its own part below).
 * @csspart owner - Badge: the member owns the room.
 * @csspart muted - Badge: the member's microphone is muted.
 * @csspart mic-on - Badge: the member's microphone is on.
 * @csspart hand - Badge: the member's hand is raised.
 * @csspart speaking - Badge: the member is speaking (from its audio level).
 * @csspart reconnecting - Badge: the member's connection dropped; the server keeps its place.
 * @csspart hidden - Badge on the local tile: without presence, nobody else sees you.
 * @csspart pin - In the speaker layout: makes a tile the main one (`aria-pressed`).
 * @csspart status - Why there is no audio or video (media unavailable).
 *
 * @cssproperty --call-stage-gap - Space between tiles (falls back to `--callcaps-gap`).
 * @cssproperty --call-stage-tile-min-width - Smallest tile width in the grid (11rem).
 * @cssproperty --call-stage-tile-background - Tile background without video (falls back to `--callcaps-control`).
 * @cssproperty --call-stage-speaking-color - Outline of a speaking member's tile (falls back to `--callcaps-accent`).
 * @cssproperty --callcaps-font - Font family of every element.
 * @cssproperty --callcaps-radius - Corner radius of tiles and controls.
 * @cssproperty --callcaps-gap - Space between tiles.
 * @cssproperty --callcaps-focus-ring - Colour of the keyboard focus ring.
 * @cssproperty --callcaps-surface - Background of badges.
 * @cssproperty --callcaps-on-surface - Text colour of badges and the status.
 * @cssproperty --callcaps-control - Background of tiles and the pin button.
 * @cssproperty --callcaps-on-control - Text colour on tiles.
 * @cssproperty --callcaps-accent - Avatars, the local tile's border, speaking.
 * @cssproperty --callcaps-on-accent - Text colour of avatars.
 * @cssproperty --callcaps-danger - Error text.
 * @cssproperty --callcaps-on-danger - Text on the danger colour.
 * @cssproperty --callcaps-border - Border of tiles and badges.
 */
export class CallStage extends CallcapsElement<CallStageStrings> {
  static override styles = [base, styles];

  readonly #participants = new ObservableController<readonly Member[]>(this, []);
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);
  readonly #remote = new ObservableController<ReadonlyMap<string, MemberTracks>>(this, new Map());
  readonly #local = new ObservableController<MemberTracks>(this, {});
  readonly #media = new ObservableController<MediaState>(this, 'off');
  readonly #output = new ObservableController<Readonly<Record<string, string>> | null>(this, null);

  /** Members speaking now. */
  @state() private _speaking: ReadonlySet<string> = new Set();
  /** The member pinned as the main tile of the speaker layout. */
  @state() private _pinned: string | null = null;

  /** `grid` or `speaker`: overrides the room's layout when set. */
  @property({ reflect: true }) layout?: string;

  /**
   * The most tiles shown (25 by default). With more members, the last tile
   * says how many more there are, and the tiles go to the main one and the
   * local participant, then to those sending video, those speaking, and
   * raised hands, then in call order: a room of thousands stays light.
   */
  @property({ type: Number, attribute: 'max-tiles' }) maxTiles = 25;

  protected override readonly _defaults = CALL_STAGE_STRINGS;
  protected override readonly _section = 'call-stage';

  /** Audio-level subscriptions by track, and when each member last spoke. */
  #levels = new Map<MediaStreamTrack, Subscription>();
  #spoke = new Map<string, number>();
  #lastSpeaker: string | null = null;
  #decay?: ReturnType<typeof setInterval>;

  protected override _bind(): void {
    super._bind();
    const call = this.call;
    const media = call?.media;
    this.#participants.source = call?.participants$ ?? NONE;
    this.#self.source = call?.self$ ?? NULL;
    this.#room.source = call?.room$ ?? NULL;
    this.#remote.source = media?.streams$ ?? NO_TRACKS;
    this.#local.source = media?.local$ ?? NO_LOCAL;
    this.#media.source = media?.state$ ?? NO_MEDIA;
    this.#output.source = (media?.selected$ as Observable<Readonly<Record<string, string>>> | undefined) ?? NULL;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const s of this.#levels.values()) s.unsubscribe();
    this.#levels.clear();
    clearInterval(this.#decay);
    this.#decay = undefined;
  }

  /**
   * The members with a tile: the local participant first, then those with
   * presence (without the video-muted ones while the room hides them).
   */
  get #members(): Member[] {
    const self = this.#self.value;
    const hideVmuted = !!this.#room.value?.vmuted_hidden;
    const others = this.#participants.value.filter(
      (m) => m.id !== self?.id && m.permissions?.hasPresence !== false && !(hideVmuted && m.video_muted && !m.screenshare),
    );
    return self ? [self, ...others] : others;
  }

  #tracks(member: Member): MemberTracks {
    return member.id === this.#self.value?.id ? this.#local.value : this.#remote.value.get(member.id) ?? {};
  }

  get #layout(): 'grid' | 'speaker' {
    const chosen = this.layout || this.#room.value?.layout || 'grid';
    return chosen === 'grid' ? 'grid' : 'speaker';
  }

  // ── Speaking, from the audio level of each member's audio ─────────────────

  #watchLevels(): void {
    const wanted = new Map<MediaStreamTrack, string>();
    for (const member of this.#members) {
      const audio = this.#tracks(member).audio;
      if (audio && !member.audio_muted && audio.readyState === 'live') wanted.set(audio, member.id);
    }
    for (const [track, sub] of this.#levels) {
      if (!wanted.has(track)) {
        sub.unsubscribe();
        this.#levels.delete(track);
      }
    }
    for (const [track, id] of wanted) {
      if (this.#levels.has(track)) continue;
      this.#levels.set(track, audioLevel$(track).subscribe((level) => {
        if (level < SPEAKING_LEVEL) return;
        this.#spoke.set(id, performance.now());
        this.#lastSpeaker = id;
        this.#refreshSpeaking();
      }));
    }
  }

  #refreshSpeaking(): void {
    const now = performance.now();
    const speaking = new Set([...this.#spoke].filter(([, t]) => now - t < SPEAKING_HOLD).map(([id]) => id));
    const same = speaking.size === this._speaking.size && [...speaking].every((id) => this._speaking.has(id));
    if (!same) this._speaking = speaking;
    if (speaking.size && !this.#decay) this.#decay = setInterval(() => this.#refreshSpeaking(), 200);
    if (!speaking.size && this.#decay) {
      clearInterval(this.#decay);
      this.#decay = undefined;
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.#watchLevels();
    const sink = this.#output.value?.audiooutput;
    if (sink !== undefined) {
      for (const audio of this.renderRoot.querySelectorAll('audio')) {
        const el = audio as HTMLAudioElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
        if (el.setSinkId && el.sinkId !== sink) el.setSinkId(sink).catch(() => {});
      }
    }
  }

  #pin(id: string): void {
    this._pinned = this._pinned === id ? null : id;
  }

  // ── Rendering ──────────────────────────────────────────────────────────────

  #badge(part: string, text: string): TemplateResult {
    return html`<span part="badge ${part}" class="badge">${text}</span>`;
  }

  #tile(member: Member, main: boolean, layout: string): TemplateResult {
    const t = this.t;
    const isSelf = member.id === this.#self.value?.id;
    const video = member.video_muted ? undefined : this.#tracks(member).video;
    const speaking = !member.audio_muted && this._speaking.has(member.id);
    const name = isSelf ? format(t.you, { name: member.name }) : member.name;
    const pinned = this._pinned === member.id;
    return html`<li
      part="tile${main ? ' main' : ''}"
      class="tile${isSelf ? ' self' : ''}${main ? ' main' : ''}"
      data-member-id=${member.id}
      ?data-self=${isSelf}
      ?data-speaking=${speaking}
    >
      ${video
        ? html`<video part="video" aria-hidden="true" autoplay muted playsinline .srcObject=${streamOf(video)}></video>`
        : html`<span part="avatar" class="avatar" aria-hidden="true">${initial(member.name)}</span>`}
      <span part="name" class="name">${name}</span>
      <span part="badges" class="badges">
        ${member.reconnecting ? this.#badge('reconnecting', t.memberReconnecting) : nothing}
        ${member.owner ? this.#badge('owner', t.owner) : nothing}
        ${member.handraised ? this.#badge('hand', t.handRaised) : nothing}
        ${member.audio_muted ? this.#badge('muted', t.muted) : this.#badge('mic-on', t.micOn)}
        ${speaking ? this.#badge('speaking', t.speaking) : nothing}
        ${member.permissions?.hasPresence === false ? this.#badge('hidden', t.hidden) : nothing}
      </span>
      ${layout === 'speaker' && !isSelf
        ? html`<button part="pin" type="button" aria-pressed=${pinned ? 'true' : 'false'} @click=${() => this.#pin(member.id)}>
            ${format(t.pin, { name: member.name })}
          </button>`
        : nothing}
    </li>`;
  }

  override render() {
    const t = this.t;
    const members = this.#members;
    const selfId = this.#self.value?.id;
    const layout = this.#layout;
    const screens = members
      .map((m) => [m, m.screenshare ? this.#tracks(m).screen : undefined] as const)
      .filter((x): x is readonly [Member, MediaStreamTrack] => !!x[1]);
    let main: string | undefined;
    if (layout === 'speaker') {
      const others = members.filter((m) => m.id !== selfId);
      const pick = [this._pinned, [...this._speaking].find((id) => id !== selfId && !members.find((m) => m.id === id)?.audio_muted), this.#lastSpeaker].find((id) => id && others.some((m) => m.id === id));
      main = pick ?? others[0]?.id ?? selfId;
    }
    let ordered = main ? [...members.filter((m) => m.id === main), ...members.filter((m) => m.id !== main)] : members;
    const max = Math.max(1, this.maxTiles || 0);
    const untiled = ordered.length > max ? ordered.length - max + 1 : 0;
    if (untiled) {
      const rank = (m: Member) =>
        m.id === main || m.id === selfId ? 0 : this.#tracks(m).video && !m.video_muted ? 1 : this._speaking.has(m.id) ? 2 : m.handraised ? 3 : 4;
      // (A stable sort: call order within each rank.)
      ordered = [...ordered].sort((a, b) => rank(a) - rank(b)).slice(0, max - 1);
    }
    // Everyone received is heard, with a tile or not (the room may hide video-muted tiles).
    const audio = this.#participants.value
      .filter((m) => m.id !== selfId)
      .flatMap((m) => [this.#remote.value.get(m.id)?.audio, this.#remote.value.get(m.id)?.screenAudio])
      .filter((track): track is MediaStreamTrack => !!track);
    // Not a landmark: the page names its call region; the list of tiles is labelled.
    return html`<div part="stage" class="stage" data-layout=${layout}>
      <p part="status" class="status" role="status">${this.#media.value === 'unavailable' ? t.mediaUnavailable : ''}</p>
      ${screens.map(
        ([member, track]) => html`<figure part="screen-tile" class="tile screen" data-member-id=${member.id}>
          <video part="video" aria-hidden="true" autoplay muted playsinline .srcObject=${streamOf(track)}></video>
          <figcaption part="name" class="name">${format(t.presenting, { name: member.id === selfId ? format(t.you, { name: member.name }) : member.name })}</figcaption>
        </figure>`,
      )}
      <ul part="tiles" class="tiles" aria-label=${t.participants}>
        ${ordered.map((m) => this.#tile(m, m.id === main, layout))}
        ${untiled ? html`<li part="tile more" class="tile more">${this._plural('more', untiled)}</li>` : nothing}
      </ul>
      <div class="audio">${audio.map((track) => html`<audio autoplay .srcObject=${streamOf(track)}></audio>`)}</div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'call-stage': CallStage;
  }
}
