/**
 * `node:test` and `node:assert/strict` in the browser, as far as the `Call`
 * conformance suite (`conformance.ts`) uses them: mocha's `describe` / `it` /
 * `after` and chai's strict assertions. The adapters' runner config maps the
 * two specifiers here, so the suite runs unchanged in Chromium against
 * adapters whose SDK needs a browser (daily-js).
 */
import { assert as chai } from '@open-wc/testing';

export const describe = globalThis.describe;
export const it = globalThis.it;
export const after = globalThis.after;

const strict = {
  equal: (actual: unknown, expected: unknown, message?: string) => chai.strictEqual(actual, expected, message),
  notEqual: (actual: unknown, expected: unknown, message?: string) => chai.notStrictEqual(actual, expected, message),
  deepEqual: (actual: unknown, expected: unknown, message?: string) => chai.deepEqual(actual, expected, message),
  ok: (value: unknown, message?: string) => chai.ok(value, message),
};
export default strict;
