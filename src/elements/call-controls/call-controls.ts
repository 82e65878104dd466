import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { OnOff } from '../../core/capabilities.js';
import type { Member, RequestKind, RoomState } from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { CallcapsElement, type CapabilitiesSource } from '../shared/callcaps-element.js';
import { icons } from '../shared/icons.js';
import { COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
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
  mic: string;
  micDenied: string;
  requestAudio: string;
  camera: string;
  cameraDenied: string;
  requestVideo: string;
  screenshare: string;
  screenshareDenied: string;
  requestScreenshare: string;
  hand: string;
  handDenied: string;
  deafen: string;
  deafenDenied: string;
  requestPresence: string;
  lock: string;
  lockDenied: string;
  layout: string;
  layoutDenied: string;
  record: string;
  recordDenied: string;
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
  cancel: string;
  leave: string;
  requested: string;
}

/** English strings of `<call-controls>`. */
export const CALL_CONTROLS_STRINGS: CallControlsStrings = {
  ...COMMON_STRINGS,
  controls: 'Call controls',
  mic: 'Mute microphone',
  micDenied: 'The host has not allowed you to turn your microphone on or off',
  requestAudio: 'Ask to speak',
  camera: 'Turn camera off',
  cameraDenied: 'The host has not allowed you to turn your camera on or off',
  requestVideo: 'Ask to turn your camera on',
  screenshare: 'Share screen',
  screenshareDenied: 'The host has not allowed you to share your screen',
  requestScreenshare: 'Ask to share your screen',
  hand: 'Raise hand',
  handDenied: 'The host has not allowed you to raise or lower your hand',
  deafen: 'Deafen',
  deafenDenied: 'The host has not allowed you to deafen yourself',
  requestPresence: 'Ask to join the call',
  lock: 'Lock room',
  lockDenied: 'You are not allowed to lock or unlock the room',
  layout: 'Layout',
  layoutDenied: 'You are not allowed to change the layout',
  record: 'Record',
  recordDenied: 'You are not allowed to start or stop recording',
  dialpad: 'Dialpad',
  dialpadDenied: 'You are not allowed to send digits',
  digit: 'Send {digit}',
  devices: 'Devices',
  devicesDenied: 'You are not allowed to choose your devices',
  cameraDevice: 'Camera',
  microphoneDevice: 'Microphone',
  speakerDevice: 'Speaker',
  unnamedDevice: '{kind} {n}',
  end: 'End call for everyone',
  endDenied: 'Only a host can end the call for everyone',
  endConfirm: 'End the call for everyone?',
  endConfirmYes: 'End for everyone',
  cancel: 'Cancel',
  leave: 'Leave',
  requested: 'Your request was sent to the hosts',
};

/** The state the controls show when there is no call (gating-only use). */
interface LocalState {
  audio_muted: boolean;
  video_muted: boolean;
  screenshare: boolean;
  handraised: boolean;
  deaf: boolean;
  locked: boolean;
  recording: boolean;
}

const camel = (part: string) => part.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const DEVICE_KINDS = [
  ['videoinput', 'camera', 'cameraDevice'],
  ['audioinput', 'microphone', 'microphoneDevice'],
  ['audiooutput', 'speaker', 'speakerDevice'],
] as const;

/**
 * The call's controls, each offered only as far as the server granted it.
 *
 * @tagname call-controls
 * @summary Mic, camera, screen share, hand, deafen, lock, layout, dialpad, devices, record, end and leave controls gated by capabilities.
 *
 * @slot mic-icon - Replaces the microphone icon.
 * @slot camera-icon - Replaces the camera icon.
 * @slot screenshare-icon - Replaces the screen share icon.
 * @slot hand-icon - Replaces the raised-hand icon.
 * @slot deafen-icon - Replaces the deafen icon.
 * @slot request-presence-icon - Replaces the ask-to-join icon.
 * @slot lock-icon - Replaces the lock icon.
 * @slot record-icon - Replaces the record icon.
 * @slot dialpad-icon - Replaces the dialpad icon.
 * @slot devices-icon - Replaces the devices icon.
 * @slot end-icon - Replaces the end-call icon.
 * @slot leave-icon - Replaces the leave icon.
 *
 * @event callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
 *
 * @csspart error - The aria-live region that shows a failed action's message.
 * @csspart error-dismiss - The button that dismisses the error.
 *
 * @csspart bar - The group holding every control.
 * @csspart mic - Mute toggle (`aria-pressed` when muted); `data-mode="request"` when it asks the hosts instead.
 * @csspart camera - Camera toggle (`aria-pressed` when off); `data-mode="request"` when it asks the hosts instead.
 * @csspart screenshare - Screen share toggle; `data-mode="request"` when it asks the hosts instead.
 * @csspart hand - Raise-hand toggle.
 * @csspart deafen - Deafen toggle.
 * @csspart request-presence - Asks the hosts for presence (shown to a participant without it).
 * @csspart lock - Room lock toggle.
 * @csspart layout - The layout menu (a select of the room's layouts).
 * @csspart record - Recording toggle.
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
 * @csspart status - The aria-live status line (reconnecting, request sent).
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
 * @cssproperty --callcaps-accent - Background of pressed toggles and primary actions.
 * @cssproperty --callcaps-on-accent - Text colour on the accent.
 * @cssproperty --callcaps-danger - Background of destructive actions and error text.
 * @cssproperty --callcaps-on-danger - Text colour on the danger colour.
 * @cssproperty --callcaps-border - Border colour of controls.
 */
export class CallControls extends CallcapsElement<CallControlsStrings> {
  static override styles = [base, styles];

  protected override readonly _defaults = CALL_CONTROLS_STRINGS;
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);

  @state() private _local: LocalState = {
    audio_muted: false, video_muted: false, screenshare: false, handraised: false, deaf: false, locked: false, recording: false,
  };
  @state() private _open: 'dialpad' | 'devices' | 'end' | null = null;
  @state() private _devices: MediaDeviceInfo[] = [];
  @state() private _chosen: Record<string, string> = {};
  @state() private _status = '';

  /** Capabilities to gate on without a call (a `SelfCapabilities` or an Observable of the state); they win over the call's. */
  @property({ attribute: false }) capabilities?: CapabilitiesSource;

  /** Space-separated part names that narrow what is offered (it never offers what is not granted); unset offers all. */
  @property() controls?: string;

  #offered: ReadonlySet<string> | null = null;

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
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('controls')) {
      const names = this.controls?.split(/\s+/).filter(Boolean);
      this.#offered = names ? new Set(names) : null;
    }
  }

  /** The live state: the call's, or the local one without a call. */
  #state(): LocalState {
    if (!this.call) return this._local;
    const self = this.#self.value;
    const room = this.#room.value;
    return {
      audio_muted: self?.audio_muted ?? true,
      video_muted: self?.video_muted ?? true,
      screenshare: self?.screenshare ?? false,
      handraised: self?.handraised ?? false,
      deaf: self?.deaf ?? false,
      locked: room?.locked ?? false,
      recording: room?.recording ?? false,
    };
  }

  #setLocal(key: keyof LocalState, value: boolean): void {
    this._local = { ...this._local, [key]: value };
  }

  async #request(kind: RequestKind): Promise<void> {
    this._status = '';
    if (await this._act('requestPermissions', [[kind]])) this._status = this.t.requested;
  }

  async #openPopup(which: 'dialpad' | 'devices' | 'end'): Promise<void> {
    this._open = this._open === which ? null : which;
    if (this._open === 'devices') {
      try {
        this._devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
      } catch {
        this._devices = [];
      }
    }
    if (this._open === 'end') {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part~="end-confirm-yes"]')?.focus();
    }
  }

  #closeEnd(): void {
    this._open = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[part~="end"]')?.focus());
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
   * A toggle: it needs the direction it would perform, is shown disabled when
   * only the other direction is granted, and hidden (with `gating="hide"`) when
   * neither is, unless it can ask the hosts (request mode).
   */
  #toggle(
    part: CallControl,
    isOn: boolean,
    dir: OnOff,
    denied: string,
    perform: () => void,
    request?: { kind: RequestKind; label: string },
  ): TemplateResult | typeof nothing {
    if (this.#offered && !this.#offered.has(part)) return nothing;
    const t = this.t;
    const needed = isOn ? dir.off : dir.on;
    const base = { part, label: t[part as 'mic'], icon: icons[part as 'mic'] };
    if (!needed && request) {
      return this._control({ ...base, label: request.label, allowed: true, mode: 'request', onClick: () => void this.#request(request.kind) });
    }
    if (!dir.on && !dir.off && this.gating === 'hide') return nothing;
    return this._control({
      ...base,
      pressed: isOn,
      allowed: needed,
      reason: this._ready ? denied : this._notReadyReason,
      onClick: perform,
    });
  }

  /** A plain button gated by one capability. */
  #button(
    part: CallControl,
    granted: boolean,
    denied: string,
    onClick: () => void,
    extra: { look?: string; expanded?: boolean } = {},
  ): TemplateResult | typeof nothing {
    if ((this.#offered && !this.#offered.has(part)) || (!granted && this.gating === 'hide')) return nothing;
    const key = camel(part) as 'end';
    return this._control({
      part,
      label: this.t[key],
      icon: icons[key],
      allowed: granted,
      reason: this._ready ? denied : this._notReadyReason,
      onClick,
      ...extra,
    });
  }

  #renderLayout(): TemplateResult | typeof nothing {
    const room = this.#room.value;
    const granted = this._caps.setLayout;
    if ((this.#offered && !this.#offered.has('layout')) || !room?.layouts.length || (!granted && this.gating === 'hide')) return nothing;
    const t = this.t;
    const reason = this._ready ? t.layoutDenied : this._notReadyReason;
    return html`<select
        part="layout"
        aria-label=${t.layout}
        ?disabled=${!granted}
        title=${granted ? nothing : reason}
        aria-describedby=${granted ? nothing : 'layout-reason'}
        .value=${live(room.layout)}
        @change=${(event: Event) => void this._act('setLayout', [(event.target as HTMLSelectElement).value])}
      >
        ${room.layouts.map((layout) => html`<option value=${layout} ?selected=${layout === room.layout}>${layout}</option>`)}
      </select>${granted ? nothing : html`<span id="layout-reason" hidden>${reason}</span>`}`;
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
        ${DEVICE_KINDS.map(([kind, name, label]) => {
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
        @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && this.#closeEnd()}
      >
        <span id="end-confirm-text">${t.endConfirm}</span>
        <button part="end-confirm-yes" class="danger" @click=${() => ((this._open = null), void this._act('end', []))}>
          ${t.endConfirmYes}
        </button>
        <button part="end-cancel" @click=${this.#closeEnd}>${t.cancel}</button>
      </div>`;
    }
    return nothing;
  }

  override render() {
    if (!this.call && !this.capabilities) return nothing;
    const t = this.t;
    const caps = this._caps;
    const s = this.#state();
    const self = this.#self.value;
    const joined = this._ready && (!this.call || !!self);
    const popupButton = (part: 'dialpad' | 'devices', granted: boolean, denied: string) =>
      this.#button(part, granted, denied, () => void this.#openPopup(part), { expanded: this._open === part });
    return html`<div part="bar" class="bar" role="group" aria-label=${t.controls}>
        ${this.#toggle('mic', s.audio_muted, caps.self.muteAudio, t.micDenied,
          () => void this._act(s.audio_muted ? 'unmute' : 'mute', [['audio']], () => this.#setLocal('audio_muted', !s.audio_muted)),
          s.audio_muted && caps.request.audio ? { kind: 'audio', label: t.requestAudio } : undefined)}
        ${this.#toggle('camera', s.video_muted, caps.self.muteVideo, t.cameraDenied,
          () => void this._act(s.video_muted ? 'unmute' : 'mute', [['video']], () => this.#setLocal('video_muted', !s.video_muted)),
          s.video_muted && caps.request.video ? { kind: 'video', label: t.requestVideo } : undefined)}
        ${this.#toggle('screenshare', s.screenshare, { on: caps.screenshare, off: caps.screenshare }, t.screenshareDenied,
          () => void this._act(s.screenshare ? 'stopScreenshare' : 'startScreenshare', [], () => this.#setLocal('screenshare', !s.screenshare)),
          !s.screenshare && caps.request.screenshare ? { kind: 'screenshare', label: t.requestScreenshare } : undefined)}
        ${this.#toggle('hand', s.handraised, caps.self.raisehand, t.handDenied,
          () => void this._act(s.handraised ? 'lowerHand' : 'raiseHand', [], () => this.#setLocal('handraised', !s.handraised)))}
        ${this.#toggle('deafen', s.deaf, caps.self.deaf, t.deafenDenied,
          () => void this._act(s.deaf ? 'undeaf' : 'deaf', [], () => this.#setLocal('deaf', !s.deaf)))}
        ${self && !self.permissions.hasPresence && caps.request.presence
          ? this.#button('request-presence', true, '', () => void this.#request('presence'))
          : nothing}
        ${this.#toggle('lock', s.locked, caps.lock, t.lockDenied,
          () => void this._act(s.locked ? 'unlock' : 'lock', [], () => this.#setLocal('locked', !s.locked)))}
        ${this.#renderLayout()}
        ${this.#toggle('record', s.recording, caps.record, t.recordDenied,
          () => void this._act(s.recording ? 'stopRecording' : 'startRecording', [], () => this.#setLocal('recording', !s.recording)))}
        ${popupButton('dialpad', caps.sendDigit, t.dialpadDenied)}
        ${popupButton('devices', caps.device, t.devicesDenied)}
        ${this.#button('end', caps.end, t.endDenied, () => void this.#openPopup('end'), { look: 'danger', expanded: this._open === 'end' })}
        ${this.#button('leave', joined, this._notReadyReason, () => void this._act('leave', []), { look: 'danger' })}
      </div>
      ${this.#renderPopup()}
      <div part="status" role="status">${this._ready ? this._status : this._connection.value === 'reconnecting' ? t.reconnecting : ''}</div>
      ${this._renderError()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'call-controls': CallControls;
  }
}
