import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { CallCapabilitiesState } from '../../core/capabilities.js';
import {
  hasRoster,
  mayActOn,
  type AdminKind,
  type LargeRoomCall,
  type MediaChannel,
  type Member,
  type MemberAction,
  type ParticipantPermissions,
  type PermissionRequest,
  type PermissionsUpdate,
  type RoomState,
  type RosterState,
  type SendKind,
} from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { avatar, CallcapsElement, keep, type ControlOptions } from '../shared/callcaps-element.js';
import { icons } from '../shared/icons.js';
import { menuKey, step } from '../shared/menu.js';
import type { Plural } from '../shared/locale.js';
import { camel, COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './permissions-panel.styles.js';

/**
 * The user-visible strings of `<permissions-panel>`; `{name}` is the
 * participant's name. `role.<name>` describes what a call role grants, in the
 * role picker (the defaults describe the reference server's default call type).
 */
export interface PermissionsPanelStrings extends CommonStrings {
  [role: `role.${string}`]: string;
  title: string;
  search: string;
  /** How many participants are listed (after search): `{count}`. */
  count: Plural;
  /** How many members without presence (the audience) there are, after the count: `{count}`. */
  watching: Plural;
  /** The accessible name of a row's inline action: `{action}` for `{name}`. */
  actionFor: string;
  /** The name of a row's menu button. */
  more: string;
  owner: string;
  /** The state icons' names: `mic` (live), `micOff` (muted), `camera`, `cameraOff`, `screenshare` (sharing), `hand` (raised). */
  mic: string;
  micOff: string;
  camera: string;
  cameraOff: string;
  screenshare: string;
  hand: string;
  muteAudio: string;
  unmuteAudio: string;
  muteVideo: string;
  unmuteVideo: string;
  presence: string;
  sendAudio: string;
  sendVideo: string;
  sendScreen: string;
  /** `canAdmin` holding `participants`: a permission, distinct from the call role. */
  admin: string;
  role: string;
  remove: string;
  removeConfirm: string;
  removeConfirmYes: string;
  /** A pending request: `{kinds}` joins the `*Kind` strings. */
  asks: string;
  presenceKind: string;
  audioKind: string;
  videoKind: string;
  screenshareKind: string;
  approve: string;
  deny: string;
  muteAll: string;
  approveAll: string;
  denyAll: string;
  everyone: string;
  allowAllSend: string;
  blockAllSend: string;
  /** Reasons: the rule that keeps an action from the user. */
  ownerOnly: string;
  muteDenied: string;
  unmuteDenied: string;
  permissionsDenied: string;
  roleDenied: string;
  removeDenied: string;
}

/** English strings of `<permissions-panel>`. */
export const PERMISSIONS_PANEL_STRINGS: PermissionsPanelStrings = {
  ...COMMON_STRINGS,
  title: 'Participants',
  search: 'Search participants',
  count: { one: '{count} participant', other: '{count} participants' },
  watching: { other: '{count} watching' },
  actionFor: '{action}: {name}',
  more: 'Actions for {name}',
  owner: 'Owner',
  mic: 'Mic on',
  micOff: 'Muted',
  camera: 'Camera on',
  cameraOff: 'Camera off',
  screenshare: 'Sharing screen',
  hand: 'Hand raised',
  muteAudio: 'Mute',
  unmuteAudio: 'Unmute',
  muteVideo: 'Stop video',
  unmuteVideo: 'Start video',
  presence: 'Visible in the call',
  sendAudio: 'Can send audio',
  sendVideo: 'Can send video',
  sendScreen: 'Can share the screen',
  admin: 'Can manage participants',
  role: 'Role',
  'role.user': 'Sends as permitted',
  'role.call_member': 'Sends as permitted',
  'role.moderator': 'Also mutes, removes, sets permissions',
  'role.host': 'Also roles, layout, lock, recording',
  'role.admin': 'All a host can do',
  remove: 'Remove…',
  removeConfirm: 'Remove {name} from the call?',
  removeConfirmYes: 'Remove',
  asks: 'Asks to {kinds}',
  presenceKind: 'appear',
  audioKind: 'speak',
  videoKind: 'use video',
  screenshareKind: 'share screen',
  approve: 'Approve',
  deny: 'Deny',
  muteAll: 'Mute all',
  approveAll: 'Approve all',
  denyAll: 'Deny all',
  everyone: 'Actions for everyone',
  allowAllSend: 'Let everyone send audio, video and screen',
  blockAllSend: 'Make everyone listen only',
  ownerOnly: 'Nobody but an owner changes an owner',
  muteDenied: 'Only hosts can mute others',
  unmuteDenied: 'Only owners can unmute others',
  permissionsDenied: 'Only hosts can change permissions',
  roleDenied: 'Only hosts can change roles',
  removeDenied: 'Only hosts can remove people',
};

/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 8;
const ALL_SEND: readonly SendKind[] = ['audio', 'video', 'screenVideo', 'screenAudio'];
const ALL_ADMIN: readonly AdminKind[] = ['participants', 'streaming', 'transcription'];
/** What approving each kind of request grants. */
const REQUEST_SENDS = { audio: ['audio'], video: ['video'], screenshare: ['screenVideo', 'screenAudio'] } as const;
const APPLY_ALL = [['allowAllSend', { canSend: true }], ['blockAllSend', { canSend: false }]] as const;

const list = <K extends string>(value: boolean | readonly K[], all: readonly K[]): K[] =>
  value === true ? [...all] : value === false ? [] : [...value];
const holds = <K extends string>(value: boolean | readonly K[], kind: K): boolean =>
  value === true || (Array.isArray(value) && value.includes(kind));
const toggled = <K extends string>(value: boolean | readonly K[], all: readonly K[], kinds: readonly K[], on: boolean): K[] => {
  const next = list(value, all).filter((kind) => !kinds.includes(kind));
  return on ? [...next, ...kinds] : next;
};

/** One line of the list: a participant, or a request from someone the list does not show (a hidden member). */
type Item = Member | PermissionRequest;
const isMember = (item: Item): item is Member => 'owner' in item;
const idOf = (item: Item): string => (isMember(item) ? item.id : item.member_id);

/** Whether an action is allowed, and the rule that keeps it from the user. */
type May = readonly [allowed: boolean, reason: string];

/** Everything a row depends on besides its member and request: a new object only when one of these changes. */
interface RowContext {
  caps: CallCapabilitiesState;
  self: Member | null;
  roles: readonly string[];
  gating: string;
  t: PermissionsPanelStrings;
  /** What the call can change (`Call.permissionFields`); undefined: everything. */
  fields?: readonly string[];
}

/** One button (see `ControlOptions`): `menu` is the menu it opens (a member id, or `*`), making it an icon-only menu button. */
type Button = Omit<ControlOptions, 'onClick' | 'icon' | 'expanded'> & { id: string; menu?: string; onClick?: () => void };

/**
 * The host's view of the participants. A row reads at a glance (initial, name,
 * role badge, microphone, camera, screen, hand and reconnecting state) and
 * offers its likeliest action inline (approve or deny a pending request, or
 * mute); everything else is in the row's menu, with removal set apart and
 * confirmed. Rows that need attention come first (pending requests, then
 * raised hands), otherwise in call order. Every action is offered only when
 * the server would accept it for that participant; a disabled one
 * (`gating="disable"`) says which rule keeps it.
 *
 * The list is windowed: only the rows in and near its viewport are in the DOM
 * (each with `aria-posinset` and `aria-setsize`), at a uniform height
 * (`--permissions-panel-row-height`). It is one tab stop: arrow keys move
 * between rows, Home and End jump; Tab enters the focused row's controls.
 *
 * In a large room on the reference server (`hasRoster(call)`) the list is the
 * call's paged roster: rows not loaded yet are counted and take their place,
 * the pages the window reaches are loaded as it scrolls (a jump such as End
 * loads in pages of up to 1,000), and search asks the server.
 *
 * @tagname permissions-panel
 * @summary Participants at a glance for hosts: state, attention first, an action inline and the rest in a menu; search, bulk actions, windowed for long lists.
 *
 * @event {CustomEvent<CallcapsActionDetail>} callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event {CustomEvent<CallcapsErrorDetail>} callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
 *
 * @csspart error - The aria-live region that shows a failed action's message.
 * @csspart error-dismiss - The button that dismisses the error.
 *
 * @csspart search - The search box (filters by name).
 * @csspart count - The number of participants shown (after search), and on the reference server how many members without presence watch ("12 participants, 40 watching").
 * @csspart everyone - Opens everyone's menu ("Actions for everyone"): `mute-all`, `approve-all`, `deny-all`, `apply-all`.
 * @csspart mute-all - Item of everyone's menu: mutes every live participant the user may mute (one `mute` per participant, checked with `mayActOn`; never the user).
 * @csspart approve-all - Item of everyone's menu, while requests are pending: approves each.
 * @csspart deny-all - Item of everyone's menu, while requests are pending: denies each.
 * @csspart apply-all - Item of everyone's menu: applies a change to every participant (`'*'`): let everyone send, or make everyone listen only.
 * @csspart participants - The list of participants (the scrolling, windowed list).
 * @csspart participant - One participant's row, with `data-member-id`.
 * @csspart request - A row with a pending request (also `participant`, unless the requester is not in the list), with `data-member-id`.
 * @csspart approve - Approves a request (grants what it asks for).
 * @csspart deny - Denies a request.
 * @csspart avatar - A participant's initial.
 * @csspart name - A participant's name (always text).
 * @csspart badge - A participant's role ("Owner" for owners; none for plain users).
 * @csspart state - A live state icon, with `data-icon`: `mic`, `mic-off`, `camera`, `camera-off`, `screenshare`, `hand`.
 * @csspart more - A row's menu button ("Actions for…"), icon-only.
 * @csspart menu - The open menu (a row's or `everyone`'s); its items keep their parts.
 * @csspart mute-audio - Mutes a participant ("Mute"), or unmutes one ("Unmute"; for owners in the reference server). Inline, or in the menu while a request takes the inline place.
 * @csspart mute-video - Menu item: stops a participant's video ("Stop video"), or starts it ("Start video").
 * @csspart presence - Menu checkbox: whether a participant is visible in the call (`hasPresence`).
 * @csspart send-audio - Menu checkbox: whether a participant may send audio.
 * @csspart send-video - Menu checkbox: whether a participant may send video.
 * @csspart send-screen - Menu checkbox: whether a participant may share a screen.
 * @csspart admin - Menu checkbox: whether a participant may manage participants (`canAdmin`), whatever the role.
 * @csspart role - The group of call roles in the menu.
 * @csspart role-option - One call role (a radio item that says what the role grants).
 * @csspart remove - Menu item: removes a participant, after a confirmation.
 * @csspart remove-confirm - The confirmation of `remove` (an alert dialog in place of the menu).
 * @csspart remove-confirm-yes - Confirms the removal.
 * @csspart remove-cancel - Cancels the removal (focused first).
 * @csspart reconnecting - The banner shown while reconnecting, over the last list (dimmed and inert).
 *
 * @attr {boolean} empty - Present while the element renders nothing (a participant who is not a host), so that a page can hide its container.
 *
 * @cssproperty --permissions-panel-gap - Space between controls (falls back to `--callcaps-gap`).
 * @cssproperty --permissions-panel-background - Background (falls back to `--callcaps-surface`).
 * @cssproperty --permissions-panel-max-height - Height after which the list scrolls (480px).
 * @cssproperty --permissions-panel-row-height - The height of every row, which windowing relies on (56px).
 * @cssproperty --callcaps-font - Font family of every element.
 * @cssproperty --callcaps-radius - Corner radius of controls.
 * @cssproperty --callcaps-gap - Space between controls.
 * @cssproperty --callcaps-focus-ring - Colour of the keyboard focus ring.
 * @cssproperty --callcaps-surface - Background of the element.
 * @cssproperty --callcaps-on-surface - Text colour on the surface.
 * @cssproperty --callcaps-control - Background of controls and badges.
 * @cssproperty --callcaps-on-control - Text and icon colour of controls.
 * @cssproperty --callcaps-accent - Primary actions, raised hands and rows with a pending request.
 * @cssproperty --callcaps-on-accent - Text colour on the accent.
 * @cssproperty --callcaps-danger - Destructive actions and error text.
 * @cssproperty --callcaps-on-danger - Text colour on the danger colour.
 * @cssproperty --callcaps-border - Border colour of controls.
 */
export class PermissionsPanel extends CallcapsElement<PermissionsPanelStrings> {
  static override styles = [base, styles];
  static override properties = { _query: { state: true }, _confirm: { state: true } };

  protected override readonly _defaults = PERMISSIONS_PANEL_STRINGS;
  protected override readonly _section = 'permissions-panel';
  readonly #participants = new ObservableController<readonly Member[]>(this, []);
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);
  readonly #requests = new ObservableController<readonly PermissionRequest[]>(this, []);
  /** A large room's call (`hasRoster(call)`), with its paged roster and audience count. */
  #large?: LargeRoomCall;
  readonly #roster = new ObservableController<RosterState | null>(this, null);
  readonly #audience = new ObservableController<number | null>(this, null);

  private _query = '';
  /** The open menu: a member id, `*` for everyone's, or null. */
  protected declare _open: string | null;
  /** Whether the open menu shows the removal's confirmation instead. */
  private _confirm = false;

  #context?: RowContext;
  /** The list after search and attention ordering. */
  #items: readonly Item[] = [];
  /** Members shown (the count). */
  #count = 0;
  /** Rows of a paged roster not loaded yet (after the loaded ones). */
  #unloaded = 0;
  /** How many rows the window lacks (rows not loaded yet that it reaches): 0, or the next page is wanted. */
  #more = 0;
  /** Pending requests by member id. */
  #req = new Map<string, PermissionRequest>();
  /** The list's scroll offset and row height, in CSS pixels, as last seen. */
  #top = 0;
  #h = 56;
  /** Whether focus was in the list before the update. */
  #focused = false;
  /** The member id of the row that holds the list's tab stop (null: the first). */
  #active: string | null = null;
  #pop: Element | null = null;
  /** What to focus after the next update (a selector). */
  #focusNext?: string;

  protected override _bind(): void {
    super._bind();
    this.#participants.source = this.call?.participants$;
    this.#self.source = this.call?.self$;
    this.#room.source = this.call?.room$;
    this.#requests.source = this.call?.requests$;
    const large = (this.#large = this.call && hasRoster(this.call) ? this.call : undefined);
    this.#roster.source = large?.roster.state$;
    this.#audience.source = large?.audience.count$;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const self = this.#self.value;
    const next: RowContext = {
      caps: this._caps,
      self,
      roles: this.#room.value?.roles ?? [],
      gating: this.gating,
      t: this.t,
      fields: this.call?.permissionFields,
    };
    this.#context = keep(this.#context, next);
    // Attention first: pending requests, then raised hands, then everyone else, each in call order.
    const query = this._query.trim().toLowerCase();
    // Names are read only while searching.
    const match = (item: Item) => !query || item.name.toLowerCase().includes(query);
    const requests = this.#requests.value;
    const req = (this.#req = new Map(requests.map((r) => [r.member_id, r])));
    const asking: Item[] = [];
    const hands: Item[] = [];
    const rest: Item[] = [];
    const listed = new Set<string>();
    const roster = this.#roster.value;
    let selfLoaded = false;
    for (const m of roster?.members ?? this.#participants.value) {
      if (m.id === self?.id) {
        selfLoaded = true;
        continue;
      }
      if (req.has(m.id)) listed.add(m.id);
      if (match(m)) (req.has(m.id) ? asking : m.handraised ? hands : rest).push(m);
    }
    // A paged roster's members not loaded yet: the server counts them, and the user among them (unless searched away) until loaded.
    const unloaded = (this.#unloaded = roster ? Math.max(0, roster.total - roster.members.length - +!(roster.search || selfLoaded)) : 0);
    this.#count = asking.length + hands.length + rest.length + unloaded;
    for (const r of requests) if (!listed.has(r.member_id) && r.member_id !== self?.id && match(r)) asking.push(r);
    this.#items = asking.length + hands.length ? [...asking, ...hands, ...rest] : rest;
    this.#focused = !!this.shadowRoot?.activeElement?.closest('.list');
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const root = this.renderRoot as ShadowRoot;
    // The row height, from layout (the last known while hidden): a change renders another window.
    const h = root.querySelector<HTMLElement>('.row')?.offsetHeight || this.#h;
    if (h !== this.#h) (this.#h = h), this.requestUpdate();
    // Focus lost from the list (its row moved, or its control or row went away) goes to the row holding the tab stop.
    if (this.#focused && !root.activeElement) root.querySelector<HTMLElement>('[tabindex="0"]')?.focus({ preventScroll: true });
    const pop = root.querySelector<HTMLElement>('.pop');
    if (pop !== this.#pop) (pop as (HTMLElement & { showPopover?: () => void }) | null)?.showPopover?.();
    this.#pop = pop;
    // A row not loaded yet is focused once its page arrives.
    const next = this.#focusNext ? root.querySelector<HTMLElement>(this.#focusNext) : null;
    if (next || !this.#more) this.#focusNext = undefined;
    next?.focus();
    // The rows the window lacks, in one page when it jumped far (End): at least the server's usual 100, at most 1,000.
    if (this.#more && !this.#roster.value?.complete) {
      this.#large?.roster.loadMore(Math.min(1000, Math.max(100, this.#more))).catch(() => {});
    }
  }

  /** Focuses row `i`, scrolling it into view first so that it and its neighbours are rendered. */
  #focusRow(i: number): void {
    const list = this.renderRoot.querySelector('.list')!;
    const h = this.#h;
    const top = i * h;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + h > list.scrollTop + list.clientHeight) list.scrollTop = top + h - list.clientHeight;
    this.#top = list.scrollTop;
    this.#active = this.#items[i] ? idOf(this.#items[i]) : null;
    this.#focusNext = `[aria-posinset="${i + 1}"]`;
    this.requestUpdate();
  }

  /** Roving focus: arrows move between rows, Home/End jump, from a row or any control in it. */
  #onListKey(event: KeyboardEvent): void {
    const at = (event.target as Element).closest('li')?.getAttribute('aria-posinset');
    const to = at ? step(event.key, +at - 1, this.#items.length + this.#unloaded, false) : undefined;
    if (to !== undefined) {
      event.preventDefault();
      this.#focusRow(to);
    }
  }

  /** The row that focus enters holds the tab stop (an update only when it did not already). */
  #onListFocus(event: FocusEvent): void {
    const li = (event.target as Element).closest('li');
    if (li) {
      this.#active = li.dataset.memberId!;
      if (li.tabIndex) this.requestUpdate();
    }
  }

  #onScroll(event: Event): void {
    this.#top = (event.currentTarget as Element).scrollTop;
    this.requestUpdate();
  }

  /** Filters the rows loaded at once; a paged roster also searches on the server. */
  #onSearch(event: Event): void {
    this._query = (event.target as HTMLInputElement).value;
    this.#large?.roster.search(this._query.trim()).catch(() => {});
  }

  #openMenu(id: string): void {
    const open = this._open === id;
    this._confirm = false;
    this._open = open ? null : id;
    this.#focusNext = open ? undefined : '[role^="menuitem"]';
  }

  #onPopKey(event: KeyboardEvent): void {
    // (Tab moves focus out, which closes it: see _onMenuFocusOut.)
    if ((this._confirm ? event.key : menuKey(event, event.currentTarget as Element)) === 'Escape') this._close();
  }

  #update(member: Member, update: { permissions?: PermissionsUpdate; role?: string }): void {
    void this._act('updateMember', [member.id, update]);
  }

  #approve(request: PermissionRequest): void {
    const member = this.#participants.value.find((m) => m.id === request.member_id);
    const permissions: { -readonly [K in keyof ParticipantPermissions]?: ParticipantPermissions[K] } = {};
    let canSend: boolean | readonly SendKind[] = member?.permissions.canSend ?? [];
    for (const kind of request.permissions) {
      if (kind === 'presence') permissions.hasPresence = true;
      else permissions.canSend = canSend = toggled(canSend, ALL_SEND, REQUEST_SENDS[kind], true);
    }
    void this._act('updateMember', [request.member_id, { permissions }]);
  }

  /** Whether the user may take `action` on `target`, and the rule that keeps it otherwise. */
  #may(ctx: RowContext, target: Pick<Member, 'id' | 'owner'>, action: MemberAction): May {
    // (Nothing renders until capabilities are known and the call connected: no "not ready" reason here.)
    return [
      mayActOn(ctx.caps, ctx.self, target, action),
      target.owner && !ctx.self?.owner ? ctx.t.ownerOnly : ctx.t[`${action.split('-')[0]}Denied` as 'muteDenied'],
    ];
  }

  /** A button (see `_control`); a menu button's menu is a member id, or `*`. */
  #btn(o: Button): TemplateResult {
    const menu = o.menu;
    return this._control({
      ...o,
      icon: menu ? icons.more : undefined,
      expanded: menu === undefined ? undefined : this._open === menu,
      onClick: () => {
        // A menu item closes its menu and returns focus to the menu's button first.
        if (o.role) this._close();
        if (menu) this.#openMenu(menu);
        else o.onClick!();
      },
    });
  }


  /**
   * Mute or unmute a member's channel, for the direction it would perform:
   * hidden (with `gating="hide"`) when that direction is not allowed, since
   * the row's state icon already shows the state.
   */
  #mute(ctx: RowContext, m: Member, channel: MediaChannel, item: boolean, tab?: boolean): TemplateResult | typeof nothing {
    const muted = channel === 'audio' ? m.audio_muted : m.video_muted;
    const may = this.#may(ctx, m, `${muted ? 'un' : ''}mute-${channel}`);
    if (!may[0] && ctx.gating === 'hide') return nothing;
    const text = ctx.t[`${muted ? 'unmute' : 'mute'}${channel === 'audio' ? 'Audio' : 'Video'}`];
    return this.#btn({
      part: `mute-${channel}`,
      text,
      label: item ? undefined : format(ctx.t.actionFor, { action: text, name: m.name }),
      may,
      id: `mute-${channel}-${m.id}`,
      role: item ? 'menuitem' : undefined,
      tab,
      onClick: () => void this._act(muted ? 'unmute' : 'mute', [[channel], m.id]),
    });
  }

  /** A row's menu: media, permissions, role, removal (set apart); empty when nothing is offered. */
  #menu(ctx: RowContext, m: Member, req: PermissionRequest | undefined): unknown[] {
    const t = ctx.t;
    const p = m.permissions;
    const show = (may: May) => may[0] || ctx.gating === 'disable';
    const perms = this.#may(ctx, m, 'permissions');
    const role = this.#may(ctx, m, 'role');
    const remove = this.#may(ctx, m, 'remove');
    const check = (part: string, on: boolean, permissions: PermissionsUpdate) =>
      ctx.fields && !Object.keys(permissions).every((field) => ctx.fields!.includes(field)) ? nothing : this.#btn({ part, text: t[camel(part) as 'admin'], role: 'menuitemcheckbox', checked: on, may: perms, id: `${part}-${m.id}`, onClick: () => this.#update(m, { permissions }) });
    const send = (part: string, kinds: readonly SendKind[]) => {
      const on = holds(p.canSend, kinds[0]);
      return check(part, on, { canSend: toggled(p.canSend, ALL_SEND, kinds, !on) });
    };
    const admin = holds(p.canAdmin, 'participants');
    const roles = ctx.roles.includes(m.role) ? ctx.roles : [m.role, ...ctx.roles];
    return [
      req ? this.#mute(ctx, m, 'audio', true) : nothing,
      this.#mute(ctx, m, 'video', true),
      show(perms)
        ? [
            check('presence', p.hasPresence, { hasPresence: !p.hasPresence }),
            send('send-audio', ['audio']),
            send('send-video', ['video']),
            send('send-screen', ['screenVideo', 'screenAudio']),
            check('admin', admin, { canAdmin: toggled(p.canAdmin, ALL_ADMIN, ['participants'], !admin) }),
          ]
        : [],
      show(role) && ctx.roles.length
        ? [html`<div part="role" role="group" aria-label=${t.role}>
            ${roles.map((name) => {
              const about = t[`role.${name}`];
              return this.#btn({
                part: 'role-option',
                text: about ? `${name}: ${about}` : name,
                role: 'menuitemradio',
                checked: name === m.role,
                may: role,
                id: `role-${name}-${m.id}`,
                onClick: () => this.#update(m, { role: name }),
              });
            })}
          </div>`]
        : [],
      show(remove)
        ? [html`<div role="separator"></div>`, this.#btn({
            part: 'remove',
            text: t.remove,
            role: 'menuitem',
            look: 'danger',
            may: remove,
            id: `remove-${m.id}`,
            onClick: () => {
              // The menu gives way to the confirmation, at the same button.
              this._open = m.id;
              this._confirm = true;
              this.#focusNext = '[part~="remove-cancel"]';
            },
          })]
        : [],
    ].filter((item) => item !== nothing && (item as unknown[]).length !== 0);
  }

  /** One row: who, their state, the likeliest action inline, and the menu button. */
  #row(item: Item, req: PermissionRequest | undefined, ctx: RowContext, on: boolean): TemplateResult {
    const t = ctx.t;
    const m = isMember(item) ? item : null;
    const id = idOf(item);
    const name = item.name;
    const badge = m?.owner ? t.owner : m && m.role !== 'user' ? m.role : '';
    const icon = (shown: boolean, name: string) =>
      shown
        ? html`<span part="state" data-icon=${name} role="img" aria-label=${t[camel(name) as 'mic']}>${icons[camel(name) as 'mic']}</span>`
        : nothing;
    const answer = (part: 'approve' | 'deny', onClick: () => void) =>
      this.#btn({
        part,
        text: t[part],
        label: format(t.actionFor, { action: t[part], name }),
        look: part === 'approve' ? 'primary' : undefined,
        may: this.#may(ctx, m ?? { id, owner: false }, 'permissions'),
        id: `${part}-${id}`,
        tab: on,
        onClick,
      });
    return html`${avatar(name)}
      <span class="who">
        <span class="line"><span part="name" class="name">${name}</span>${badge ? html`<span part="badge" class="tag">${badge}</span>` : nothing}</span>
        <span class="line">${req
          ? html`<span>${format(t.asks, { name, kinds: req.permissions.map((kind) => t[`${kind}Kind`]).join(', ') })}</span>`
          : nothing}${m
          ? [
              icon(true, m.audio_muted ? 'mic-off' : 'mic'),
              icon(true, m.video_muted ? 'camera-off' : 'camera'),
              icon(m.screenshare, 'screenshare'),
              icon(m.handraised, 'hand'),
            ]
          : nothing}${m?.reconnecting ? html`<span>${t.reconnecting}</span>` : nothing}</span>
      </span>
      ${req
        ? [answer('approve', () => this.#approve(req)), answer('deny', () => void this._act('denyRequest', [id]))]
        : m
          ? this.#mute(ctx, m, 'audio', false, on)
          : nothing}
      ${m && this.#menu(ctx, m, req).length
        ? this.#btn({ part: 'more', text: format(t.more, { name }), may: [true, ''], id, menu: id, tab: on })
        : nothing}`;
  }

  /**
   * Everyone's menu: mute all, answer every request, and the changes sent as
   * `'*'`. No `Call` method mutes everyone or answers every request, so those
   * act per participant: mute all checks each target with `mayActOn` (owners
   * are muted only by owners); requests come from non-owners, whom
   * `member.permissions` covers.
   */
  #everyone(ctx: RowContext): unknown[] {
    const { caps, self, t } = ctx;
    const mc = caps.member;
    const requests = this.#requests.value;
    const item = (part: string, key: 'muteAll' | 'approveAll' | 'denyAll' | 'allowAllSend' | 'blockAllSend', granted: boolean, reason: string, onClick: () => void) =>
      granted || ctx.gating === 'disable' ? this.#btn({ part, text: t[key], role: 'menuitem', may: [granted, reason], id: key, onClick }) : nothing;
    return [
      item('mute-all', 'muteAll', mc.muteAudio.on, t.muteDenied, () => {
        for (const m of this.#participants.value) {
          if (m.id !== self?.id && !m.audio_muted && mayActOn(caps, self, m, 'mute-audio')) void this._act('mute', [['audio'], m.id]);
        }
      }),
      requests.length
        ? [
            item('approve-all', 'approveAll', mc.permissions, t.permissionsDenied, () => requests.forEach((r) => this.#approve(r))),
            item('deny-all', 'denyAll', mc.permissions, t.permissionsDenied, () => requests.forEach((r) => void this._act('denyRequest', [r.member_id]))),
          ]
        : nothing,
      APPLY_ALL.map(([key, permissions]) =>
        item('apply-all', key, mc.permissions, t.permissionsDenied, () => void this._act('updateMember', ['*', { permissions }])),
      ),
    ];
  }

  /** The open menu (a row's, or everyone's) or the removal's confirmation, in the top layer. */
  #renderPopup(ctx: RowContext): TemplateResult | typeof nothing {
    const id = this._open;
    if (!id) return nothing;
    const t = ctx.t;
    const m = id === '*' ? null : (this.#items.find((item) => idOf(item) === id) as Member | undefined);
    // The member whose menu is open left the list (or the search).
    if (m === undefined) return nothing;
    const confirm = this._confirm && m;
    const label = m ? format(confirm ? t.removeConfirm : t.more, { name: m.name }) : t.everyone;
    const body = confirm
      ? html`<p>${label}</p>
          <button part="remove-confirm-yes" class="danger" @click=${() => (this._close(), void this._act('removeMember', [m.id]))}>
            ${t.removeConfirmYes}
          </button>
          <button part="remove-cancel" @click=${this._close}>${t.cancel}</button>`
      : m
        ? this.#menu(ctx, m, this.#req.get(id))
        : this.#everyone(ctx);
    return html`<div
      id="menu"
      popover="manual"
      class="pop"
      part=${confirm ? 'remove-confirm' : 'menu'}
      role=${confirm ? 'alertdialog' : 'menu'}
      aria-label=${label}
      @keydown=${this.#onPopKey}
      @focusout=${this._onMenuFocusOut}
    >${body}</div>`;
  }

  protected override _render() {
    const ctx = this.#context!;
    const { caps, t } = ctx;
    const mc = caps.member;
    if (!this.call || !(mc.permissions || mc.remove || caps.admit || mc.muteAudio.on || mc.muteAudio.off || mc.muteVideo.on || mc.muteVideo.off)) {
      // The list goes away (no longer a host; while reconnecting it stays, inert): the next one starts at the top.
      this.#top = 0;
      return nothing;
    }
    const n = this.#count;
    // The window: the rows in and near the viewport (never taller than the window), after a spacer of the rows above it (the list's padding).
    const items = this.#items;
    const count = items.length + this.#unloaded;
    const h = this.#h;
    const from = Math.max(0, Math.floor(this.#top / h) - OVERSCAN);
    const to = Math.min(count, Math.ceil((this.#top + innerHeight) / h) + OVERSCAN);
    // Rows not loaded yet render as the space below.
    const end = Math.max(from, Math.min(to, items.length));
    this.#more = Math.max(0, to - items.length);
    // The row holding the tab stop: the last one focused while it is rendered, else the first rendered.
    const ai = items.findIndex((item) => idOf(item) === this.#active);
    const active = ai < from || ai >= to ? from : ai;
    return html`<div class="head">
        <input
          part="search"
          type="search"
          aria-label=${t.search}
          placeholder=${t.search}
          .value=${this._query}
          @input=${this.#onSearch}
        />
        <span part="count" role="status"
          >${this._plural('count', n)}${this.#audience.value ? `, ${this._plural('watching', this.#audience.value)}` : ''}</span
        >
        ${mc.muteAudio.on || mc.permissions || ctx.gating === 'disable'
          ? this.#btn({ part: 'everyone', text: t.everyone, may: [true, ''], id: '*', menu: '*' })
          : nothing}
      </div>
      ${this._renderError()}
      <ul
        part="participants"
        class="list"
        aria-label=${t.title}
        .style=${`--from:${from};--rest:${count - end}`}
        @scroll=${this.#onScroll}
        @keydown=${this.#onListKey}
        @focusin=${this.#onListFocus}
      >
        ${repeat(items.slice(from, end), idOf, (item, k) => {
          const i = from + k;
          const id = idOf(item);
          const req = this.#req.get(id);
          const on = i === active;
          // Each row re-renders only when its member, request, shared context, tab stop or menu changed.
          return html`<li
            part=${isMember(item) ? (req ? 'participant request' : 'participant') : 'request'}
            class="row"
            data-member-id=${id}
            tabindex=${on ? 0 : -1}
            aria-posinset=${i + 1}
            aria-setsize=${count}
          >${guard([item, req, ctx, on, id === this._open], () => this.#row(item, req, ctx, on))}</li>`;
        })}
      </ul>
      ${this.#renderPopup(ctx)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'permissions-panel': PermissionsPanel;
  }
}
