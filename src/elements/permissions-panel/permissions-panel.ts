import { html, nothing, render, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { CallCapabilitiesState } from '../../core/capabilities.js';
import {
  mayActOn,
  type AdminKind,
  type Member,
  type MemberAction,
  type ParticipantPermissions,
  type PermissionRequest,
  type PermissionsUpdate,
  type RoomState,
  type SendKind,
} from '../../core/call.js';
import { ObservableController } from '../../controllers/observable-controller.js';
import { CallcapsElement } from '../shared/callcaps-element.js';
import { COMMON_STRINGS, format, type CommonStrings } from '../shared/strings.js';
import { base } from '../shared/styles.js';
import { styles } from './permissions-panel.styles.js';

/** The user-visible strings of `<permissions-panel>`; `{name}` is the participant's name. */
export interface PermissionsPanelStrings extends CommonStrings {
  title: string;
  search: string;
  count: string;
  /** The count when it is one. */
  countOne: string;
  presence: string;
  presenceLabel: string;
  sendAudio: string;
  sendAudioLabel: string;
  sendVideo: string;
  sendVideoLabel: string;
  sendScreen: string;
  sendScreenLabel: string;
  admin: string;
  adminLabel: string;
  roleLabel: string;
  muteAudio: string;
  muteAudioLabel: string;
  muteVideo: string;
  muteVideoLabel: string;
  remove: string;
  removeLabel: string;
  removeConfirm: string;
  removeConfirmYes: string;
  cancel: string;
  owner: string;
  ownerOnly: string;
  notAllowed: string;
  applyAll: string;
  applyAllChange: string;
  allowAllSend: string;
  blockAllSend: string;
  requests: string;
  asks: string;
  presenceKind: string;
  audioKind: string;
  videoKind: string;
  screenshareKind: string;
  approve: string;
  approveLabel: string;
  deny: string;
  denyLabel: string;
}

/** English strings of `<permissions-panel>`. */
export const PERMISSIONS_PANEL_STRINGS: PermissionsPanelStrings = {
  ...COMMON_STRINGS,
  title: 'Participants',
  search: 'Search participants',
  count: '{count} participants',
  countOne: '1 participant',
  presence: 'Present',
  presenceLabel: 'Present: {name}',
  sendAudio: 'Audio',
  sendAudioLabel: 'Audio for {name}',
  sendVideo: 'Video',
  sendVideoLabel: 'Video for {name}',
  sendScreen: 'Screen',
  sendScreenLabel: 'Screen for {name}',
  admin: 'Admin',
  adminLabel: 'Admin for {name}',
  roleLabel: 'Role of {name}',
  muteAudio: 'Mute',
  muteAudioLabel: 'Mute {name}',
  muteVideo: 'Stop video',
  muteVideoLabel: 'Stop video for {name}',
  remove: 'Remove',
  removeLabel: 'Remove {name}',
  removeConfirm: 'Remove {name} from the call?',
  removeConfirmYes: 'Remove',
  cancel: 'Cancel',
  owner: 'owner',
  ownerOnly: 'Only an owner can change an owner',
  notAllowed: 'You are not allowed to do this',
  applyAll: 'Apply to everyone',
  applyAllChange: 'Change for everyone',
  allowAllSend: 'Let everyone send audio, video and screen',
  blockAllSend: 'Make everyone listen only',
  requests: 'Requests',
  asks: '{name} asks for {kinds}',
  presenceKind: 'presence',
  audioKind: 'audio',
  videoKind: 'video',
  screenshareKind: 'screen sharing',
  approve: 'Approve',
  approveLabel: 'Approve for {name}',
  deny: 'Deny',
  denyLabel: 'Deny for {name}',
};

/** Rows rendered per animation frame (see `_progressive`). */
const ROWS_PER_FRAME = 50;
const ALL_SEND: readonly SendKind[] = ['audio', 'video', 'screenVideo', 'screenAudio'];
const ALL_ADMIN: readonly AdminKind[] = ['participants', 'streaming', 'transcription'];
/** What approving each kind of request grants. */
const REQUEST_SENDS = { audio: ['audio'], video: ['video'], screenshare: ['screenVideo', 'screenAudio'] } as const;
const APPLY_ALL: Record<string, PermissionsUpdate> = { allowAllSend: { canSend: true }, blockAllSend: { canSend: false } };

const list = <K extends string>(value: boolean | readonly K[], all: readonly K[]): K[] =>
  value === true ? [...all] : value === false ? [] : [...value];
const holds = <K extends string>(value: boolean | readonly K[], kind: K): boolean =>
  value === true || (Array.isArray(value) && value.includes(kind));
const toggled = <K extends string>(value: boolean | readonly K[], all: readonly K[], kinds: readonly K[], on: boolean): K[] => {
  const next = list(value, all).filter((kind) => !kinds.includes(kind));
  return on ? [...next, ...kinds] : next;
};

/** Everything a row depends on besides its member: a new object only when one of these changes. */
interface RowContext {
  caps: CallCapabilitiesState;
  self: Member | null;
  roles: readonly string[];
  gating: string;
  t: PermissionsPanelStrings;
  ready: boolean;
}

/** A row: its `<li>` (a lit render root of its own) and the member it last rendered. */
interface Row {
  li: HTMLLIElement;
  member: Member | null;
}

/**
 * The host's view of the participants: their permissions, role and media, and
 * the pending requests, each action offered only when the server would accept
 * it for that participant.
 *
 * @tagname permissions-panel
 * @summary Per-participant permissions, role, mute and remove, plus pending requests, for hosts.
 *
 * @event callcaps-action - Before every action, cancelable: `detail.action` is the `Call` method (or `selectDevice`), `detail.args` its arguments. Cancel it to handle the action yourself; without a `call` it is the only effect.
 * @event callcaps-error - An action failed (the call rejected it or the server refused): `detail.error`, `detail.action`. The element also shows the message.
 *
 * @csspart error - The aria-live region that shows a failed action's message.
 * @csspart error-dismiss - The button that dismisses the error.
 *
 * @csspart search - The search box (filters by name).
 * @csspart count - The number of participants shown.
 * @csspart apply-all - Applies the chosen change to every participant (`'*'`).
 * @csspart apply-all-change - The change `apply-all` applies.
 * @csspart requests - The list of pending requests.
 * @csspart request - One pending request, with `data-member-id`.
 * @csspart approve - Approves a request (grants what it asks for).
 * @csspart deny - Denies a request.
 * @csspart participants - The list of participants.
 * @csspart participant - One participant's row, with `data-member-id`.
 * @csspart name - A participant's name (always text).
 * @csspart presence - Toggles a participant's presence (`hasPresence`).
 * @csspart send-audio - Toggles whether a participant may send audio.
 * @csspart send-video - Toggles whether a participant may send video.
 * @csspart send-screen - Toggles whether a participant may share a screen.
 * @csspart admin - Toggles whether a participant may manage participants (`canAdmin`).
 * @csspart role - A participant's call role (a select of the call type's roles).
 * @csspart mute-audio - Mutes a participant (pressed while muted; unmuting others is for owners).
 * @csspart mute-video - Stops a participant's video (pressed while stopped).
 * @csspart remove - Removes a participant, after a confirmation.
 * @csspart remove-confirm - The confirmation of `remove`.
 * @csspart remove-confirm-yes - Confirms the removal.
 * @csspart remove-cancel - Cancels the removal.
 *
 * @cssproperty --permissions-panel-gap - Space between controls (falls back to `--callcaps-gap`).
 * @cssproperty --permissions-panel-background - Background (falls back to `--callcaps-surface`).
 * @cssproperty --permissions-panel-max-height - Height after which the list scrolls (480px).
 * @cssproperty --permissions-panel-row-height - Estimated row height for off-screen rows (44px).
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
export class PermissionsPanel extends CallcapsElement<PermissionsPanelStrings> {
  static override styles = [base, styles];

  protected override readonly _defaults = PERMISSIONS_PANEL_STRINGS;
  readonly #participants = new ObservableController<readonly Member[]>(this, []);
  readonly #self = new ObservableController<Member | null>(this, null);
  readonly #room = new ObservableController<RoomState | null>(this, null);
  readonly #requests = new ObservableController<readonly PermissionRequest[]>(this, []);

  @state() private _query = '';
  @state() private _confirming: string | null = null;
  @state() private _applyAll = 'allowAllSend';

  #context?: RowContext;
  /** The rows shown (after search and progressive rendering), in order. */
  #shown: readonly Member[] = [];
  /** The rows by member id, each its own lit render root inside `#list`. */
  #rows = new Map<string, Row>();
  #list: HTMLUListElement | null = null;
  /** What the rows were last rendered with. */
  #rendered: readonly Member[] = [];
  #renderedCtx?: RowContext;
  #renderedConfirming: string | null = null;

  protected override _bind(): void {
    super._bind();
    this.#participants.source = this.call?.participants$;
    this.#self.source = this.call?.self$;
    this.#room.source = this.call?.room$;
    this.#requests.source = this.call?.requests$;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const next: RowContext = {
      caps: this._caps,
      self: this.#self.value,
      roles: this.#room.value?.roles ?? [],
      gating: this.gating,
      t: this.t,
      ready: this._ready,
    };
    const prev = this.#context;
    if (!prev || (Object.keys(next) as (keyof RowContext)[]).some((key) => next[key] !== prev[key])) this.#context = next;
  }

  /**
   * The rows, outside lit's template: each row is its own render root, so that
   * one participant's change costs one row whatever the length of the list.
   * Unchanged members keep their object, so a reference scan against the rows
   * last rendered finds the changed ones; the list's children move only when
   * who is shown, or in what order, changes.
   */
  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const list = this.renderRoot.querySelector<HTMLUListElement>('.list');
    if (list !== this.#list) {
      this.#list = list;
      this.#rows.clear();
      this.#rendered = [];
    }
    if (!list) return;
    const shown = this.#shown;
    const prev = this.#rendered;
    const rows = this.#rows;
    const ctx = this.#context!;
    const confirming = this._confirming;
    // Every row in `rows` was last rendered with `prev`'s context and confirmation.
    const sameCtx = ctx === this.#renderedCtx;
    const wasConfirming = this.#renderedConfirming;
    this.#rendered = shown;
    this.#renderedCtx = ctx;
    this.#renderedConfirming = confirming;
    let moved = shown.length !== prev.length;
    for (let i = 0; i < shown.length; i++) {
      const member = shown[i];
      const id = member.id;
      if (member === prev[i] && sameCtx && confirming === wasConfirming) continue;
      if (!moved && id !== prev[i].id) moved = true;
      let row = rows.get(id);
      if (!row) {
        const li = document.createElement('li');
        li.setAttribute('part', 'participant');
        li.className = 'row';
        li.dataset.memberId = id;
        rows.set(id, (row = { li, member: null }));
      }
      if (row.member !== member || !sameCtx || (confirming === id) !== (wasConfirming === id)) {
        row.member = member;
        render(this.#row(member, ctx, confirming === id), row.li, { host: this });
      }
    }
    if (!moved) return;
    if (shown.length !== rows.size) {
      const ids = new Set(shown.map((member) => member.id));
      for (const [id, row] of rows) {
        if (!ids.has(id)) {
          row.li.remove();
          rows.delete(id);
        }
      }
    }
    // From the end, so that rows appended (joins, progressive rendering) move nothing else.
    let next: Element | null = null;
    for (let i = shown.length - 1; i >= 0; i--) {
      const li: HTMLLIElement = rows.get(shown[i].id)!.li;
      if (li.parentNode !== list || li.nextElementSibling !== next) list.insertBefore(li, next);
      next = li;
    }
  }

  #update(member: Member, update: { permissions?: PermissionsUpdate; role?: string }): void {
    void this._act('updateMember', [member.id, update]);
  }

  async #confirm(id: string | null): Promise<void> {
    this._confirming = id;
    await this.updateComplete;
    const row = id && this.renderRoot.querySelector(`[data-member-id="${CSS.escape(id)}"]`);
    (row ? row.querySelector<HTMLElement>('[part~="remove-confirm-yes"]') : null)?.focus();
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

  /** Whether the user may take `action` on `member`, and why not. */
  #may(ctx: RowContext, member: Member, action: MemberAction): { allowed: boolean; reason: string } {
    const allowed = mayActOn(ctx.caps, ctx.self, member, action);
    const reason = !ctx.ready ? this._notReadyReason : member.owner && !ctx.self?.owner ? ctx.t.ownerOnly : ctx.t.notAllowed;
    return { allowed, reason };
  }

  /** A control of a row: hidden (hide) or disabled with the reason when the action is not allowed. */
  #rowControl(
    ctx: RowContext,
    member: Member,
    part: string,
    text: string,
    label: string,
    may: { allowed: boolean; reason: string },
    shown: boolean,
    onClick: () => void,
    pressed?: boolean,
  ): TemplateResult | typeof nothing {
    if (!shown && ctx.gating === 'hide') return nothing;
    return this._control({
      part,
      text,
      label: format(label, { name: member.name }),
      allowed: may.allowed,
      reason: may.reason,
      pressed,
      id: `${part}-${member.id}`,
      onClick,
    });
  }

  #row(member: Member, ctx: RowContext, confirming: boolean): TemplateResult {
    const t = ctx.t;
    const p = member.permissions;
    const perms = this.#may(ctx, member, 'permissions');
    const role = this.#may(ctx, member, 'role');
    const remove = this.#may(ctx, member, 'remove');
    const permToggle = (part: string, text: string, label: string, on: boolean, update: () => PermissionsUpdate) =>
      this.#rowControl(ctx, member, part, text, label, perms, perms.allowed, () => this.#update(member, { permissions: update() }), on);
    const mute = (part: string, channel: 'audio' | 'video', muted: boolean, text: string, label: string) => {
      const down = this.#may(ctx, member, `mute-${channel}`);
      const up = this.#may(ctx, member, `unmute-${channel}`);
      return this.#rowControl(
        ctx, member, part, text, label, muted ? up : down, down.allowed || up.allowed,
        () => void this._act(muted ? 'unmute' : 'mute', [[channel], member.id]), muted,
      );
    };
    return html`<span part="name" class="name">${member.name}${member.owner ? html` <span class="role">(${t.owner})</span>` : nothing}</span>
      ${permToggle('presence', t.presence, t.presenceLabel, p.hasPresence, () => ({ hasPresence: !p.hasPresence }))}
      ${permToggle('send-audio', t.sendAudio, t.sendAudioLabel, holds(p.canSend, 'audio'), () => ({
        canSend: toggled(p.canSend, ALL_SEND, ['audio'], !holds(p.canSend, 'audio')),
      }))}
      ${permToggle('send-video', t.sendVideo, t.sendVideoLabel, holds(p.canSend, 'video'), () => ({
        canSend: toggled(p.canSend, ALL_SEND, ['video'], !holds(p.canSend, 'video')),
      }))}
      ${permToggle('send-screen', t.sendScreen, t.sendScreenLabel, holds(p.canSend, 'screenVideo'), () => ({
        canSend: toggled(p.canSend, ALL_SEND, ['screenVideo', 'screenAudio'], !holds(p.canSend, 'screenVideo')),
      }))}
      ${permToggle('admin', t.admin, t.adminLabel, holds(p.canAdmin, 'participants'), () => ({
        canAdmin: toggled(p.canAdmin, ALL_ADMIN, ['participants'], !holds(p.canAdmin, 'participants')),
      }))}
      ${(role.allowed || ctx.gating === 'disable') && ctx.roles.length
        ? html`<select
              part="role"
              aria-label=${format(t.roleLabel, { name: member.name })}
              ?disabled=${!role.allowed}
              title=${role.allowed ? nothing : role.reason}
              @change=${(event: Event) => this.#update(member, { role: (event.target as HTMLSelectElement).value })}
            >
              ${(ctx.roles.includes(member.role) ? ctx.roles : [member.role, ...ctx.roles]).map(
                (name) => html`<option ?selected=${name === member.role}>${name}</option>`,
              )}
            </select>`
        : nothing}
      ${mute('mute-audio', 'audio', member.audio_muted, t.muteAudio, t.muteAudioLabel)}
      ${mute('mute-video', 'video', member.video_muted, t.muteVideo, t.muteVideoLabel)}
      ${confirming && remove.allowed
        ? html`<span part="remove-confirm" role="group" aria-label=${format(t.removeConfirm, { name: member.name })}>
            <button
              part="remove-confirm-yes"
              class="danger"
              aria-label=${format(t.removeConfirm, { name: member.name })}
              @click=${() => ((this._confirming = null), void this._act('removeMember', [member.id]))}
              @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#confirm(null)}
            >${t.removeConfirmYes}</button>
            <button part="remove-cancel" @click=${() => this.#confirm(null)}>${t.cancel}</button>
          </span>`
        : this.#rowControl(ctx, member, 'remove', t.remove, t.removeLabel, remove, remove.allowed, () => this.#confirm(member.id))}`;
  }

  #renderRequests(ctx: RowContext): TemplateResult | typeof nothing {
    const requests = this.#requests.value;
    if (!requests.length || (!ctx.caps.member.permissions && ctx.gating === 'hide')) return nothing;
    const t = ctx.t;
    const kinds = (request: PermissionRequest) =>
      request.permissions.map((kind) => t[`${kind}Kind` as 'audioKind']).join(', ');
    return html`<h2>${t.requests}</h2>
      <ul part="requests">
        ${repeat(
          requests,
          (request) => request.member_id,
          (request) => {
            const target = this.#participants.value.find((m) => m.id === request.member_id);
            const may = target ? this.#may(ctx, target, 'permissions') : { allowed: ctx.caps.member.permissions, reason: t.notAllowed };
            const name = request.name;
            const control = (part: 'approve' | 'deny', label: string, onClick: () => void) =>
              this._control({ part, text: t[part], label: format(label, { name }), allowed: may.allowed, reason: may.reason, id: `${part}-${request.member_id}`, look: part === 'approve' ? 'primary' : undefined, onClick });
            return html`<li part="request" class="row" data-member-id=${request.member_id}>
              <span class="name">${format(t.asks, { name, kinds: kinds(request) })}</span>
              ${control('approve', t.approveLabel, () => this.#approve(request))}
              ${control('deny', t.denyLabel, () => void this._act('denyRequest', [request.member_id]))}
            </li>`;
          },
        )}
      </ul>`;
  }

  override render() {
    const ctx = this.#context!;
    const caps = ctx.caps;
    const host =
      caps.member.permissions || caps.member.remove || caps.admit ||
      caps.member.muteAudio.on || caps.member.muteAudio.off || caps.member.muteVideo.on || caps.member.muteVideo.off;
    if (!this.call || !host) return nothing;
    const t = ctx.t;
    const selfId = ctx.self?.id;
    const query = this._query.trim().toLowerCase();
    const members = this.#participants.value.filter(
      (m) => m.id !== selfId && (!query || m.name.toLowerCase().includes(query)),
    );
    this.#shown = this._progressive(members, ROWS_PER_FRAME);
    return html`<div class="head">
        <input
          part="search"
          type="search"
          aria-label=${t.search}
          placeholder=${t.search}
          .value=${this._query}
          @input=${(event: Event) => (this._query = (event.target as HTMLInputElement).value)}
        />
        <span part="count" role="status">${members.length === 1 ? t.countOne : format(t.count, { count: members.length })}</span>
      </div>
      ${caps.member.permissions
        ? html`<div class="apply" role="group" aria-label=${t.applyAll}>
            <select part="apply-all-change" aria-label=${t.applyAllChange} @change=${(event: Event) => (this._applyAll = (event.target as HTMLSelectElement).value)}>
              ${Object.keys(APPLY_ALL).map((key) => html`<option value=${key} ?selected=${key === this._applyAll}>${t[key as 'allowAllSend']}</option>`)}
            </select>
            <button part="apply-all" @click=${() => void this._act('updateMember', ['*', { permissions: APPLY_ALL[this._applyAll] }])}>
              ${t.applyAll}
            </button>
          </div>`
        : nothing}
      ${this.#renderRequests(ctx)}
      ${this._renderError()}
      <ul part="participants" class="list" aria-label=${t.title}></ul>`;
  }

}

declare global {
  interface HTMLElementTagNameMap {
    'permissions-panel': PermissionsPanel;
  }
}
