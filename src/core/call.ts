/**
 * The `Call` that every element binds to: the reference server's client
 * implements it, and so do adapters for other platforms. No DOM here.
 */
import type { Observable } from 'rxjs';
import { can, type CallCapabilitiesState } from './capabilities.js';
import type { SelfCapabilities } from './self-capabilities.js';

/** How far a participant is let in (Daily's access levels), plus `unknown` before the server said. */
export type AccessLevel = 'unknown' | 'none' | 'lobby' | 'full';

/** The access a participant has, and the one it has asked for (knocking), if any. */
export interface Access {
  readonly level: AccessLevel;
  readonly awaiting: AccessLevel | null;
}

/** The state of the connection to the server. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** What a participant may send (Daily's `canSend` entries). */
export type SendKind = 'audio' | 'video' | 'screenVideo' | 'screenAudio' | 'customVideo' | 'customAudio';

/** What a participant may administer (Daily's `canAdmin` entries). */
export type AdminKind = 'participants' | 'streaming' | 'transcription';

/** What a participant receives (Daily's `canReceive`). */
export interface ReceivePermissions {
  readonly base: boolean | Readonly<Record<string, unknown>>;
  readonly byUserId?: Readonly<Record<string, unknown>>;
  readonly byParticipantId?: Readonly<Record<string, unknown>>;
}

/** A participant's permissions, as Daily defines them. */
export interface ParticipantPermissions {
  readonly hasPresence: boolean;
  readonly canSend: boolean | readonly SendKind[];
  readonly canReceive: ReceivePermissions;
  readonly canAdmin: boolean | readonly AdminKind[];
}

/** A partial permission update: only the fields it carries change. */
export type PermissionsUpdate = Partial<ParticipantPermissions>;

/** A participant in the call, as the server describes it. */
export interface Member {
  /** A random id, unique per join (a connection that resumes the member keeps it). */
  readonly id: string;
  readonly user_id: string;
  readonly name: string;
  readonly owner: boolean;
  /** The call role: `user`, `moderator`, `host`, `admin`, `call_member`, or one of the call type's. */
  readonly role: string;
  readonly permissions: ParticipantPermissions;
  readonly audio_muted: boolean;
  readonly video_muted: boolean;
  readonly deaf: boolean;
  readonly handraised: boolean;
  readonly screenshare: boolean;
  /** When the member joined, in milliseconds since the epoch. */
  readonly joined_at: number;
  /** True while the member's connection is lost and the server keeps its place for it to resume; absent otherwise. */
  readonly reconnecting?: boolean;
  /**
   * Who last muted this member's audio or video: a member id, the member's own
   * when it muted itself. The reference server sets it; absent where a
   * platform does not say (the elements then guess from their own actions).
   */
  readonly muted_by?: string;
}

/** Someone knocking at a private or locked room. */
export interface WaitingParticipant {
  readonly id: string;
  readonly name: string;
  /** The access level asked for. */
  readonly awaiting: AccessLevel;
  /** When the knock arrived, in milliseconds since the epoch. */
  readonly requested_at: number;
}

/** The state of the room that everybody in the call sees. */
export interface RoomState {
  readonly name: string;
  readonly call_type: string;
  readonly locked: boolean;
  /** The current layout, one of `layouts`. */
  readonly layout: string;
  /** The layouts this room offers. */
  readonly layouts: readonly string[];
  /** The call roles of the room's call type, for role pickers. */
  readonly roles: readonly string[];
  readonly recording: boolean;
  readonly streaming: boolean;
  readonly transcribing: boolean;
  /** Whether tiles of video-muted members are hidden. */
  readonly vmuted_hidden: boolean;
}

/** What a participant may ask a host for. */
export type RequestKind = 'presence' | 'audio' | 'video' | 'screenshare';

/** A pending request for permissions, as a host sees it. */
export interface PermissionRequest {
  readonly member_id: string;
  /** The requester's display name, when the server knows it. */
  readonly name: string;
  readonly permissions: readonly RequestKind[];
  /** When the request arrived, in milliseconds since the epoch. */
  readonly requested_at: number;
}

/** Why the local participant is out of the call. */
export type LeftReason = 'left' | 'removed' | 'ended' | 'denied' | 'expired';

/** A media channel that can be muted. */
export type MediaChannel = 'audio' | 'video';

/** An application message from another participant. */
export interface CallMessage {
  readonly from: string;
  readonly data: unknown;
}

/**
 * A call the local participant has joined or is knocking at. Every method
 * returns a promise that rejects with a {@link CapabilityError} before anything
 * is sent when the capability is absent, with a {@link ServerError} when the
 * server refuses, and with a {@link ConnectionError} when no answer came (the
 * reference client's request timeout, a lost link).
 */
export interface Call {
  /** The local participant's capabilities; not known while reconnecting. */
  readonly capabilities: SelfCapabilities;
  /** The local participant, or null before joining. */
  readonly self$: Observable<Member | null>;
  /** Every member the local participant can see, itself included. */
  readonly participants$: Observable<readonly Member[]>;
  /** Knockers, for those who hold `waiting.admit`. */
  readonly waiting$: Observable<readonly WaitingParticipant[]>;
  readonly access$: Observable<Access>;
  readonly room$: Observable<RoomState | null>;
  /** Pending permission requests, for those who may grant them. */
  readonly requests$: Observable<readonly PermissionRequest[]>;
  readonly connection$: Observable<ConnectionState>;
  /** Why the local participant left, or null while in the call or lobby. */
  readonly left$: Observable<LeftReason | null>;
  /** Application messages from other participants. */
  readonly messages$: Observable<CallMessage>;

  leave(): Promise<void>;
  /** Knocks: asks to be let in under the given display name. */
  requestAccess(name: string): Promise<void>;
  mute(channels: readonly MediaChannel[], memberId?: string): Promise<void>;
  unmute(channels: readonly MediaChannel[], memberId?: string): Promise<void>;
  deaf(memberId?: string): Promise<void>;
  undeaf(memberId?: string): Promise<void>;
  raiseHand(memberId?: string): Promise<void>;
  lowerHand(memberId?: string): Promise<void>;
  startScreenshare(): Promise<void>;
  stopScreenshare(): Promise<void>;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** Ends the call for everyone. */
  end(): Promise<void>;
  setLayout(layout: string): Promise<void>;
  sendDigits(digits: string): Promise<void>;
  removeMember(memberId: string): Promise<void>;
  /**
   * The permissions that `updateMember()` can change here; absent means all of
   * them (the reference server). A platform without a presence or receive
   * permission leaves those out, and the elements never offer them.
   */
  readonly permissionFields?: readonly (keyof ParticipantPermissions)[];
  /** Changes a member's permissions or role; `'*'` changes every member. */
  updateMember(memberId: string, update: { permissions?: PermissionsUpdate; role?: string }): Promise<void>;
  /** Admits (`true`) or denies (`false`) a knocker; `'*'` answers every knocker. */
  updateWaiting(memberId: string, grant: boolean): Promise<void>;
  /** Asks the hosts for permissions the local participant lacks. */
  requestPermissions(permissions: readonly RequestKind[]): Promise<void>;
  /**
   * Declines a member's pending permission request (extension: `call.permission.deny`).
   * Approving is `updateMember()` with the permissions asked for.
   */
  denyRequest(memberId: string): Promise<void>;
  startRecording(): Promise<void>;
  stopRecording(): Promise<void>;
  startStreaming(): Promise<void>;
  stopStreaming(): Promise<void>;
  startTranscription(): Promise<void>;
  stopTranscription(): Promise<void>;
  sendMessage(data: unknown, to?: string): Promise<void>;
  /**
   * Real media, when the page added it (`callcaps/media`: `withMedia(call)`):
   * the local camera, microphone and screen, and what the others send. Absent
   * on a `Call` without media (an adapter, or the plain client).
   */
  media?: CallMedia;
}

/** Where a call's media stands: `off` before it starts and after leaving, `unavailable` when the server has no media (4503). */
export type MediaState = 'off' | 'connecting' | 'on' | 'unavailable';

/** The tracks one member sends that the local participant receives (or, for `local$`, what it sends itself). */
export interface MemberTracks {
  readonly audio?: MediaStreamTrack;
  readonly video?: MediaStreamTrack;
  readonly screen?: MediaStreamTrack;
  readonly screenAudio?: MediaStreamTrack;
}

/** The device kinds `selectDevice` chooses. */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/**
 * The media surface of a {@link Call}. The browser captures only what the
 * server grants and the member's own state asks for (unmuted, camera on,
 * sharing), so the call-controls toggles drive it; the server enforces the rest
 * at the SFU. No DOM elements here, only tracks and streams.
 */
export interface CallMedia {
  readonly state$: Observable<MediaState>;
  /** What each other member sends that the local participant may receive, by member id. */
  readonly streams$: Observable<ReadonlyMap<string, MemberTracks>>;
  /** The local participant's own live tracks (microphone, camera, screen). */
  readonly local$: Observable<MemberTracks>;
  /** The local camera as a stream for a preview, or null while the camera is off. */
  readonly preview$: Observable<MediaStream | null>;
  /** The devices the browser offers (labels once capture was allowed). */
  readonly devices$: Observable<readonly MediaDeviceInfo[]>;
  /** The chosen device of each kind (`''`: the browser's default). */
  readonly selected$: Observable<Readonly<Record<DeviceKind, string>>>;
  /** Uses another camera, microphone or speaker; a live track is replaced without renegotiating. */
  selectDevice(kind: DeviceKind, deviceId: string): Promise<void>;
  /** Stops every track and closes every connection (leaving does this too). */
  stop(): void;
}

/**
 * The media signalling the reference client carries for `callcaps/media`: it
 * sends `media.*` requests and passes on every `media.*` notification.
 */
export interface MediaSignalling {
  /** Sends a `media.*` request; resolves with its result, rejects like any request. */
  signal(method: string, params?: object): Promise<any>;
  /** Every `media.*` notification from the server. */
  readonly signals$: Observable<{ readonly method: string; readonly params: any }>;
}

/**
 * What a `Call` may add for large rooms (the reference client does; an
 * adapter need not): test with {@link hasRoster}.
 */
export interface LargeRoomCall extends Call {
  /**
   * The roster in pages. Below the server's threshold it is complete from
   * the start and `participants$` holds the same members; above it,
   * `participants$` holds the pages loaded so far, and `roster` loads more or
   * searches.
   */
  readonly roster: PagedRoster;
  /** The audience (members without presence), for those who may grant presence. */
  readonly audience: Audience;
}

/** Whether a `Call` has a paged roster and an audience ({@link LargeRoomCall}). */
export function hasRoster(call: Call): call is LargeRoomCall {
  const c = call as Partial<LargeRoomCall>;
  return typeof c.roster?.loadMore === 'function' && typeof c.audience?.list === 'function';
}

/** What a paged roster shows: the loaded members, or the results of a search. */
export interface RosterState {
  /** The members loaded so far, in the order of joining (or the search's results so far). */
  readonly members: readonly Member[];
  /** How many there are in all (the members one may see, or the search's matches). */
  readonly total: number;
  /** Whether `members` holds all of them (no more to load). */
  readonly complete: boolean;
  /** The search shown ('' when none). */
  readonly search: string;
}

/**
 * A roster loaded in pages, kept live: members in the loaded pages (and a
 * search's results) are updated as they change; a member who leaves before
 * its page is loaded never appears; members who join later are counted in
 * `total` and appear when the page that holds them is loaded. For hosts, the
 * members beyond the loaded pages whose hand is raised are listed too (after
 * the pages, while raised), so that what needs attention is never out of reach.
 */
export interface PagedRoster {
  readonly state$: Observable<RosterState>;
  /**
   * Loads the next page (of the search, when one is shown): `limit` members
   * (1 to 1,000; the server's page size by default), to reach a place far
   * down in fewer requests. Does nothing when complete, and while a page is
   * on its way it returns that page's promise.
   */
  loadMore(limit?: number): Promise<void>;
  /** Shows the members whose name holds `query` (case-insensitive, searched on the server); '' goes back to the roster. */
  search(query: string): Promise<void>;
}

/** A page of members. */
export interface MemberPage {
  readonly members: readonly Member[];
  readonly total: number;
  /** Pass it back for the next page; null at the end. */
  readonly cursor: number | null;
}

/** The members nobody sees (no presence): counted and listed, for hosts. */
export interface Audience {
  /** How many; null when unknown (not a host, or before joining). */
  readonly count$: Observable<number | null>;
  /** A page of them, after `cursor`, whose names hold `search`. Needs `member.permissions.set`. */
  list(options?: { cursor?: number; search?: string; limit?: number }): Promise<MemberPage>;
}

/** Thrown before anything is sent when the local participant lacks a capability. */
export class CapabilityError extends Error {
  override readonly name = 'CapabilityError';
  /** The flag of the grammar that is not granted. */
  readonly capability: string;

  constructor(capability: string, message = `Not allowed: the capability "${capability}" is not granted`) {
    super(message);
    this.capability = capability;
  }
}

/** The server refused a request; `code` is the JSON-RPC error code (4403, 4409…). */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * Why a request (or the connection) failed without the server answering:
 * - `timeout`: no answer within the client's request timeout; the request may
 *   or may not have taken effect.
 * - `disconnected`: the link closed, or was found dead, before the answer came;
 *   the request may or may not have taken effect.
 * - `offline`: there was no open link (for example while reconnecting); nothing
 *   was sent.
 * - `unreachable`: the server could not be reached (the first connection, or
 *   every reconnection attempt allowed, failed).
 */
export type ConnectionErrorCode = 'timeout' | 'disconnected' | 'offline' | 'unreachable';

/** A request, or the connection itself, failed because the server did not answer; `code` says how. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The close code a client sends when it abandons a link it found dead (a
 * browser cannot drop a socket without a close frame): the server keeps the
 * member's place for a resume, as for a connection that dropped.
 */
export const CLOSE_LINK_LOST = 4000;

/** An action one participant may take on another. */
export type MemberAction =
  | 'mute-audio' | 'unmute-audio' | 'mute-video' | 'unmute-video'
  | 'deaf' | 'undeaf' | 'raisehand' | 'lowerhand'
  | 'remove' | 'permissions' | 'role';

/** The flag each member action needs, as `P` + suffix with `P` = `self` or `member`. */
export const MEMBER_ACTION_FLAGS: Readonly<Record<MemberAction, string>> = Object.freeze({
  'mute-audio': 'mute.audio.on',
  'unmute-audio': 'mute.audio.off',
  'mute-video': 'mute.video.on',
  'unmute-video': 'mute.video.off',
  deaf: 'deaf.on',
  undeaf: 'deaf.off',
  raisehand: 'raisehand.on',
  lowerhand: 'raisehand.off',
  remove: 'remove',
  permissions: 'permissions.set',
  role: 'role.set',
});

/**
 * Whether `actor` may take `action` on `target`, by the same per-target rules
 * the server enforces: the capability for oneself or for others, and nobody but
 * an owner acts on an owner. The server still decides; this only keeps the UI
 * from offering what it would refuse.
 */
export function mayActOn(
  capabilities: CallCapabilitiesState,
  actor: Pick<Member, 'id' | 'owner'> | null | undefined,
  target: Pick<Member, 'id' | 'owner'>,
  action: MemberAction,
): boolean {
  if (!actor) return false;
  if (actor.id === target.id) return can(capabilities, `self.${MEMBER_ACTION_FLAGS[action]}`);
  if (target.owner && !actor.owner) return false;
  return can(capabilities, `member.${MEMBER_ACTION_FLAGS[action]}`);
}
