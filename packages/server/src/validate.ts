/**
 * Input validation for REST bodies, RPC parameters and token claims, against
 * the schemas of schemas.ts. A value is checked completely by the compiled
 * validator before anything uses it; a refusal throws an {@link Invalid}
 * whose message names the offending field, and callers turn it into a 400 or
 * a -32602. Nothing here changes any state.
 *
 * What comes out of a check is a copy: every map keyed by outside names
 * (`byUserId`, grants by role…) has a null prototype, so that `__proto__` or
 * `constructor` is an ordinary key and never reaches `Object.prototype`.
 */
import { Kind, OptionalKind, type Static, type TSchema } from '@sinclair/typebox';
import type { AdminKind, PermissionsUpdate as PermissionsUpdateType, RequestKind, SendKind } from 'callcaps/client';
import type { CallTypeSettings } from './call-types.js';
import {
  ADMIN_KINDS as ADMIN, conforms, type KeySpec, NAME, REQUEST_KINDS as REQUEST, ROLE, SEND_KINDS as SEND,
  TokenProperties as TokenPropertiesSchema,
} from './schemas.js';

export { NAME, ROLE };

/**
 * A refusal of the REST API or of its JS twin on the server object
 * (`createRoom`, `deleteRoom`, `createToken`…): the HTTP `status` REST answers
 * with, the `code` of its `{ "error": code, "info": message }` body, and a
 * `message` that says what was wrong.
 */
export class CallcapsApiError extends Error {
  override name = 'CallcapsApiError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Bad input (400, `invalid-request-error`); `message` says which field and why. */
export class Invalid extends CallcapsApiError {
  override name = 'Invalid';
  constructor(message: string) {
    super(400, 'invalid-request-error', message);
  }
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function object(value: unknown, field: string): Json {
  if (!isObject(value)) throw new Invalid(`${field} must be an object`);
  return value;
}

export const SEND_KINDS: readonly SendKind[] = SEND;
export const ADMIN_KINDS: readonly AdminKind[] = ADMIN;
export const REQUEST_KINDS: readonly RequestKind[] = REQUEST;

/**
 * Checks `value` against `schema` and returns a clean copy of it (null
 * prototypes for maps). `root` names the whole value in messages about its
 * unknown fields (`params`, `body`) and `prefix` is put before every field.
 */
export function check<T extends TSchema>(schema: T, value: unknown, { root = 'value', prefix = '' }: { root?: string; prefix?: string } = {}): Static<T> {
  if (!conforms(schema, value)) throw new Invalid(explain(schema, value, prefix, root) ?? `${prefix || root} is not valid`);
  return copy(schema, value) as Static<T>;
}

// ── Messages ─────────────────────────────────────────────────────────────────

const SIMPLE_KEY = /^[A-Za-z0-9_$*-]+$/;
/** A value or key quoted for a message: JSON, shortened. */
const quote = (value: unknown): string => {
  // Never serialize a structure here: it may be the very value nested too deep to serialize.
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
};
const child = (field: string, key: string) => {
  const segment = SIMPLE_KEY.test(key) ? key : `[${quote(key)}]`;
  return field === '' ? segment : segment.startsWith('[') ? `${field}${segment}` : `${field}.${segment}`;
};
const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value);
const schemaType = (schema: TSchema): string | undefined => {
  switch (schema[Kind]) {
    case 'Boolean': return 'boolean';
    case 'String': return 'string';
    case 'Integer': return 'integer';
    case 'Number': return 'number';
    case 'Null': return 'null';
    case 'Array': return 'array';
    case 'Object': case 'Record': return 'object';
    case 'Literal': return jsonType(schema.const);
    default: return undefined;
  }
};
const fill = (template: string, field: string, value: unknown) => template.replace('{field}', () => field).replace('{value}', () => quote(value));
const literals = (schema: TSchema): unknown[] | undefined =>
  schema[Kind] === 'Union' && (schema.anyOf as TSchema[]).every((s) => s[Kind] === 'Literal') ? (schema.anyOf as TSchema[]).map((s) => s.const) : undefined;

/**
 * Why `value` does not conform to `schema`, naming the first offending field;
 * it follows the schema, so its work is bounded by the schema's depth.
 */
function explain(schema: TSchema, value: unknown, field: string, root: string): string | undefined {
  if (conforms(schema, value)) return undefined;
  const name = field || root;
  const custom = schema['x-message'] as string | undefined;
  if (value === undefined && schema['x-missing']) return schema['x-missing'] as string;
  switch (schema[Kind]) {
    case 'Boolean': return `${name} must be true or false`;
    case 'Integer': case 'Number':
      return `${name} must be ${schema[Kind] === 'Integer' ? 'an integer' : 'a number'} from ${schema.minimum} to ${schema.maximum}`;
    case 'Null': return `${name} must be null`;
    case 'String':
      if (typeof value !== 'string') return `${name} must be a string`;
      if (value.length < schema.minLength || value.length > schema.maxLength) return `${name} must be ${schema.minLength}–${schema.maxLength} characters long`;
      return `${name} has invalid characters (expected ${schema.pattern})`;
    case 'Literal': return `${name} must be ${quote(schema.const)}`;
    case 'BoundedJson': return `${name} must be JSON nested at most ${schema['x-max-depth']} levels deep`;
    case 'Union': {
      const options = literals(schema);
      if (options) return custom ? fill(custom, name, value) : `${name} must be one of: ${options.join(', ')}`;
      // The branch of the value's own type explains best; else the union's message.
      const branches = schema.anyOf as TSchema[];
      const same = branches.find((b) => schemaType(b) === jsonType(value) || (schemaType(b) === 'number' && typeof value === 'number'));
      if (same) return explain(same, value, field, root);
      if (custom) return fill(custom, name, value);
      const nonNull = branches.find((b) => b[Kind] !== 'Null');
      return nonNull ? explain(nonNull, value, field, root) : undefined;
    }
    case 'Array': {
      if (!Array.isArray(value)) return custom ? fill(custom, name, value) : `${name} must be an array`;
      if (value.length < (schema.minItems ?? 0) || value.length > (schema.maxItems ?? Infinity)) {
        return custom ? fill(custom, name, value) : `${name} must hold ${schema.minItems ?? 0} to ${schema.maxItems} items`;
      }
      const items = schema.items as TSchema;
      const options = literals(items);
      for (let i = 0; i < value.length; i++) {
        if (conforms(items, value[i])) continue;
        if (options) {
          const template = items['x-message'] as string | undefined;
          return template ? fill(template, name, value[i]) : `${name} holds ${quote(value[i])}, not one of: ${options.join(', ')}`;
        }
        return explain(items, value[i], `${name}[${i}]`, root);
      }
      return custom ? fill(custom, name, value) : undefined;
    }
    case 'Object': {
      if (!isObject(value)) return `${name} must be an object`;
      const properties = schema.properties as Record<string, TSchema>;
      const known = Object.keys(properties);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(properties, key)) return `${child(name, key)} is not a known field (expected one of: ${known.join(', ')})`;
      }
      for (const key of known) {
        const property = properties[key];
        const present = Object.hasOwn(value, key);
        if (!present && property[OptionalKind] === 'Optional') continue;
        const why = explain(property, present ? value[key] : undefined, child(field, key), root);
        if (why) return why;
      }
      return undefined;
    }
    case 'Record': {
      if (!isObject(value)) return `${name} must be an object`;
      const spec = schema['x-key'] as KeySpec;
      const keys = Object.keys(value);
      if (keys.length > schema.maxProperties) return `${name} has ${keys.length} entries, more than ${schema.maxProperties}`;
      const [valueSchema] = Object.values(schema.patternProperties as Record<string, TSchema>);
      for (const key of keys) {
        if (key.length < spec.min || key.length > spec.max) return `${name} ${spec.label} ${quote(key)} must be ${spec.min}–${spec.max} characters long`;
        if (spec.pattern && !new RegExp(spec.pattern).test(key)) return `${name} ${spec.label} ${quote(key)} has invalid characters (expected ${spec.pattern})`;
        const why = explain(valueSchema, value[key], child(name, key), root);
        if (why) return why;
      }
      return undefined;
    }
    default: return custom;
  }
}

// ── Copies ───────────────────────────────────────────────────────────────────

/** A copy of a conforming value: maps get a null prototype, lists of kinds lose duplicates. */
function copy(schema: TSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  switch (schema[Kind]) {
    case 'Union': {
      const branch = (schema.anyOf as TSchema[]).find((b) => conforms(b, value));
      return branch ? copy(branch, value) : value;
    }
    case 'Array': {
      const items = schema.items as TSchema;
      const list = (value as unknown[]).map((item) => copy(items, item));
      return literals(items) ? [...new Set(list)] : list;
    }
    case 'Object': {
      const properties = schema.properties as Record<string, TSchema>;
      const out: Json = {};
      for (const key of Object.keys(properties)) if (Object.hasOwn(value, key)) out[key] = copy(properties[key], (value as Json)[key]);
      return out;
    }
    case 'Record': {
      const [valueSchema] = Object.values(schema.patternProperties as Record<string, TSchema>);
      const out: Json = Object.create(null);
      for (const [key, item] of Object.entries(value)) out[key] = copy(valueSchema, item);
      return out;
    }
    case 'BoundedJson': return value;
    default: return value;
  }
}

// ── The values of the API ────────────────────────────────────────────────────

export interface RoomProperties {
  enable_knocking?: boolean;
  exp?: number;
  max_participants?: number;
  call_type?: string;
  permissions?: PermissionsUpdateType;
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
  permissions?: PermissionsUpdateType;
}

export function tokenProperties(value: unknown): TokenProperties {
  const out = check(TokenPropertiesSchema, value, { root: 'properties', prefix: 'properties' }) as TokenProperties;
  if (out.exp !== undefined && out.nbf !== undefined && out.nbf >= out.exp) throw new Invalid('properties.nbf must be before properties.exp');
  return out;
}

/** A null-prototype copy of a map keyed by outside names. */
export function dictionary<T>(entries: Record<string, T> | undefined): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Merges a validated partial settings object into complete settings, section by section. */
export function mergeSettings(base: CallTypeSettings, update: Partial<CallTypeSettings>): CallTypeSettings {
  const merged = { ...base } as Record<string, unknown>;
  for (const [section, body] of Object.entries(update)) {
    merged[section] = section === 'default_permissions' ? dictionary(body as Json) : { ...(base as unknown as Json)[section] as Json, ...(body as Json) };
  }
  const settings = merged as unknown as CallTypeSettings;
  if (!settings.layout.options.includes(settings.layout.default)) {
    throw new Invalid(`settings.layout.default "${settings.layout.default}" is not one of settings.layout.options`);
  }
  return settings;
}

