/**
 * The capability model: the flag grammar of the SignalWire call model, extended
 * for the Daily and Stream systems, parsed into a frozen state object.
 * No DOM here; this module runs in browsers and in Node alike.
 */

/** The right to turn a state on, and the right to turn it off. */
export interface OnOff {
  readonly on: boolean;
  readonly off: boolean;
}

/** What one may do to oneself (`self`) or to other participants (`member`). */
export interface MemberCapabilities {
  readonly muteAudio: OnOff;
  readonly muteVideo: OnOff;
  readonly deaf: OnOff;
  readonly raisehand: OnOff;
  readonly microphoneVolume: boolean;
  readonly microphoneSensitivity: boolean;
  readonly speakerVolume: boolean;
  readonly position: boolean;
  readonly meta: boolean;
  readonly remove: boolean;
  readonly audioFlags: boolean;
  readonly permissions: boolean;
  readonly role: boolean;
}

/** Which permissions a participant may ask a host for. */
export interface RequestCapabilities {
  readonly presence: boolean;
  readonly audio: boolean;
  readonly video: boolean;
  readonly screenshare: boolean;
}

/** Everything the server lets this participant do in the call. */
export interface CallCapabilitiesState {
  readonly self: MemberCapabilities;
  readonly member: MemberCapabilities;
  readonly end: boolean;
  readonly setLayout: boolean;
  readonly sendDigit: boolean;
  readonly screenshare: boolean;
  readonly device: boolean;
  readonly lock: OnOff;
  readonly vmutedHide: OnOff;
  readonly admit: boolean;
  readonly record: OnOff;
  readonly stream: OnOff;
  readonly transcribe: OnOff;
  readonly request: RequestCapabilities;
}

/** A top-level field of {@link CallCapabilitiesState}. */
export type CapabilityField = keyof CallCapabilitiesState;

/** A path into the state: top-level field, then nested keys. */
type StatePath = readonly string[];

const onOff = (flag: string, path: StatePath): [string, StatePath][] => [
  [`${flag}.on`, [...path, 'on']],
  [`${flag}.off`, [...path, 'off']],
];

/** What one may do to oneself or to others: the flag after `self.` or `member.`, and the field it grants. */
const MEMBER_LEAVES = [
  ['microphone.volume.set', 'microphoneVolume'],
  ['microphone.sensitivity.set', 'microphoneSensitivity'],
  ['speaker.volume.set', 'speakerVolume'],
  ['position.set', 'position'],
  ['meta', 'meta'],
  ['remove', 'remove'],
  ['audioflags.set', 'audioFlags'],
  ['permissions.set', 'permissions'],
  ['role.set', 'role'],
];

const memberLeaves = (p: 'self' | 'member'): [string, StatePath][] => [
  ...onOff(`${p}.mute.audio`, [p, 'muteAudio']),
  ...onOff(`${p}.mute.video`, [p, 'muteVideo']),
  ...onOff(`${p}.deaf`, [p, 'deaf']),
  ...onOff(`${p}.raisehand`, [p, 'raisehand']),
  ...MEMBER_LEAVES.map(([flag, field]): [string, StatePath] => [`${p}.${flag}`, [p, field]]),
];

/** Every leaf flag of the grammar and the state field it grants. */
const LEAVES: ReadonlyMap<string, StatePath> = new Map<string, StatePath>([
  ...memberLeaves('self'),
  ...memberLeaves('member'),
  ['end', ['end']],
  ['layout.set', ['setLayout']],
  ['digit.send', ['sendDigit']],
  ['screenshare', ['screenshare']],
  ['device', ['device']],
  ...onOff('lock', ['lock']),
  ...onOff('vmuted.hide', ['vmutedHide']),
  ['waiting.admit', ['admit']],
  ...onOff('record', ['record']),
  ...onOff('stream', ['stream']),
  ...onOff('transcribe', ['transcribe']),
  ['request.presence', ['request', 'presence']],
  ['request.audio', ['request', 'audio']],
  ['request.video', ['request', 'video']],
  ['request.screenshare', ['request', 'screenshare']],
]);

/** Every top-level field, in the order of the contract (the leaves'). */
export const CAPABILITY_FIELDS: readonly CapabilityField[] = Object.freeze([
  ...new Set([...LEAVES.values()].map(([field]) => field as CapabilityField)),
]);

/** Every leaf flag of the grammar, in the order of the contract. */
export const LEAF_FLAGS: readonly string[] = Object.freeze([...LEAVES.keys()]);

/**
 * Every flag of the grammar, leaf or parent, mapped to the leaves it grants.
 * Built once, so that parsing is one map look-up per flag.
 */
const GRANTS: ReadonlyMap<string, readonly StatePath[]> = (() => {
  const grants = new Map<string, StatePath[]>();
  for (const [leaf, path] of LEAVES) {
    const segments = leaf.split('.');
    for (let n = 1; n <= segments.length; n++) {
      const prefix = segments.slice(0, n).join('.');
      let list = grants.get(prefix);
      if (!list) grants.set(prefix, (list = []));
      list.push(path);
    }
  }
  return grants;
})();

/** Every flag of the grammar, parents included (`self`, `member.mute`, `lock`…). */
export const ALL_FLAGS: readonly string[] = Object.freeze([...GRANTS.keys()]);

/** Sets the field at `path`, making the objects on the way (in the order the leaves come: the contract's). */
function put(state: Record<string, unknown>, path: StatePath, value: boolean): void {
  let node = state;
  for (let i = 0; i < path.length - 1; i++) node = (node[path[i]] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

/** A mutable copy of the all-false state, for the parser to fill in: every leaf's field, false. */
function blankState(): Record<string, unknown> {
  const state = {};
  for (const path of LEAVES.values()) put(state, path, false);
  return state;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The all-false state: nothing is allowed. Deeply frozen. */
export const NO_CAPABILITIES: CallCapabilitiesState = deepFreeze(blankState()) as unknown as CallCapabilitiesState;

/**
 * Parses the flags the server sends in `call.joined` into a deeply frozen state.
 * A flag grants every leaf of which it is a whole-segment prefix; unknown strings
 * are ignored; anything that is not an array of strings gives the all-false
 * state. Never throws.
 */
export function parseCapabilities(flags: unknown): CallCapabilitiesState {
  if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string')) {
    return NO_CAPABILITIES;
  }
  const state = blankState();
  for (const flag of flags as string[]) {
    for (const path of GRANTS.get(flag) ?? []) put(state, path, true);
  }
  return deepFreeze(state) as unknown as CallCapabilitiesState;
}

function read(state: CallCapabilitiesState, path: StatePath): boolean {
  let node: unknown = state;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node === true;
}

/**
 * Whether `state` grants `flag`, a leaf or a parent of the grammar (a parent asks
 * for all of its leaves). Unknown flags, and anything that is not a string, are
 * not granted.
 */
export function can(state: CallCapabilitiesState | null | undefined, flag: string): boolean {
  if (!state || typeof flag !== 'string') return false;
  const paths = GRANTS.get(flag);
  return !!paths && paths.every((path) => read(state, path));
}

/** Structural equality of two plain values of the capability state. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
