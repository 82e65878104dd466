/**
 * The `Call` conformance suite: written once, run against every
 * implementation (the reference client and each platform adapter) through a
 * {@link Harness} that knows how to drive its platform.
 *
 * What every `Call` must do:
 * - capabilities are not known before joining, and known once joined;
 * - a promotion and a revocation each emit once; the platform repeating the
 *   same permissions emits nothing;
 * - every action whose capability is granted calls the platform's method for
 *   it (which may still refuse, with a `ServerError`); every action whose capability is absent rejects with a
 *   `CapabilityError` before the platform is called; a harness names the
 *   actions its platform cannot express, which are never granted, even to a host;
 * - the observables replay their current value and are de-duplicated;
 * - leave() closes the call, forgets the capabilities and releases every
 *   listener and subscription the call held on the platform's objects.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { firstValueFrom, type Observable } from 'rxjs';
import { CapabilityError, LEAF_FLAGS, ServerError, can, type Call } from '../../src/core.js';

/** A joined call and the means to drive its platform. */
export interface Fixture {
  call: Call;
  /** Another member of the call (not an owner), the target of member actions. */
  otherId: string;
  /** Makes the local participant a host, the platform's way; resolves once the call knows. */
  promote(): Promise<void>;
  /** Takes the host rights away again; resolves once the call knows. */
  demote(): Promise<void>;
  /** The platform sends the local participant's current permissions again, unchanged; resolves once delivered. */
  repeat(): Promise<void>;
  /** Every platform call made so far (method names, request paths…), in order. */
  sent(): readonly string[];
  /** How many listeners and subscriptions the call holds on the platform's objects. */
  listeners(): number;
  close(): Promise<void>;
}

/** A call before it has joined, and the way to join it. */
export interface Pending {
  call: Call;
  join(): Promise<void>;
  close(): Promise<void>;
}

export interface Harness {
  name: string;
  /** A joined call whose local participant is a guest: sends media, no host rights. */
  guest(): Promise<Fixture>;
  /** A joined call whose local participant is a host. */
  host(): Promise<Fixture>;
  pending(): Promise<Pending>;
  /**
   * For each action of {@link ACTIONS}, what `sent()` records when the call
   * performs it, or null when the platform cannot express it (then its flag
   * is never granted), or '' when it succeeds without calling the platform
   * (denying a request on a platform that has none).
   */
  expected: Readonly<Record<ActionName, string | null>>;
  /** Flags a host must hold on this platform (so that the suite is not vacuous). */
  hostFlags: readonly string[];
}

/** Every action of a `Call` that needs a capability, the flag it needs and how to run it. */
export const ACTIONS = [
  { name: 'mute self audio', flag: 'self.mute.audio.on', run: (c: Call) => c.mute(['audio']) },
  { name: 'unmute self audio', flag: 'self.mute.audio.off', run: (c: Call) => c.unmute(['audio']) },
  { name: 'mute self video', flag: 'self.mute.video.on', run: (c: Call) => c.mute(['video']) },
  { name: 'unmute self video', flag: 'self.mute.video.off', run: (c: Call) => c.unmute(['video']) },
  { name: 'raise hand', flag: 'self.raisehand.on', run: (c: Call) => c.raiseHand() },
  { name: 'lower hand', flag: 'self.raisehand.off', run: (c: Call) => c.lowerHand() },
  { name: 'deafen self', flag: 'self.deaf.on', run: (c: Call) => c.deaf() },
  { name: 'screenshare', flag: 'screenshare', run: (c: Call) => c.startScreenshare() },
  { name: 'mute member audio', flag: 'member.mute.audio.on', run: (c: Call, other: string) => c.mute(['audio'], other) },
  { name: 'unmute member audio', flag: 'member.mute.audio.off', run: (c: Call, other: string) => c.unmute(['audio'], other) },
  { name: 'mute member video', flag: 'member.mute.video.on', run: (c: Call, other: string) => c.mute(['video'], other) },
  { name: 'deafen member', flag: 'member.deaf.on', run: (c: Call, other: string) => c.deaf(other) },
  { name: 'lower member hand', flag: 'member.raisehand.off', run: (c: Call, other: string) => c.lowerHand(other) },
  { name: 'update member permissions', flag: 'member.permissions.set', run: (c: Call, other: string) => c.updateMember(other, { permissions: { canSend: ['audio'] } }) },
  { name: 'update everyone', flag: 'member.permissions.set', run: (c: Call) => c.updateMember('*', { permissions: { canSend: true } }) },
  { name: 'change role', flag: 'member.role.set', run: (c: Call, other: string, roles: readonly string[]) => c.updateMember(other, { role: roles[0] ?? 'moderator' }) },
  { name: 'deny request', flag: 'member.permissions.set', run: (c: Call, other: string) => c.denyRequest(other) },
  { name: 'lock', flag: 'lock.on', run: (c: Call) => c.lock() },
  { name: 'unlock', flag: 'lock.off', run: (c: Call) => c.unlock() },
  { name: 'layout', flag: 'layout.set', run: (c: Call, _o: string, _r: readonly string[], layouts: readonly string[]) => c.setLayout(layouts[0] ?? 'grid') },
  { name: 'digits', flag: 'digit.send', run: (c: Call) => c.sendDigits('1') },
  { name: 'admit', flag: 'waiting.admit', run: (c: Call) => c.updateWaiting('*', true) },
  { name: 'request audio', flag: 'request.audio', run: (c: Call) => c.requestPermissions(['audio']) },
  { name: 'start recording', flag: 'record.on', run: (c: Call) => c.startRecording() },
  { name: 'stop recording', flag: 'record.off', run: (c: Call) => c.stopRecording() },
  { name: 'start streaming', flag: 'stream.on', run: (c: Call) => c.startStreaming() },
  { name: 'stop streaming', flag: 'stream.off', run: (c: Call) => c.stopStreaming() },
  { name: 'start transcription', flag: 'transcribe.on', run: (c: Call) => c.startTranscription() },
  { name: 'stop transcription', flag: 'transcribe.off', run: (c: Call) => c.stopTranscription() },
  { name: 'remove member', flag: 'member.remove', run: (c: Call, other: string) => c.removeMember(other) },
  { name: 'end', flag: 'end', run: (c: Call) => c.end() },
] as const;

export type ActionName = (typeof ACTIONS)[number]['name'];

/** Host-only flags: a guest holds none of them. */
const HOST_ONLY = ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'lock.on', 'end'];

const OBSERVABLES = ['self$', 'participants$', 'waiting$', 'access$', 'room$', 'requests$', 'connection$', 'left$'] as const;

/** Every emission of `value$`, recorded until the returned array's `stop()`. */
function record<T>(value$: Observable<T>): T[] & { stop(): void } {
  const values = [] as unknown as T[] & { stop(): void };
  const subscription = value$.subscribe((v) => values.push(v));
  Object.defineProperty(values, 'stop', { value: () => subscription.unsubscribe(), enumerable: false });
  return values;
}

const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(() => null, (error: unknown) => error);
}

/** Runs every action on `f.call` by the rule: granted → the platform's method is called; absent → CapabilityError, nothing sent. */
async function checkActions(harness: Harness, f: Fixture): Promise<void> {
  const roles = (await firstValueFrom(f.call.room$))?.roles ?? [];
  const layouts = (await firstValueFrom(f.call.room$))?.layouts ?? [];
  for (const action of ACTIONS) {
    const expected = harness.expected[action.name];
    const before = f.sent().length;
    const state = f.call.capabilities.state;
    if (can(state, action.flag)) {
      assert.notEqual(expected, null, `${harness.name}: ${action.flag} is granted, but the platform cannot ${action.name}`);
      // The platform may still refuse (a ServerError: nothing to stop, no such request); it must have been asked.
      const error = await rejection(() => action.run(f.call, f.otherId, roles, layouts));
      assert.ok(error === null || error instanceof ServerError, `${action.name}: ${error}`);
      const sent = f.sent().slice(before);
      if (expected !== '') assert.ok(sent.some((s) => s.includes(expected!)), `${action.name}: expected ${expected} among ${JSON.stringify(sent)}`);
    } else {
      const error = await rejection(() => action.run(f.call, f.otherId, roles, layouts));
      assert.ok(error instanceof CapabilityError, `${action.name} (${action.flag}): expected a CapabilityError, got ${error}`);
      await settle(5);
      assert.deepEqual(f.sent().slice(before), [], `${action.name}: nothing may reach the platform`);
    }
  }
}

/** Registers the conformance suite for one implementation. */
export function conformance(harness: Harness): void {
  describe(`Call conformance: ${harness.name}`, () => {
    const open: { close(): Promise<void> }[] = [];
    const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
    after(async () => {
      for (const x of open) await x.close().catch(() => {});
    });

    it('capabilities are not known before joining (nothing granted), and known once joined', async () => {
      const p = track(await harness.pending());
      assert.equal(p.call.capabilities.known, false);
      assert.ok(LEAF_FLAGS.every((flag) => !can(p.call.capabilities.state, flag)), 'nothing is granted while not known');
      const known = record(p.call.capabilities.known$);
      await p.join();
      assert.equal(p.call.capabilities.known, true);
      assert.deepEqual(known, [false, true]);
      known.stop();
    });

    it('a promotion and a revocation emit once each; the same permissions again emit nothing', async () => {
      const f = track(await harness.guest());
      for (const flag of HOST_ONLY) assert.equal(can(f.call.capabilities.state, flag), false, `a guest has no ${flag}`);
      const states = record(f.call.capabilities.state$);
      const members = record(f.call.capabilities.member$);
      const known = record(f.call.capabilities.known$);
      await f.promote();
      assert.ok(harness.hostFlags.every((flag) => can(f.call.capabilities.state, flag)), `promoted: ${harness.hostFlags}`);
      await f.repeat();
      await settle();
      await f.demote();
      for (const flag of HOST_ONLY) assert.equal(can(f.call.capabilities.state, flag), false, `demoted: no ${flag}`);
      await f.repeat();
      await settle();
      assert.equal(states.length, 3, 'initial, promoted, demoted');
      assert.equal(members.length, 3);
      assert.deepEqual(known, [true]);
      states.stop();
      members.stop();
      known.stop();
    });

    it('as a guest: granted actions reach the platform, the others reject with CapabilityError before it', async () => {
      const f = track(await harness.guest());
      await checkActions(harness, f);
    });

    it('as a host: every granted action calls its platform method; what the platform cannot express is never granted', async () => {
      const f = track(await harness.host());
      for (const flag of harness.hostFlags) assert.ok(can(f.call.capabilities.state, flag), `a host holds ${flag}`);
      for (const action of ACTIONS) {
        if (harness.expected[action.name] === null) {
          assert.equal(can(f.call.capabilities.state, action.flag), false, `${action.flag}: the platform cannot ${action.name}`);
        }
      }
      await checkActions(harness, f);
    });

    it('every observable replays its current value at once and is de-duplicated', async () => {
      const f = track(await harness.guest());
      for (const name of OBSERVABLES) {
        const first = record(f.call[name] as Observable<unknown>);
        const second = record(f.call[name] as Observable<unknown>);
        assert.equal(first.length, 1, `${name} replays synchronously`);
        assert.deepEqual(second, first, `${name}: a second subscriber sees the same value`);
        first.stop();
        second.stop();
      }
      const recorded = OBSERVABLES.map((name) => record(f.call[name] as Observable<unknown>));
      const state = record(f.call.capabilities.state$);
      await f.repeat();
      await settle();
      recorded.forEach((values, i) => assert.equal(values.length, 1, `${OBSERVABLES[i]} emitted for a repeat: ${JSON.stringify(values.at(-1))}`));
      assert.equal(state.length, 1);
      for (const r of [...recorded, state]) r.stop();
    });

    it('leave() closes the call, forgets the capabilities and releases every platform listener', async () => {
      const f = track(await harness.guest());
      assert.ok(f.listeners() > 0, 'holds listeners while joined');
      await f.call.leave();
      assert.equal(f.listeners(), 0, 'every listener released');
      assert.equal(await firstValueFrom(f.call.connection$), 'closed');
      assert.equal(await firstValueFrom(f.call.left$), 'left');
      assert.equal(await firstValueFrom(f.call.self$), null);
      assert.equal(f.call.capabilities.known, false);
      assert.ok(LEAF_FLAGS.every((flag) => !can(f.call.capabilities.state, flag)));
      const error = await rejection(() => f.call.lock());
      assert.ok(error instanceof CapabilityError);
    });
  });
}
