/**
 * `callcaps/adapters/signalwire`: `fromSignalWire(roomSession, options?)`
 * turns a SignalWire call (the `FabricRoomSession` that `client.dial()` of
 * @signalwire/js returns) into a callcaps {@link Call}.
 *
 * The adapter imports nothing of the SDK at run time: it listens to the room
 * session's own events and calls its methods; every name it uses is checked
 * against the SDK's own types at compile time.
 *
 * SignalWire's capability strings are callcaps' grammar (CONTRACT §2 follows
 * SignalWire's call model): they arrive in every `call.joined`, and are fed
 * to the capability model unchanged (see {@link signalWireFlags}), minus those
 * naming an action the room session has no method for (see
 * {@link SIGNALWIRE_METHODS}). Members come from `call.joined`'s
 * `room_session.members` and the `member.joined` / `member.updated` /
 * `member.left` events.
 */
import type {
  CallCapabilitiesContract, CallJoinedEventParams, CallLeftEventParams, CallUpdatedEventParams, FabricLayoutChangedEventParams,
  FabricMemberJoinedEventParams, FabricMemberLeftEventParams, FabricMemberUpdatedEventParams, FabricRoomSession, InternalFabricMemberEntity,
  MemberCapabilityContract,
} from '@signalwire/js';
import type { LeftReason, Member } from '../../core/call.js';
import { AdapterCall, type Emitter, type PlatformOps } from '../shared/base.js';

/**
 * The room session's `call.joined`: the server's event, its capability strings
 * wrapped by the SDK in its `CallCapabilities` object (the SDK's
 * `mapCapabilityPayload`); {@link signalWireFlags} takes them back out.
 */
type JoinedParams = CallJoinedEventParams;
type SdkMember = InternalFabricMemberEntity;
/** Every event name the adapter listens to, checked against the room session's own. */
type EventName = Parameters<FabricRoomSession['on']>[0];
const EVENTS = {
  joined: 'call.joined', updated: 'room.updated', layout: 'layout.changed', left: 'call.left',
  memberJoined: 'member.joined', memberUpdated: 'member.updated', memberLeft: 'member.left', recovering: 'recovering', destroy: 'destroy',
} as const satisfies Record<string, EventName>;

/** The room session methods the adapter calls: the SDK's own declared types, so a changed SDK fails the build. */
export type SignalWireRoomSession = Pick<
  FabricRoomSession,
  | 'on' | 'off' | 'leave' | 'audioMute' | 'audioUnmute' | 'videoMute' | 'videoUnmute' | 'deaf' | 'undeaf' | 'setRaisedHand'
  | 'removeMember' | 'setLayout' | 'getLayouts' | 'lock' | 'unlock' | 'end' | 'startScreenShare' | 'screenShareList' | 'sendDigits'
>;

/**
 * The mapping table, by flag prefix: the room session method that performs
 * what the flag grants. Every flag of the grammar arrives unchanged; the
 * callcaps actions SignalWire has no method for (permissions, roles,
 * knocking, requests, recording, streaming, transcription, app messages) are
 * never granted, whatever the server sends.
 */
export const SIGNALWIRE_METHODS: Readonly<Record<string, string>> = {
  'self.mute.audio': 'audioMute() / audioUnmute()',
  'self.mute.video': 'videoMute() / videoUnmute()',
  'self.deaf': 'deaf() / undeaf()',
  'self.raisehand': 'setRaisedHand({ raised })',
  'member.mute.audio': 'audioMute({ memberId }) / audioUnmute({ memberId })',
  'member.mute.video': 'videoMute({ memberId }) / videoUnmute({ memberId })',
  'member.deaf': 'deaf({ memberId }) / undeaf({ memberId })',
  'member.raisehand': 'setRaisedHand({ memberId, raised })',
  'member.remove': 'removeMember({ memberId })',
  screenshare: 'startScreenShare() / screenShareList[i].leave()',
  lock: 'lock() / unlock()',
  layout: 'setLayout({ name })',
  'digit.send': 'sendDigits(digits)',
  end: 'end()',
};

const MEMBER_FLAGS: readonly [keyof MemberCapabilityContract, string][] = [
  ['microphoneVolume', 'microphone.volume.set'], ['microphoneSensitivity', 'microphone.sensitivity.set'],
  ['speakerVolume', 'speaker.volume.set'], ['position', 'position.set'], ['meta', 'meta'], ['remove', 'remove'], ['audioFlags', 'audioflags.set'],
];
const MEMBER_ON_OFF: readonly [keyof MemberCapabilityContract, string][] = [
  ['muteAudio', 'mute.audio'], ['muteVideo', 'mute.video'], ['deaf', 'deaf'], ['raisehand', 'raisehand'],
];
const CALL_FLAGS: readonly [keyof CallCapabilitiesContract, string][] = [
  ['end', 'end'], ['setLayout', 'layout.set'], ['sendDigit', 'digit.send'], ['device', 'device'], ['screenshare', 'screenshare'],
];
const CALL_ON_OFF: readonly [keyof CallCapabilitiesContract, string][] = [['vmutedHide', 'vmuted.hide'], ['lock', 'lock']];

/**
 * The capability strings of a `call.joined`, as callcaps' flags:
 * - an array of strings (the server's payload) is taken as it is;
 * - the SDK's `CallCapabilities` object (what the room session's `call.joined`
 *   hands its listeners) still holds the server's strings, and they are taken
 *   as they are (so strings its parser does not know, `request.*` or
 *   `self.raisehand`, still reach callcaps);
 * - any other object with the SDK's `CallCapabilitiesContract` shape is read
 *   back into the leaf flags it grants.
 * Anything else grants nothing (fail closed); unknown strings are the model's
 * to ignore.
 */
export function signalWireFlags(capabilities: unknown): string[] {
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((f) => typeof f === 'string');
  if (strings(capabilities)) return [...capabilities];
  if (!capabilities || typeof capabilities !== 'object') return [];
  const raw = (capabilities as { _flags?: unknown })._flags;
  if (strings(raw)) return [...raw];
  const c = capabilities as Partial<CallCapabilitiesContract>;
  const flags: string[] = [];
  const onOff = (value: unknown, flag: string) => {
    const v = value as { on?: unknown; off?: unknown } | undefined;
    if (v?.on === true) flags.push(`${flag}.on`);
    if (v?.off === true) flags.push(`${flag}.off`);
  };
  for (const who of ['self', 'member'] as const) {
    const m = c[who] as Partial<MemberCapabilityContract> | undefined;
    if (!m || typeof m !== 'object') continue;
    for (const [key, flag] of MEMBER_ON_OFF) onOff(m[key], `${who}.${flag}`);
    for (const [key, flag] of MEMBER_FLAGS) if (m[key] === true) flags.push(`${who}.${flag}`);
  }
  for (const [key, flag] of CALL_ON_OFF) onOff(c[key], flag);
  for (const [key, flag] of CALL_FLAGS) if (c[key] === true) flags.push(flag);
  return flags;
}

export interface SignalWireOptions {
  /** The layouts offered by the layout picker, when `getLayouts()` is not to be asked (default: asked once joined). */
  layouts?: readonly string[];
}

/** A SignalWire member (snake_case, as the SDK's events carry it) as a callcaps member. */
export function signalWireMember(m: SdkMember): Member {
  const any = m as SdkMember & { member_id?: string; id?: string; visible?: boolean };
  const id = any.member_id ?? any.id ?? '';
  return {
    id,
    user_id: (m as { subscriber_id?: string }).subscriber_id || id,
    name: m.name || '',
    owner: false,
    role: 'member',
    // SignalWire tells a client what the local member may do (its capabilities), not what others may.
    permissions: { hasPresence: any.visible !== false, canSend: true, canReceive: { base: true }, canAdmin: false },
    audio_muted: m.audio_muted === true,
    video_muted: m.video_muted === true,
    deaf: m.deaf === true,
    handraised: m.handraised === true,
    screenshare: (m as { type?: string }).type === 'screen',
    joined_at: 0,
  };
}

/** A callcaps {@link Call} over a SignalWire room session. Create it with {@link fromSignalWire}. */
export class SignalWireCallAdapter extends AdapterCall {
  readonly #session: SignalWireRoomSession;
  readonly #members = new Map<string, Member>();
  readonly #joinedAt = new Map<string, number>();
  #selfId: string | null = null;
  #layouts: readonly string[];
  #room: JoinedParams['room_session'] | null = null;
  #layout = '';

  constructor(session: SignalWireRoomSession, options: SignalWireOptions = {}) {
    const member = (target: Member) => ({ memberId: target.id });
    const ops: PlatformOps = {
      leave: () => session.leave(),
      muteSelf: (channel, muted) =>
        channel === 'audio' ? (muted ? session.audioMute() : session.audioUnmute()) : muted ? session.videoMute() : session.videoUnmute(),
      muteMember: (channel, target, muted) =>
        channel === 'audio'
          ? muted ? session.audioMute(member(target)) : session.audioUnmute(member(target))
          : muted ? session.videoMute(member(target)) : session.videoUnmute(member(target)),
      deafSelf: (deaf) => (deaf ? session.deaf() : session.undeaf()),
      deafMember: (target, deaf) => (deaf ? session.deaf(member(target)) : session.undeaf(member(target))),
      handSelf: (raised) => session.setRaisedHand({ raised }),
      handMember: (target, raised) => session.setRaisedHand({ ...member(target), raised }),
      removeMember: (target) => session.removeMember(member(target)),
      screenshare: async (on) => {
        if (on) await session.startScreenShare();
        else for (const share of [...session.screenShareList]) await share.leave();
      },
      lock: (locked) => (locked ? session.lock() : session.unlock()),
      setLayout: (name) => session.setLayout({ name }),
      sendDigits: (digits) => session.sendDigits(digits),
      end: () => session.end(),
    };
    super('SignalWire', ops);
    this.#session = session;
    this.#layouts = options.layouts ?? [];
    const askLayouts = !options.layouts;

    const on = session as unknown as Emitter;
    this.listen(on, EVENTS.joined, (params: JoinedParams) => {
      const first = this.#selfId === null;
      this.#selfId = params.member_id;
      this.#room = params.room_session;
      this.#layout = params.room_session.layout_name ?? this.#layout;
      this.#members.clear();
      for (const m of params.room_session.members ?? []) this.#put(signalWireMember(m));
      this.access.set({ level: 'full', awaiting: null });
      this.connection.set('connected');
      this.#publish();
      // The strings as they arrive: callcaps' grammar is SignalWire's.
      this.setFlags(signalWireFlags(params.capabilities));
      if (first && askLayouts) {
        session.getLayouts().then(({ layouts }) => {
          this.#layouts = layouts;
          this.#publishRoom();
        }, () => {});
      }
    });
    this.listen(on, EVENTS.updated, (params: CallUpdatedEventParams) => {
      this.#room = params.room_session;
      this.#layout = params.room_session.layout_name ?? this.#layout;
      this.#publishRoom();
    });
    this.listen(on, EVENTS.layout, (params: FabricLayoutChangedEventParams) => {
      this.#layout = params.layout?.name ?? this.#layout;
      this.#publishRoom();
    });
    this.listen(on, EVENTS.memberJoined, (params: FabricMemberJoinedEventParams) => {
      this.#put(signalWireMember(params.member));
      this.#publish();
    });
    this.listen(on, EVENTS.memberUpdated, (params: FabricMemberUpdatedEventParams) => {
      const updated = signalWireMember(params.member as SdkMember);
      const before = this.#members.get(updated.id);
      // An update carries the fields that changed (and the id); the rest stays.
      const changed = (params.member as { updated?: string[] }).updated;
      const merged = before && changed ? mergeMember(before, updated, changed) : updated;
      this.#put(merged);
      this.#publish();
    });
    this.listen(on, EVENTS.memberLeft, (params: FabricMemberLeftEventParams) => {
      const id = signalWireMember(params.member).id;
      this.#members.delete(id);
      this.#joinedAt.delete(id);
      this.#publish();
    });
    // The SDK's connection states: `recovering` while the media reconnects, `hangup`/`destroy` at the end.
    this.listen(on, EVENTS.recovering, () => {
      if (this.#selfId === null) return;
      this.connection.set('reconnecting');
      this.setFlags(null);
    });
    this.listen(on, EVENTS.left, (params?: CallLeftEventParams) => this.finish(reasonOf(params?.reason)));
    this.listen(on, EVENTS.destroy, () => this.finish('left'));
  }

  /** The room session this call adapts. */
  get sdk(): SignalWireRoomSession {
    return this.#session;
  }

  #put(member: Member): void {
    if (!this.#joinedAt.has(member.id)) this.#joinedAt.set(member.id, Date.now());
    this.#members.set(member.id, { ...member, joined_at: this.#joinedAt.get(member.id)! });
  }

  #publish(): void {
    const all = [...this.#members.values()];
    const self = all.find((m) => m.id === this.#selfId) ?? null;
    this.self.set(self);
    this.participants.set(self ? [self, ...all.filter((m) => m !== self)] : all);
    this.#publishRoom();
  }

  #publishRoom(): void {
    const room = this.#room;
    if (!room) return;
    this.room.set({
      name: room.name ?? room.display_name ?? '',
      call_type: 'signalwire',
      locked: room.locked === true,
      layout: this.#layout,
      layouts: [...this.#layouts],
      roles: [],
      recording: room.recording === true,
      streaming: room.streaming === true,
      transcribing: false,
      vmuted_hidden: room.hide_video_muted === true,
    });
  }
}

const MERGED: Readonly<Record<string, keyof Member>> = {
  audio_muted: 'audio_muted', audioMuted: 'audio_muted', video_muted: 'video_muted', videoMuted: 'video_muted',
  deaf: 'deaf', handraised: 'handraised', name: 'name',
};

function mergeMember(before: Member, update: Member, changed: readonly string[]): Member {
  const out: Record<string, unknown> = { ...before };
  for (const key of changed) {
    const field = MERGED[key];
    if (field) out[field] = update[field];
    if (key === 'visible') out.permissions = { ...before.permissions, hasPresence: update.permissions.hasPresence };
  }
  return out as unknown as Member;
}

/** Why SignalWire ended the call for the local member. */
function reasonOf(reason: string | undefined): LeftReason {
  if (!reason) return 'left';
  if (/kick|remov/i.test(reason)) return 'removed';
  if (/end|destroy|room_ended/i.test(reason)) return 'ended';
  return 'left';
}

/**
 * A callcaps {@link Call} over a SignalWire room session, before or after it
 * starts: capabilities are not known until its first `call.joined`.
 */
export function fromSignalWire(roomSession: SignalWireRoomSession, options: SignalWireOptions = {}): SignalWireCallAdapter {
  return new SignalWireCallAdapter(roomSession, options);
}
