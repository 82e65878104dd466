/**
 * What flows on the media path, from the server's own state: which kinds a
 * member may publish, which of its published kinds the SFU forwards right now,
 * and which kinds of whom another member receives (Daily's `canReceive`, as
 * reference/000 describes it). Pure functions: no Janus here.
 */
import { can, type CallCapabilitiesState } from 'callcaps/client';
import type { Member, ReceivePermissions, SendKind } from 'callcaps/client';
import { sends } from '../policy.js';

/** The kinds a browser may publish: a camera, a microphone and a screen (with or without its audio). */
export type MediaKind = 'audio' | 'video' | 'screenVideo' | 'screenAudio';
export const MEDIA_KINDS: readonly MediaKind[] = ['audio', 'video', 'screenVideo', 'screenAudio'];

/** The SDP media type each kind travels as. */
export const KIND_TYPE: Readonly<Record<MediaKind, 'audio' | 'video'>> = {
  audio: 'audio', video: 'video', screenVideo: 'video', screenAudio: 'audio',
};

/** The capability flag that lets a member publish a kind (the same flag that lets it unmute or share). */
export const SEND_FLAG: Readonly<Record<MediaKind, string>> = {
  audio: 'self.mute.audio.off', video: 'self.mute.video.off', screenVideo: 'screenshare', screenAudio: 'screenshare',
};

/** Whether a member may publish `kind` at all (granted, whatever its mute state). */
export function mayPublish(member: Member, caps: CallCapabilitiesState, kind: MediaKind): boolean {
  if (!member.permissions.hasPresence || !can(caps, SEND_FLAG[kind])) return false;
  return kind !== 'screenAudio' || sends(member.permissions, 'screenAudio');
}

/** Why a member may not publish `kind`, for the 4403 message; null when it may. */
export function publishRefusal(member: Member, caps: CallCapabilitiesState, kind: MediaKind): string | null {
  if (!member.permissions.hasPresence) return 'forbidden: a member without presence cannot publish';
  if (!can(caps, SEND_FLAG[kind])) return `forbidden: the capability "${SEND_FLAG[kind]}" is not granted (publishing ${kind})`;
  if (kind === 'screenAudio' && !sends(member.permissions, 'screenAudio')) return 'forbidden: canSend lacks "screenAudio"';
  return null;
}

/**
 * Whether the SFU forwards a published `kind` now: granted, and not muted in
 * the member's record (a host's mute, a revocation, or the member's own mute)
 * nor, for a screen, stopped (`call.screenshare.stop`).
 */
export function forwards(member: Member, caps: CallCapabilitiesState, kind: MediaKind): boolean {
  if (!mayPublish(member, caps, kind)) return false;
  switch (kind) {
    case 'audio': return !member.audio_muted;
    case 'video': return !member.video_muted;
    default: return member.screenshare;
  }
}

/** One kind's entry of a `canReceive` level: a boolean for every kind, or an object by kind. */
function level(value: unknown, kind: MediaKind): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === null || typeof value !== 'object') return undefined;
  const entry = (value as Record<string, unknown>)[kind];
  return typeof entry === 'boolean' ? entry : undefined;
}

/**
 * Whether a viewer with `canReceive` receives `kind` from `publisher`, as
 * Daily defines it: `base` (a boolean, or an object by kind, where a kind it
 * does not name is received) is narrowed or widened by `byUserId[publisher's
 * user_id]`, which `byParticipantId[publisher's session id]` overrides in turn;
 * each of them a boolean for every kind or an object naming some kinds.
 */
export function receives(canReceive: ReceivePermissions | undefined, publisher: Pick<Member, 'id' | 'user_id'>, kind: MediaKind): boolean {
  if (!canReceive) return true;
  const byParticipant = level(canReceive.byParticipantId?.[publisher.id], kind);
  if (byParticipant !== undefined) return byParticipant;
  const byUser = level(canReceive.byUserId?.[publisher.user_id], kind);
  if (byUser !== undefined) return byUser;
  return level(canReceive.base, kind) ?? true;
}

/**
 * Whether `viewer` gets `publisher`'s `kind` at all: never its own, never from
 * a member without presence, no audio while deafened, and `canReceive`.
 */
export function delivers(viewer: Member, publisher: Member, kind: MediaKind): boolean {
  if (viewer.id === publisher.id || !publisher.permissions.hasPresence) return false;
  if (viewer.deaf && KIND_TYPE[kind] === 'audio') return false;
  return receives(viewer.permissions.canReceive, publisher, kind);
}

export type { SendKind };
