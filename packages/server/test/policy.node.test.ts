import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LEAF_FLAGS } from 'callcaps/client';
import type { ParticipantPermissions, PermissionsUpdate } from 'callcaps/client';
import { builtInCallTypes, type CallType, type CallTypeSettings } from '../src/call-types.js';
import { deriveFlags, grantsOf, initialPermissions, mergePermissions, POLICY, BASE_PERMISSIONS } from '../src/policy.js';

const TYPES = Object.fromEntries(builtInCallTypes().map((type) => [type.name, type])) as Record<string, CallType>;

interface Case {
  type?: string;
  role?: string;
  appRole?: string;
  owner?: boolean;
  permissions?: PermissionsUpdate;
  /** Use the permissions a member gets on joining (call type and room defaults). */
  joining?: boolean;
  settings?: (s: CallTypeSettings) => CallTypeSettings;
  locked?: boolean;
}

function flags(c: Case): string[] {
  const type = TYPES[c.type ?? 'default'];
  const role = c.role ?? 'user';
  const settings = c.settings ? c.settings(structuredClone(type.settings)) : type.settings;
  const permissions: ParticipantPermissions = c.joining
    ? initialPermissions(c.owner ?? false, role, settings, undefined, c.permissions)
    : mergePermissions(BASE_PERMISSIONS, c.permissions);
  return deriveFlags({ owner: c.owner ?? false, permissions, grants: grantsOf(type, role, c.appRole ?? 'user'), settings, locked: c.locked ?? false });
}

const PRESENCE = [
  'self.mute.audio.on', 'self.mute.video.on', 'self.deaf.on', 'self.deaf.off', 'self.raisehand.on', 'self.raisehand.off',
  'self.microphone.volume.set', 'self.microphone.sensitivity.set', 'self.speaker.volume.set', 'self.position.set',
  'self.meta', 'self.remove', 'self.audioflags.set', 'device',
];
const SEND = ['self.mute.audio.off', 'self.mute.video.off', 'digit.send', 'screenshare'];
const MODERATE = [
  'self.permissions.set', 'member.mute.audio.on', 'member.mute.video.on', 'member.deaf.on', 'member.raisehand.off',
  'member.remove', 'member.permissions.set', 'waiting.admit',
];
const OWNER_ONLY = ['member.mute.audio.off', 'member.mute.video.off', 'member.deaf.off', 'member.raisehand.on'];
const REQUESTS = ['request.presence', 'request.audio', 'request.video', 'request.screenshare'];
const MEDIA = ['record.on', 'record.off', 'stream.on', 'stream.off', 'transcribe.on', 'transcribe.off'];
const all = (...lists: string[][]) => LEAF_FLAGS.filter((f) => lists.some((l) => l.includes(f)));
const except = (...lists: string[][]) => LEAF_FLAGS.filter((f) => !lists.some((l) => l.includes(f)));

/** roles × permissions × owner × settings × lock → the exact flag set. */
const TABLE: [string, Case, string[]][] = [
  ['default user, unrestricted', {}, all(PRESENCE, SEND)],
  ['default user without presence', { permissions: { hasPresence: false } }, ['request.presence']],
  ['default user, audio only', { permissions: { canSend: ['audio'] } },
    all(PRESENCE, ['self.mute.audio.off', 'digit.send', 'request.video', 'request.screenshare'])],
  ['default user, canSend false', { permissions: { canSend: false } }, all(PRESENCE, ['request.audio', 'request.video', 'request.screenshare'])],
  ['default user, locked (no change)', { locked: true }, all(PRESENCE, SEND)],
  ['default moderator', { role: 'moderator' }, all(PRESENCE, SEND, MODERATE)],
  ['default moderator, locked: no waiting.admit', { role: 'moderator', locked: true }, all(PRESENCE, SEND, MODERATE.filter((f) => f !== 'waiting.admit'))],
  ['default host (every grant), not an owner', { role: 'host' }, except(OWNER_ONLY, REQUESTS)],
  ['default admin, locked', { role: 'admin', locked: true }, except(OWNER_ONLY, REQUESTS, ['waiting.admit'])],
  ['user whose application role is admin', { appRole: 'admin' }, except(OWNER_ONLY, REQUESTS)],
  ['owner with the user role', { owner: true, joining: true }, except(REQUESTS)],
  ['owner, locked', { owner: true, joining: true, locked: true }, except(REQUESTS)],
  ['owner without presence', { owner: true, joining: true, permissions: { hasPresence: false } },
    except(PRESENCE, SEND, ['request.audio', 'request.video', 'request.screenshare'])],
  ['owner, recording and transcription disabled', {
    owner: true, joining: true,
    settings: (s) => ({ ...s, recording: { enabled: false }, transcription: { enabled: false } }),
  }, except(REQUESTS, ['record.on', 'record.off', 'transcribe.on', 'transcribe.off'])],
  ['user with canAdmin participants', { permissions: { canAdmin: ['participants'] } }, all(PRESENCE, SEND, MODERATE)],
  ['user with canAdmin participants, locked', { permissions: { canAdmin: ['participants'] }, locked: true },
    all(PRESENCE, SEND, MODERATE.filter((f) => f !== 'waiting.admit'))],
  ['user with canAdmin streaming', { permissions: { canAdmin: ['streaming'] } }, all(PRESENCE, SEND, ['record.on', 'record.off', 'stream.on', 'stream.off'])],
  ['user with canAdmin transcription', { permissions: { canAdmin: ['transcription'] } }, all(PRESENCE, SEND, ['transcribe.on', 'transcribe.off'])],
  ['user with canAdmin true', { permissions: { canAdmin: true } }, all(PRESENCE, SEND, MODERATE, MEDIA)],
  ['default user, video disabled by the call type', { settings: (s) => ({ ...s, video: { enabled: false, access_request_enabled: true } }) },
    all(PRESENCE, SEND.filter((f) => f !== 'self.mute.video.off'))],
  ['default user, no access requests, canSend false', {
    permissions: { canSend: false },
    settings: (s) => ({ ...s, audio: { enabled: true, access_request_enabled: false } }),
  }, all(PRESENCE, ['request.video', 'request.screenshare'])],
  ['default user, no presence requests', { permissions: { hasPresence: false }, settings: (s) => ({ ...s, presence: { access_request_enabled: false } }) }, []],
  // An audience by default (issue 14): a listener asks to come on stage; on stage, it asks to speak.
  ['audio_room user joining', { type: 'audio_room', joining: true }, ['request.presence']],
  ['audio_room user brought on stage', { type: 'audio_room', joining: true, permissions: { hasPresence: true } }, all(PRESENCE, ['request.audio'])],
  ['audio_room user let speak', { type: 'audio_room', permissions: { canSend: ['audio'] } }, all(PRESENCE, ['self.mute.audio.off', 'digit.send'])],
  ['audio_room host', { type: 'audio_room', role: 'host', joining: true },
    except(OWNER_ONLY, REQUESTS, ['self.mute.video.off', 'screenshare'])],
  ['livestream user (an audience by default, issue 14)', { type: 'livestream', joining: true }, []],
  ['livestream user given presence', { type: 'livestream', joining: true, permissions: { hasPresence: true } }, all(PRESENCE)],
  ['livestream user without presence', { type: 'livestream', permissions: { hasPresence: false } }, []],
  ['livestream host', { type: 'livestream', role: 'host', joining: true }, except(OWNER_ONLY, REQUESTS)],
  ['unknown call role and application role', { role: 'stranger', appRole: 'stranger' }, all(PRESENCE)],
  ['unknown call role, application role user', { role: 'stranger' }, all(PRESENCE, SEND)],
  ['call_member like user', { role: 'call_member' }, all(PRESENCE, SEND)],
];

describe('the policy', () => {
  for (const [label, c, expected] of TABLE) {
    it(`${label} → exactly its flags`, () => {
      assert.deepEqual(flags(c), expected);
    });
  }

  it('holds its invariants over every combination', () => {
    const canSends: PermissionsUpdate['canSend'][] = [true, false, ['audio'], ['video', 'screenVideo']];
    const canAdmins: PermissionsUpdate['canAdmin'][] = [false, true, ['participants'], ['streaming']];
    let combinations = 0;
    for (const type of Object.keys(TYPES)) for (const role of [...Object.keys(TYPES[type].grants), 'nobody']) {
      for (const owner of [false, true]) for (const locked of [false, true]) for (const hasPresence of [false, true]) {
        for (const canSend of canSends) for (const canAdmin of canAdmins) {
          const f = new Set(flags({ type, role, owner, locked, permissions: { hasPresence, canSend, canAdmin } }));
          combinations++;
          const where = JSON.stringify({ type, role, owner, locked, hasPresence, canSend, canAdmin });
          for (const flag of f) assert.ok(LEAF_FLAGS.includes(flag), where);
          if (!hasPresence) for (const flag of [...PRESENCE, ...SEND]) assert.ok(!f.has(flag), `${flag} without presence: ${where}`);
          for (const flag of OWNER_ONLY) assert.equal(f.has(flag), owner, `${flag}: ${where}`);
          if (locked && !owner) assert.ok(!f.has('waiting.admit'), where);
          if (owner) for (const flag of [...MODERATE, 'end', 'lock.on', 'lock.off', 'layout.set', 'member.role.set']) assert.ok(f.has(flag), `${flag}: ${where}`);
          assert.ok(!(f.has('request.audio') && f.has('self.mute.audio.off')), where);
          assert.ok(!(f.has('request.presence') && hasPresence), where);
        }
      }
    }
    assert.ok(combinations > 500);
  });

  it('covers every leaf flag of the grammar, and nothing else', () => {
    assert.deepEqual(Object.keys(POLICY).sort(), [...LEAF_FLAGS].sort());
  });

  it('is the table written in the README (## Server policy)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Server policy'));
    assert.ok(readme.includes('## Server policy'), 'README has a "## Server policy" section');
    const code = (list: readonly string[] | undefined) => (list?.length ? list.map((c) => `\`${c}\``).join(', ') : '—');
    for (const [flag, rule] of Object.entries(POLICY)) {
      const row = `| \`${flag}\` | ${code(rule.all)} | ${code(rule.any)} |`;
      assert.ok(section.includes(row), `README is missing the row: ${row}`);
    }
  });
});
