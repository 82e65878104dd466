import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_FLAGS,
  LEAF_FLAGS,
  NO_CAPABILITIES,
  can,
  parseCapabilities,
  type CallCapabilitiesState,
} from '../../src/core.js';

/** The CONTRACT table, written out by hand: leaf flag → the field it grants. */
const memberRows = (p: 'self' | 'member'): [string, string][] => [
  [`${p}.mute.audio.on`, `${p}.muteAudio.on`],
  [`${p}.mute.audio.off`, `${p}.muteAudio.off`],
  [`${p}.mute.video.on`, `${p}.muteVideo.on`],
  [`${p}.mute.video.off`, `${p}.muteVideo.off`],
  [`${p}.deaf.on`, `${p}.deaf.on`],
  [`${p}.deaf.off`, `${p}.deaf.off`],
  [`${p}.raisehand.on`, `${p}.raisehand.on`],
  [`${p}.raisehand.off`, `${p}.raisehand.off`],
  [`${p}.microphone.volume.set`, `${p}.microphoneVolume`],
  [`${p}.microphone.sensitivity.set`, `${p}.microphoneSensitivity`],
  [`${p}.speaker.volume.set`, `${p}.speakerVolume`],
  [`${p}.position.set`, `${p}.position`],
  [`${p}.meta`, `${p}.meta`],
  [`${p}.remove`, `${p}.remove`],
  [`${p}.audioflags.set`, `${p}.audioFlags`],
  [`${p}.permissions.set`, `${p}.permissions`],
  [`${p}.role.set`, `${p}.role`],
];
const TABLE: [string, string][] = [
  ...memberRows('self'),
  ...memberRows('member'),
  ['end', 'end'],
  ['layout.set', 'setLayout'],
  ['digit.send', 'sendDigit'],
  ['screenshare', 'screenshare'],
  ['device', 'device'],
  ['lock.on', 'lock.on'],
  ['lock.off', 'lock.off'],
  ['vmuted.hide.on', 'vmutedHide.on'],
  ['vmuted.hide.off', 'vmutedHide.off'],
  ['waiting.admit', 'admit'],
  ['record.on', 'record.on'],
  ['record.off', 'record.off'],
  ['stream.on', 'stream.on'],
  ['stream.off', 'stream.off'],
  ['transcribe.on', 'transcribe.on'],
  ['transcribe.off', 'transcribe.off'],
  ['request.presence', 'request.presence'],
  ['request.audio', 'request.audio'],
  ['request.video', 'request.video'],
  ['request.screenshare', 'request.screenshare'],
];

/** Every field path that is true in `state`. */
function granted(state: unknown, prefix = ''): string[] {
  if (state === true) return [prefix];
  if (!state || typeof state !== 'object') return [];
  return Object.entries(state).flatMap(([key, value]) => granted(value, prefix ? `${prefix}.${key}` : key));
}

/** The fields the table says the given leaves grant. */
const fieldsOf = (leaves: string[]) =>
  TABLE.filter(([leaf]) => leaves.includes(leaf)).map(([, field]) => field).sort();

/** The leaves of the table under a flag, by whole segments. */
const leavesUnder = (flag: string) =>
  TABLE.map(([leaf]) => leaf).filter((leaf) => leaf === flag || leaf.startsWith(`${flag}.`));

describe('parseCapabilities', () => {
  it('knows exactly the leaves of the contract', () => {
    assert.deepEqual([...LEAF_FLAGS].sort(), TABLE.map(([leaf]) => leaf).sort());
  });

  for (const [leaf, field] of TABLE) {
    it(`${leaf} grants ${field} and nothing else`, () => {
      assert.deepEqual(granted(parseCapabilities([leaf])), [field]);
    });
  }

  const parents = ALL_FLAGS.filter((flag) => !LEAF_FLAGS.includes(flag));
  it('has a parent for every proper prefix of every leaf', () => {
    const expected = new Set(
      TABLE.flatMap(([leaf]) => leaf.split('.').slice(0, -1).map((_, i, s) => s.slice(0, i + 1).join('.'))),
    );
    assert.deepEqual([...parents].sort(), [...expected].sort());
  });

  for (const parent of parents) {
    it(`parent ${parent} grants every leaf below it`, () => {
      assert.deepEqual(granted(parseCapabilities([parent])).sort(), fieldsOf(leavesUnder(parent)));
    });
  }

  it('grants the whole self family from "self"', () => {
    const state = parseCapabilities(['self']);
    assert.deepEqual(state.self.muteAudio, { on: true, off: true });
    assert.equal(state.self.role, true);
    assert.equal(state.member.remove, false);
    assert.equal(state.end, false);
  });

  it('grants audio and video mute both ways from "member.mute"', () => {
    const state = parseCapabilities(['member.mute']);
    assert.deepEqual(granted(state).sort(), [
      'member.muteAudio.off', 'member.muteAudio.on', 'member.muteVideo.off', 'member.muteVideo.on',
    ]);
  });

  for (const lookalike of ['layoutX', 'self.mute.audio.on.extra', 'lockdown', 'Self', 'self.', '.self', 'self..mute', ' self', 'lock.on ', '*', '']) {
    it(`grants nothing for the look-alike ${JSON.stringify(lookalike)}`, () => {
      assert.deepEqual(granted(parseCapabilities([lookalike])), []);
    });
  }

  it('grants only the direction named: lock.on alone', () => {
    assert.deepEqual(parseCapabilities(['lock.on']).lock, { on: true, off: false });
  });

  it('grants only the direction named: vmuted.hide.off', () => {
    assert.deepEqual(parseCapabilities(['vmuted.hide.off']).vmutedHide, { on: false, off: true });
  });

  it('treats duplicates as one', () => {
    assert.deepEqual(parseCapabilities(['end', 'end', 'lock', 'lock.on']), parseCapabilities(['lock', 'end']));
  });

  it('gives the all-false state for the empty array', () => {
    assert.deepEqual(granted(parseCapabilities([])), []);
  });

  for (const [label, input] of [
    ['null', null],
    ['undefined', undefined],
    ['a bare string', 'self'],
    ['a number', 42],
    ['an object', { self: true }],
    ['an array holding a number', ['self', 7]],
    ['an array holding an object', ['end', { flag: 'lock' }]],
    ['an array holding null', [null, 'end']],
    ['a nested array', [['self']]],
  ] as [string, unknown][]) {
    it(`fails closed, without throwing, on ${label}`, () => {
      const state = parseCapabilities(input);
      assert.deepEqual(granted(state), []);
      assert.deepEqual(state, NO_CAPABILITIES);
    });
  }

  it('ignores unknown strings beside known ones', () => {
    assert.deepEqual(granted(parseCapabilities(['future.thing', 'end'])), ['end']);
  });

  it('returns a deeply frozen state', () => {
    const state = parseCapabilities(['self', 'lock']);
    assert.ok(Object.isFrozen(state));
    assert.ok(Object.isFrozen(state.self));
    assert.ok(Object.isFrozen(state.self.muteAudio));
    assert.ok(Object.isFrozen(state.lock));
    assert.ok(Object.isFrozen(state.request));
    assert.throws(() => {
      (state.self.muteAudio as { on: boolean }).on = false;
    }, TypeError);
  });

  it('does not share mutable objects between results', () => {
    const a = parseCapabilities(['self']);
    const b = parseCapabilities([]);
    assert.equal(a.self.muteAudio.on, true);
    assert.equal(b.self.muteAudio.on, false);
  });
});

describe('can', () => {
  const moderator = parseCapabilities(['self', 'member', 'vmuted', 'layout', 'digit', 'screenshare', 'device', 'lock', 'end']);

  it('answers for every leaf', () => {
    for (const [leaf] of TABLE) {
      assert.equal(can(parseCapabilities([leaf]), leaf), true, leaf);
      assert.equal(can(NO_CAPABILITIES, leaf), false, leaf);
    }
  });

  it('answers a parent only when all of its leaves are granted', () => {
    assert.equal(can(parseCapabilities(['lock.on']), 'lock'), false);
    assert.equal(can(parseCapabilities(['lock.on', 'lock.off']), 'lock'), true);
    assert.equal(can(moderator, 'member'), true);
    assert.equal(can(moderator, 'self.mute'), true);
    assert.equal(can(parseCapabilities(['self.mute.audio']), 'self.mute'), false);
  });

  it('answers the moderator set as the server means it', () => {
    assert.equal(can(moderator, 'member.remove'), true);
    assert.equal(can(moderator, 'waiting.admit'), false);
    assert.equal(can(moderator, 'record.on'), false);
    assert.equal(can(moderator, 'vmuted.hide.on'), true);
  });

  it('grants nothing for unknown flags, look-alikes and non-strings', () => {
    assert.equal(can(moderator, 'layoutX'), false);
    assert.equal(can(moderator, 'lockdown'), false);
    assert.equal(can(moderator, 'self.mute.audio.on.extra'), false);
    assert.equal(can(moderator, ''), false);
    assert.equal(can(moderator, 42 as unknown as string), false);
    assert.equal(can(null, 'end'), false);
    assert.equal(can(undefined as unknown as CallCapabilitiesState, 'end'), false);
  });
});
