/** What flows, decided from the server's state alone: publish grants, forwarding, and Daily's canReceive. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapabilities } from 'callcaps/client';
import type { Member } from 'callcaps/client';
import { delivers, forwards, mayPublish, receives } from '../../src/media/permissions.js';
import { mediaSections } from '../../src/media/sdp.js';
import { offerSdp } from './fixtures.js';

const member = (over: Partial<Member> = {}): Member => ({
  id: 'm1', user_id: 'u1', name: 'M', owner: false, role: 'user',
  permissions: { hasPresence: true, canSend: true, canReceive: { base: true }, canAdmin: false },
  audio_muted: false, video_muted: false, deaf: false, handraised: false, screenshare: false, joined_at: 0, ...over,
});
const ALL = parseCapabilities(['self', 'screenshare']);

describe('media permissions', () => {
  it('publishing needs presence and the flag of the kind; forwarding also needs it unmuted (or the screen shared)', () => {
    assert.equal(mayPublish(member(), ALL, 'audio'), true);
    assert.equal(mayPublish(member({ permissions: { ...member().permissions, hasPresence: false } }), ALL, 'audio'), false);
    assert.equal(mayPublish(member(), parseCapabilities(['self.mute.video.off']), 'audio'), false);
    assert.equal(mayPublish(member({ permissions: { ...member().permissions, canSend: ['screenVideo'] } }), ALL, 'screenAudio'), false);
    assert.equal(forwards(member({ audio_muted: true }), ALL, 'audio'), false);
    assert.equal(forwards(member(), ALL, 'video'), true);
    assert.equal(forwards(member(), ALL, 'screenVideo'), false);
    assert.equal(forwards(member({ screenshare: true }), ALL, 'screenVideo'), true);
  });

  it('canReceive: base, narrowed or widened by byUserId, which byParticipantId overrides, by kind (reference/000)', () => {
    const pub = { id: 'p1', user_id: 'presenter' };
    const other = { id: 'p2', user_id: 'someone' };
    assert.equal(receives(undefined, pub, 'audio'), true);
    assert.equal(receives({ base: false }, pub, 'video'), false);
    // The example of reference/000: audio from everyone, video only from the presenter.
    const example = {
      base: { video: false, audio: true, screenVideo: false, screenAudio: false, customVideo: { '*': false }, customAudio: { '*': false } },
      byUserId: { presenter: { video: true } },
    };
    assert.equal(receives(example, pub, 'video'), true);
    assert.equal(receives(example, pub, 'audio'), true);
    assert.equal(receives(example, pub, 'screenVideo'), false);
    assert.equal(receives(example, other, 'video'), false);
    assert.equal(receives(example, other, 'audio'), true);
    // byUserId narrows, byParticipantId overrides it for one session, by kind or wholesale.
    assert.equal(receives({ base: true, byUserId: { presenter: false } }, pub, 'audio'), false);
    assert.equal(receives({ base: true, byUserId: { presenter: false }, byParticipantId: { p1: { audio: true } } }, pub, 'audio'), true);
    assert.equal(receives({ base: true, byUserId: { presenter: false }, byParticipantId: { p1: { audio: true } } }, pub, 'video'), false);
    assert.equal(receives({ base: false, byParticipantId: { p1: true } }, pub, 'screenVideo'), true);
    // A base object that does not name a kind lets it through.
    assert.equal(receives({ base: { video: false } }, pub, 'audio'), true);
  });

  it('nobody receives itself, a member without presence, or audio while deafened', () => {
    const viewer = member({ id: 'v', user_id: 'v' });
    assert.equal(delivers(viewer, member(), 'audio'), true);
    assert.equal(delivers(viewer, viewer, 'audio'), false);
    assert.equal(delivers(viewer, member({ permissions: { ...member().permissions, hasPresence: false } }), 'video'), false);
    assert.equal(delivers(member({ id: 'v', deaf: true }), member(), 'audio'), false);
    assert.equal(delivers(member({ id: 'v', deaf: true }), member(), 'video'), true);
  });

  it('reads the media sections of an offer', () => {
    assert.deepEqual(mediaSections(offerSdp(['audio', 'video'])), [
      { type: 'audio', mid: '0', sending: true }, { type: 'video', mid: '1', sending: true },
    ]);
    assert.deepEqual(mediaSections('v=0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\nm=video 9 X 96\r\na=mid:b\r\na=recvonly\r\n').map((s) => s.sending), [false, false]);
    assert.throws(() => mediaSections('m=audio'), /v=0/);
    assert.throws(() => mediaSections('v=0\r\nm=audio 9 X 1\r\n'), /no a=mid/);
  });
});
