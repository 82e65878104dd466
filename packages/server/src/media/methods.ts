/**
 * The media signalling over the call's WebSocket: JSON-RPC requests that carry
 * SDP and ICE between a member's browser and the server, which relays them to
 * Janus. Browsers never see Janus (its URL, handles, room ids or secrets).
 *
 * - `media.publish { jsep: offer, kinds?: { [mid]: kind } }` → `{ jsep: answer, streams: [{ mid, kind }] }`
 * - `media.unpublish {}` → `{}`
 * - `media.subscribe {}` → `{}`; offers follow as `media.offer` notifications (asked again: a new PeerConnection)
 * - `media.answer { jsep: answer }` → `{}`
 * - `media.unsubscribe {}` → `{}`
 * - `media.trickle { pc: "publish" | "subscribe", candidate?: RTCIceCandidateInit | null, candidates?: [...] }` → `{}`
 *
 * Notifications: `media.offer { jsep, streams: [{ mid, member_id, kind }] }`,
 * `media.trickle { pc, candidate }`, `media.unpublished { reason }`, `media.unsubscribed { reason }`,
 * `media.reset { reason }`.
 */
import { CODES, RpcError, type LiveCall, type Session } from '../live.js';
import { check, Invalid, type Json } from '../validate.js';
import { MEDIA_CODES, MediaRefusal, type Media } from './media.js';
import type { MediaKind } from './permissions.js';
import { MEDIA_PARAMS } from './schemas.js';
import type { Jsep } from './sfu.js';

type Handler = (s: Session, params: Json) => unknown;

/** The params of a media request, checked completely against its schema before anything else. */
const read = <M extends keyof typeof MEDIA_PARAMS>(method: M, params: Json) => check(MEDIA_PARAMS[method], params, { root: 'params' });

/** The call the sender is in and the media layer, or the refusal. */
function context(s: Session): [LiveCall, Media] {
  if (s.state !== 'joined' || !s.call) throw new RpcError(CODES.forbidden, 'not in a call: join first');
  const media = s.call.hub.media;
  if (!media) throw new RpcError(MEDIA_CODES.unavailable, 'media is off on this server (start it with media: "auto" and a Janus installed)');
  return [s.call, media];
}

type CandidateInit = { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null;

/** What Janus is given of a candidate: its known fields; an empty candidate string (end-of-candidates) is null. */
function candidate(value: CandidateInit): Record<string, unknown> | null {
  if (value === null || value.candidate === '') return null;
  const out: Record<string, unknown> = { candidate: value.candidate };
  if (value.sdpMid != null) out.sdpMid = value.sdpMid;
  if (value.sdpMLineIndex != null) out.sdpMLineIndex = value.sdpMLineIndex;
  return out;
}

/** Media refusals become JSON-RPC errors with their code. */
const guarded = (handler: Handler): Handler => async (s, params) => {
  try {
    return await handler(s, params);
  } catch (error) {
    if (error instanceof MediaRefusal) throw new RpcError(error.code, error.message);
    throw error;
  }
};

export const MEDIA_METHODS: Readonly<Record<string, Handler>> = Object.freeze({
  'media.publish': guarded(async (s, params) => {
    const p = read('media.publish', params);
    const [call, media] = context(s);
    return media.publish(call, s, p.jsep as Jsep, { ...p.kinds } as Record<string, MediaKind>);
  }),

  'media.unpublish': guarded(async (s, params) => {
    read('media.unpublish', params);
    const [call, media] = context(s);
    await media.unpublish(call, s);
    return {};
  }),

  'media.subscribe': guarded(async (s, params) => {
    read('media.subscribe', params);
    const [call, media] = context(s);
    await media.subscribe(call, s);
    return {};
  }),

  'media.unsubscribe': guarded(async (s, params) => {
    read('media.unsubscribe', params);
    const [call, media] = context(s);
    await media.unsubscribe(call, s);
    return {};
  }),

  'media.answer': guarded(async (s, params) => {
    const p = read('media.answer', params);
    const [call, media] = context(s);
    await media.answer(call, s, p.jsep as Jsep);
    return {};
  }),

  'media.trickle': guarded(async (s, params) => {
    const p = read('media.trickle', params);
    const given = p.candidates ?? ('candidate' in p ? [p.candidate as CandidateInit] : undefined);
    if (!given) throw new Invalid('candidate or candidates is required');
    const list = (given as CandidateInit[]).map(candidate);
    const [call, media] = context(s);
    await media.trickle(call, s, p.pc, list);
    return {};
  }),
});
