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
import { Invalid, isObject, onlyKeys, string, type Json } from '../validate.js';
import { MEDIA_KINDS, type MediaKind } from './permissions.js';
import { MEDIA_CODES, MediaRefusal, type Media } from './media.js';
import type { Jsep } from './sfu.js';

type Handler = (s: Session, params: Json) => unknown;

/** The call the sender is in and the media layer, or the refusal. */
function context(s: Session): [LiveCall, Media] {
  if (s.state !== 'joined' || !s.call) throw new RpcError(CODES.forbidden, 'not in a call: join first');
  const media = s.call.hub.media;
  if (!media) throw new RpcError(MEDIA_CODES.unavailable, 'media is off on this server (start it with media: "auto" and a Janus installed)');
  return [s.call, media];
}

function jsep(value: unknown, type: 'offer' | 'answer'): Jsep {
  if (!isObject(value)) throw new Invalid('jsep must be an object { type, sdp }');
  onlyKeys(value, ['type', 'sdp'], 'jsep');
  if (value.type !== type) throw new Invalid(`jsep.type must be "${type}"`);
  return { type, sdp: string(value.sdp, 'jsep.sdp', { max: 60_000 }) };
}

function kinds(value: unknown): Record<string, MediaKind> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new Invalid('kinds must be an object from mid to kind');
  const entries = Object.entries(value);
  if (entries.length > 16) throw new Invalid('kinds may name at most 16 mids');
  for (const [mid, kind] of entries) {
    string(mid, 'kinds key', { max: 32 });
    if (!MEDIA_KINDS.includes(kind as MediaKind)) throw new Invalid(`kinds.${mid} must be one of: ${MEDIA_KINDS.join(', ')}`);
  }
  return value as Record<string, MediaKind>;
}

function candidate(value: unknown, field: string): Record<string, unknown> | null {
  if (value === null) return null;
  if (!isObject(value)) throw new Invalid(`${field} must be an RTCIceCandidateInit or null`);
  onlyKeys(value, ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'], field);
  const out: Record<string, unknown> = { candidate: string(value.candidate, `${field}.candidate`, { min: 0, max: 1024 }) };
  if (value.sdpMid !== undefined && value.sdpMid !== null) out.sdpMid = string(value.sdpMid, `${field}.sdpMid`, { max: 32 });
  if (value.sdpMLineIndex !== undefined && value.sdpMLineIndex !== null) {
    if (!Number.isInteger(value.sdpMLineIndex) || (value.sdpMLineIndex as number) < 0 || (value.sdpMLineIndex as number) > 64) {
      throw new Invalid(`${field}.sdpMLineIndex must be an integer 0–64`);
    }
    out.sdpMLineIndex = value.sdpMLineIndex;
  }
  // An empty candidate string is the browser's end-of-candidates.
  return out.candidate === '' ? null : out;
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
    onlyKeys(params, ['jsep', 'kinds'], 'params');
    const offer = jsep(params.jsep, 'offer');
    const declared = kinds(params.kinds);
    const [call, media] = context(s);
    return media.publish(call, s, offer, declared);
  }),

  'media.unpublish': guarded(async (s, params) => {
    onlyKeys(params, [], 'params');
    const [call, media] = context(s);
    await media.unpublish(call, s);
    return {};
  }),

  'media.subscribe': guarded(async (s, params) => {
    onlyKeys(params, [], 'params');
    const [call, media] = context(s);
    await media.subscribe(call, s);
    return {};
  }),

  'media.unsubscribe': guarded(async (s, params) => {
    onlyKeys(params, [], 'params');
    const [call, media] = context(s);
    await media.unsubscribe(call, s);
    return {};
  }),

  'media.answer': guarded(async (s, params) => {
    onlyKeys(params, ['jsep'], 'params');
    const answer = jsep(params.jsep, 'answer');
    const [call, media] = context(s);
    await media.answer(call, s, answer);
    return {};
  }),

  'media.trickle': guarded(async (s, params) => {
    onlyKeys(params, ['pc', 'candidate', 'candidates'], 'params');
    if (params.pc !== 'publish' && params.pc !== 'subscribe') throw new Invalid('pc must be "publish" or "subscribe"');
    let list: (Record<string, unknown> | null)[];
    if (params.candidates !== undefined) {
      if (!Array.isArray(params.candidates) || params.candidates.length === 0 || params.candidates.length > 32) {
        throw new Invalid('candidates must be an array of 1–32 candidates');
      }
      list = params.candidates.map((c, i) => candidate(c, `candidates[${i}]`));
    } else if ('candidate' in params) {
      list = [candidate(params.candidate, 'candidate')];
    } else {
      throw new Invalid('candidate or candidates is required');
    }
    const [call, media] = context(s);
    await media.trickle(call, s, params.pc, list);
    return {};
  }),
});
