/**
 * `State` and `Events` (src/core/state.ts), the observables every `Call` is
 * built from, written on rxjs' `Observable` instead of its `Subject`s: they
 * must behave as a de-duplicating `BehaviorSubject` and a `Subject` would,
 * for rxjs' operators and for the elements' subscriptions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { Events, State } from '../../src/core/state.js';

describe('State', () => {
  it('replays its value to each new subscriber, then emits each change by value, in order', () => {
    const state = new State({ n: 1 });
    const a: unknown[] = [];
    state.$.subscribe((v) => a.push(v));
    state.set({ n: 1 }); // the same by value: nothing
    state.set({ n: 2 });
    const b: unknown[] = [];
    state.$.subscribe((v) => b.push(v));
    state.set({ n: 3 });
    assert.deepEqual(a, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.deepEqual(b, [{ n: 2 }, { n: 3 }]);
    assert.deepEqual(state.value, { n: 3 });
  });

  it("works with rxjs' operators and promises", async () => {
    const state = new State(1);
    assert.equal(await firstValueFrom(state.$), 1);
    const twice = firstValueFrom(state.$.pipe(map((v) => v * 2), take(3), toArray()));
    state.set(2);
    state.set(3);
    assert.deepEqual(await twice, [2, 4, 6]);
    assert.equal(state.observed, false, 'take(3) unsubscribed');
  });

  it('lets go of a subscriber that unsubscribes, even from within an emission', () => {
    const state = new State(0);
    const seen: string[] = [];
    const first = state.$.subscribe((v) => {
      seen.push(`first ${v}`);
      if (v === 1) second.unsubscribe();
    });
    const second = state.$.subscribe((v) => seen.push(`second ${v}`));
    state.set(1); // the first unsubscribes the second before its turn: it is not reached, as with a Subject
    state.set(2);
    first.unsubscribe();
    assert.equal(state.observed, false);
    assert.deepEqual(seen, ['first 0', 'second 0', 'first 1', 'first 2']);
  });

  it('completes: subscribers are released, later ones complete at once without a value, and set() does nothing', () => {
    const state = new State('a');
    let completed = 0;
    const values: string[] = [];
    state.$.subscribe({ next: (v) => values.push(v), complete: () => completed++ });
    state.complete();
    assert.equal(state.observed, false);
    state.set('b');
    state.$.subscribe({ next: (v) => values.push(v), complete: () => completed++ });
    assert.deepEqual([values, completed, state.value], [['a'], 2, 'a']);
  });
});

describe('Events', () => {
  it('reaches whoever is subscribed at the time, nobody before or after', () => {
    const events = new Events<number>();
    events.emit(0);
    const got: number[] = [];
    const subscription = events.$.subscribe((v) => got.push(v));
    events.emit(1);
    events.emit(1); // no de-duplication: every event counts
    subscription.unsubscribe();
    events.emit(2);
    assert.deepEqual(got, [1, 1]);
    assert.equal(events.observed, false);
  });

  it('a subscriber added during an emission hears from the next one on', () => {
    const events = new Events<string>();
    const late: string[] = [];
    let added = false;
    events.$.subscribe(() => {
      if (!added) events.$.subscribe((v) => late.push(v));
      added = true;
    });
    events.emit('x');
    events.emit('y');
    assert.deepEqual(late, ['y']);
  });
});
