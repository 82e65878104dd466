/**
 * `callcaps/adapters/stream`: `fromStream(call, options?)` turns a Stream
 * Video `Call` (@stream-io/video-client) into a callcaps {@link Call}.
 *
 * The adapter imports nothing of the SDK at run time: it reads the `Call` it
 * is given (its `state` observables and events) and calls its methods; the
 * capability and event names are checked against the SDK's own types at
 * compile time.
 *
 * Stream computes what the local user may do (`own_capabilities`, from the
 * user's roles, the call type's grants and the call's settings) and keeps it in
 * `call.state.ownCapabilities$`; {@link streamFlags} maps it to callcaps'
 * flags, one line of the README's table per `OwnCapability`.
 */
import type {
  Call as StreamSdkCall, CallingState, OwnCapability, RequestPermissionRequestPermissionsEnum, StreamVideoParticipant,
} from '@stream-io/video-client';
import type { Observable } from 'rxjs';
import {
  ServerError,
  type LeftReason, type Member, type PermissionRequest, type PermissionsUpdate, type RequestKind, type SendKind,
} from '../../core/call.js';
import { AdapterCall, type PlatformOps } from '../shared/base.js';

/** Every `OwnCapability` of the SDK, by value (a new one in the SDK fails the build until it is mapped or listed as unmapped). */
type Capability = `${(typeof OwnCapability)[keyof typeof OwnCapability]}`;

/**
 * The mapping table: the callcaps flags each `OwnCapability` grants. An empty
 * list: nothing callcaps can offer (said in the README).
 */
export const STREAM_CAPABILITY_FLAGS: Readonly<Record<Capability, readonly string[]>> = {
  'join-call': [],
  'send-audio': ['self.mute.audio.off', 'device'],
  'send-video': ['self.mute.video.off', 'device'],
  screenshare: ['screenshare'],
  'mute-users': ['member.mute.audio.on', 'member.mute.video.on'],
  'kick-user': ['member.remove'],
  'block-users': [],
  'remove-call-member': [],
  'update-call-permissions': ['member.permissions.set'],
  'update-call-member': ['member.role.set'],
  'end-call': ['end'],
  'start-record-call': ['record.on'],
  'stop-record-call': ['record.off'],
  'start-broadcast-call': ['stream.on'],
  'stop-broadcast-call': ['stream.off'],
  'start-transcription-call': ['transcribe.on'],
  'stop-transcription-call': ['transcribe.off'],
  'start-closed-captions-call': [],
  'stop-closed-captions-call': [],
  'start-frame-record-call': [],
  'stop-frame-record-call': [],
  'start-individual-record-call': [],
  'stop-individual-record-call': [],
  'start-raw-record-call': [],
  'stop-raw-record-call': [],
  'send-closed-captions-call': [],
  'change-max-duration': [],
  'create-call': [],
  'create-reaction': [],
  'enable-noise-cancellation': [],
  'join-backstage': [],
  'join-ended-call': [],
  'pin-for-everyone': [],
  'read-call': [],
  'update-call': [],
  'update-call-settings': [],
};

/** What each request kind asks Stream for, and back. */
type StreamRequest = `${RequestPermissionRequestPermissionsEnum}`;
const REQUEST_PERMISSION: Readonly<Record<Exclude<RequestKind, 'presence'>, StreamRequest>> = {
  audio: 'send-audio',
  video: 'send-video',
  screenshare: 'screenshare',
};
const KIND_OF_PERMISSION: Readonly<Record<string, RequestKind>> = { 'send-audio': 'audio', 'send-video': 'video', screenshare: 'screenshare' };
/** The send permissions Stream lets a moderator grant and revoke, as callcaps' `canSend` kinds. */
const SEND_PERMISSIONS: readonly [SendKind, StreamRequest][] = [['audio', 'send-audio'], ['video', 'send-video'], ['screenVideo', 'screenshare']];

// Stream's SFU track types (`SfuModels.TrackType`), as `publishedTracks` holds them.
const AUDIO = 1;
const VIDEO = 2;
const SCREEN_SHARE = 3;

const STATE = {
  joined: 'joined', left: 'left', reconnecting: 'reconnecting', migrating: 'migrating', offline: 'offline', failed: 'reconnecting-failed',
} as const satisfies Record<string, `${CallingState}`>;

/** Stream's built-in call roles (`call_member` as the API spells it). */
export const STREAM_ROLES = ['user', 'moderator', 'host', 'admin', 'call_member'] as const;
const ADMIN_ROLES = ['host', 'admin', 'moderator'];

export interface StreamOptions {
  /** How `member.remove` removes: `kick` (`kickUser`, the user may rejoin; default) or `block` (`blockUser`, needs `block-users`). */
  remove?: 'kick' | 'block';
  /** The call roles offered by the role picker (default: Stream's built-in roles). */
  roles?: readonly string[];
  /** The role that making someone an admin (`canAdmin`) gives, and the one taking it away gives (default `moderator` and `user`). */
  adminRole?: string;
  userRole?: string;
  /** The `custom` event type of callcaps' app messages (default `callcaps`). */
  messageType?: string;
}

/** What the SDK call must offer: its own declared type, so a changed SDK fails the build. */
export type StreamCall = StreamSdkCall;

/**
 * The flags of a local user holding `capabilities` (Stream's
 * `own_capabilities`), with the SDK's `canRequest` for the request flags.
 * Anything that is not an array of strings grants nothing (fail closed);
 * unknown capabilities are ignored.
 */
export function streamFlags(
  capabilities: unknown,
  options: { remove?: 'kick' | 'block'; canRequest?: (permission: StreamRequest) => boolean } = {},
): string[] {
  if (!Array.isArray(capabilities) || !capabilities.every((c) => typeof c === 'string')) return [];
  const held = new Set(capabilities as string[]);
  const flags = new Set<string>(['self.mute.audio.on', 'self.mute.video.on', 'self.remove']);
  for (const capability of held) for (const flag of STREAM_CAPABILITY_FLAGS[capability as Capability] ?? []) flags.add(flag);
  // member.remove follows the removal chosen: kicking needs kick-user, blocking block-users.
  flags.delete('member.remove');
  if (held.has(options.remove === 'block' ? 'block-users' : 'kick-user')) flags.add('member.remove');
  for (const [kind, permission] of Object.entries(REQUEST_PERMISSION)) {
    if (!held.has(permission) && options.canRequest?.(permission) === true) flags.add(`request.${kind}`);
  }
  return [...flags];
}

/** A callcaps {@link Call} over a Stream Video `Call`. Create it with {@link fromStream}. */
export class StreamCallAdapter extends AdapterCall {
  readonly #call: StreamCall;
  readonly #requests = new Map<string, PermissionRequest>();
  readonly #roles: readonly string[];
  #joined = false;
  #removed = false;

  constructor(call: StreamCall, options: StreamOptions = {}) {
    const remove = options.remove ?? 'kick';
    const messageType = options.messageType ?? 'callcaps';
    const adminRole = options.adminRole ?? 'moderator';
    const userRole = options.userRole ?? 'user';
    const others = (target: Member | '*') =>
      target === '*' ? [...new Set(call.state.remoteParticipants.map((p) => p.userId))] : [target.user_id];
    const ops: PlatformOps = {
      leave: () => call.leave(),
      muteSelf: (channel, muted) => {
        const device = channel === 'audio' ? call.microphone : call.camera;
        return muted ? device.disable() : device.enable();
      },
      screenshare: (on) => (on ? call.screenShare.enable() : call.screenShare.disable()),
      muteMember: async (channel, target, muted) => {
        if (!muted) throw new ServerError(4403, 'Stream: nobody may unmute another participant');
        await call.muteUser(target.user_id, channel);
      },
      removeMember: (target) => (remove === 'block' ? call.blockUser(target.user_id) : call.kickUser({ user_id: target.user_id })),
      updatePermissions: async (target, update) => {
        const { grant, revoke } = sendChanges(update);
        for (const user_id of others(target)) {
          if (grant.length || revoke.length) {
            await call.updateUserPermissions({ user_id, grant_permissions: grant, revoke_permissions: revoke });
          }
          if (update.canAdmin !== undefined) {
            const admin = update.canAdmin === true || (Array.isArray(update.canAdmin) && update.canAdmin.includes('participants'));
            await call.updateCallMembers({ update_members: [{ user_id, role: admin ? adminRole : userRole }] });
          }
          this.#answered(user_id, grant);
        }
      },
      updateRole: async (target, role) => {
        for (const user_id of others(target)) await call.updateCallMembers({ update_members: [{ user_id, role }] });
      },
      // Stream has no refusal to send: the request is dismissed here, and the requester is not told.
      denyRequest: async (memberId) => this.#answered(memberId, null),
      requestPermissions: async (kinds) => {
        const permissions = kinds.map((k) => REQUEST_PERMISSION[k as Exclude<RequestKind, 'presence'>]).filter(Boolean);
        await call.requestPermissions({ permissions });
      },
      end: () => call.endCall(),
      record: (on) => (on ? call.startRecording() : call.stopRecording()),
      stream: (on) => (on ? call.startHLS() : call.stopHLS()),
      transcribe: (on) => (on ? call.startTranscription() : call.stopTranscription()),
      sendMessage: (data, to) => call.sendCustomEvent({ type: messageType, data, to }),
    };
    super('Stream', ops);
    // Stream grants sending and roles; it has no presence or receive permission.
    this.permissionFields = ['canSend', 'canAdmin'];
    this.#call = call;
    this.#roles = options.roles ?? STREAM_ROLES;

    const state = call.state;
    // Each replays its current value on subscription; the states de-duplicate what changes nothing.
    const refresh = () => this.#refresh(remove);
    for (const value$ of [state.participants$, state.settings$, state.ownCapabilities$, state.callingState$] as Observable<unknown>[]) this.watch(value$, refresh);
    for (const value$ of [state.recording$, state.transcribing$, state.egress$] as Observable<unknown>[]) this.watch(value$, () => this.#refreshRoom());
    this.hold(call.on('call.permission_request', (event) => {
      const permissions = event.permissions.map((p) => KIND_OF_PERMISSION[p]).filter(Boolean);
      if (!permissions.length) return;
      this.#requests.set(event.user.id, {
        member_id: event.user.id, name: event.user.name || event.user.id, permissions, requested_at: Date.parse(event.created_at) || Date.now(),
      });
      this.requests.set([...this.#requests.values()]);
    }));
    this.hold(call.on('call.permissions_updated', (event) => this.#answered(event.user.id, null)));
    // One function per event: the SDK keys its unsubscribe by the listener, so a shared one would leak.
    const removed = () => (event: { user: { id: string } }) => {
      if (event.user.id === call.currentUserId) this.#removed = true;
    };
    this.hold(call.on('call.kicked_user', removed()));
    this.hold(call.on('call.blocked_user', removed()));
    this.hold(call.on('custom', (event) => {
      const custom = event.custom as { type?: unknown; data?: unknown; to?: unknown };
      if (custom?.type !== messageType || event.user.id === call.currentUserId) return;
      if (typeof custom.to === 'string' && custom.to !== call.currentUserId) return;
      this.messages.next({ from: event.user.id, data: custom.data });
    }));
  }

  /** The Stream `Call` this call adapts. */
  get sdk(): StreamCall {
    return this.#call;
  }

  /** A request answered (granted or dismissed) leaves the list. */
  #answered(userId: string, _granted: unknown): void {
    if (this.#requests.delete(userId)) this.requests.set([...this.#requests.values()]);
  }

  #member(p: StreamVideoParticipant): Member {
    const owner = !!this.#call.state.createdBy && this.#call.state.createdBy.id === p.userId;
    const tracks = p.publishedTracks as readonly number[];
    const canSend: SendKind[] = [];
    if (tracks.includes(AUDIO)) canSend.push('audio');
    if (tracks.includes(VIDEO)) canSend.push('video');
    if (tracks.includes(SCREEN_SHARE)) canSend.push('screenVideo');
    const role = p.roles?.[0] ?? 'user';
    return {
      id: p.userId,
      user_id: p.userId,
      name: p.name || p.userId,
      owner,
      role,
      // Stream never tells one client what another may do: what a member publishes stands in for what it may send.
      permissions: {
        hasPresence: true,
        canSend,
        canReceive: { base: true },
        canAdmin: owner || p.roles?.some((r) => ADMIN_ROLES.includes(r)) ? ['participants'] : false,
      },
      audio_muted: !tracks.includes(AUDIO),
      video_muted: !tracks.includes(VIDEO),
      deaf: false,
      handraised: false,
      screenshare: tracks.includes(SCREEN_SHARE),
      joined_at: p.joinedAt ? Number(p.joinedAt.seconds) * 1000 : 0,
    };
  }

  #refresh(remove: 'kick' | 'block'): void {
    const call = this.#call;
    const state = call.state;
    const calling = state.callingState as string;
    if (calling === STATE.left || calling === STATE.failed) {
      if (this.#joined || calling === STATE.left) {
        const reason: LeftReason = state.endedAt ? 'ended' : this.#removed ? 'removed' : 'left';
        this.finish(reason);
      }
      return;
    }
    if (calling !== STATE.joined) {
      const reconnecting = calling === STATE.reconnecting || calling === STATE.migrating || calling === STATE.offline;
      this.connection.set(this.#joined && reconnecting ? 'reconnecting' : 'connecting');
      this.access.set({ level: 'unknown', awaiting: null });
      this.setFlags(null);
      return;
    }
    this.#joined = true;
    const seen = new Set<string>();
    const members: Member[] = [];
    for (const p of state.participants) {
      if (seen.has(p.userId)) continue; // one member per user, however many sessions
      seen.add(p.userId);
      members.push(this.#member(p));
    }
    const self = members.find((m) => m.user_id === (state.localParticipant?.userId ?? call.currentUserId)) ?? null;
    this.self.set(self);
    this.participants.set(self ? [self, ...members.filter((m) => m !== self)] : members);
    this.access.set({ level: 'full', awaiting: null });
    this.connection.set('connected');
    this.#refreshRoom();
    const context = call.permissionsContext;
    this.setFlags(streamFlags(state.ownCapabilities, {
      remove,
      canRequest: (permission) => {
        try {
          // The call's current settings, passed in: the SDK updates its own copy only once its join effects run.
          return context.canRequest(permission, state.settings) === true;
        } catch {
          return false;
        }
      },
    }));
  }

  #refreshRoom(): void {
    const state = this.#call.state;
    this.room.set({
      name: this.#call.id,
      call_type: this.#call.type,
      locked: false,
      layout: 'grid',
      layouts: [],
      roles: [...this.#roles],
      recording: state.recording === true,
      streaming: state.egress?.broadcasting === true,
      transcribing: state.transcribing === true,
      vmuted_hidden: false,
    });
  }
}

/** The grants and revocations of `send-audio`, `send-video` and `screenshare` that a `canSend` update means. */
function sendChanges(update: PermissionsUpdate): { grant: StreamRequest[]; revoke: StreamRequest[] } {
  const grant: StreamRequest[] = [];
  const revoke: StreamRequest[] = [];
  const send = update.canSend;
  if (send === undefined) return { grant, revoke };
  for (const [kind, permission] of SEND_PERMISSIONS) {
    const on = send === true || (Array.isArray(send) && send.includes(kind));
    (on ? grant : revoke).push(permission);
  }
  return { grant, revoke };
}

/**
 * A callcaps {@link Call} over a Stream Video `Call`, joined or about to be:
 * capabilities are not known until the call is joined.
 */
export function fromStream(call: StreamCall, options: StreamOptions = {}): StreamCallAdapter {
  return new StreamCallAdapter(call, options);
}
