import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Access, LeftReason, Member, WaitingParticipant } from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { CallcapsElement } from '../shared/callcaps-element.js';
import { COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './waiting-room.styles.js';

/** The user-visible strings of `<waiting-room>`; `{name}` is a knocker's name. */
export interface WaitingRoomStrings extends CommonStrings {
  title: string;
  count: string;
  knocking: string;
  knockingMany: string;
  justNow: string;
  waited: string;
  admit: string;
  admitLabel: string;
  deny: string;
  denyLabel: string;
  admitAll: string;
  denyAll: string;
  nameLabel: string;
  knock: string;
  nameNeeded: string;
  waiting: string;
  denied: string;
  cancel: string;
}

/** English strings of `<waiting-room>`. */
export const WAITING_ROOM_STRINGS: WaitingRoomStrings = {
  ...COMMON_STRINGS,
  title: 'Waiting to join',
  count: '{count} waiting',
  knocking: '{name} is asking to join',
  knockingMany: '{count} people are asking to join',
  justNow: 'just arrived',
  waited: 'waiting {minutes} min',
  admit: 'Admit',
  admitLabel: 'Admit {name}',
  deny: 'Deny',
  denyLabel: 'Deny {name}',
  admitAll: 'Admit all',
  denyAll: 'Deny all',
  nameLabel: 'Your name',
  knock: 'Ask to join',
  nameNeeded: 'Enter your name first',
  waiting: 'Waiting for the host to let you in…',
  denied: 'The host did not let you in.',
  cancel: 'Cancel',
};

/** Rows rendered per animation frame (see `_progressive`). */
const ROWS_PER_FRAME = 200;
/** How often the waited times refresh. */
const TICK_MS = 30_000;

/**
 * The waiting room, with two faces: for those who may admit, the live list of
 * knockers; for someone in the lobby, the form to knock and its status.
 * Otherwise it renders nothing.
 *
 * @tagname waiting-room
 * @summary Knockers to admit or deny (hosts), or the lobby's knock form and status (guests).
 *
 * @event callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
 *
 * @csspart error - The aria-live region that shows a failed action's message.
 * @csspart error-dismiss - The button that dismisses the error.
 *
 * @csspart count - The number of knockers.
 * @csspart admit-all - Admits every knocker (`'*'`).
 * @csspart deny-all - Denies every knocker (`'*'`).
 * @csspart waiting-list - The list of knockers.
 * @csspart waiting-participant - One knocker, with `data-member-id`.
 * @csspart name - A knocker's name (always text).
 * @csspart waited - How long a knocker has waited.
 * @csspart admit - Admits one knocker.
 * @csspart deny - Denies one knocker.
 * @csspart announcement - The aria-live region that announces new knockers.
 * @csspart name-input - The lobby's name field.
 * @csspart knock - Knocks (asks to be let in).
 * @csspart status - The lobby's status (waiting, denied), aria-live.
 * @csspart cancel - Stops waiting (leaves).
 *
 * @cssproperty --waiting-room-gap - Space between controls (falls back to `--callcaps-gap`).
 * @cssproperty --waiting-room-background - Background (falls back to `--callcaps-surface`).
 * @cssproperty --waiting-room-max-height - Height after which the list scrolls (360px).
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
export class WaitingRoom extends CallcapsElement<WaitingRoomStrings> {
  static override styles = [base, styles];
  static override properties = { _now: { state: true }, _announcement: { state: true }, _name: { state: true } };

  protected override readonly _defaults = WAITING_ROOM_STRINGS;
  readonly #waiting = new ObservableController<readonly WaitingParticipant[]>(this, []);
  readonly #access = new ObservableController<Access>(this, { level: 'unknown', awaiting: null });
  readonly #left = new ObservableController<LeftReason | null>(this, null);
  readonly #self = new ObservableController<Member | null>(this, null);

  private _now = Date.now();
  private _announcement = '';
  private _name = '';

  #prefilled = false;
  #seen: ReadonlySet<string> | null = null;
  #timer?: ReturnType<typeof setInterval>;
  #context?: { t: WaitingRoomStrings; allowed: boolean; reason: string; gating: string };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => (this._now = Date.now()), TICK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  protected override _bind(): void {
    super._bind();
    this.#waiting.source = this.call?.waiting$;
    this.#access.source = this.call?.access$;
    this.#left.source = this.call?.left$;
    this.#self.source = this.call?.self$;
    this.#seen = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // The lobby's name field starts with the name the call knows, once.
    if (!this.#prefilled && this.#self.value?.name) {
      this.#prefilled = true;
      this._name ||= this.#self.value.name;
    }
    // Announce knockers that arrived since the last update (not those already waiting at first sight).
    const knockers = this._caps.admit ? this.#waiting.value : [];
    const fresh = this.#seen ? knockers.filter((k) => !this.#seen!.has(k.id)) : [];
    if (fresh.length) {
      const t = this.t;
      this._announcement = fresh.length === 1 ? format(t.knocking, { name: fresh[0].name }) : format(t.knockingMany, { count: fresh.length });
    }
    if (this._ready) this.#seen = new Set(knockers.map((k) => k.id));
    const next = { t: this.t, allowed: this._caps.admit, reason: this._notReadyReason, gating: this.gating };
    const prev = this.#context;
    if (!prev || prev.t !== next.t || prev.allowed !== next.allowed || prev.reason !== next.reason || prev.gating !== next.gating) {
      this.#context = next;
    }
  }

  #knock(event: Event): void {
    event.preventDefault();
    const name = this._name.trim();
    if (name && this._connection.value === 'connected') void this._act('requestAccess', [name]);
  }

  #row(knocker: WaitingParticipant, minutes: number): TemplateResult {
    const { t, allowed, reason } = this.#context!;
    const name = knocker.name;
    const button = (part: 'admit' | 'deny', label: string) =>
      this._control({
        part,
        text: t[part],
        label: format(label, { name }),
        allowed,
        reason,
        id: `${part}-${knocker.id}`,
        look: part === 'admit' ? 'primary' : undefined,
        onClick: () => void this._act('updateWaiting', [knocker.id, part === 'admit']),
      });
    return html`<li part="waiting-participant" class="row" data-member-id=${knocker.id}>
      <span part="name" class="name">${name}</span>
      <span part="waited">${minutes < 1 ? t.justNow : format(t.waited, { minutes })}</span>
      ${button('admit', t.admitLabel)} ${button('deny', t.denyLabel)}
    </li>`;
  }

  #renderHost(): TemplateResult {
    const ctx = this.#context!;
    const t = ctx.t;
    const knockers = this.#waiting.value;
    const all = (part: 'admit-all' | 'deny-all', grant: boolean) =>
      this._control({
        part,
        label: t[grant ? 'admitAll' : 'denyAll'],
        allowed: ctx.allowed && knockers.length > 0,
        look: grant ? 'primary' : undefined,
        onClick: () => void this._act('updateWaiting', ['*', grant]),
      });
    return html`<div class="head">
        <span part="count">${format(t.count, { count: knockers.length })}</span>
        ${knockers.length ? html`${all('admit-all', true)} ${all('deny-all', false)}` : nothing}
      </div>
      ${this._renderError()}
      <ul part="waiting-list" aria-label=${t.title}>
        ${repeat(
          this._progressive(knockers, ROWS_PER_FRAME),
          (knocker) => knocker.id,
          (knocker) => {
            const minutes = Math.max(0, Math.floor((this._now - knocker.requested_at) / 60_000));
            return guard([knocker, ctx, minutes], () => this.#row(knocker, minutes));
          },
        )}
      </ul>`;
  }

  #renderLobby(): TemplateResult {
    const t = this.t;
    const access = this.#access.value;
    const connected = this._connection.value === 'connected';
    if (this.#left.value === 'denied') {
      return html`<p part="status" role="status">${t.denied}</p>`;
    }
    if (access.awaiting) {
      return html`<p part="status" role="status">${t.waiting}</p>
        ${this._control({
          part: 'cancel',
          label: t.cancel,
          allowed: connected,
          reason: this._notReadyReason,
          onClick: () => void this._act('leave', []),
        })}
        ${this._renderError()}`;
    }
    const named = !!this._name.trim();
    return html`<form @submit=${this.#knock}>
        <label
          >${t.nameLabel}
          <input
            part="name-input"
            name="name"
            autocomplete="name"
            .value=${this._name}
            @input=${(event: Event) => (this._name = (event.target as HTMLInputElement).value)}
        /></label>
        <button
          part="knock"
          class="primary"
          aria-disabled=${named && connected ? nothing : 'true'}
          aria-describedby=${named && connected ? nothing : 'knock-reason'}
        >${t.knock}</button><span id="knock-reason" hidden>${connected ? t.nameNeeded : this._notReadyReason}</span>
      </form>
      <p part="status" role="status"></p>
      ${this._renderError()}`;
  }

  override render() {
    if (!this.call) return nothing;
    if (this.#left.value === 'denied' || this.#access.value.level === 'lobby') return this.#renderLobby();
    if (!this._caps.admit) return nothing;
    return html`${this.#renderHost()}<div part="announcement" class="visually-hidden" role="status">${this._announcement}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'waiting-room': WaitingRoom;
  }
}
