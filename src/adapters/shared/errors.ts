/**
 * How an SDK's failure reaches the elements: as a `ServerError` carrying the
 * platform's own message, with a code in the reference server's range.
 */
import { CapabilityError, ConnectionError, ServerError } from '../../core/call.js';

/** A platform failure with no HTTP status (a thrown SDK error, a rejected promise without one). */
export const PLATFORM_ERROR = 4500;

/**
 * The code of a platform failure: an HTTP status 4xx becomes 4000 + status
 * (401 → 4401 unauthenticated, 403 → 4403 forbidden, 404 → 4404, 409 → 4409,
 * 413 → 4413, 429 → 4429), exactly the reference server's codes; anything
 * else (5xx, no status) is {@link PLATFORM_ERROR} (4500).
 */
export function platformCode(status: unknown): number {
  return typeof status === 'number' && status >= 400 && status < 500 ? 4000 + status : PLATFORM_ERROR;
}

/** Reads the HTTP status an SDK error carries, where SDKs usually put it. */
export function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const value of [e.status, e.statusCode, e.response?.status]) if (typeof value === 'number') return value;
  return undefined;
}

/**
 * Wraps anything an SDK threw or rejected with as a {@link ServerError}: the
 * platform's message, a code from {@link platformCode}, and the original error
 * as `data`. The errors of callcaps' own model pass through unchanged.
 */
export function toServerError(error: unknown, platform: string): Error {
  if (error instanceof CapabilityError || error instanceof ServerError || error instanceof ConnectionError) return error;
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : `${platform}: the request failed`;
  return new ServerError(platformCode(statusOf(error)), message || `${platform}: the request failed`, error);
}
