/**
 * The policy: how the server derives a participant's capability flags from its
 * role grants, its Daily-style permissions, owner status, the call type's
 * settings and the room's state. One table, read by `deriveFlags`; the README's
 * "Server policy" section is this table written out (a test keeps them equal).
 */
import { LEAF_FLAGS } from 'callcaps/client';
import type { AdminKind, ParticipantPermissions, PermissionsUpdate, SendKind } from 'callcaps/client';
import type { CallType, CallTypeSettings, Permission } from './call-types.js';

/** Everything the policy reads about one participant in one call. */
export interface PolicyContext {
  readonly owner: boolean;
  readonly permissions: ParticipantPermissions;
  /** The union of the grants of the participant's application role and call role. */
  readonly grants: ReadonlySet<string>;
  readonly settings: CallTypeSettings;
  readonly locked: boolean;
}

/**
 * A condition of the table:
 * - `presence` / `!presence` — `permissions.hasPresence` is true / false
 * - `send:K` / `!send:K` — `permissions.canSend` holds / lacks the kind K
 * - `admin:K` — `permissions.canAdmin` holds K (`true` holds every kind)
 * - `grant:P` — the role grants the permission P
 * - `setting:a.b` — the call type setting `a.b` is true
 * - `owner` — the participant is an owner
 * - `unlocked` — the room is not locked
 * - `A|B` — either condition
 */
export type Condition = string;

/** A flag is granted when every `all` condition holds and, if `any` is given, at least one of `any`. */
export interface Rule {
  readonly all?: readonly Condition[];
  readonly any?: readonly Condition[];
}

const PRESENCE: Rule = { all: ['presence'] };
const SEND_AUDIO = ['presence', 'send:audio', 'grant:send-audio', 'setting:audio.enabled'];
const SEND_VIDEO = ['presence', 'send:video', 'grant:send-video', 'setting:video.enabled'];
const SEND_SCREEN = ['presence', 'send:screenVideo', 'grant:screenshare', 'setting:screenshare.enabled'];
const OWNER: Rule = { any: ['owner'] };
const MODERATE = (grant: Permission): Rule => ({ any: ['owner', 'admin:participants', `grant:${grant}`] });
const MEMBER_SETTINGS: Rule = { any: ['owner', 'grant:update-call-member'] };
const CALL_SETTINGS: Rule = { any: ['owner', 'grant:update-call-settings'] };
const MEDIA_ADMIN = (setting: string, admin: AdminKind, grant: Permission): Rule => ({
  all: [`setting:${setting}.enabled`],
  any: ['owner', `admin:${admin}`, `grant:${grant}`],
});
const REQUEST = (kind: SendKind, grant: Permission, setting: string): Rule => ({
  all: ['presence', `!send:${kind}`, `grant:${grant}`, `setting:${setting}.enabled`, `setting:${setting}.access_request_enabled`],
});

/** The policy table: every leaf flag of the grammar and the rule that grants it. */
export const POLICY: Readonly<Record<string, Rule>> = Object.freeze({
  'self.mute.audio.on': PRESENCE,
  'self.mute.audio.off': { all: SEND_AUDIO },
  'self.mute.video.on': PRESENCE,
  'self.mute.video.off': { all: SEND_VIDEO },
  'self.deaf.on': PRESENCE,
  'self.deaf.off': PRESENCE,
  'self.raisehand.on': PRESENCE,
  'self.raisehand.off': PRESENCE,
  'self.microphone.volume.set': PRESENCE,
  'self.microphone.sensitivity.set': PRESENCE,
  'self.speaker.volume.set': PRESENCE,
  'self.position.set': PRESENCE,
  'self.meta': PRESENCE,
  'self.remove': PRESENCE,
  'self.audioflags.set': PRESENCE,
  'self.permissions.set': MODERATE('update-call-permissions'),
  'self.role.set': MEMBER_SETTINGS,
  'member.mute.audio.on': MODERATE('mute-users'),
  'member.mute.audio.off': OWNER,
  'member.mute.video.on': MODERATE('mute-users'),
  'member.mute.video.off': OWNER,
  'member.deaf.on': MODERATE('mute-users'),
  'member.deaf.off': OWNER,
  'member.raisehand.on': OWNER,
  'member.raisehand.off': MODERATE('mute-users'),
  'member.microphone.volume.set': MEMBER_SETTINGS,
  'member.microphone.sensitivity.set': MEMBER_SETTINGS,
  'member.speaker.volume.set': MEMBER_SETTINGS,
  'member.position.set': MEMBER_SETTINGS,
  'member.meta': MEMBER_SETTINGS,
  'member.remove': MODERATE('kick-user'),
  'member.audioflags.set': MEMBER_SETTINGS,
  'member.permissions.set': MODERATE('update-call-permissions'),
  'member.role.set': MEMBER_SETTINGS,
  end: { any: ['owner', 'grant:end-call'] },
  'layout.set': CALL_SETTINGS,
  'digit.send': { all: SEND_AUDIO },
  screenshare: { all: SEND_SCREEN },
  device: PRESENCE,
  'lock.on': CALL_SETTINGS,
  'lock.off': CALL_SETTINGS,
  'vmuted.hide.on': CALL_SETTINGS,
  'vmuted.hide.off': CALL_SETTINGS,
  'waiting.admit': { all: ['owner|unlocked'], any: ['owner', 'admin:participants', 'grant:update-call-permissions'] },
  'record.on': MEDIA_ADMIN('recording', 'streaming', 'start-record-call'),
  'record.off': MEDIA_ADMIN('recording', 'streaming', 'stop-record-call'),
  'stream.on': MEDIA_ADMIN('broadcasting', 'streaming', 'start-broadcast-call'),
  'stream.off': MEDIA_ADMIN('broadcasting', 'streaming', 'stop-broadcast-call'),
  'transcribe.on': MEDIA_ADMIN('transcription', 'transcription', 'start-transcription-call'),
  'transcribe.off': MEDIA_ADMIN('transcription', 'transcription', 'stop-transcription-call'),
  'request.presence': { all: ['!presence', 'setting:presence.access_request_enabled'] },
  'request.audio': REQUEST('audio', 'send-audio', 'audio'),
  'request.video': REQUEST('video', 'send-video', 'video'),
  'request.screenshare': REQUEST('screenVideo', 'screenshare', 'screenshare'),
});

/** Joining needs the `join-call` grant, or being an owner. */
export const JOIN_RULE: Rule = { any: ['owner', 'grant:join-call'] };

/** Whether `permissions.canSend` holds `kind`. */
export function sends(permissions: ParticipantPermissions, kind: SendKind): boolean {
  const canSend = permissions.canSend;
  return canSend === true || (Array.isArray(canSend) && canSend.includes(kind));
}

/** Whether `permissions.canAdmin` holds `kind`. */
export function administers(permissions: ParticipantPermissions, kind: AdminKind): boolean {
  const canAdmin = permissions.canAdmin;
  return canAdmin === true || (Array.isArray(canAdmin) && canAdmin.includes(kind));
}

function setting(settings: CallTypeSettings, path: string): boolean {
  let node: unknown = settings;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node === true;
}

/** Whether one condition of the table holds. */
export function holds(condition: Condition, ctx: PolicyContext): boolean {
  if (condition.includes('|')) return condition.split('|').some((c) => holds(c, ctx));
  if (condition.startsWith('!')) return !holds(condition.slice(1), ctx);
  const colon = condition.indexOf(':');
  const [kind, arg] = colon < 0 ? [condition, ''] : [condition.slice(0, colon), condition.slice(colon + 1)];
  switch (kind) {
    case 'presence': return ctx.permissions.hasPresence === true;
    case 'owner': return ctx.owner;
    case 'unlocked': return !ctx.locked;
    case 'send': return sends(ctx.permissions, arg as SendKind);
    case 'admin': return administers(ctx.permissions, arg as AdminKind);
    case 'grant': return ctx.grants.has(arg);
    case 'setting': return setting(ctx.settings, arg);
    default: throw new Error(`unknown policy condition: ${condition}`);
  }
}

/** Whether a rule grants in this context. */
export function applies(rule: Rule, ctx: PolicyContext): boolean {
  return (rule.all ?? []).every((c) => holds(c, ctx)) && (!rule.any || rule.any.some((c) => holds(c, ctx)));
}

/** The leaf flags the policy grants, in the grammar's order. */
export function deriveFlags(ctx: PolicyContext): string[] {
  return LEAF_FLAGS.filter((flag) => applies(POLICY[flag], ctx));
}

/** The union of the grants of an application role and a call role in a call type. */
export function grantsOf(callType: Pick<CallType, 'grants'>, role: string, appRole: string): Set<string> {
  return new Set([...own(callType.grants, appRole) ?? [], ...own(callType.grants, role) ?? []]);
}

/**
 * The entry of a map keyed by outside names (roles), if the map itself holds
 * it: `constructor` or `toString` is a role like any other, never a property
 * inherited from `Object.prototype`.
 */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The permissions of a member nobody restricted: present, sending, receiving, not administering. */
export const BASE_PERMISSIONS: ParticipantPermissions = Object.freeze({
  hasPresence: true,
  canSend: true,
  canReceive: Object.freeze({ base: true }),
  canAdmin: false,
});

/** An owner's permissions before its token says otherwise: everything. */
export const OWNER_PERMISSIONS: ParticipantPermissions = Object.freeze({ ...BASE_PERMISSIONS, canAdmin: true });

/** Applies a partial update: only the fields it carries change (canReceive merges by key). */
export function mergePermissions(base: ParticipantPermissions, update: PermissionsUpdate | undefined): ParticipantPermissions {
  if (!update) return base;
  return {
    hasPresence: update.hasPresence ?? base.hasPresence,
    canSend: update.canSend === undefined ? base.canSend : normalizeList(update.canSend),
    canReceive: update.canReceive === undefined ? base.canReceive : { ...base.canReceive, ...update.canReceive },
    canAdmin: update.canAdmin === undefined ? base.canAdmin : normalizeList(update.canAdmin),
  };
}

function normalizeList<T>(value: boolean | readonly T[]): boolean | readonly T[] {
  return typeof value === 'boolean' ? value : [...new Set(value)];
}

/**
 * A participant's permissions when it joins: an owner starts from everything;
 * others from {@link BASE_PERMISSIONS}, then the call type's defaults for the
 * role, then the room's defaults. The token's permissions apply last, to both.
 */
export function initialPermissions(
  owner: boolean,
  role: string,
  settings: CallTypeSettings,
  roomDefaults: PermissionsUpdate | undefined,
  tokenPermissions: PermissionsUpdate | undefined,
): ParticipantPermissions {
  let permissions = owner ? OWNER_PERMISSIONS : BASE_PERMISSIONS;
  if (!owner) {
    permissions = mergePermissions(permissions, own(settings.default_permissions, role));
    permissions = mergePermissions(permissions, roomDefaults);
  }
  return mergePermissions(permissions, tokenPermissions);
}
