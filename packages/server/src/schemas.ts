/**
 * The schema of every value that enters the server: JSON-RPC params, REST
 * bodies and meeting-token claims. The schemas are TypeBox (that is, JSON
 * Schema), compiled once into validators; every one is bounded: strings have a
 * maximum length, arrays a maximum number of items, maps a maximum number of
 * entries and a maximum key length, and nothing is deeper than its schema.
 * `call.message.send`'s free-form `data` is JSON bounded in depth.
 *
 * They ship as JSON Schema in schema/protocol.schema.json (written by
 * `npm run analyze` from {@link protocolSchema}, checked for staleness); the
 * fuzzer (test/fuzz.node.test.ts) generates its requests from that file, so a
 * method or endpoint added here is fuzzed without more work.
 */
import { Kind, Type, TypeRegistry, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { PERMISSION_NAMES } from './call-types.js';
import { MEDIA_PARAMS } from './media/schemas.js';

/** The limits every schema is built from (documented in the README's security model). */
export const LIMITS = Object.freeze({
  /** Entries of `canReceive.byUserId` and of `canReceive.byParticipantId`. */
  receiveEntries: 1000,
  /** Characters of a user id or participant id used as a key in `canReceive`. */
  receiveKey: 128,
  /** Entries of `customVideo` / `customAudio` (track name or `*` → boolean). */
  customTracks: 100,
  /** Characters of a custom track name. */
  trackName: 128,
  /** Roles in a call type's `grants` or `default_permissions`. */
  roles: 64,
  /** Characters of a role name. */
  role: 32,
  /** Nesting of `call.message.send`'s `data`. */
  messageDepth: 32,
  /** Characters of a room or call type name. */
  name: 64,
  /** Characters of a display name or user id. */
  userName: 100,
  /** Characters of a member id in a request. */
  memberId: 64,
  /** Characters of a meeting token. */
  token: 8192,
  /** Bytes of a REST body. */
  body: 64 * 1024,
});

export const NAME = /^[A-Za-z0-9_-]+$/;
export const ROLE = /^[a-z][a-z0-9_-]*$/;
/** Unix seconds from 2000 to 9999: enough to refuse milliseconds by mistake. */
export const SECONDS = Object.freeze([946684800, 253402300799] as const);

export const SEND_KINDS = ['audio', 'video', 'screenVideo', 'screenAudio', 'customVideo', 'customAudio'] as const;
export const ADMIN_KINDS = ['participants', 'streaming', 'transcription'] as const;
export const REQUEST_KINDS = ['presence', 'audio', 'video', 'screenshare'] as const;

/**
 * Hints for the fuzzer (`x-fuzz`): which pool of realistic values a string
 * draws from besides random ones (a member id of the call, a room name…).
 */
export type FuzzHint = 'member' | 'room' | 'token' | 'role' | 'layout' | 'callType' | 'resume' | 'user';

/** How a map's keys are checked and named in messages (`x-key`). */
export interface KeySpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly pattern?: string;
  readonly fuzz?: FuzzHint;
}

// ── Builders ────────────────────────────────────────────────────────────────

const str = (max: number, options: { min?: number; pattern?: RegExp; fuzz?: FuzzHint } = {}) =>
  Type.String({
    minLength: options.min ?? 1,
    maxLength: max,
    ...(options.pattern ? { pattern: options.pattern.source } : {}),
    ...(options.fuzz ? { 'x-fuzz': options.fuzz } : {}),
  });

const bool = () => Type.Boolean();
const int = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });
const seconds = () => int(SECONDS[0], SECONDS[1]);
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const oneOf = <T extends string>(values: readonly T[], message?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), message ? { 'x-message': message } : {}) as unknown as TUnion<TLiteral<T>[]>;

/** An object with exactly these fields (unknown fields are refused). */
const obj = <T extends Record<string, TSchema>>(properties: T, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** A map from outside names to values: bounded entries, bounded keys. Validated maps come out with a null prototype. */
function dict<T extends TSchema>(key: KeySpec, value: T, maxEntries: number) {
  const body = key.pattern ? key.pattern.replace(/^\^|\$$/g, '') : '[\\s\\S]*';
  const pattern = `^(?=[\\s\\S]{${key.min},${key.max}}$)${body}$`;
  return Type.Record(Type.String({ pattern }), value, { maxProperties: maxEntries, additionalProperties: false, 'x-key': key });
}

/** `true`, `false`, or a list of kinds: Daily's `canSend` / `canAdmin`. */
const kinds = <T extends string>(allowed: readonly T[]) =>
  Type.Union([bool(), Type.Array(oneOf(allowed), { maxItems: allowed.length * 4 })], {
    'x-message': `{field} must be true, false or an array of: ${allowed.join(', ')}`,
  });

/** JSON of at most `maxDepth` nested arrays and objects (a custom kind: JSON Schema cannot bound depth, so its JSON Schema is any value, with the bound as `x-max-depth`). */
export function boundedJson(maxDepth: number, options: Record<string, unknown> = {}): TSchema {
  return Type.Unsafe<unknown>({ [Kind]: 'BoundedJson', 'x-max-depth': maxDepth, ...options });
}

/** Whether `value` is JSON no deeper than `maxDepth`; iterative, so any depth is safe to check. */
export function isBoundedJson(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== 'object') return false;
    if (depth >= maxDepth) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

if (!TypeRegistry.Has('BoundedJson')) {
  TypeRegistry.Set<{ 'x-max-depth': number }>('BoundedJson', (schema, value) => isBoundedJson(value, schema['x-max-depth']));
}

// ── Permissions (Daily, reference/000) ───────────────────────────────────────

const trackKey: KeySpec = { label: 'track name', min: 1, max: LIMITS.trackName };
/** `{ [trackName | '*']: boolean }`, as in `customVideo: { '*': false }`. */
const customTracks = () => dict(trackKey, bool(), LIMITS.customTracks);

/** What may be received from one source: every field optional. */
export const ReceiveMedia = obj({
  video: opt(bool()),
  audio: opt(bool()),
  screenVideo: opt(bool()),
  screenAudio: opt(bool()),
  customVideo: opt(customTracks()),
  customAudio: opt(customTracks()),
});

/** `true`, `false`, or per kind. */
export const ReceiveEntry = Type.Union([bool(), ReceiveMedia], { 'x-message': '{field} must be true, false or an object of video, audio, screenVideo, screenAudio, customVideo, customAudio' });

const userKey: KeySpec = { label: 'user id', min: 1, max: LIMITS.receiveKey, fuzz: 'user' };
const participantKey: KeySpec = { label: 'participant id', min: 1, max: LIMITS.receiveKey, fuzz: 'member' };

/** Daily's `canReceive`: a base, then overrides by user id, then by participant id (`*` for all). */
export const CanReceive = obj({
  base: opt(ReceiveEntry),
  byUserId: opt(dict(userKey, ReceiveEntry, LIMITS.receiveEntries)),
  byParticipantId: opt(dict(participantKey, ReceiveEntry, LIMITS.receiveEntries)),
});

/** A partial permissions update: only the fields it carries change. */
export const PermissionsUpdate = obj({
  hasPresence: opt(bool()),
  canSend: opt(kinds(SEND_KINDS)),
  canReceive: opt(CanReceive),
  canAdmin: opt(kinds(ADMIN_KINDS)),
});

/** A member's complete permissions (what the server holds and sends). */
export const Permissions = obj({
  hasPresence: bool(),
  canSend: kinds(SEND_KINDS),
  canReceive: CanReceive,
  canAdmin: kinds(ADMIN_KINDS),
});

// ── Rooms, tokens, call types ────────────────────────────────────────────────

const roomName = () => str(LIMITS.name, { pattern: NAME, fuzz: 'room' });
const callTypeName = () => str(LIMITS.name, { pattern: NAME, fuzz: 'callType' });
const roleName = () => str(LIMITS.role, { pattern: ROLE, fuzz: 'role' });

const roomPropertyFields = {
  enable_knocking: bool(),
  exp: seconds(),
  max_participants: int(1, 100000),
  call_type: callTypeName(),
  permissions: PermissionsUpdate,
};

export const RoomProperties = obj(Object.fromEntries(Object.entries(roomPropertyFields).map(([k, v]) => [k, opt(v)])) as {
  [K in keyof typeof roomPropertyFields]: ReturnType<typeof opt<(typeof roomPropertyFields)[K]>>
});

/** In an update, `null` removes a property. */
export const RoomPropertiesUpdate = obj(Object.fromEntries(Object.entries(roomPropertyFields).map(([k, v]) => [k, opt(Type.Union([v, Type.Null()]))])));

export const Privacy = oneOf(['public', 'private'], 'privacy must be "public" or "private"');

export const TokenProperties = obj({
  room_name: opt(roomName()),
  is_owner: opt(bool()),
  user_name: opt(str(LIMITS.userName)),
  user_id: opt(str(LIMITS.userName, { fuzz: 'user' })),
  role: opt(roleName()),
  app_role: opt(roleName()),
  exp: opt(seconds()),
  nbf: opt(seconds()),
  eject_at_token_exp: opt(bool()),
  permissions: opt(PermissionsUpdate),
});

const roleKey: KeySpec = { label: 'role name', min: 1, max: LIMITS.role, pattern: ROLE.source, fuzz: 'role' };

export const Grants = dict(roleKey, Type.Array(oneOf(PERMISSION_NAMES, '{field} holds {value}, which is not a permission (see GET /v1/permissions)'), {
  maxItems: PERMISSION_NAMES.length * 2,
  'x-message': '{field} must be an array of permissions',
}), LIMITS.roles);

const media = () => obj({ enabled: opt(bool()), access_request_enabled: opt(bool()) });
const layoutName = () => str(32, { fuzz: 'layout' });

export const SettingsUpdate = obj({
  audio: opt(media()),
  video: opt(media()),
  screenshare: opt(media()),
  presence: opt(obj({ access_request_enabled: opt(bool()) })),
  recording: opt(obj({ enabled: opt(bool()) })),
  broadcasting: opt(obj({ enabled: opt(bool()) })),
  transcription: opt(obj({ enabled: opt(bool()) })),
  layout: opt(obj({
    default: opt(layoutName()),
    options: opt(Type.Array(layoutName(), { minItems: 1, maxItems: 20, 'x-message': '{field} must be a non-empty array of at most 20 layout names' })),
  })),
  default_permissions: opt(dict(roleKey, PermissionsUpdate, LIMITS.roles)),
});

// ── REST bodies ──────────────────────────────────────────────────────────────

/** Every REST endpoint that takes a body: method, path pattern (`:x` a name), and the body's schema. */
export const REST_BODIES = Object.freeze({
  'POST /v1/rooms': obj({ name: opt(roomName()), privacy: opt(Privacy), properties: opt(RoomProperties) }),
  'POST /v1/rooms/:name': obj({ privacy: opt(Privacy), properties: opt(RoomPropertiesUpdate) }),
  'POST /v1/meeting-tokens': obj({ properties: opt(TokenProperties) }),
  'POST /v1/call-types': obj({ name: callTypeName(), grants: opt(Grants), settings: opt(SettingsUpdate) }),
  'PUT /v1/call-types/:name': obj({ grants: opt(Grants), settings: opt(SettingsUpdate) }),
} satisfies Record<string, TSchema>);

/** The REST endpoints without a body, and the query of the one that has one. */
export const REST_QUERIES = Object.freeze({
  'GET /v1/rooms': obj({}),
  'GET /v1/rooms/:name': obj({}),
  'DELETE /v1/rooms/:name': obj({}),
  'GET /v1/call-types': obj({}),
  'GET /v1/call-types/:name': obj({}),
  'GET /v1/permissions': obj({}),
  'GET /v1/audit-log': obj({ room: opt(roomName()), limit: opt(str(4, { pattern: /^[0-9]+$/ })) }),
} satisfies Record<string, TSchema>);

// ── JSON-RPC params ──────────────────────────────────────────────────────────

const memberId = () => str(LIMITS.memberId, { fuzz: 'member' });
const none = () => obj({});
const onMember = () => obj({ member_id: opt(memberId()) });
/** A page of a roster: after `cursor` (a member's seq), names holding `search`, at most `limit`. */
const rosterPage = () => obj({
  cursor: opt(int(0, Number.MAX_SAFE_INTEGER)),
  search: opt(str(LIMITS.userName, { min: 0 })),
  limit: opt(int(1, 1000)),
});
const channels = () => Type.Array(oneOf(['audio', 'video']), {
  minItems: 1,
  maxItems: 2,
  'x-message': 'channels must be a non-empty array of "audio" and "video"',
});

/** The params of every request of the protocol (the keys of `METHODS` in rpc.ts). */
export const RPC_PARAMS = Object.freeze({
  ...MEDIA_PARAMS,
  'call.ping': none(),
  'call.join': obj({
    room: roomName(),
    token: opt(str(LIMITS.token, { fuzz: 'token' })),
    user_name: opt(str(LIMITS.userName)),
    resume: opt(str(1024, { min: 0, fuzz: 'resume' })),
    protocol: opt(int(1, 2)),
  }),
  'call.leave': none(),
  'call.request_access': obj({ name: str(LIMITS.userName) }),
  'call.mute': obj({ member_id: opt(memberId()), channels: channels() }),
  'call.unmute': obj({ member_id: opt(memberId()), channels: channels() }),
  'call.deaf': onMember(),
  'call.undeaf': onMember(),
  'call.raisehand': onMember(),
  'call.lowerhand': onMember(),
  'call.screenshare.start': none(),
  'call.screenshare.stop': none(),
  'call.lock': none(),
  'call.unlock': none(),
  'call.record.start': none(),
  'call.record.stop': none(),
  'call.stream.start': none(),
  'call.stream.stop': none(),
  'call.transcribe.start': none(),
  'call.transcribe.stop': none(),
  'call.end': none(),
  'call.layout.set': obj({ layout: layoutName() }),
  'call.digit.send': obj({ digits: str(64, { pattern: /^[0-9*#A-Dw]+$/ }) }),
  'call.member.remove': obj({ member_id: memberId() }),
  'call.member.update': obj({ member_id: memberId(), permissions: opt(PermissionsUpdate), role: opt(str(LIMITS.role, { fuzz: 'role' })) }),
  'call.waiting.update': obj({ member_id: memberId(), grant: bool() }),
  'call.permission.request': obj({
    permissions: Type.Array(oneOf(REQUEST_KINDS), {
      minItems: 1,
      maxItems: REQUEST_KINDS.length * 2,
      'x-message': `permissions must be a non-empty array of: ${REQUEST_KINDS.join(', ')}`,
    }),
  }),
  'call.permission.deny': obj({ member_id: memberId() }),
  'call.members.list': rosterPage(),
  'call.audience.list': rosterPage(),
  'call.message.send': obj({
    data: boundedJson(LIMITS.messageDepth, { 'x-missing': 'data is required' }),
    to: opt(memberId()),
  }),
} satisfies Record<string, TSchema>);

// ── Compiled checks ──────────────────────────────────────────────────────────

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** The compiled validator of a schema (compiled on first use). */
export function compile(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  return check;
}

/** Whether a value conforms (compiled; bounded work whatever the value). */
export const conforms = (schema: TSchema, value: unknown): boolean => compile(schema).Check(value);

// ── The shipped JSON Schema ──────────────────────────────────────────────────

/** Where the shipped file says which of its `$defs` are what. */
export interface ProtocolSchemaIndex {
  /** REST endpoints with a body: `$defs[endpoint]` is the body. */
  'x-rest-bodies': string[];
  /** REST endpoints without one: `$defs[endpoint]` is the query string, as an object of strings. */
  'x-rest-queries': string[];
  /** JSON-RPC methods (requests to the server): `$defs[method]` is the `params`. */
  'x-rpc-methods': string[];
}

/**
 * Every schema above as one JSON Schema document (draft 2020-12): the REST
 * bodies and queries by endpoint (`POST /v1/rooms`), every WebSocket method's
 * params by method (`call.join`) and the shared shapes by name, under `$defs`.
 * TypeBox's schemas are JSON Schema already; this only gathers them. The
 * `x-` keywords are annotations (messages, fuzzing hints, the depth bound of
 * free-form JSON) that a validator ignores.
 */
export function protocolSchema(): Record<string, unknown> & ProtocolSchemaIndex {
  const shared = { Permissions, PermissionsUpdate, CanReceive, RoomProperties, RoomPropertiesUpdate, TokenProperties, Grants, SettingsUpdate };
  // Through JSON: TypeBox's own markers are symbols and stay behind.
  const plain = (schemas: Record<string, TSchema>) => JSON.parse(JSON.stringify(schemas)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://unpkg.com/@callcaps/server/schema/protocol.schema.json',
    title: 'callcaps protocol',
    description: 'What the callcaps reference server accepts: REST bodies and queries (by endpoint) and JSON-RPC params over the WebSocket /v1/ws (by method), under $defs. Generated from the server\'s TypeBox schemas; do not edit.',
    'x-rest-bodies': Object.keys(REST_BODIES),
    'x-rest-queries': Object.keys(REST_QUERIES),
    'x-rpc-methods': Object.keys(RPC_PARAMS),
    $defs: { ...plain(shared), ...plain(REST_BODIES), ...plain(REST_QUERIES), ...plain(RPC_PARAMS) },
  };
}
