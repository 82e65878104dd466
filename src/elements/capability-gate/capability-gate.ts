import { html, type PropertyValues } from 'lit';
import { can, type CallCapabilitiesState } from '../../core/capabilities.js';
import type { RequestKind } from '../../core/call.js';
import { CallcapsElement, type CapabilitiesSource } from '../shared/callcaps-element.js';
import { COMMON_STRINGS, type CommonStrings } from '../shared/strings.js';
import { styles } from './capability-gate.styles.js';

/** The flags a `request.*` flag stands in for in `can-request` mode. */
const REQUESTABLE: readonly [RegExp, RequestKind][] = [
  [/^self(\.mute(\.audio(\.off)?)?)?$/, 'audio'],
  [/^self(\.mute(\.video(\.off)?)?)?$/, 'video'],
  [/^screenshare$/, 'screenshare'],
];

/** Whether `flag` is granted, or (in `can-request` mode) may be asked for. */
function verdict(state: CallCapabilitiesState, flag: string, canRequest: boolean): 'granted' | 'requestable' | 'denied' {
  if (can(state, flag)) return 'granted';
  if (!canRequest) return 'denied';
  const kinds = REQUESTABLE.filter(([pattern]) => pattern.test(flag)).map(([, kind]) => kind);
  return kinds.length && kinds.every((kind) => state.request[kind]) ? 'requestable' : 'denied';
}

/**
 * Shows its content only when the capabilities grant it.
 *
 * @tagname capability-gate
 * @summary Shows its content when capabilities are granted; otherwise a fallback, or the content inert.
 *
 * @slot - The content shown when granted (or, with `gating="disable"`, shown inert when not).
 * @slot fallback - Shown instead when not granted (with `gating="hide"`).
 *
 * @csspart content - The wrapper of the content when it is shown inert and `aria-disabled` (not granted with `gating="disable"`, or while reconnecting).
 *
 * @cssproperty --capability-gate-disabled-opacity - Opacity of inert content (0.5).
 */
export class CapabilityGate extends CallcapsElement<CommonStrings> {
  static override styles = styles;
  static override properties = {
    capabilities: { attribute: false },
    capability: {},
    require: {},
    mode: {},
    status: { reflect: true },
  };

  protected override readonly _defaults = COMMON_STRINGS;

  /** Capabilities to gate on without a call (a `SelfCapabilities` or an Observable of the state); they win over the call's. */
  capabilities?: CapabilitiesSource;

  /** Space-separated flags of the grammar, e.g. `member.remove lock.on`. */
  capability = '';

  /** `all` (default): every flag must be granted; `any`: one is enough. */
  require: 'all' | 'any' = 'all';

  /** `can-request`: the content also shows when the matching `request.*` flag is held (audio, video, screen share). */
  mode: 'grant' | 'can-request' = 'grant';

  /**
   * Whether the content shows: `granted`, `requestable` (via `can-request`) or `denied` (also before capabilities are known). Read-only; reflected for CSS.
   * @readonly
   */
  status: 'granted' | 'requestable' | 'denied' = 'denied';

  protected override _capabilitySource(): CapabilitiesSource | undefined {
    return this.capabilities ?? super._capabilitySource();
  }

  protected override _sourcesChanged(changed: PropertyValues<this>): boolean {
    return changed.has('call') || changed.has('capabilities');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const flags = this.capability.split(/\s+/).filter(Boolean);
    const state = this._caps;
    const verdicts = flags.map((flag) => verdict(state, flag, this.mode === 'can-request'));
    const pick = this.require === 'any' ? 'some' : 'every';
    const shown = verdicts[pick]((v) => v !== 'denied');
    const granted = verdicts[pick]((v) => v === 'granted');
    this.status = !(this._ready || this._stale) || !flags.length || !shown ? 'denied' : granted ? 'granted' : 'requestable';
  }

  override render() {
    // While reconnecting, the content last granted stays, inert.
    if (this.status !== 'denied' && !this._stale) return html`<slot></slot>`;
    if (this.status !== 'denied' || this.gating === 'disable') return html`<div part="content" role="group" inert aria-disabled="true"><slot></slot></div>`;
    return html`<slot name="fallback"></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'capability-gate': CapabilityGate;
  }
}
