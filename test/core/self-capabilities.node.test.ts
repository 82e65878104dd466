import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observable } from 'rxjs';
import { CAPABILITY_FIELDS, NO_CAPABILITIES, SelfCapabilities, type CapabilityField } from '../../src/core.js';

/** Records every emission and the completion of an observable. */
function record<T>(source: Observable<T>) {
  const values: T[] = [];
  const recording = { values, completed: false };
  source.subscribe({ next: (value) => values.push(value), complete: () => (recording.completed = true) });
  return recording;
}

describe('SelfCapabilities', () => {
  it('starts unknown, with nothing granted', () => {
    const caps = new SelfCapabilities();
    assert.equal(caps.known, false);
    assert.deepEqual(caps.state, NO_CAPABILITIES);
    assert.equal(caps.end, false);
    assert.deepEqual(caps.lock, { on: false, off: false });
  });

  it('has a getter and a $ observable for every top-level field', () => {
    const caps = new SelfCapabilities(['self', 'lock.on', 'request.audio']);
    for (const field of CAPABILITY_FIELDS) {
      assert.deepEqual(caps[field], caps.state[field], field);
      const seen = record(caps[`${field}$` as `${CapabilityField}$`] as Observable<unknown>);
      assert.deepEqual(seen.values, [caps.state[field]], `${field}$ replays the current value`);
    }
    assert.deepEqual(caps.lock, { on: true, off: false });
    assert.equal(caps.request.audio, true);
    assert.equal(caps.self.muteAudio.off, true);
  });

  it('caches the derived observables', () => {
    const caps = new SelfCapabilities();
    assert.equal(caps.lock$, caps.lock$);
    assert.equal(caps.self$, caps.self$);
    assert.equal(caps.state$, caps.state$);
  });

  it('replaces the whole state on update: nothing is merged', () => {
    const caps = new SelfCapabilities(['end', 'lock']);
    caps.update(['screenshare']);
    assert.equal(caps.end, false);
    assert.deepEqual(caps.lock, { on: false, off: false });
    assert.equal(caps.screenshare, true);
  });

  it('emits on a field only when its value changed, across a sequence of updates', () => {
    const caps = new SelfCapabilities();
    const end = record(caps.end$);
    const lock = record(caps.lock$);
    const self = record(caps.self$);
    const state = record(caps.state$);

    caps.update(['end']); //                  end: true
    caps.update(['end', 'lock.on']); //       lock changes
    caps.update(['lock.on', 'end']); //       reordered: nothing
    caps.update(['end', 'lock.on', 'lock.on']); // duplicate: nothing
    caps.update(['self', 'end', 'lock.on']); // self changes
    caps.update(['self', 'self.deaf', 'self.mute.audio.on', 'end', 'lock.on']); // redundant: nothing
    caps.update(['self', 'lock.on']); //      end: false

    assert.deepEqual(end.values, [false, true, false]);
    assert.deepEqual(lock.values, [
      { on: false, off: false },
      { on: true, off: false },
    ]);
    assert.equal(self.values.length, 2);
    assert.equal(self.values[1].muteAudio.on, true);
    assert.equal(state.values.length, 5);
  });

  it('emits nothing on any field for an update equal by value', () => {
    const caps = new SelfCapabilities(['self']);
    const recordings = CAPABILITY_FIELDS.map((field) =>
      record(caps[`${field}$` as `${CapabilityField}$`] as Observable<unknown>),
    );
    const state = record(caps.state$);
    caps.update(['self', 'self.deaf', 'self.mute.audio.on']);
    caps.update(['self.mute', 'self']);
    for (const [i, recording] of recordings.entries()) {
      assert.equal(recording.values.length, 1, `${CAPABILITY_FIELDS[i]}$ emitted again`);
    }
    assert.equal(state.values.length, 1);
  });

  it('replays the current value to late subscribers', () => {
    const caps = new SelfCapabilities();
    caps.update(['screenshare']);
    caps.update(['screenshare', 'device']);
    assert.deepEqual(record(caps.screenshare$).values, [true]);
    assert.deepEqual(record(caps.device$).values, [true]);
    assert.deepEqual(record(caps.known$).values, [true]);
  });

  it('reports known$ from the first update, and not while forgotten', () => {
    const caps = new SelfCapabilities();
    const known = record(caps.known$);
    const end = record(caps.end$);
    caps.update([]);
    caps.update(['end']);
    caps.forget();
    caps.update(['end']);
    assert.deepEqual(known.values, [false, true, false, true]);
    assert.deepEqual(end.values, [false, true, false, true]);
    assert.equal(caps.known, true);
  });

  it('is known at once when constructed with flags', () => {
    assert.equal(new SelfCapabilities(['end']).known, true);
  });

  it('fails closed on malformed updates, and stays known', () => {
    const caps = new SelfCapabilities(['self', 'end']);
    caps.update('self');
    assert.deepEqual(caps.state, NO_CAPABILITIES);
    assert.equal(caps.known, true);
    caps.update(['end', 3]);
    assert.equal(caps.end, false);
  });

  it('completes every observable on destroy, and ignores updates afterwards', () => {
    const caps = new SelfCapabilities(['end']);
    const recordings = [caps.state$, caps.known$, ...CAPABILITY_FIELDS.map((field) => caps[`${field}$` as `${CapabilityField}$`] as Observable<unknown>)].map(record);
    caps.destroy();
    assert.ok(recordings.every((recording) => recording.completed));
    assert.doesNotThrow(() => caps.update(['lock']));
    assert.deepEqual(recordings[0].values.length, 1);
  });
});
