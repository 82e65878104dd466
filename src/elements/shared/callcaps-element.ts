import { html, LitElement, nothing, type CSSResultGroup, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { BehaviorSubject, map, type Observable } from 'rxjs';
import { NO_CAPABILITIES, type CallCapabilitiesState } from '../../core/capabilities.js';
import type { Call, ConnectionState } from '../../core/call.js';
import type { SelfCapabilities } from '../../core/self-capabilities.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import type { CallcapsActionDetail, CallcapsErrorDetail } from './events.js';
import { explain, type CommonStrings } from './strings.js';
import { base } from './styles.js';

/** Where an element reads capabilities from when it has no call. */
export type CapabilitiesSource = SelfCapabilities | Observable<CallCapabilitiesState>;

/** How an element shows a control whose capability is absent. */
export type Gating = 'hide' | 'disable';

/** The async methods of a `Call` an element may invoke. */
export type CallAction = {
  [K in keyof Call]-?: Call[K] extends (...args: never[]) => Promise<void> ? K : never;
}[keyof Call];

// Without a call there is no connection to lose. (rxjs's `of` would cost 2 KB gzip.)
const NO_CALL_CONNECTION: Observable<ConnectionState> = new BehaviorSubject<ConnectionState>('connected');

const isSelfCapabilities = (source: CapabilitiesSource): source is SelfCapabilities =>
  'known$' in source && 'state$' in source;

/** One button, as `_control()` renders it. */
export interface ControlOptions {
  /** The part name (and, with `id`, what the reason's id derives from). */
  part: string;
  /** The accessible name. */
  label: string;
  /** Visible text, when it differs from the label (defaults to the label). */
  text?: string;
  /** Whether pressing it does something now. */
  allowed: boolean;
  /** Why it does nothing (shown as title and accessible description). */
  reason?: string;
  /** A unique id stem for the reason, where the part repeats (rows). */
  id?: string;
  /** A class for the look (`danger`, `primary`). */
  look?: string;
  onClick: () => void;
}

/**
 * What every callcaps element shares: the `call` it binds to, the capabilities
 * and connection it gates on, `gating`, `theme`, `strings`, and how actions run
 * and fail. Not registered; no side effects.
 *
 * Each element documents the events, parts and custom properties it uses.
 *
 * @event {CustomEvent<CallcapsActionDetail>} callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method, `detail.args` its arguments. Cancel it to handle the action yourself.
 * @event {CustomEvent<CallcapsErrorDetail>} callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`.
 */
export class CallcapsElement<S extends CommonStrings = CommonStrings> extends LitElement {
  static override styles: CSSResultGroup = [base];

  // \`static properties\` rather than decorators: no decorator helpers in the bundle.
  static override properties: PropertyDeclarations = {
    _error: { state: true },
    call: { attribute: false },
    gating: { reflect: true },
    theme: { reflect: true },
    strings: { attribute: false },
  };

  protected readonly _capabilities = new ObservableController<CallCapabilitiesState>(this, NO_CAPABILITIES);
  protected readonly _known = new ObservableController<boolean>(this, false);
  protected readonly _connection = new ObservableController<ConnectionState>(this, 'connecting');

  /** The message of the last failed action, shown until dismissed or the next action. */
  protected _error = '';

  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: Call;

  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating: Gating = 'hide';

  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';

  /** Replacements for any user-visible string (English by default); `{name}`-style placeholders are filled in. */
  strings: Partial<S> = {};

  /** The English strings of the element. */
  protected readonly _defaults!: S;
  #strings?: S;
  #stringsFrom?: Partial<S>;
  #warned = false;
  #warnTimer?: ReturnType<typeof setTimeout>;
  #limit = 0;
  #growing = false;
  /** The capabilities last known. */
  #last = NO_CAPABILITIES;

  /** The effective strings: the defaults with `strings` on top. */
  protected get t(): S {
    if (!this.#strings || this.#stringsFrom !== this.strings) {
      this.#strings = { ...this._defaults, ...this.strings };
      this.#stringsFrom = this.strings;
    }
    return this.#strings;
  }

  /** Whether capabilities are known and the connection is up: nothing is actionable otherwise. */
  protected get _ready(): boolean {
    return this._known.value && this._connection.value === 'connected';
  }

  /**
   * Whether the element shows the call as it was before the link was lost:
   * reconnecting after having been connected. Its content stays on screen,
   * inert, under a banner (see `render()`).
   */
  protected get _stale(): boolean {
    // The client goes `reconnecting` only after it was connected.
    return this._connection.value === 'reconnecting';
  }

  /** The capabilities to gate on: nothing at all until ready; while stale, the last ones known (the content is inert then). */
  protected get _caps(): CallCapabilitiesState {
    return this._ready ? (this.#last = this._capabilities.value) : this._stale ? this.#last : NO_CAPABILITIES;
  }

  /** Why nothing is actionable, while not ready. */
  protected get _notReadyReason(): string {
    return this._connection.value === 'reconnecting' ? this.t.reconnecting : this.t.notReady;
  }

  /** Where capabilities come from: the call's, unless the element takes its own. */
  protected _capabilitySource(): CapabilitiesSource | undefined {
    return this.call?.capabilities;
  }

  /**
   * Progressive rendering of long lists: the first `chunk` items now, `chunk`
   * more each animation frame until all are rendered, so that the first paint
   * of 1,000 rows costs what 50 cost. Keyed rows already rendered stay put.
   */
  protected _progressive<T>(items: readonly T[], chunk: number): readonly T[] {
    if (this.#limit < chunk) this.#limit = chunk;
    if (items.length <= this.#limit) return items;
    if (!this.#growing) {
      this.#growing = true;
      requestAnimationFrame(() => {
        this.#growing = false;
        this.#limit += chunk;
        this.requestUpdate();
      });
    }
    return items.slice(0, this.#limit);
  }

  /** Binds the element's observables to the current call; called when `call` (or another source) changes. */
  protected _bind(): void {
    const source = this._capabilitySource();
    if (!source) {
      this._capabilities.source = this._known.source = null;
    } else if (isSelfCapabilities(source)) {
      this._capabilities.source = source.state$;
      this._known.source = source.known$;
    } else {
      this._capabilities.source = source;
      this._known.source = source.pipe(map(() => true));
    }
    this._connection.source = this.call ? this.call.connection$ : NO_CALL_CONNECTION;
    this.#last = NO_CAPABILITIES;
  }

  /** Whether a change of these properties needs `_bind()`. */
  protected _sourcesChanged(changed: PropertyValues): boolean {
    return changed.has('call');
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this._sourcesChanged(changed)) this._bind();
  }

  /** What the element shows; `nothing` when it has nothing to offer. */
  protected _render(): unknown {
    return nothing;
  }

  /**
   * The element's content, kept on screen while reconnecting: dimmed, inert
   * (nothing actionable while capabilities are not known) and under a
   * "Reconnecting…" banner. Reflects `empty` while there is nothing to show.
   */
  protected override render(): unknown {
    const content = this._render();
    this.toggleAttribute('empty', content === nothing);
    return content === nothing
      ? content
      : html`<div part="reconnecting" class="banner" role="status">${this._stale ? this.t.reconnecting : ''}</div
          ><div class="frame" ?inert=${this._stale}>${content}</div>`;
  }

  /**
   * How long, in milliseconds, a connected element waits for its `call` (or
   * `capabilities`) before warning once that it has none. Pages usually set
   * the call a moment later, once `connect()` resolves.
   */
  static missingCallWarningDelay = 3000;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#warned) return;
    this.#warnTimer = setTimeout(() => {
      if (this.call || this._capabilitySource()) return;
      this.#warned = true;
      console.warn(
        `callcaps: <${this.localName}> has no call: it offers nothing until you set its \`.call\`.`,
      );
    }, (this.constructor as typeof CallcapsElement).missingCallWarningDelay);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#warnTimer);
  }

  /**
   * Runs an action: emits the cancelable `callcaps-action`; unless cancelled,
   * calls the `Call` (or, without one, runs `fallback`). A failure shows its
   * message and emits `callcaps-error`. Never throws; resolves whether it succeeded.
   */
  protected async _act<A extends CallAction>(
    action: A,
    args: Parameters<Call[A]>,
    fallback?: () => void,
  ): Promise<boolean> {
    if (!this._emitAction(action, args)) return false;
    const call = this.call;
    if (!call) {
      fallback?.();
      return true;
    }
    this._error = '';
    try {
      await (call[action] as (...a: unknown[]) => Promise<void>)(...args);
      return true;
    } catch (error) {
      this._fail(action, error);
      return false;
    }
  }

  /** Emits `callcaps-action`; false when a listener cancelled it. */
  protected _emitAction(action: string, args: readonly unknown[]): boolean {
    return this.dispatchEvent(
      new CustomEvent<CallcapsActionDetail>('callcaps-action', {
        detail: { action, args },
        bubbles: true,
        composed: true,
        cancelable: true,
      }),
    );
  }

  /** Shows a failure and emits `callcaps-error`. */
  protected _fail(action: string, error: unknown): void {
    this._error = explain(error, this.t);
    this.dispatchEvent(
      new CustomEvent<CallcapsErrorDetail>('callcaps-error', { detail: { error, action }, bubbles: true, composed: true }),
    );
  }

  /** The error region: always present so that assistive technology announces what appears in it. */
  protected _renderError(): TemplateResult {
    return html`<div part="error" class="error" role="alert">${this._error
      ? html`<span>${this._error}</span><button part="error-dismiss" @click=${() => (this._error = '')}>${this.t.dismiss}</button>`
      : nothing}</div>`;
  }

  /** One button; when not `allowed`, inert with the reason as title and description. */
  protected _control(o: ControlOptions): TemplateResult {
    const reasonId = o.allowed || !o.reason ? undefined : `${o.id ?? o.part}-reason`;
    return html`<button
        part=${o.part}
        class=${o.look ?? nothing}
        aria-label=${o.text === undefined ? nothing : o.label}
        aria-disabled=${o.allowed ? nothing : 'true'}
        aria-describedby=${reasonId ?? nothing}
        title=${reasonId ? o.reason! : nothing}
        @click=${() => o.allowed && o.onClick()}
      >${o.text ?? o.label}</button
      >${reasonId ? html`<span id=${reasonId} hidden>${o.reason}</span>` : nothing}`;
  }
}
