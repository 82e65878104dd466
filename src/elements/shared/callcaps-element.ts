import { html, LitElement, nothing, type CSSResultGroup, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { Observable } from 'rxjs';
import { derive, State } from '../../core/state.js';
import { NO_CAPABILITIES, type CallCapabilitiesState } from '../../core/capabilities.js';
import type { Call, ConnectionState } from '../../core/call.js';
import type { SelfCapabilities } from '../../core/self-capabilities.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import type { CallcapsActionDetail, CallcapsErrorDetail } from './events.js';
import { langOf, localeOf, watchLang, type Locale, type Plural } from './locale.js';
import { explain, format, type CommonStrings } from './strings.js';
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
const NO_CALL_CONNECTION: Observable<ConnectionState> = new State<ConnectionState>('connected').$;

const isSelfCapabilities = (source: CapabilitiesSource): source is SelfCapabilities =>
  'known$' in source && 'state$' in source;

/** `prev` when every field of `next` is the same (so that what is guarded by it does not re-render), else `next`. */
export const keep = <T extends object>(prev: T | undefined, next: T): T =>
  prev && (Object.keys(next) as (keyof T)[]).every((key) => next[key] === prev[key]) ? prev : next;

/** A participant's initial, as the permissions panel and the waiting room show it. */
export const avatar = (name: string): TemplateResult =>
  html`<span part="avatar" class="avatar" aria-hidden="true">${[...name.trim()][0]?.toUpperCase()}</span>`;

/** The keys of `S` whose strings have plural forms. */
export type PluralKey<S> = { [K in keyof S]: S[K] extends Plural ? K : never }[keyof S];

/** One button, as `_control()` renders it: inline, in a toolbar, a menu button, or an item of a menu (`role`). */
export interface ControlOptions {
  /** The part name (and, without `id`, what the reason's id derives from). */
  part: string;
  /** The visible text. */
  text: string;
  /** The accessible name, when it differs from the text. */
  label?: string;
  /** Whether pressing it does something now, and why not (its title and accessible description). */
  may: readonly [allowed: boolean, reason?: string];
  /** A unique id stem for the reason, where the part repeats (rows). */
  id?: string;
  /** A class for the look (`danger`, `primary`). */
  look?: string;
  /** A menu item's role (`menuitem`, `menuitemcheckbox`, `menuitemradio`): out of the tab order. */
  role?: string;
  /** A checkbox or radio item's state. */
  checked?: boolean;
  /** False: out of the tab order (a row that does not hold its list's tab stop). */
  tab?: boolean;
  /** An icon: the button shows only it, and its text is the accessible name (class `icon`). */
  icon?: TemplateResult;
  /** For a menu button: whether its menu is open. */
  expanded?: boolean;
  onClick: (event: Event) => void;
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
    _open: { state: true },
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

  /** The open menu or popup (each element names its own), or null. */
  protected _open: string | null = null;

  /** The `Call` to bind to; the element reads its state and sends actions through it. */
  call?: Call;

  /** How absent capabilities show: `hide` removes the control, `disable` shows it disabled with the reason. */
  gating: Gating = 'hide';

  /** `light` or `dark`; unset follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark';

  /** Replacements for any user-visible string, over the registered locale of the element's `lang` (English by default); `{name}`-style placeholders are filled in. */
  strings: Partial<S> = {};

  /** The English strings of the element. */
  protected readonly _defaults!: S;
  /** Where a `Locale` holds the element's strings (its default tag); only `common` without. */
  protected readonly _section?: keyof Locale;
  #strings?: S;
  /** What `#strings` was made of: the `lang` found, its locale and `strings`. */
  #from: unknown[] = [];
  #warned = false;
  #warnTimer?: ReturnType<typeof setTimeout>;
  #limit = 0;
  #growing = false;
  /** The capabilities last known. */
  #last = NO_CAPABILITIES;

  /** The effective strings: English, the locale of the element's language over it, and `strings` over both. */
  protected get t(): S {
    return this.#strings ?? this.#localise();
  }

  /** The language the element speaks, as found at its last update (`langOf`; `en` for a tag `Intl` rejects). Read-only. */
  protected _lang = 'en';

  /** Finds the element's language and, when it or what the strings come from changed, makes the strings anew. */
  #localise(): S {
    let lang = langOf(this);
    const locale = localeOf(lang);
    const from = [lang, locale, this.strings];
    if (!this.#strings || from.some((value, i) => value !== this.#from[i])) {
      this.#from = from;
      try {
        Intl.getCanonicalLocales(lang);
      } catch {
        // Not a language tag: English, rather than an exception from Intl in the page.
        lang = 'en';
      }
      this._lang = lang;
      // A string a layer leaves out is the one below it, English at the bottom.
      this.#strings = { ...this._defaults, ...locale?.common, ...(this._section && locale?.[this._section]), ...this.strings } as S;
    }
    return this.#strings;
  }

  /**
   * A string with plural forms for `count`: the form of the locale's plural
   * category, else its `other`, else English's; `{count}` is `count`
   * formatted for the locale.
   */
  protected _plural(key: PluralKey<S>, count: number): string {
    const category = new Intl.PluralRules(this._lang).select(count);
    // A plain string (as before plural forms) serves every count.
    const pick = (forms: unknown) => (typeof forms == 'string' ? forms : (forms as Plural | undefined)?.[category] ?? (forms as Plural | undefined)?.other);
    return format(pick(this.t[key]) ?? pick(this._defaults[key])!, { count: count.toLocaleString(this._lang) });
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
    return this._stale ? this.t.reconnecting : this.t.notReady;
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
      this._known.source = derive(source, () => true);
    }
    this._connection.source = this.call ? this.call.connection$ : NO_CALL_CONNECTION;
    this.#last = NO_CAPABILITIES;
  }

  /** Whether a change of these properties needs `_bind()`. */
  protected _sourcesChanged(changed: PropertyValues): boolean {
    return changed.has('call');
  }

  protected override willUpdate(changed: PropertyValues): void {
    this.#localise();
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
    watchLang(this, true);
    if (this.#warned) return;
    this.#warnTimer = setTimeout(() => {
      if (this.call || this._capabilitySource()) return;
      this.#warned = true;
      console.warn(
        `callcaps: <${this.localName}> has no call: set its \`.call\`.`,
      );
    }, (this.constructor as typeof CallcapsElement).missingCallWarningDelay);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    watchLang(this, false);
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

  /** Closes the open menu or popup and returns focus to the button that opened it (the expanded one). */
  protected _close(): void {
    this._open = null;
    this.renderRoot.querySelector<HTMLElement>('[aria-expanded="true"]')?.focus();
  }

  /** Focus leaving an open menu or popup for anywhere but inside it or its button (the expanded one) closes it. */
  protected _onMenuFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Element | null;
    if (!(to && ((event.currentTarget as Node).contains(to) || to.matches('[aria-expanded="true"]')))) this._open = null;
  }

  /** One button; when not allowed, inert with the reason as its title and accessible description. */
  protected _control(o: ControlOptions): TemplateResult {
    const [allowed, reason] = o.may;
    const menu = o.expanded !== undefined;
    const rid = allowed || !reason ? undefined : `${o.id ?? o.part}-reason`;
    return html`<button
        part=${o.part}
        class=${o.look ?? (o.icon ? 'icon' : nothing)}
        role=${o.role ?? nothing}
        tabindex=${o.role || o.tab === false ? '-1' : nothing}
        aria-label=${o.label ?? nothing}
        aria-checked=${o.checked === undefined ? nothing : String(o.checked)}
        aria-disabled=${allowed ? nothing : 'true'}
        aria-describedby=${rid ?? nothing}
        aria-haspopup=${menu ? 'menu' : nothing}
        aria-expanded=${menu ? String(o.expanded) : nothing}
        title=${rid ? reason! : nothing}
        @click=${(event: Event) => allowed && o.onClick(event)}
      >${o.icon ?? nothing}<span class=${o.icon ? 'visually-hidden' : 'label'}>${o.text}</span></button
      >${rid ? html`<span id=${rid} hidden>${reason}</span>` : nothing}`;
  }

}
