import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { CallCapabilitiesState, OnOff } from '../../core/capabilities.js';
import type { Call, LeftReason, Member, PermissionRequest, RequestKind, RoomState } from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { CallcapsElement, type CallAction, type CapabilitiesSource } from '../shared/callcaps-element.js';
import { icons, type IconName } from '../shared/icons.js';
import { menuKey } from '../shared/menu.js';
import { camel, COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './call-controls.styles.js';

/** Every part of `<call-controls>` that is a control, in the order they render. */
export const CALL_CONTROLS = [
  'mic', 'camera', 'screenshare', 'hand', 'deafen', 'request-presence', 'lock', 'layout',
  'record', 'dialpad', 'devices', 'end', 'leave',
] as const;

/** A control of `<call-controls>`. */
export type CallControl = (typeof CALL_CONTROLS)[number];

/** The user-visible strings of `<call-controls>`. */
export interface CallControlsStrings extends CommonStrings {
  controls: string;
  /** Mic label while live (what pressing does); `unmute` while muted. */
  mic: string;
  unmute: string;
  /** Why a muted participant cannot unmute; `micMuteDenied`: why a live one cannot mute. */
  micDenied: string;
  micMuteDenied: string;
  requestAudio: string;
  /** Camera label while on; `startVideo` while off. */
  camera: string;
  startVideo: string;
  cameraDenied: string;
  cameraStopDenied: string;
  requestVideo: string;
  /** Screen share label while not sharing; `stopSharing` while sharing. */
  screenshare: string;
  stopSharing: string;
  screenshareDenied: string;
  requestScreenshare: string;
  /** Hand label while lowered; `lowerHand` while raised. */
  hand: string;
  lowerHand: string;
  handDenied: string;
  lowerHandDenied: string;
  /** Deafen label while hearing; `undeafen` while deafened. */
  deafen: string;
  undeafen: string;
  deafenDenied: string;
  undeafenDenied: string;
  requestPresence: string;
  /** Lock label while unlocked; `unlock` while locked. */
  lock: string;
  unlock: string;
  lockDenied: string;
  unlockDenied: string;
  layout: string;
  layoutDenied: string;
  /** Record label while not recording; `stopRecording` while recording. */
  record: string;
  stopRecording: string;
  recordDenied: string;
  stopRecordingDenied: string;
  dialpad: string;
  dialpadDenied: string;
  digit: string;
  devices: string;
  devicesDenied: string;
  cameraDevice: string;
  microphoneDevice: string;
  speakerDevice: string;
  unnamedDevice: string;
  end: string;
  endDenied: string;
  endConfirm: string;
  endConfirmYes: string;
  leave: string;
  requested: string;
  /** Notices: what a host did to the participant (shown in `status` and announced once). */
  mutedByHost: string;
  videoStoppedByHost: string;
  /** A permission given back, and one taken: `{what}` is one of `presence`, `audio`, `video`, `screenshare` below. */
  granted: string;
  revoked: string;
  /** What each kind of permission lets the participant do (completes `granted` and `revoked`). */
  presence: string;
  audio: string;
  video: string;
  screen: string;
  /** A request the hosts turned down (one they grant reads as `granted`). */
  declined: string;
  /** `{role}` is the new call role. */
  roleChanged: string;
  removed: string;
  /** The overflow menu's button (and the menu's name) in the compact layout. */
  more: string;
}

/**
 * English strings of `<call-controls>`. A toggle's label says what pressing it
 * does now ("Mute" while live, "Unmute" while muted); a reason names the rule
 * that keeps a control from acting.
 */
export const CALL_CONTROLS_STRINGS: CallControlsStrings = {
  ...COMMON_STRINGS,
  controls: 'Call controls',
  mic: 'Mute',
  unmute: 'Unmute',
  micDenied: 'Your host has not allowed you to unmute',
  micMuteDenied: 'This call does not let you mute yourself',
  requestAudio: 'Ask to speak',
  camera: 'Stop video',
  startVideo: 'Start video',
  cameraDenied: 'Your host has not allowed you to start your video',
  cameraStopDenied: 'This call does not let you stop your video',
  requestVideo: 'Ask to turn your camera on',
  screenshare: 'Share screen',
  stopSharing: 'Stop sharing',
  screenshareDenied: 'Your host has not allowed you to share your screen',
  requestScreenshare: 'Ask to share your screen',
  hand: 'Raise hand',
  lowerHand: 'Lower hand',
  handDenied: 'This call does not let you raise your hand',
  lowerHandDenied: 'Only hosts can lower your hand',
  deafen: 'Deafen',
  undeafen: 'Undeafen',
  deafenDenied: 'This call does not let you deafen yourself',
  undeafenDenied: 'Only hosts can undeafen you',
  requestPresence: 'Ask to join the call',
  lock: 'Lock room',
  unlock: 'Unlock room',
  lockDenied: 'Only hosts can lock the room',
  unlockDenied: 'Only hosts can unlock the room',
  layout: 'Layout',
  layoutDenied: 'Only hosts can change the layout',
  record: 'Start recording',
  stopRecording: 'Stop recording',
  recordDenied: 'Only hosts can start recording',
  stopRecordingDenied: 'Only hosts can stop recording',
  dialpad: 'Dialpad',
  dialpadDenied: 'This call does not let you send digits',
  digit: 'Send {digit}',
  devices: 'Devices',
  devicesDenied: 'You can choose devices once you are in the call',
  cameraDevice: 'Camera',
  microphoneDevice: 'Microphone',
  speakerDevice: 'Speaker',
  unnamedDevice: '{kind} {n}',
  end: 'End call for everyone',
  endDenied: 'Only hosts can end the call for everyone',
  endConfirm: 'End the call for everyone?',
  endConfirmYes: 'End for everyone',
  leave: 'Leave',
  requested: 'Your request was sent to the hosts',
  mutedByHost: 'A host muted your microphone.',
  videoStoppedByHost: 'A host turned off your camera.',
  granted: 'A host lets you {what} now.',
  revoked: 'A host no longer lets you {what}.',
  presence: 'be seen in the call',
  audio: 'speak',
  video: 'use your camera',
  screen: 'share your screen',
  declined: 'A host declined your request.',
  roleChanged: 'A host made you {role}.',
  removed: 'A host removed you from the call.',
  more: 'More controls',
};

/** The state the controls show: the call's member and room fields of these names, or their own without a call (gating-only use); unset is false. */
type LocalState = Partial<Record<'audio_muted' | 'video_muted' | 'screenshare' | 'handraised' | 'deaf' | 'locked' | 'recording', boolean>>;


const DIGITS = [...'123456789*0#'];
/** The device pickers: the kind of device, and its name (the picker's part `<name>-select`, its label `<name>Device`). */
const DEVICE_KINDS = [['videoinput', 'camera'], ['audioinput', 'microphone'], ['audiooutput', 'speaker']] as const;

type Key = keyof CallControlsStrings;
type Toggle = 'mic' | 'camera' | 'screenshare' | 'hand' | 'deafen' | 'lock' | 'record';

/**
 * Each toggle's flag in `LocalState`, then its two faces, the first while
 * the flag does not hold (live, video on, not sharing, lowered, hearing,
 * unlocked, not recording), the second while it does: each face its label
 * (what pressing does), its icon, why that is refused, and the `Call` method
 * that does it. Words, not arrays: smaller in the classic script, whose size
 * budget is tight.
 */
const FACES: Record<Toggle, string> = {
  mic: 'audio_muted mic mic micMuteDenied mute unmute mic-off micDenied unmute',
  camera: 'video_muted camera camera cameraStopDenied mute startVideo camera-off cameraDenied unmute',
  screenshare: 'screenshare screenshare screenshare screenshareDenied startScreenshare stopSharing screenshare-off screenshareDenied stopScreenshare',
  hand: 'handraised hand hand handDenied raiseHand lowerHand hand-off lowerHandDenied lowerHand',
  deafen: 'deaf deafen deafen deafenDenied deaf undeafen deafen-off undeafenDenied undeaf',
  lock: 'locked lock unlock lockDenied lock unlock lock unlockDenied unlock',
  record: 'recording record record recordDenied startRecording stopRecording record-stop stopRecordingDenied stopRecording',
};

/** What a media toggle asks the hosts for (its `request*` string), when it may not start that media itself. */
const REQUESTS: Partial<Record<Toggle, RequestKind>> = { mic: 'audio', camera: 'video', screenshare: 'screenshare' };

/** One control as `#control()` renders it: a bar button, or an item of the overflow menu. */
interface Control {
  part: string;
  /** The visible text (its tooltip in the compact layout). */
  text: string;
  icon: IconName;
  /** Whether pressing it does something now, and why not (or, asking the hosts, what it does instead). */
  may: readonly [allowed: boolean, reason?: string];
  /** `data-state`: whether the feature the part names is on (mic on = live). */
  state?: 'on' | 'off';
  mode?: 'request';
  look?: string;
  expanded?: boolean;
  onClick: () => void;
}

/** What the participant may do, per kind of request (presence first: it carries the others). */
const HOLDS: Record<RequestKind, (caps: CallCapabilitiesState, self: Member) => boolean> = {
  presence: (_, self) => self.permissions.hasPresence,
  audio: (caps) => caps.self.muteAudio.off,
  video: (caps) => caps.self.muteVideo.off,
  screenshare: (caps) => caps.screenshare,
};

/** The participant as last seen with known capabilities, and what it had asked for. */
interface Seen {
  self: Member;
  caps: CallCapabilitiesState;
  asked: readonly RequestKind[];
}

/** The controls that go to the overflow menu in the compact layout. */
const OVERFLOW = ['deafen', 'lock', 'layout', 'record', 'dialpad', 'devices'];

/**
 * The call's controls, each offered only as far as the server granted it.
 *
 * A toggle's label and icon follow its state and say what pressing it does
 * ("Mute" with a microphone while live, "Unmute" with a crossed-out one while
 * muted). Because the label changes, toggles carry no `aria-pressed` (WAI-ARIA
 * APG: a toggle button's label must not change with its pressed state, and
 * "Unmute, pressed" would contradict itself); the state is in the name, the
 * icon (`data-icon`), the colour and `data-state`. This is how Material Web's
 * icon button behaves with a selected label.
 *
 * @tagname call-controls
 * @summary Mic, camera, screen share, hand, deafen, lock, layout, dialpad, devices, record, end and leave controls gated by capabilities, labelled or compact.
 *
 * @slot mic-icon - Replaces the microphone icon (shown while live).
 * @slot mic-off-icon - Replaces the crossed-out microphone (shown while muted).
 * @slot camera-icon - Replaces the camera icon (shown while the camera is on).
 * @slot camera-off-icon - Replaces the crossed-out camera (shown while it is off).
 * @slot screenshare-icon - Replaces the screen share icon (shown while not sharing).
 * @slot screenshare-off-icon - Replaces the stop-sharing icon (shown while sharing).
 * @slot hand-icon - Replaces the raised-hand icon (shown while the hand is down).
 * @slot hand-off-icon - Replaces the lower-hand icon (shown while the hand is raised).
 * @slot deafen-icon - Replaces the headphones icon (shown while hearing).
 * @slot deafen-off-icon - Replaces the crossed-out headphones (shown while deafened).
 * @slot request-presence-icon - Replaces the ask-to-join icon.
 * @slot lock-icon - Replaces the closed lock (shown while the room is locked).
 * @slot unlock-icon - Replaces the open lock (shown while the room is unlocked).
 * @slot record-icon - Replaces the record icon (shown while not recording).
 * @slot record-stop-icon - Replaces the stop icon (shown while recording).
 * @slot dialpad-icon - Replaces the dialpad icon.
 * @slot devices-icon - Replaces the devices icon.
 * @slot end-icon - Replaces the end-call icon.
 * @slot leave-icon - Replaces the leave icon.
 * @slot more-icon - Replaces the icon of the overflow menu's button (compact layout).
 *
 * @event {CustomEvent<CallcapsActionDetail>} callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event {CustomEvent<CallcapsErrorDetail>} callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
 *
 * @csspart error - The aria-live region that shows a failed action's message.
 * @csspart error-dismiss - The button that dismisses the error.
 *
 * @csspart bar - The group holding every control; `data-layout` is `full` or `compact`.
 * @csspart mic - Mute toggle: "Mute" while live, "Unmute" while muted; `data-state` `on` (live) or `off` (muted); `data-mode="request"` when it asks the hosts instead.
 * @csspart camera - Camera toggle: "Stop video" / "Start video"; `data-state` `on` or `off`; `data-mode="request"` when it asks the hosts instead.
 * @csspart screenshare - Screen share toggle: "Share screen" / "Stop sharing"; `data-state` `on` while sharing; `data-mode="request"` when it asks the hosts instead.
 * @csspart hand - Hand toggle: "Raise hand" / "Lower hand"; `data-state` `on` while raised.
 * @csspart deafen - Deafen toggle: "Deafen" / "Undeafen"; `data-state` `on` while deafened.
 * @csspart request-presence - Asks the hosts for presence (shown to a participant without it).
 * @csspart lock - Room lock toggle: "Lock room" / "Unlock room"; `data-state` `on` while locked.
 * @csspart layout - The layout menu (a select of the room's layouts; in the compact overflow menu, a group of radio items).
 * @csspart layout-option - One layout in the compact overflow menu.
 * @csspart record - Recording toggle: "Start recording" / "Stop recording"; `data-state` `on` while recording.
 * @csspart dialpad - Opens the dialpad.
 * @csspart dialpad-keys - The dialpad's keys group.
 * @csspart digit - One dialpad key; sends its DTMF digit.
 * @csspart devices - Opens the device pickers.
 * @csspart device-pickers - The group of device pickers.
 * @csspart camera-select - The camera picker.
 * @csspart microphone-select - The microphone picker.
 * @csspart speaker-select - The speaker picker.
 * @csspart end - Ends the call for everyone, after a confirmation.
 * @csspart end-confirm - The confirmation dialog of `end`.
 * @csspart end-confirm-yes - Confirms ending the call.
 * @csspart end-cancel - Cancels ending the call.
 * @csspart leave - Leaves the call.
 * @csspart more - The overflow menu's button (compact layout, when any control overflows).
 * @csspart menu - The overflow menu; its items keep their parts (`lock`, `record`…).
 * @csspart locked - The lock badge on a control the participant cannot use (its reason is the control's description and title).
 * @csspart status - The aria-live status line: a request sent, and notices of what a host did to the participant (muted, a permission taken or given back, a request approved or declined, a new role, removed); cleared by the participant's next action.
 * @csspart reconnecting - The banner shown while reconnecting, over the last controls (dimmed and inert).
 *
 * @attr {boolean} empty - Present while the element renders nothing, so that a page can hide its container.
 *
 * @cssproperty --call-controls-gap - Space between controls (falls back to `--callcaps-gap`).
 * @cssproperty --call-controls-background - Background of the bar and its popups (falls back to `--callcaps-surface`).
 * @cssproperty --callcaps-font - Font family of every element.
 * @cssproperty --callcaps-radius - Corner radius of controls.
 * @cssproperty --callcaps-gap - Space between controls.
 * @cssproperty --callcaps-focus-ring - Colour of the keyboard focus ring.
 * @cssproperty --callcaps-surface - Background of the element.
 * @cssproperty --callcaps-on-surface - Text colour on the surface.
 * @cssproperty --callcaps-control - Background of controls.
 * @cssproperty --callcaps-on-control - Text and icon colour of controls.
 * @cssproperty --callcaps-accent - Background of toggles that are on (sharing, hand raised, locked, recording) and primary actions.
 * @cssproperty --callcaps-on-accent - Text colour on the accent.
 * @cssproperty --callcaps-danger - Background of a muted mic, a camera that is off, destructive actions and error text.
 * @cssproperty --callcaps-on-danger - Text colour on the danger colour.
 * @cssproperty --callcaps-border - Border colour of controls.
 */
export class CallControls extends CallcapsElement<CallControlsStrings> {
  static override styles = [base, styles];
  static override properties = {
    _local: { state: true },
    _devices: { state: true },
    _chosen: { state: true },
    _status: { state: true },
    _narrow: { state: true },
    capabilities: { attribute: false },
    controls: {},
    variant: { reflect: true },
  };

  /** With `variant="auto"`, the element lays itself out compact below this width, in CSS pixels. */
  static compactWidth = 600;

  protected override readonly _defaults = CALL_CONTROLS_STRINGS;
  protected override readonly _section = 'call-controls';
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);
  readonly #requests = new ObservableController<readonly PermissionRequest[]>(this, []);
  readonly #left = new ObservableController<LeftReason | null>(this, null);

  private _local: LocalState = {};
  protected declare _open: 'dialpad' | 'devices' | 'end' | 'more' | null;
  private _devices: MediaDeviceInfo[] = [];
  private _chosen: Record<string, string> = {};
  private _status = '';
  private _narrow = false;

  /** Capabilities to gate on without a call (a `SelfCapabilities` or an Observable of the state); they win over the call's. */
  capabilities?: CapabilitiesSource;

  /** Space-separated part names that narrow what is offered (it never offers what is not granted); unset offers all. */
  controls?: string;

  /** `full` (icons and labels), `compact` (icons whose tooltips are their names, the less common controls in a "More" menu), or `auto`: compact while narrower than `CallControls.compactWidth`. */
  variant: 'auto' | 'full' | 'compact' = 'auto';

  #offered: ReadonlySet<string> | null = null;
  #seen: Seen | null = null;
  #leftSeen: LeftReason | null = null;
  /** Channels the participant muted itself (with these controls) since its last change: no host did that. */
  #own = new Set<unknown>();
  #resize?: ResizeObserver;
  #sized?: Element;
  /** Where focus goes after the next update (a selector, or `first`/`last` of the menu's items). */
  #focusNext?: string;

  protected override _capabilitySource(): CapabilitiesSource | undefined {
    return this.capabilities ?? super._capabilitySource();
  }

  protected override _sourcesChanged(changed: PropertyValues<this>): boolean {
    return changed.has('call') || changed.has('capabilities');
  }

  protected override _bind(): void {
    super._bind();
    this.#self.source = this.call?.self$;
    this.#room.source = this.call?.room$;
    this.#requests.source = this.call?.requests$;
    this.#left.source = this.call?.left$;
    this.#seen = this.#leftSeen = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observeWidth();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    this.#sized = undefined;
  }

  /**
   * Watches the width through a zero-height sentinel rather than the host: the
   * host's height changes when the layout switches, which would re-notify within
   * the same frame (a "ResizeObserver loop" error); the sentinel's size changes
   * only with the width.
   */
  #observeWidth(): void {
    const sizer = this.renderRoot?.querySelector('.sizer');
    if (!sizer || sizer === this.#sized) return;
    this.#resize ??= new ResizeObserver(([entry]) => {
      this._narrow = entry.contentRect.width < (this.constructor as typeof CallControls).compactWidth;
    });
    this.#resize.disconnect();
    this.#resize.observe((this.#sized = sizer));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('controls')) {
      const names = this.controls?.split(/\s+/).filter(Boolean);
      this.#offered = names ? new Set(names) : null;
    }
    this.#notice();
  }

  /**
   * Tells the participant what happened to it: compares the participant and
   * its capabilities with the last ones known (so nothing is told twice, and
   * what changed while reconnecting is told once back), with what it had
   * asked for, and why it left. The notice replaces the status line.
   */
  #notice(): void {
    const t = this.t;
    const self = this.#self.value;
    const left = this.#left.value;
    if (left !== this.#leftSeen && (this.#leftSeen = left) === 'removed') this._status = t.removed;
    if (!self || !this._ready) return;
    const caps = this._caps;
    const asked = this.#requests.value.find((r) => r.member_id === self.id)?.permissions ?? [];
    const seen = this.#seen;
    this.#seen = { self, caps, asked };
    if (!seen || seen.self.id !== self.id) return;
    const before = seen.self;
    const notes: string[] = [];
    if (before.role !== self.role) notes.push(format(t.roleChanged, { role: self.role }));
    else {
      for (const [kind, holds] of Object.entries(HOLDS) as [RequestKind, (typeof HOLDS)[RequestKind]][]) {
        const has = holds(caps, self);
        if (has === holds(seen.caps, before)) continue;
        notes.push(format(t[has ? 'granted' : 'revoked'], { what: t[kind === 'screenshare' ? 'screen' : kind] }));
        if (kind === 'presence') break;
      }
      if (seen.asked.some((kind) => !asked.includes(kind) && !HOLDS[kind](caps, self))) notes.push(t.declined);
      if (!notes.length) {
        // The server says who muted (muted_by); where it does not, a mute these controls did not make is a host's.
        const byOther = (channel: string) => (self.muted_by ? self.muted_by !== self.id : !this.#own.has(channel));
        if (!before.audio_muted && self.audio_muted && byOther('audio')) notes.push(t.mutedByHost);
        if (!before.video_muted && self.video_muted && byOther('video')) notes.push(t.videoStoppedByHost);
      }
    }
    if (before !== self) this.#own.clear();
    if (notes.length) this._status = notes.join(' ');
    else if (seen.asked.length && !asked.length && this._status === t.requested) this._status = '';
  }

  /** Any action of the participant clears the status line: what it said is no longer the news. */
  protected override _act<A extends CallAction>(action: A, args: Parameters<Call[A]>, fallback?: () => void): Promise<boolean> {
    this._status = '';
    if (action === 'mute') for (const channel of args[0] as string[]) this.#own.add(channel);
    return super._act(action, args, fallback);
  }

  protected override updated(): void {
    this.#observeWidth();
    const next = this.#focusNext;
    if (!next) return;
    this.#focusNext = undefined;
    // The first match of the selector, or the menu's first or last item.
    const found = this.renderRoot.querySelectorAll<HTMLElement>(next === 'first' || next === 'last' ? '[role="menu"] [role^="menuitem"]' : next);
    found[next === 'last' ? found.length - 1 : 0]?.focus();
  }

  /** Whether the compact layout is in use. */
  get #compact(): boolean {
    return this.variant === 'compact' || (this.variant === 'auto' && this._narrow);
  }

  /** The live state: the call's, or the local one without a call. */
  #state(): LocalState {
    // Until the member is known, its media count as muted.
    return this.call ? { audio_muted: true, video_muted: true, ...this.#room.value, ...this.#self.value } : this._local;
  }

  #setLocal(key: keyof LocalState, value: boolean): void {
    this._local = { ...this._local, [key]: value };
  }

  async #request(kind: RequestKind): Promise<void> {
    if (await this._act('requestPermissions', [[kind]])) this._status = this.t.requested;
  }

  async #openPopup(which: 'dialpad' | 'devices' | 'end'): Promise<void> {
    const fromMenu = this._open === 'more';
    this._open = this._open === which ? null : which;
    if (this._open === 'devices') {
      try {
        this._devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
      } catch {
        this._devices = [];
      }
    }
    if (this._open === 'end') this.#focusNext = '[part~="end-confirm-yes"]';
    else if (fromMenu) this.#focusNext = '.popup :is(button, select)';
    this.requestUpdate();
  }

  /** Opens the overflow menu with focus on its first (or last) item, or closes it. */
  #toggleMenu(focus: 'first' | 'last' | null): void {
    this._open = focus ? 'more' : null;
    this.#focusNext = focus ?? undefined;
  }

  #onMoreKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.#toggleMenu(event.key === 'ArrowDown' ? 'first' : 'last');
    } else if (event.key === 'Escape' && this._open === 'more') {
      this._open = null;
    }
  }

  /**
   * Menu keys (WAI-ARIA APG menu button, shared with the panel's menus): arrows
   * move and wrap, Home/End jump, Escape closes and returns focus. (Tab moves
   * focus out, which closes it: see #onMenuFocusOut.)
   */
  #onMenuKey(event: KeyboardEvent): void {
    if (menuKey(event, event.currentTarget as Element) === 'Escape') this._close();
  }

  #onMenuFocusOut(event: FocusEvent): void {
    // Not once an item opened a popup in the menu's place.
    if (this._open === 'more') this._onMenuFocusOut(event);
  }

  #sendDigit(digit: string): void {
    void this._act('sendDigits', [digit]);
  }

  #onKeypadKey(event: KeyboardEvent): void {
    if (DIGITS.includes(event.key)) {
      event.preventDefault();
      this.#sendDigit(event.key);
    }
  }

  #chooseDevice(kind: string, event: Event): void {
    const deviceId = (event.target as HTMLSelectElement).value;
    if (this._emitAction('selectDevice', [kind, deviceId])) this._chosen = { ...this._chosen, [kind]: deviceId };
  }

  /**
   * One control: a labelled button, an icon-only one whose label is its
   * tooltip (compact), or an item of the overflow menu. One that the
   * participant cannot use stays readable, with a lock badge and the reason as
   * its title and accessible description, instead of fading out.
   */
  #control(o: Control): TemplateResult {
    const [allowed, reason] = o.may;
    const item = this.#inMenu(o.part);
    const reasonId = (!allowed || o.mode) && reason ? `${o.part}-reason` : undefined;
    return html`<button
        part=${o.part}
        class=${o.look ?? nothing}
        role=${item ? 'menuitem' : nothing}
        tabindex=${item ? '-1' : nothing}
        aria-disabled=${allowed ? nothing : 'true'}
        aria-describedby=${reasonId ?? nothing}
        aria-haspopup=${o.part === 'more' ? 'menu' : nothing}
        aria-expanded=${o.expanded === undefined || item ? nothing : String(o.expanded)}
        aria-controls=${o.part === 'more' && o.expanded ? 'more-menu' : nothing}
        title=${reasonId ? reason! : nothing}
        data-mode=${o.mode ?? nothing}
        data-state=${o.state ?? nothing}
        data-icon=${o.icon}
        @keydown=${o.part === 'more' ? this.#onMoreKey : nothing}
        @click=${() => {
          if (!allowed) return;
          o.onClick();
          // A menu item closes the menu and returns focus to its button, unless it opened a popup.
          if (item && this._open === 'more') this._close();
        }}
      ><slot name=${`${o.icon}-icon`}>${icons[camel(o.icon) as 'mic']}</slot><span class="label">${o.text}</span>${allowed
          ? nothing
          : html`<span part="locked" class="badge">${icons.lock}</span>`}</button
      >${reasonId ? html`<span id=${reasonId} hidden>${reason}</span>` : nothing}`;
  }

  /** In the compact layout the less common controls live in the menu, rendered only while it is open. */
  #inMenu(part: string): boolean {
    return this.#compact && OVERFLOW.includes(part);
  }

  #offers(part: string): boolean {
    return !this.#offered || this.#offered.has(part);
  }

  /**
   * A toggle: it needs the direction it would perform, is shown disabled (with
   * the rule that refuses that direction) when only the other direction is
   * granted, and hidden (with `gating="hide"`) when neither is, unless it can
   * ask the hosts (request mode). `dir` is what the capabilities grant; `args`
   * go to the `Call` method after the face's.
   */
  #toggle(part: Toggle, dir: OnOff, args: unknown[] = []): TemplateResult | typeof nothing {
    if (!this.#offers(part)) return nothing;
    const t = this.t;
    const [key, ...faces] = FACES[part].split(' ') as [keyof LocalState, ...string[]];
    const isOn = !!this.#state()[key];
    const needed = isOn ? dir.off : dir.on;
    const [label, icon, denied, action] = faces.slice(+isOn * 4) as [Key, IconName, Key, CallAction];
    const perform = () => void this._act(action as 'lock', args as [], () => this.#setLocal(key, !isOn));
    const reason = this._ready ? t[denied] : this._notReadyReason;
    // Mic and camera are "on" while live; the others while their flag's state holds.
    const on = part === 'mic' || part === 'camera' ? !isOn : isOn;
    // Media that is off and may not be started, but may be asked for: the hosts are asked.
    const kind = REQUESTS[part];
    if (!needed && kind && !on && this._caps.request[kind]) {
      return this.#control({
        part,
        text: t[camel(`request-${kind}`) as Key] as string,
        icon,
        may: [true, reason],
        mode: 'request',
        onClick: () => void this.#request(kind),
      });
    }
    if (!dir.on && !dir.off && this.gating === 'hide') return nothing;
    return this.#control({ part, text: t[label], icon, state: on ? 'on' : 'off', may: [needed, reason], onClick: perform });
  }

  /** A plain button gated by one capability. */
  #button(
    part: CallControl,
    granted: boolean,
    denied: string,
    onClick: () => void,
    extra: { look?: string; expanded?: boolean } = {},
  ): TemplateResult | typeof nothing {
    if (!this.#offers(part) || (!granted && this.gating === 'hide')) return nothing;
    return this.#control({
      part,
      text: this.t[camel(part) as 'end'],
      icon: part as IconName,
      may: [granted, this._ready ? denied : this._notReadyReason],
      onClick,
      ...extra,
    });
  }

  #renderLayout(): TemplateResult | typeof nothing {
    const room = this.#room.value;
    const granted = this._caps.setLayout;
    if (!this.#offers('layout') || !room?.layouts.length || (!granted && this.gating === 'hide')) return nothing;
    const t = this.t;
    const reason = this._ready ? t.layoutDenied : this._notReadyReason;
    const reasonSpan = granted ? nothing : html`<span id="layout-reason" hidden>${reason}</span>`;
    if (this.#inMenu('layout')) {
      // A select has no place in a menu: the layouts become radio items of a group.
      return html`<div part="layout" role="group" aria-label=${t.layout}>
        ${room.layouts.map(
          (layout) => html`<button
            part="layout-option"
            role="menuitemradio"
            tabindex="-1"
            aria-checked=${String(layout === room.layout)}
            aria-disabled=${granted ? nothing : 'true'}
            aria-describedby=${granted ? nothing : 'layout-reason'}
            title=${granted ? nothing : reason}
            data-icon="layout"
            @click=${() => granted && (this._close(), void this._act('setLayout', [layout]))}
          >${icons.layout}<span class="label">${layout}</span></button>`,
        )}${reasonSpan}
      </div>`;
    }
    return html`<select
        part="layout"
        aria-label=${t.layout}
        ?disabled=${!granted}
        title=${granted ? nothing : reason}
        aria-describedby=${granted ? nothing : 'layout-reason'}
        .value=${room.layout}
        @change=${async ({ target }: Event) => {
          const select = target as HTMLSelectElement;
          await this._act('setLayout', [select.value]);
          // The room's layout, whatever came of it (refused, cancelled): the select never shows a layout the room does not have.
          select.value = this.#room.value?.layout ?? select.value;
        }}
      >
        ${room.layouts.map((layout) => html`<option value=${layout} ?selected=${layout === room.layout}>${layout}</option>`)}
      </select>${reasonSpan}`;
  }

  #renderPopup(): TemplateResult | typeof nothing {
    const t = this.t;
    const caps = this._caps;
    if (this._open === 'dialpad' && caps.sendDigit) {
      return html`<div part="dialpad-keys" class="popup keys" role="group" aria-label=${t.dialpad} @keydown=${this.#onKeypadKey}>
        ${DIGITS.map(
          (digit) => html`<button part="digit" aria-label=${format(t.digit, { digit })} @click=${() => this.#sendDigit(digit)}>${digit}</button>`,
        )}
      </div>`;
    }
    if (this._open === 'devices' && caps.device) {
      return html`<div part="device-pickers" class="popup" role="group" aria-label=${t.devices}>
        ${DEVICE_KINDS.map(([kind, name]) => {
          const label = `${name}Device` as const;
          const devices = this._devices.filter((device) => device.kind === kind);
          return html`<label
            >${t[label]}
            <select part=${`${name}-select`} @change=${(event: Event) => this.#chooseDevice(kind, event)}>
              ${devices.map(
                (device, n) =>
                  html`<option value=${device.deviceId} ?selected=${this._chosen[kind] === device.deviceId}>
                    ${device.label || format(t.unnamedDevice, { kind: t[label], n: n + 1 })}
                  </option>`,
              )}
            </select></label
          >`;
        })}
      </div>`;
    }
    if (this._open === 'end' && caps.end) {
      return html`<div
        part="end-confirm"
        class="popup"
        role="alertdialog"
        aria-labelledby="end-confirm-text"
        @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && this._close()}
      >
        <span id="end-confirm-text">${t.endConfirm}</span>
        <button part="end-confirm-yes" class="danger" @click=${() => ((this._open = null), void this._act('end', []))}>
          ${t.endConfirmYes}
        </button>
        <button part="end-cancel" @click=${this._close}>${t.cancel}</button>
      </div>`;
    }
    return nothing;
  }

  protected override _render() {
    if (!this.call && !this.capabilities) return nothing;
    const t = this.t;
    const caps = this._caps;
    const self = this.#self.value;
    const joined = (this._ready || this._stale) && (!this.call || !!self);
    const compact = this.#compact;
    const menuOpen = compact && this._open === 'more';
    const popupButton = (part: 'dialpad' | 'devices', granted: boolean, denied: string) =>
      this.#button(part, granted, denied, () => void this.#openPopup(part), { expanded: this._open === part });
    const controls = {
      mic: this.#toggle('mic', caps.self.muteAudio, [['audio']]),
      camera: this.#toggle('camera', caps.self.muteVideo, [['video']]),
      screenshare: this.#toggle('screenshare', { on: caps.screenshare, off: caps.screenshare }),
      hand: this.#toggle('hand', caps.self.raisehand),
      deafen: this.#toggle('deafen', caps.self.deaf),
      'request-presence': self && !self.permissions.hasPresence && caps.request.presence
        ? this.#button('request-presence', true, '', () => void this.#request('presence'))
        : nothing,
      lock: this.#toggle('lock', caps.lock),
      layout: this.#renderLayout(),
      record: this.#toggle('record', caps.record),
      dialpad: popupButton('dialpad', caps.sendDigit, t.dialpadDenied),
      devices: popupButton('devices', caps.device, t.devicesDenied),
      end: this.#button('end', caps.end, t.endDenied, () => void this.#openPopup('end'), { look: 'danger', expanded: this._open === 'end' }),
      leave: this.#button('leave', joined, this._notReadyReason, () => void this._act('leave', []), { look: 'danger' }),
    } satisfies Record<CallControl, unknown>;
    const main = CALL_CONTROLS.filter((part) => !this.#inMenu(part) && part !== 'end' && part !== 'leave').map((part) => controls[part]);
    const overflow = compact ? OVERFLOW.map((part) => controls[part as CallControl]).filter((c) => c !== nothing) : [];
    return html`<div class="sizer"></div>
      <div part="bar" class="bar" role="group" aria-label=${t.controls} data-layout=${compact ? 'compact' : 'full'}>
        ${main}
        ${overflow.length
          ? this.#control(
              {
                part: 'more',
                text: t.more,
                icon: 'more',
                may: [true],
                expanded: menuOpen,
                onClick: () => this.#toggleMenu(menuOpen ? null : 'first'),
              },
            )
          : nothing}
        ${controls.end}${controls.leave}
      </div>
      ${menuOpen
        ? html`<div
            part="menu"
            id="more-menu"
            class="popup menu"
            role="menu"
            aria-label=${t.more}
            @keydown=${this.#onMenuKey}
            @focusout=${this.#onMenuFocusOut}
          >
            ${overflow}
          </div>`
        : nothing}
      ${this.#renderPopup()}
      <div part="status" role="status">${this._status}</div>
      ${this._renderError()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'call-controls': CallControls;
  }
}
