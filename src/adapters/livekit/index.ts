/**
 * `callcaps/adapters/livekit`: `fromLiveKit(room, options)` turns a LiveKit
 * `Room` (livekit-client) into a callcaps {@link Call}.
 *
 * The adapter imports nothing of livekit-client at run time: it reads the
 * `Room` it is given and listens to its events by name (each name checked
 * against the SDK's own enums at compile time), so the SDK stays the app's,
 * whether bundled or loaded from a script tag.
 *
 * What the local participant may do comes from its `ParticipantPermission`
 * (see {@link liveKitFlags}); what hosts do to others needs LiveKit's server
 * API, which only the app's backend may call: pass those calls as
 * `options.backend` (`callcaps/adapters/livekit-server` implements them, and
 * {@link httpBackend} calls them from the page). Without them, the host
 * controls are never offered.
 */
import type { DisconnectReason, TrackSource } from '@livekit/protocol';
import type {
  ConnectionState as LiveKitConnectionState, LocalParticipant, Participant, ParticipantEvent, Room, RoomEvent, Track,
} from 'livekit-client';
import type { LeftReason, MediaChannel, Member, ParticipantPermissions, PermissionsUpdate, SendKind } from '../../core/call.js';
import { AdapterCall, type PlatformOps } from '../shared/base.js';
import { ServerError } from '../../core/call.js';

/** A `ParticipantPermission` as LiveKit's server API takes it (plain fields; `canPublishSources` as `TrackSource` numbers). */
export interface LiveKitPermission {
  canSubscribe: boolean;
  canPublish: boolean;
  canPublishData: boolean;
  /** Empty: every source. */
  canPublishSources: number[];
  hidden: boolean;
  canUpdateMetadata: boolean;
}

/**
 * The app's backend calls for what only LiveKit's server API can do. Each
 * receives the room's name; each is optional, and a missing one means the
 * controls that need it are never offered.
 */
export interface LiveKitBackend {
  /** `RoomServiceClient.updateParticipant(room, identity, { permission })`. */
  updatePermissions?(request: { room: string; identity: string; permission: LiveKitPermission }): Promise<unknown>;
  /** `RoomServiceClient.updateParticipant(room, identity, { attributes })`: host promotion (the role attribute). */
  updateAttributes?(request: { room: string; identity: string; attributes: Record<string, string> }): Promise<unknown>;
  /** `RoomServiceClient.removeParticipant(room, identity)`. */
  removeParticipant?(request: { room: string; identity: string }): Promise<unknown>;
  /** `RoomServiceClient.mutePublishedTrack(room, identity, trackSid, muted)`. */
  mutePublishedTrack?(request: { room: string; identity: string; trackSid: string; muted: boolean }): Promise<unknown>;
  /** `RoomServiceClient.deleteRoom(room)`: ends the call for everyone. */
  endRoom?(request: { room: string }): Promise<unknown>;
}

export interface LiveKitOptions {
  /** The app's backend calls for host actions; without them, host controls fail closed. */
  backend?: LiveKitBackend;
  /**
   * Whether a participant is a host (an owner, in callcaps' terms): hosts get
   * the member flags their backend calls allow. Default: the participant
   * attribute `role` is `host` or `admin` (set it in the token's
   * `attributes`, or with `updateAttributes`).
   */
  isHost?: (participant: Participant) => boolean;
  /** The attribute that holds a participant's role (default `role`); promotion writes `host` to it. */
  roleAttribute?: string;
  /**
   * Offer hosts to unmute others (`member.mute.*.off`). Only with
   * `enable_remote_unmute` in the LiveKit server's config; default false.
   */
  remoteUnmute?: boolean;
  /** The data topic of callcaps' app messages (default `callcaps`). */
  topic?: string;
}

// Event names and enum values, checked against the SDK's types (a renamed event fails the build).
const ROOM = {
  connectionStateChanged: 'connectionStateChanged',
  disconnected: 'disconnected',
  participantConnected: 'participantConnected',
  participantDisconnected: 'participantDisconnected',
  trackPublished: 'trackPublished',
  trackUnpublished: 'trackUnpublished',
  trackMuted: 'trackMuted',
  trackUnmuted: 'trackUnmuted',
  localTrackPublished: 'localTrackPublished',
  localTrackUnpublished: 'localTrackUnpublished',
  participantPermissionsChanged: 'participantPermissionsChanged',
  participantAttributesChanged: 'participantAttributesChanged',
  participantNameChanged: 'participantNameChanged',
  recordingStatusChanged: 'recordingStatusChanged',
  dataReceived: 'dataReceived',
} as const satisfies Record<string, `${RoomEvent}`>;
const LOCAL = {
  participantPermissionsChanged: 'participantPermissionsChanged',
  attributesChanged: 'attributesChanged',
  trackMuted: 'trackMuted',
  trackUnmuted: 'trackUnmuted',
  localTrackPublished: 'localTrackPublished',
  localTrackUnpublished: 'localTrackUnpublished',
} as const satisfies Record<string, `${ParticipantEvent}`>;
const STATE = {
  connected: 'connected',
  reconnecting: 'reconnecting',
  signalReconnecting: 'signalReconnecting',
  disconnected: 'disconnected',
} as const satisfies Record<string, `${LiveKitConnectionState}`>;
const SOURCE = {
  camera: 'camera' as Track.Source.Camera,
  microphone: 'microphone' as Track.Source.Microphone,
  screenShare: 'screen_share' as Track.Source.ScreenShare,
} as const satisfies Record<string, `${Track.Source}`>;
/** `TrackSource` of @livekit/protocol, as `canPublishSources` holds it. */
export const TRACK_SOURCE = {
  CAMERA: 1 as TrackSource.CAMERA,
  MICROPHONE: 2 as TrackSource.MICROPHONE,
  SCREEN_SHARE: 3 as TrackSource.SCREEN_SHARE,
  SCREEN_SHARE_AUDIO: 4 as TrackSource.SCREEN_SHARE_AUDIO,
} as const;
const REASON: Partial<Record<number, LeftReason>> = {
  [1 satisfies DisconnectReason.CLIENT_INITIATED]: 'left',
  [4 satisfies DisconnectReason.PARTICIPANT_REMOVED]: 'removed',
  [5 satisfies DisconnectReason.ROOM_DELETED]: 'ended',
  [7 satisfies DisconnectReason.JOIN_FAILURE]: 'denied',
};

/** Which `canSend` kinds each `TrackSource` allows, and back. */
const SEND_OF_SOURCE: Readonly<Record<number, SendKind>> = {
  [TRACK_SOURCE.CAMERA]: 'video',
  [TRACK_SOURCE.MICROPHONE]: 'audio',
  [TRACK_SOURCE.SCREEN_SHARE]: 'screenVideo',
  [TRACK_SOURCE.SCREEN_SHARE_AUDIO]: 'screenAudio',
};
const SOURCE_OF_SEND: Partial<Record<SendKind, number>> = {
  video: TRACK_SOURCE.CAMERA,
  audio: TRACK_SOURCE.MICROPHONE,
  screenVideo: TRACK_SOURCE.SCREEN_SHARE,
  screenAudio: TRACK_SOURCE.SCREEN_SHARE_AUDIO,
};

const ROLES = ['participant', 'host'] as const;
const HAND = 'callcaps.handraised';

/** A participant's LiveKit permission, as far as it reads (undefined fields read as not granted). */
type PermissionLike = Partial<Omit<LiveKitPermission, 'canPublishSources'>> & { canPublishSources?: readonly number[] };

/** Whether `permission` lets its holder publish `source` (an empty list means every source). */
export function mayPublish(permission: PermissionLike | undefined, source: number): boolean {
  if (permission?.canPublish !== true) return false;
  const sources = permission.canPublishSources;
  return !Array.isArray(sources) || sources.length === 0 || sources.includes(source);
}

/** What the local participant may do, for each side of the mapping table. */
export interface LiveKitFlagInput {
  permission: PermissionLike | undefined;
  host: boolean;
  backend: LiveKitBackend;
  remoteUnmute: boolean;
}

/**
 * The mapping table (documented in the README): the callcaps flags that a
 * local participant holding `permission` has, as a host or not, with the
 * given backend calls. `undefined` permission (not joined): null, not known.
 * Anything that is not a boolean reads as not granted (fail closed).
 */
export function liveKitFlags({ permission, host, backend, remoteUnmute }: LiveKitFlagInput): string[] | null {
  if (!permission || typeof permission !== 'object') return null;
  const flags = ['self.mute.audio.on', 'self.mute.video.on', 'self.remove'];
  if (mayPublish(permission, TRACK_SOURCE.MICROPHONE)) flags.push('self.mute.audio.off');
  if (mayPublish(permission, TRACK_SOURCE.CAMERA)) flags.push('self.mute.video.off');
  if (mayPublish(permission, TRACK_SOURCE.SCREEN_SHARE)) flags.push('screenshare');
  if (permission.canPublish === true) flags.push('device');
  if (permission.canUpdateMetadata === true) flags.push('self.raisehand', 'self.meta');
  if (host) {
    if (backend.mutePublishedTrack) {
      flags.push('member.mute.audio.on', 'member.mute.video.on');
      if (remoteUnmute) flags.push('member.mute.audio.off', 'member.mute.video.off');
    }
    if (backend.removeParticipant) flags.push('member.remove');
    if (backend.updatePermissions) flags.push('member.permissions.set');
    if (backend.updateAttributes) flags.push('member.role.set', 'member.raisehand.off');
    if (backend.endRoom) flags.push('end');
  }
  return flags;
}

/** A LiveKit permission read as callcaps' (Daily's) permissions. */
export function permissionsOf(permission: PermissionLike | undefined, host: boolean): ParticipantPermissions {
  const sources = permission?.canPublishSources ?? [];
  const canSend: ParticipantPermissions['canSend'] =
    permission?.canPublish !== true ? false : sources.length === 0 ? true : sources.map((s) => SEND_OF_SOURCE[s]).filter(Boolean);
  return {
    hasPresence: permission?.hidden !== true,
    canSend,
    canReceive: { base: permission?.canSubscribe === true },
    canAdmin: host ? ['participants'] : false,
  };
}

/** A callcaps permission update applied to a LiveKit permission (only the fields it carries change). */
export function applyUpdate(permission: PermissionLike | undefined, update: PermissionsUpdate): LiveKitPermission {
  const next: LiveKitPermission = {
    canSubscribe: permission?.canSubscribe === true,
    canPublish: permission?.canPublish === true,
    canPublishData: permission?.canPublishData === true,
    canPublishSources: [...(permission?.canPublishSources ?? [])],
    hidden: permission?.hidden === true,
    canUpdateMetadata: permission?.canUpdateMetadata === true,
  };
  if (update.hasPresence !== undefined) next.hidden = !update.hasPresence;
  if (update.canSend !== undefined) {
    const send = update.canSend;
    next.canPublish = send === true || (Array.isArray(send) && send.length > 0);
    next.canPublishSources = Array.isArray(send)
      ? [...new Set(send.map((kind: SendKind) => SOURCE_OF_SEND[kind]).filter((s): s is number => s !== undefined))]
      : [];
  }
  if (update.canReceive !== undefined) next.canSubscribe = update.canReceive.base !== false;
  return next;
}

const defaultIsHost = (attribute: string) => (participant: Participant) =>
  ['host', 'admin'].includes(participant.attributes?.[attribute] ?? '');

/** A callcaps {@link Call} over a LiveKit `Room`. Create it with {@link fromLiveKit}. */
export class LiveKitCall extends AdapterCall {
  readonly #room: Room;
  readonly #isHost: (participant: Participant) => boolean;
  readonly #backend: LiveKitBackend;
  readonly #remoteUnmute: boolean;
  readonly #topic: string;
  #joined = false;

  constructor(room: Room, options: LiveKitOptions = {}) {
    const backend = options.backend ?? {};
    const roleAttribute = options.roleAttribute ?? 'role';
    const local = (): LocalParticipant => room.localParticipant;
    const name = () => room.name;
    const publication = (target: Member, channel: MediaChannel) =>
      room.remoteParticipants.get(target.id)?.getTrackPublication(channel === 'audio' ? SOURCE.microphone : SOURCE.camera);
    const ops: PlatformOps = {
      leave: () => room.disconnect(),
      muteSelf: (channel, muted) =>
        channel === 'audio' ? local().setMicrophoneEnabled(!muted) : local().setCameraEnabled(!muted),
      // LiveKit has no permission requests: there is never one to deny.
      denyRequest: async () => {},
      handSelf: (raised) => local().setAttributes({ [HAND]: raised ? 'true' : '' }),
      screenshare: (on) => local().setScreenShareEnabled(on),
      sendMessage: async (data, to) => {
        if (local().permissions?.canPublishData !== true) {
          throw new ServerError(4403, 'LiveKit: this participant may not publish data (canPublishData)');
        }
        const payload = new TextEncoder().encode(JSON.stringify(data));
        await local().publishData(payload, { reliable: true, topic: this.#topic, destinationIdentities: to ? [to] : undefined });
      },
    };
    if (backend.mutePublishedTrack) {
      const mute = backend.mutePublishedTrack.bind(backend);
      ops.muteMember = async (channel, target, muted) => {
        const trackSid = publication(target, channel)?.trackSid;
        if (trackSid) await mute({ room: name(), identity: target.id, trackSid, muted });
      };
    }
    if (backend.removeParticipant) {
      const remove = backend.removeParticipant.bind(backend);
      ops.removeMember = (target) => remove({ room: name(), identity: target.id });
    }
    const targets = (target: Member | '*') =>
      target === '*' ? [...room.remoteParticipants.values()] : [target.id === local().identity ? local() : room.remoteParticipants.get(target.id)].filter((p) => p !== undefined) as Participant[];
    const setRole = backend.updateAttributes?.bind(backend);
    if (backend.updatePermissions) {
      const update = backend.updatePermissions.bind(backend);
      ops.updatePermissions = async (target, permissions) => {
        const { canAdmin, ...rest } = permissions;
        for (const p of targets(target)) {
          if (Object.keys(rest).length) await update({ room: name(), identity: p.identity, permission: applyUpdate(p.permissions, rest) });
          if (canAdmin !== undefined) {
            const admin = canAdmin === true || (Array.isArray(canAdmin) && canAdmin.includes('participants'));
            await setRole?.({ room: name(), identity: p.identity, attributes: { [roleAttribute]: admin ? 'host' : 'participant' } });
          }
        }
      };
    }
    if (setRole) {
      ops.updateRole = async (target, role) => {
        if (!(ROLES as readonly string[]).includes(role)) throw new ServerError(4422, `LiveKit: no role ${role} (roles: ${ROLES.join(', ')})`);
        for (const p of targets(target)) await setRole({ room: name(), identity: p.identity, attributes: { [roleAttribute]: role } });
      };
      ops.handMember = async (target, raised) => {
        if (raised) throw new ServerError(4403, 'LiveKit: only a participant raises its own hand');
        await setRole({ room: name(), identity: target.id, attributes: { [HAND]: '' } });
      };
    }
    if (backend.endRoom) {
      const end = backend.endRoom.bind(backend);
      ops.end = () => end({ room: name() });
    }
    super('LiveKit', ops);
    // Making a host is a role attribute: without updateAttributes, only the token's permissions change.
    this.permissionFields = setRole ? ['hasPresence', 'canSend', 'canReceive', 'canAdmin'] : ['hasPresence', 'canSend', 'canReceive'];
    this.#room = room;
    this.#backend = backend;
    this.#isHost = options.isHost ?? defaultIsHost(roleAttribute);
    this.#remoteUnmute = options.remoteUnmute === true;
    this.#topic = options.topic ?? 'callcaps';

    const refresh = () => this.#refresh();
    for (const event of Object.values(ROOM)) {
      if (event === ROOM.disconnected || event === ROOM.dataReceived) continue;
      this.listen(room, event, refresh);
    }
    // The Room re-emits the local participant's events only once connected: listen at the source.
    for (const event of Object.values(LOCAL)) this.listen(room.localParticipant, event, refresh);
    this.listen(room, ROOM.disconnected, (reason?: number) => {
      if (this.#joined) this.finish(REASON[reason ?? -1] ?? 'left');
    });
    this.listen(room, ROOM.dataReceived, (payload: Uint8Array, participant?: Participant, _kind?: unknown, topic?: string) => {
      if (topic !== this.#topic || !participant) return;
      try {
        this.messages.next({ from: participant.identity, data: JSON.parse(new TextDecoder().decode(payload)) });
      } catch {
        // Not one of callcaps' messages.
      }
    });
    this.#refresh();
  }

  /** The `Room` this call adapts. */
  get sdk(): Room {
    return this.#room;
  }

  #member(p: Participant): Member {
    const host = this.#isHost(p);
    const mic = p.getTrackPublication(SOURCE.microphone);
    const cam = p.getTrackPublication(SOURCE.camera);
    const screen = p.getTrackPublication(SOURCE.screenShare);
    return {
      id: p.identity,
      user_id: p.identity,
      name: p.name || p.identity,
      owner: host,
      role: host ? 'host' : 'participant',
      permissions: permissionsOf(p.permissions, host),
      audio_muted: !mic || mic.isMuted,
      video_muted: !cam || cam.isMuted,
      deaf: false,
      handraised: p.attributes?.[HAND] === 'true',
      screenshare: !!screen && !screen.isMuted,
      joined_at: p.joinedAt?.getTime() ?? 0,
    };
  }

  #refresh(): void {
    const room = this.#room;
    const state = room.state as string;
    if (state === STATE.connected) {
      this.#joined = true;
      this.connection.set('connected');
      const local = room.localParticipant;
      const self = this.#member(local);
      const others = [...room.remoteParticipants.values()].filter((p) => p.permissions?.hidden !== true).map((p) => this.#member(p));
      this.self.set(self);
      this.participants.set([self, ...others]);
      this.access.set({ level: 'full', awaiting: null });
      this.room.set({
        name: room.name, call_type: 'livekit', locked: false, layout: 'grid', layouts: [], roles: [...ROLES],
        recording: room.isRecording, streaming: false, transcribing: false, vmuted_hidden: false,
      });
      this.setFlags(liveKitFlags({ permission: local.permissions, host: this.#isHost(local), backend: this.#backend, remoteUnmute: this.#remoteUnmute }));
    } else if (state === STATE.reconnecting || state === STATE.signalReconnecting) {
      this.connection.set('reconnecting');
      this.access.set({ level: 'unknown', awaiting: null });
      this.setFlags(null);
    } else if (state !== STATE.disconnected || !this.#joined) {
      this.connection.set('connecting');
      this.setFlags(null);
    }
  }
}

/**
 * A callcaps {@link Call} over a LiveKit `Room`, connected or about to be:
 * capabilities are not known until the room is connected and the server has
 * sent the local participant's permission.
 */
export function fromLiveKit(room: Room, options: LiveKitOptions = {}): LiveKitCall {
  return new LiveKitCall(room, options);
}

/**
 * A {@link LiveKitBackend} that POSTs each call as JSON (`{ action, ...request }`)
 * to the app's endpoint, where `callcaps/adapters/livekit-server`'s handler
 * answers; a refusal rejects with the status and the server's message.
 */
export function httpBackend(url: string, init: { headers?: Record<string, string>; fetch?: typeof fetch } = {}): Required<LiveKitBackend> {
  const post = async (action: string, request: object) => {
    const response = await (init.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify({ action, ...request }),
      credentials: 'same-origin',
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string; info?: string };
      throw Object.assign(new Error(body.info || body.error || `LiveKit backend: ${response.status} ${response.statusText}`), { status: response.status });
    }
  };
  return {
    updatePermissions: (r) => post('updatePermissions', r),
    updateAttributes: (r) => post('updateAttributes', r),
    removeParticipant: (r) => post('removeParticipant', r),
    mutePublishedTrack: (r) => post('mutePublishedTrack', r),
    endRoom: (r) => post('endRoom', r),
  };
}
