/**
 * A stand-in for a SignalWire `FabricRoomSession` (@signalwire/js), for the
 * Node and browser suites.
 *
 * Why a stand-in: a real room session exists only inside the SDK's client
 * (`SignalWire({ token })` → `client.dial()`), which opens a WebSocket to
 * SignalWire's cloud, authenticates the token and builds the session from the
 * server's answers through its internal store and workers; none of that is
 * reachable offline or from the package's public exports.
 *
 * What keeps it honest: every method the adapter calls is declared with the
 * SDK's own type (`SignalWireRoomSession[...]`, a `Pick` of `FabricRoomSession`),
 * and every event it emits is built from the SDK's own event parameter types
 * (`CallJoinedEventParams`, `FabricMemberJoinedEventParams`,
 * `InternalFabricMemberEntity`…), so a change in the SDK's types fails
 * `tsc -p tsconfig.test.json`. The capability strings are those of the
 * SDK's `Capability` union plus callcaps' own grammar, as the server sends them.
 */
import { parseCapabilities } from '../../src/core.js';
import type {
  CallCapabilitiesContract, CallJoinedEventParams, CallLeftEventParams, FabricMemberJoinedEventParams, FabricMemberLeftEventParams,
  FabricMemberUpdatedEventParams, InternalFabricMemberEntity,
} from '@signalwire/js';
import type { SignalWireRoomSession } from '../../src/adapters/signalwire/index.js';

type Listener = (...args: any[]) => void;
/** What the SDK's member and room commands resolve with (`BaseRPCResult`), or nothing. */
type Result = Promise<never>;

export const ROOM = { room_id: 'room-1', room_session_id: 'session-1' };

/** A member as the SDK's events carry it (snake_case). */
export function swMember(id: string, overrides: Partial<InternalFabricMemberEntity> = {}): InternalFabricMemberEntity {
  return {
    member_id: id, call_id: `call-${id}`, node_id: 'node-1', subscriber_id: `sub-${id}`, address_id: `addr-${id}`,
    room_session_id: ROOM.room_session_id, room_id: ROOM.room_id, name: `Name ${id}`, type: 'member',
    requested_position: 'auto', meta: {}, talking: false, audio_muted: false, video_muted: false, deaf: false, visible: true,
    input_volume: 0, output_volume: 0, input_sensitivity: 0, handraised: false, echo_cancellation: true, auto_gain: true,
    noise_suppression: true, parent_id: undefined, current_position: undefined,
    ...overrides,
  } as InternalFabricMemberEntity;
}

/**
 * What the SDK makes of the server's capability strings (its
 * `mapCapabilityPayload`, not exported): a `CallCapabilities` holding the
 * strings (`_flags`) with getters of the `CallCapabilitiesContract` shape.
 * Here the getters' values come from callcaps' own model, whose fields the
 * contract's are a subset of (checked by the type annotation).
 */
export function sdkCapabilities(flags: string[]): CallCapabilitiesContract & { _flags: string[] } {
  const contract: CallCapabilitiesContract = parseCapabilities(flags);
  return { ...contract, _flags: flags };
}

/** The room session's `call.joined` parameters, as the SDK emits them. */
export function joinedParams(capabilities: string[], members = ['me', 'm2', 'm3']): CallJoinedEventParams {
  return {
    ...ROOM,
    call_id: 'call-me', member_id: 'me', origin_call_id: 'call-me', capabilities: sdkCapabilities(capabilities),
    room_session: {
      room_session_id: ROOM.room_session_id, room_id: ROOM.room_id, id: ROOM.room_session_id, event_channel: 'ch', name: 'standup',
      layout_name: 'grid-responsive', display_name: 'Standup', recording: false, streaming: false, prioritize_handraise: false,
      hide_video_muted: false, locked: false, preview_url: '', meta: {}, members: members.map((id) => swMember(id)),
    } as CallJoinedEventParams['room_session'],
  };
}

export class StandInRoomSession implements SignalWireRoomSession {
  readonly sent: string[] = [];
  /** Makes the next method calls reject as the SDK does with a server refusal. */
  fail: { code: string; message: string } | null = null;
  readonly #listeners = new Map<string, Set<Listener>>();
  screenShareList: SignalWireRoomSession['screenShareList'] = [];

  #call(name: string, params?: unknown): Result {
    this.sent.push(`${name}(${params === undefined ? '' : JSON.stringify(params)})`);
    if (this.fail) return Promise.reject(Object.assign(new Error(this.fail.message), { code: this.fail.code }));
    return Promise.resolve({ code: '200', message: 'OK' }) as Result;
  }

  on: SignalWireRoomSession['on'] = ((event: string, fn: Listener) => {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event)!.add(fn);
    return this;
  }) as never;

  off: SignalWireRoomSession['off'] = ((event: string, fn: Listener) => {
    this.#listeners.get(event)?.delete(fn);
    return this;
  }) as never;

  /** What the SDK's event channel does with a server event: the room session emits it. */
  emit(event: 'call.joined', params: CallJoinedEventParams): void;
  emit(event: 'member.joined', params: FabricMemberJoinedEventParams): void;
  emit(event: 'member.updated', params: FabricMemberUpdatedEventParams): void;
  emit(event: 'member.left', params: FabricMemberLeftEventParams): void;
  emit(event: 'call.left', params: CallLeftEventParams): void;
  emit(event: 'recovering' | 'destroy'): void;
  emit(event: string, params?: unknown): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) fn(params);
  }

  /** Every listener held on this session. */
  get listenerCount(): number {
    return [...this.#listeners.values()].reduce((n, set) => n + set.size, 0);
  }

  leave: SignalWireRoomSession['leave'] = async () => {
    this.sent.push('leave()');
  };
  audioMute: SignalWireRoomSession['audioMute'] = (p) => this.#call('audioMute', p);
  audioUnmute: SignalWireRoomSession['audioUnmute'] = (p) => this.#call('audioUnmute', p);
  videoMute: SignalWireRoomSession['videoMute'] = (p) => this.#call('videoMute', p);
  videoUnmute: SignalWireRoomSession['videoUnmute'] = (p) => this.#call('videoUnmute', p);
  deaf: SignalWireRoomSession['deaf'] = (p) => this.#call('deaf', p);
  undeaf: SignalWireRoomSession['undeaf'] = (p) => this.#call('undeaf', p);
  setRaisedHand: SignalWireRoomSession['setRaisedHand'] = (p) => this.#call('setRaisedHand', p);
  removeMember: SignalWireRoomSession['removeMember'] = (p) => this.#call('removeMember', p);
  setLayout: SignalWireRoomSession['setLayout'] = (p) => this.#call('setLayout', p);
  getLayouts: SignalWireRoomSession['getLayouts'] = async () => ({ layouts: ['grid-responsive', 'highlight-1-responsive'] });
  lock: SignalWireRoomSession['lock'] = () => this.#call('lock');
  unlock: SignalWireRoomSession['unlock'] = () => this.#call('unlock');
  end: SignalWireRoomSession['end'] = async (p) => void (await this.#call('end', p));
  sendDigits: SignalWireRoomSession['sendDigits'] = async (digits) => void (await this.#call('sendDigits', digits));
  startScreenShare: SignalWireRoomSession['startScreenShare'] = async () => {
    await this.#call('startScreenShare');
    return {} as Awaited<ReturnType<SignalWireRoomSession['startScreenShare']>>;
  };
}
