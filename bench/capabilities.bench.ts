/** Throughput of parseCapabilities and SelfCapabilities.update. */
import type { Observable } from 'rxjs';
import { LEAF_FLAGS, SelfCapabilities, parseCapabilities } from '../src/core.js';
import { measure, report } from './harness.js';

const MODERATOR = ['self', 'member', 'vmuted', 'layout', 'digit', 'screenshare', 'device', 'lock', 'end'];
const EVERY_LEAF = [...LEAF_FLAGS];

/** The obvious implementation, for comparison: every flag tested against every leaf. */
function naiveParse(flags: unknown) {
  const granted = new Set<string>();
  if (!Array.isArray(flags)) return granted;
  for (const flag of flags) {
    if (typeof flag !== 'string') return new Set<string>();
    for (const leaf of LEAF_FLAGS) if (leaf === flag || leaf.startsWith(`${flag}.`)) granted.add(leaf);
  }
  return granted;
}

export function run(): void {
  const naive = measure('naive prefix scan, moderator set (baseline)', () => naiveParse(MODERATOR));
  report('parseCapabilities', 'median of 50 batches of 1,000 calls after 5,000 warm-up calls', [
    naive,
    measure('parseCapabilities, moderator set (9 flags)', () => parseCapabilities(MODERATOR)),
    measure(`parseCapabilities, every leaf (${EVERY_LEAF.length} flags)`, () => parseCapabilities(EVERY_LEAF)),
    measure('parseCapabilities, malformed input', () => parseCapabilities('self')),
  ], naive);

  const caps = new SelfCapabilities();
  const observed: Observable<unknown>[] = [caps.self$, caps.member$, caps.lock$, caps.end$, caps.state$];
  const subscriptions = observed.map((o) => o.subscribe());
  let flip = false;
  const changing = measure('update, alternating sets, 5 subscribers', () => {
    flip = !flip;
    caps.update(flip ? MODERATOR : ['self.mute.audio.on', 'device']);
  });
  const equal = measure('update, equal set reordered (no emission)', () => {
    flip = !flip;
    caps.update(flip ? MODERATOR : [...MODERATOR].reverse());
  });
  report('SelfCapabilities.update', 'median of 50 batches of 1,000 updates after 5,000 warm-up updates', [changing, equal]);
  subscriptions.forEach((s) => s.unsubscribe());
}
