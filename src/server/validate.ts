/**
 * Input validation for REST bodies and RPC parameters. Every check throws an
 * {@link Invalid} carrying a message that names the offending field; callers
 * turn it into a 400 or a -32602. Nothing here changes any state.
 */
import type { AdminKind, PermissionsUpdate, RequestKind, SendKind } from '../core/call.js';
import { PERMISSIONS, type CallTypeSettings, type Permission } from './call-types.js';

/** Bad input; `message` says which field and why. */
export class Invalid extends Error {
  override readonly name = 'Invalid';
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function object(value: unknown, field: string): Json {
  if (!isObject(value)) throw new Invalid(`${field} must be an object`);
  return value;
}

/** Refuses keys outside `allowed`. */
export function onlyKeys(value: Json, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new Invalid(`${field}.${key} is not a known field (expected one of: ${allowed.join(', ')})`);
  }
}

export function string(value: unknown, field: string, { max = 200, min = 1, pattern }: { max?: number; min?: number; pattern?: RegExp } = {}): string {
  if (typeof value !== 'string') throw new Invalid(`${field} must be a string`);
  if (value.length < min || value.length > max) throw new Invalid(`${field} must be ${min}–${max} characters long`);
  if (pattern && !pattern.test(value)) throw new Invalid(`${field} has invalid characters (expected ${pattern.source})`);
  return value;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(`${field} must be true or false`);
  return value;
}

export function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Invalid(`${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Optional: `undefined` passes through, anything else is checked. */
export const optional = <T>(value: unknown, check: (value: unknown) => T): T | undefined =>
  value === undefined ? undefined : check(value);

export const NAME = /^[A-Za-z0-9_-]+$/;
export const ROLE = /^[a-z][a-z0-9_-]*$/;
/** Unix seconds from 2000 to 9999: enough to refuse milliseconds by mistake. */
const SECONDS: [number, number] = [946684800, 253402300799];

export const SEND_KINDS: readonly SendKind[] = ['audio', 'video', 'screenVideo', 'screenAudio', 'customVideo', 'customAudio'];
export const ADMIN_KINDS: readonly AdminKind[] = ['participants', 'streaming', 'transcription'];
export const REQUEST_KINDS: readonly RequestKind[] = ['presence', 'audio', 'video', 'screenshare'];

function kinds<T extends string>(value: unknown, field: string, allowed: readonly T[]): boolean | T[] {
  if (typeof value === 'boolean') return value;
  if (!Array.isArray(value)) throw new Invalid(`${field} must be true, false or an array of: ${allowed.join(', ')}`);
  for (const item of value) {
    if (!allowed.includes(item as T)) throw new Invalid(`${field} holds ${JSON.stringify(item)}, not one of: ${allowed.join(', ')}`);
  }
  return [...new Set(value as T[])];
}

/** A Daily-style partial permissions update. */
export function permissionsUpdate(value: unknown, field = 'permissions'): PermissionsUpdate {
  const input = object(value, field);
  onlyKeys(input, ['hasPresence', 'canSend', 'canReceive', 'canAdmin'], field);
  const update: { -readonly [K in keyof PermissionsUpdate]: PermissionsUpdate[K] } = {};
  if (input.hasPresence !== undefined) update.hasPresence = boolean(input.hasPresence, `${field}.hasPresence`);
  if (input.canSend !== undefined) update.canSend = kinds(input.canSend, `${field}.canSend`, SEND_KINDS);
  if (input.canAdmin !== undefined) update.canAdmin = kinds(input.canAdmin, `${field}.canAdmin`, ADMIN_KINDS);
  if (input.canReceive !== undefined) {
    const receive = object(input.canReceive, `${field}.canReceive`);
    onlyKeys(receive, ['base', 'byUserId', 'byParticipantId'], `${field}.canReceive`);
    if (receive.base !== undefined && typeof receive.base !== 'boolean' && !isObject(receive.base)) {
      throw new Invalid(`${field}.canReceive.base must be true, false or an object`);
    }
    for (const key of ['byUserId', 'byParticipantId']) {
      if (receive[key] !== undefined) object(receive[key], `${field}.canReceive.${key}`);
    }
    update.canReceive = receive as unknown as PermissionsUpdate['canReceive'];
  }
  return update;
}

export interface RoomProperties {
  enable_knocking?: boolean;
  exp?: number;
  max_participants?: number;
  call_type?: string;
  permissions?: PermissionsUpdate;
}

/** Room properties; `null` in an update removes a property (`allowNull`). */
export function roomProperties(value: unknown, allowNull = false): { [K in keyof RoomProperties]: RoomProperties[K] | null } {
  const input = object(value, 'properties');
  onlyKeys(input, ['enable_knocking', 'exp', 'max_participants', 'call_type', 'permissions'], 'properties');
  const out: { [K in keyof RoomProperties]: RoomProperties[K] | null } = {};
  const check = <K extends keyof RoomProperties>(key: K, fn: (v: unknown) => RoomProperties[K]) => {
    if (input[key] === undefined) return;
    if (input[key] === null && allowNull) out[key] = null;
    else out[key] = fn(input[key]);
  };
  check('enable_knocking', (v) => boolean(v, 'properties.enable_knocking'));
  check('exp', (v) => integer(v, 'properties.exp', ...SECONDS));
  check('max_participants', (v) => integer(v, 'properties.max_participants', 1, 100000));
  check('call_type', (v) => string(v, 'properties.call_type', { max: 64, pattern: NAME }));
  check('permissions', (v) => permissionsUpdate(v, 'properties.permissions'));
  return out;
}

export function privacy(value: unknown): 'public' | 'private' {
  if (value !== 'public' && value !== 'private') throw new Invalid('privacy must be "public" or "private"');
  return value;
}

/** The properties of a meeting token. */
export interface TokenProperties {
  room_name?: string;
  is_owner?: boolean;
  user_name?: string;
  user_id?: string;
  role?: string;
  /** Extension: the application-level role, whose grants add to the call role's. */
  app_role?: string;
  exp?: number;
  nbf?: number;
  eject_at_token_exp?: boolean;
  permissions?: PermissionsUpdate;
}

export function tokenProperties(value: unknown): TokenProperties {
  const input = object(value, 'properties');
  onlyKeys(input, ['room_name', 'is_owner', 'user_name', 'user_id', 'role', 'app_role', 'exp', 'nbf', 'eject_at_token_exp', 'permissions'], 'properties');
  const out: TokenProperties = {};
  if (input.room_name !== undefined) out.room_name = string(input.room_name, 'properties.room_name', { max: 64, pattern: NAME });
  if (input.is_owner !== undefined) out.is_owner = boolean(input.is_owner, 'properties.is_owner');
  if (input.user_name !== undefined) out.user_name = string(input.user_name, 'properties.user_name', { max: 100 });
  if (input.user_id !== undefined) out.user_id = string(input.user_id, 'properties.user_id', { max: 100 });
  if (input.role !== undefined) out.role = string(input.role, 'properties.role', { max: 32, pattern: ROLE });
  if (input.app_role !== undefined) out.app_role = string(input.app_role, 'properties.app_role', { max: 32, pattern: ROLE });
  if (input.exp !== undefined) out.exp = integer(input.exp, 'properties.exp', ...SECONDS);
  if (input.nbf !== undefined) out.nbf = integer(input.nbf, 'properties.nbf', ...SECONDS);
  if (input.eject_at_token_exp !== undefined) out.eject_at_token_exp = boolean(input.eject_at_token_exp, 'properties.eject_at_token_exp');
  if (input.permissions !== undefined) out.permissions = permissionsUpdate(input.permissions, 'properties.permissions');
  if (out.exp !== undefined && out.nbf !== undefined && out.nbf >= out.exp) throw new Invalid('properties.nbf must be before properties.exp');
  return out;
}

/** Role grants: `{ role: [permission] }`. */
export function grants(value: unknown): Record<string, Permission[]> {
  const input = object(value, 'grants');
  const out: Record<string, Permission[]> = {};
  for (const [role, list] of Object.entries(input)) {
    string(role, `grants role name "${role}"`, { max: 32, pattern: ROLE });
    if (!Array.isArray(list)) throw new Invalid(`grants.${role} must be an array of permissions`);
    for (const permission of list) {
      if (typeof permission !== 'string' || !Object.hasOwn(PERMISSIONS, permission)) {
        throw new Invalid(`grants.${role} holds ${JSON.stringify(permission)}, which is not a permission (see GET /v1/permissions)`);
      }
    }
    out[role] = [...new Set(list as Permission[])];
  }
  return out;
}

const MEDIA_KEYS = ['enabled', 'access_request_enabled'];
const SETTING_SECTIONS: Record<keyof CallTypeSettings, readonly string[] | null> = {
  audio: MEDIA_KEYS,
  video: MEDIA_KEYS,
  screenshare: MEDIA_KEYS,
  presence: ['access_request_enabled'],
  recording: ['enabled'],
  broadcasting: ['enabled'],
  transcription: ['enabled'],
  layout: ['default', 'options'],
  default_permissions: null,
};

/** A partial settings object: each section merges into the current one. */
export function settingsUpdate(value: unknown): Partial<CallTypeSettings> {
  const input = object(value, 'settings');
  onlyKeys(input, Object.keys(SETTING_SECTIONS), 'settings');
  const out: Json = {};
  for (const [section, keys] of Object.entries(SETTING_SECTIONS)) {
    if (input[section] === undefined) continue;
    const body = object(input[section], `settings.${section}`);
    if (keys === null) {
      const defaults: Record<string, PermissionsUpdate> = {};
      for (const [role, update] of Object.entries(body)) {
        string(role, `settings.default_permissions role name "${role}"`, { max: 32, pattern: ROLE });
        defaults[role] = permissionsUpdate(update, `settings.default_permissions.${role}`);
      }
      out[section] = defaults;
      continue;
    }
    onlyKeys(body, keys, `settings.${section}`);
    const checked: Json = {};
    for (const key of keys) {
      if (body[key] === undefined) continue;
      if (section === 'layout' && key === 'default') checked[key] = string(body[key], 'settings.layout.default', { max: 32 });
      else if (section === 'layout') {
        if (!Array.isArray(body[key]) || body[key].length === 0 || body[key].length > 20) {
          throw new Invalid('settings.layout.options must be a non-empty array of at most 20 layout names');
        }
        checked[key] = (body[key] as unknown[]).map((name, i) => string(name, `settings.layout.options[${i}]`, { max: 32 }));
      } else checked[key] = boolean(body[key], `settings.${section}.${key}`);
    }
    out[section] = checked;
  }
  return out as Partial<CallTypeSettings>;
}

/** Merges a validated partial settings object into complete settings, section by section. */
export function mergeSettings(base: CallTypeSettings, update: Partial<CallTypeSettings>): CallTypeSettings {
  const merged = { ...base } as Record<string, unknown>;
  for (const [section, body] of Object.entries(update)) {
    merged[section] = section === 'default_permissions' ? { ...body } : { ...(base as unknown as Json)[section] as Json, ...(body as Json) };
  }
  const settings = merged as unknown as CallTypeSettings;
  if (!settings.layout.options.includes(settings.layout.default)) {
    throw new Invalid(`settings.layout.default "${settings.layout.default}" is not one of settings.layout.options`);
  }
  return settings;
}
