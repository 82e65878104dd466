import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Access, LeftReason, Member, RoomState, WaitingParticipant } from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { avatar, CallcapsElement, keep } from '../shared/callcaps-element.js';
import type { Plural } from '../shared/locale.js';
import { COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './waiting-room.styles.js';

/** The user-visible strings of `<waiting-room>`; `{name}` is a knocker's name. */
export interface WaitingRoomStrings extends CommonStrings {
  title: string;
  /** How many are waiting: `{count}`. */
  count: Plural;
  /** One new knocker, announced; `knockingMany`: several at once (`{count}`). */
  knocking: string;
  knockingMany: Plural;
  /** A knocker waiting for less than a minute; `waited`: longer, `{time}` being the minutes in words ("5 minutes", `Intl.NumberFormat`) and `{minutes}` the number. */
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
  /** The lobby's badge: a host lets people in. */
  private: string;
  waiting: string;
  admitted: string;
  denied: string;
}

/** English strings of `<waiting-room>`. */
export const WAITING_ROOM_STRINGS: WaitingRoomStrings = {
  ...COMMON_STRINGS,
  title: 'Waiting to join',
  count: { other: '{count} waiting' },
  knocking: '{name} is asking to join',
  knockingMany: { other: '{count} people are asking to join' },
  justNow: 'just arrived',
  waited: 'waiting for {time}',
  admit: 'Admit',
  admitLabel: 'Admit {name}',
  deny: 'Deny',
  denyLabel: 'Deny {name}',
  admitAll: 'Admit all',
  denyAll: 'Deny all',
  nameLabel: 'Your name',
  knock: 'Ask to join',
  nameNeeded: 'Enter your name first',
  private: 'Private room: a host lets you in',
  waiting: 'Waiting for the host to let you in…',
  admitted: 'You are in: a host let you in.',
  denied: 'The host did not let you in.',
};

/** Rows rendered per animation frame (see `_progressive`). */
const ROWS_PER_FRAME = 200;
/** How often the waited times refresh. */
const TICK_MS = 30_000;

/**
 * The waiting room, with two faces: for those who may admit, the live list of
 * knockers (as the permissions panel's rows: initial, name, how long); for
 * someone in the lobby, one card with the room's name, that a host lets people
 * in, the name already given, and one state at a time (form, waiting,
 * admitted, denied). Otherwise it renders nothing (and reflects `empty`).
 *
 * @tagname waiting-room
 * @summary Knockers to admit or deny (hosts), or the lobby's knock form and status (guests).
 *
 * @event {CustomEvent<CallcapsActionDetail>} callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event {CustomEvent<CallcapsErrorDetail>} callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
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
 * @csspart avatar - A knocker's initial.
 * @csspart announcement - The aria-live region that announces new knockers (cleared once they are no longer waiting).
 * @csspart lobby - The lobby's card; `data-state` is `form`, `waiting`, `admitted` or `denied`.
 * @csspart room - The room's name (from the call, or `room-name`).
 * @csspart private - The badge saying that a host lets people in.
 * @csspart name-input - The lobby's name field (prefilled with `name`, or the name the call knows).
 * @csspart knock - Knocks (asks to be let in).
 * @csspart status - The lobby's one status (waiting, admitted, denied), aria-live.
 * @csspart cancel - Stops waiting (leaves).
 * @csspart reconnecting - The banner shown while reconnecting, over the last content (dimmed and inert).
 *
 * @attr {boolean} empty - Present while the element renders nothing, so that a page can hide its container.
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
  static override properties = {
    _now: { state: true },
    _announcement: { state: true },
    _name: { state: true },
    name: {},
    roomName: { attribute: 'room-name' },
  };

  protected override readonly _defaults = WAITING_ROOM_STRINGS;
  protected override readonly _section = 'waiting-room';
  readonly #waiting = new ObservableController<readonly WaitingParticipant[]>(this, []);
  readonly #access = new ObservableController<Access>(this, { level: 'unknown', awaiting: null });
  readonly #left = new ObservableController<LeftReason | null>(this, null);
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);

  /** The name the knocker already gave (a join form's): the lobby's name field starts with it. */
  name?: string;

  /** The room's name for the lobby, when the call does not know it yet (a knocker has no room state). */
  roomName?: string;

  private _now = Date.now();
  private _announcement = '';
  private _name = '';

  #prefilled = false;
  #seen: ReadonlySet<string> | null = null;
  /** The knockers the announcement names. */
  #announced: readonly string[] = [];
  /** The access before reconnecting (the link's loss forgets it), and whether this participant knocked. */
  #lastAccess?: Access;
  #knocked = false;
  #timer?: ReturnType<typeof setInterval>;
  #context?: { t: WaitingRoomStrings; allowed: boolean; reason: string };

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
    this.#room.source = this.call?.room$;
    this.#seen = null;
    this.#knocked = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // The lobby's name field starts with the name given (the page's, else the call's), once.
    if (changed.has('name') && this.name) this._name = this.name;
    if (!this.#prefilled && this.#self.value?.name) {
      this.#prefilled = true;
      this._name ||= this.#self.value.name;
    }
    if (!this._stale) this.#lastAccess = this.#access.value;
    if (this.#access.value.awaiting) this.#knocked = true;
    // Announce knockers that arrived since the last update (not those already waiting at first sight);
    // an announcement whose knockers are gone (admitted, denied, left) is withdrawn, never left stale.
    const knockers = this._caps.admit ? this.#waiting.value : [];
    const fresh = this.#seen ? knockers.filter((k) => !this.#seen!.has(k.id)) : [];
    if (fresh.length) {
      const t = this.t;
      this._announcement = fresh.length === 1 ? format(t.knocking, { name: fresh[0].name }) : this._plural('knockingMany', fresh.length);
      this.#announced = fresh.map((k) => k.id);
    } else if (this.#announced.some((id) => !knockers.some((k) => k.id === id))) {
      this._announcement = '';
      this.#announced = [];
    }
    if (this._ready) this.#seen = new Set(knockers.map((k) => k.id));
    const next = { t: this.t, allowed: this._caps.admit, reason: this._notReadyReason };
    this.#context = keep(this.#context, next);
  }

  #knock(event: Event): void {
    event.preventDefault();
    const name = this._name.trim();
    if (name && this._connection.value === 'connected') void this._act('requestAccess', [name]);
  }

  #row(knocker: WaitingParticipant, waited: string): TemplateResult {
    const { t, allowed, reason } = this.#context!;
    const name = knocker.name;
    const button = (part: 'admit' | 'deny', label: string) =>
      this._control({
        part,
        text: t[part],
        label: format(label, { name }),
        look: part === 'admit' ? 'primary' : undefined,
        may: [allowed, reason],
        id: `${part}-${knocker.id}`,
        onClick: () => void this._act('updateWaiting', [knocker.id, part === 'admit']),
      });
    return html`<li part="waiting-participant" class="row" data-member-id=${knocker.id}>
      ${avatar(name)}
      <span class="who"><span part="name" class="name">${name}</span>
        <span part="waited" class="waited">${waited}</span></span>
      ${button('deny', t.denyLabel)} ${button('admit', t.admitLabel)}
    </li>`;
  }

  #renderHost(): TemplateResult {
    const ctx = this.#context!;
    const t = ctx.t;
    const knockers = this.#waiting.value;
    // A duration ("waiting for 5 minutes"): a unit, rather than a relative time ("5 minutes ago") that would need a sentence of its own.
    const unit = new Intl.NumberFormat(this._lang, { style: 'unit', unit: 'minute', unitDisplay: 'long' });
    const all = (part: 'admit-all' | 'deny-all', grant: boolean) =>
      this._control({
        part,
        text: t[grant ? 'admitAll' : 'denyAll'],
        may: [ctx.allowed && knockers.length > 0],
        look: grant ? 'primary' : undefined,
        onClick: () => void this._act('updateWaiting', ['*', grant]),
      });
    return html`<div class="head">
        <span part="count">${this._plural('count', knockers.length)}</span>
        ${knockers.length ? html`${all('admit-all', true)} ${all('deny-all', false)}` : nothing}
      </div>
      ${this._renderError()}
      <ul part="waiting-list" aria-label=${t.title}>
        ${repeat(
          this._progressive(knockers, ROWS_PER_FRAME),
          (knocker) => knocker.id,
          (knocker) => {
            const minutes = Math.max(0, Math.floor((this._now - knocker.requested_at) / 60_000));
            const waited = minutes < 1 ? t.justNow : format(t.waited, { minutes, time: unit.format(minutes) });
            return guard([knocker, ctx, waited], () => this.#row(knocker, waited));
          },
        )}
      </ul>`;
  }

  #renderLobby(): TemplateResult {
    const t = this.t;
    // The access as last seen connected (willUpdate keeps it current until reconnecting).
    const access = this.#lastAccess ?? this.#access.value;
    const connected = this._connection.value === 'connected';
    const denied = this.#left.value === 'denied';
    const state = denied ? 'denied' : access.awaiting ? 'waiting' : access.level === 'lobby' ? 'form' : 'admitted';
    const named = !!this._name.trim();
    const roomName = this.#room.value?.name || this.roomName;
    let body: TemplateResult | typeof nothing = nothing;
    if (state === 'form') {
      body = html`<form @submit=${this.#knock}>
        <label for="name">${t.nameLabel}</label>
        <input
          part="name-input"
          id="name"
          name="name"
          autocomplete="name"
          .value=${this._name}
          @input=${(event: Event) => (this._name = (event.target as HTMLInputElement).value)}
        />
        <button
          part="knock"
          class="primary"
          aria-disabled=${named && connected ? nothing : 'true'}
          aria-describedby=${named && connected ? nothing : 'knock-reason'}
        >${t.knock}</button><span id="knock-reason" hidden>${connected ? t.nameNeeded : this._notReadyReason}</span>
      </form>`;
    } else if (state === 'waiting') {
      body = this._control({
        part: 'cancel',
        text: t.cancel,
        may: [connected, this._notReadyReason],
        onClick: () => void this._act('leave', []),
      });
    }
    // One status, always in place so that what appears in it is announced once.
    return html`<div part="lobby" class="lobby" data-state=${state}>
      ${roomName ? html`<p part="room" class="title">${roomName}</p>` : nothing}
      <p part="private">${t.private}</p>
      ${body}
      <p part="status" role="status">${state === 'form' ? '' : t[state]}</p>
      ${this._renderError()}
    </div>`;
  }

  protected override _render() {
    if (!this.call) return nothing;
    const level = (this.#lastAccess ?? this.#access.value).level;
    if (this.#left.value === 'denied' || level === 'lobby' || (this.#knocked && level === 'full' && !this._caps.admit)) return this.#renderLobby();
    if (!this._caps.admit) return nothing;
    return html`${this.#renderHost()}<div part="announcement" class="visually-hidden" role="status">${this._announcement}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'waiting-room': WaitingRoom;
  }
}
