/**
 * The params of the media signalling requests (`media.*`), as TypeBox schemas:
 * checked before a handler runs, like every other request (rpc.ts), and fuzzed
 * from the same schemas. SDP and candidates are bounded in size.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { MEDIA_KINDS } from './permissions.js';

const obj = <T extends Record<string, TSchema>>(properties: T, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
const str = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });

const jsep = (type: 'offer' | 'answer') =>
  obj({ type: Type.Literal(type, { 'x-message': `{field} must be "${type}"` }), sdp: str(60_000) });

/** An `RTCIceCandidateInit`; an empty `candidate` string is the browser's end-of-candidates. */
const Candidate = Type.Union(
  [
    Type.Null(),
    obj({
      candidate: str(1024, 0),
      sdpMid: Type.Optional(Type.Union([str(32), Type.Null()])),
      sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()])),
      usernameFragment: Type.Optional(Type.Union([str(256), Type.Null()])),
    }),
  ],
  { 'x-message': '{field} must be an RTCIceCandidateInit or null' },
);

export const MEDIA_PARAMS = Object.freeze({
  'media.publish': obj({
    jsep: jsep('offer'),
    kinds: Type.Optional(
      Type.Record(Type.String({ pattern: '^[\\s\\S]{1,32}$' }), Type.Union(MEDIA_KINDS.map((kind) => Type.Literal(kind)), {
        'x-message': `{field} must be one of: ${MEDIA_KINDS.join(', ')}`,
      }), { maxProperties: 16, additionalProperties: false, 'x-key': { label: 'mid', min: 1, max: 32 } }),
    ),
  }),
  'media.unpublish': obj({}),
  'media.subscribe': obj({}),
  'media.unsubscribe': obj({}),
  'media.answer': obj({ jsep: jsep('answer') }),
  'media.trickle': obj({
    pc: Type.Union([Type.Literal('publish'), Type.Literal('subscribe')], { 'x-message': 'pc must be "publish" or "subscribe"' }),
    candidate: Type.Optional(Candidate),
    candidates: Type.Optional(Type.Array(Candidate, { minItems: 1, maxItems: 32, 'x-message': 'candidates must be an array of 1–32 candidates' })),
  }),
} satisfies Record<string, TSchema>);
