/**
 * Authentication: the API key for REST, and meeting tokens (JWT, HS256 only,
 * signed with the API key) for joining calls.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { tokenProperties, type TokenProperties } from './validate.js';

/** Whether an `Authorization` header carries the API key. Constant time. */
export function hasApiKey(header: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]), digest(apiKey));
}

const secret = (apiKey: string) => new TextEncoder().encode(apiKey);

/** Signs a meeting token whose claims are the token properties. */
export async function signMeetingToken(properties: TokenProperties, apiKey: string): Promise<string> {
  const jwt = new SignJWT({ ...properties }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  return jwt.sign(secret(apiKey));
}

/** A token that failed verification; `message` says why, for the 4401 reply. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/**
 * Verifies a meeting token: HS256 signature by the API key (every other
 * algorithm, `none` included, is refused), `exp`, `nbf`, well-formed claims,
 * and, when it names one, the room.
 */
export async function verifyMeetingToken(token: string, apiKey: string, room: string): Promise<TokenProperties> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret(apiKey), { algorithms: ['HS256'] }));
  } catch (error) {
    throw new TokenError(describe(error));
  }
  const { iat: _iat, ...claims } = payload;
  let properties: TokenProperties;
  try {
    properties = tokenProperties(claims);
  } catch (error) {
    throw new TokenError(`invalid token: ${(error as Error).message}`);
  }
  if (properties.room_name !== undefined && properties.room_name !== room) {
    throw new TokenError(`invalid token: it is for the room "${properties.room_name}", not "${room}"`);
  }
  return properties;
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'invalid token: it has expired (exp)';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return 'invalid token: it is not valid yet (nbf)';
  if (error instanceof errors.JWTClaimValidationFailed) return `invalid token: claim "${error.claim}" ${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'invalid token: only HS256 is accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid token: bad signature';
  return 'invalid token: not a well-formed JWT';
}
