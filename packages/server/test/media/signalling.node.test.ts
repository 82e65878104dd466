/**
 * The media signalling over real sockets and a real Janus, with synthetic SDP
 * offers (Node has no WebRTC; Janus answers a well-formed offer without ICE
 * completing). What Janus does is read back from Janus itself: an observer
 * joins the call's VideoRoom through janode and records the moderation events
 * Janus sends its participants, and lists the room's participants.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type TestServer } from '../helpers.js';
import { HAVE_JANUS, observe, offer, waitFor } from './fixtures.js';

/** The room's participants in Janus' own list, the observer left out (a synthetic offer never goes live, so not `publisher`). */
async function members(obs: { participants(): Promise<any[]> }) {
  return (await obs.participants()).filter((p) => p.display !== 'observer');
}

describe('media signalling (real Janus)', { skip: !HAVE_JANUS && 'no janus binary (install Debian janus or set JANUS_PATH)' }, () => {
  let t: TestServer;
  let n = 0;
  before(async () => {
    t = await startServer({ media: 'auto' });
  });
  after(() => t.close());

  /** A fresh public room with an owner in it. */
  async function room() {
    const name = `m${++n}`;
    await t.rest('POST', '/v1/rooms', { name, privacy: 'public' });
    const owner = await joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_name: 'Owner', user_id: 'owner' }) });
    return { name, owner };
  }

  async function guest(name: string, permissions?: object, userId = 'pat') {
    return joined(t, name, { token: await t.token({ room_name: name, user_name: 'Pat', user_id: userId, permissions }) });
  }

  /** The call's VideoRoom and an observer in it. */
  async function observer(name: string) {
    const info = (await t.server.media!.inspect(name))!;
    return { info, obs: await observe(t.server.media!.servers[info.server]!, info.room) };
  }

  it('publishing a kind that is not granted is refused with 4403; what is granted is answered', async () => {
    const { name } = await room();
    const g = await guest(name, { canSend: ['video'] });
    const refused = await g.c.call('media.publish', { jsep: offer(['audio', 'video']) });
    assert.equal(refused.error.code, 4403);
    assert.match(refused.error.message, /self\.mute\.audio\.off.*publishing audio/);
    // A video section declared as a screen needs the screen grant.
    assert.equal(await g.c.refused('media.publish', { jsep: offer(['video']), kinds: { 0: 'screenVideo' } }), 4403);
    const ok = await g.c.request('media.publish', { jsep: offer(['video']) });
    assert.equal(ok.jsep.type, 'answer');
    assert.deepEqual(ok.streams, [{ mid: '0', kind: 'video' }]);
  });

  it('a member without presence cannot publish (4403)', async () => {
    const { name } = await room();
    const g = await guest(name, { hasPresence: false });
    const reply = await g.c.call('media.publish', { jsep: offer(['audio']) });
    assert.equal(reply.error.code, 4403);
    assert.match(reply.error.message, /without presence/);
  });

  it("a granted publish gets Janus' answer, without Janus' room id; Janus lists the publisher", async () => {
    const { name, owner } = await room();
    const started = performance.now();
    const { jsep, streams } = await owner.c.request('media.publish', { jsep: offer(['audio', 'video']) });
    const ms = performance.now() - started;
    assert.equal(jsep.type, 'answer');
    assert.match(jsep.sdp, /^v=0/);
    assert.match(jsep.sdp, /m=audio .*\r\n[\s\S]*m=video /);
    assert.match(jsep.sdp, /a=fingerprint:sha-256 /);
    assert.doesNotMatch(jsep.sdp, /VideoRoom/);
    assert.deepEqual(streams, [{ mid: '0', kind: 'audio' }, { mid: '1', kind: 'video' }]);
    assert.ok(ms < 1000, `answer in ${ms} ms`);
    const { info, obs } = await observer(name);
    try {
      const feeds = (await members(obs)).map((p) => p.id);
      assert.deepEqual(feeds, [info.members.find((m) => m.member_id === owner.id)!.feed]);
    } finally {
      await obs.close();
    }
  });

  it('a revocation of canSend audio mutes that stream at the SFU within 1 s; a grant and an unmute lift it', async () => {
    const { name, owner } = await room();
    const g = await guest(name);
    await g.c.request('call.unmute', { channels: ['audio', 'video'] });
    await g.c.request('media.publish', { jsep: offer(['audio', 'video']) });
    const { info, obs } = await observer(name);
    try {
      const feed = info.members.find((m) => m.member_id === g.id)!.feed;
      assert.deepEqual(info.members.find((m) => m.member_id === g.id)!.published.map((p) => p.forwarded), [true, true]);
      const revoked = Date.now();
      await owner.c.request('call.member.update', { member_id: g.id, permissions: { canSend: ['video'] } });
      await waitFor(() => obs.moderation().length > 0, 1000, 'a moderation event from Janus');
      assert.ok(Date.now() - revoked < 1000);
      assert.deepEqual(obs.moderation(), [{ videoroom: 'event', room: info.room.id, id: feed, mid: '0', moderation: 'muted' }]);
      const now = (await t.server.media!.inspect(name))!.members.find((m) => m.member_id === g.id)!;
      assert.deepEqual(now.published, [{ mid: '0', kind: 'audio', forwarded: false }, { mid: '1', kind: 'video', forwarded: true }]);
      // The guest cannot undo it: unmuting is refused, republishing audio too.
      assert.equal(await g.c.refused('call.unmute', { channels: ['audio'] }), 4403);
      assert.equal(await g.c.refused('media.publish', { jsep: offer(['audio', 'video']) }), 4403);
      // A new grant: the audio flows once the guest unmutes (request mode: its own action).
      await owner.c.request('call.member.update', { member_id: g.id, permissions: { canSend: ['audio', 'video'] } });
      await settle(100);
      assert.equal(obs.moderation().length, 1);
      await g.c.request('call.unmute', { channels: ['audio'] });
      await waitFor(() => obs.moderation().length === 2, 1000, 'the unmute at the SFU');
      assert.equal(obs.moderation()[1].moderation, 'unmuted');
    } finally {
      await obs.close();
    }
  });

  it("a host's mute stops the forwarding at the SFU; streams still muted in the record are moderated before the answer", async () => {
    const { name, owner } = await room();
    const g = await guest(name);
    await g.c.request('call.unmute', { channels: ['video'] });
    // Audio is muted (as every member joins): moderated before Janus' answer leaves.
    await g.c.request('media.publish', { jsep: offer(['audio', 'video']) });
    const { info, obs } = await observer(name);
    try {
      assert.deepEqual(info.members.find((m) => m.member_id === g.id)!.published.map((p) => p.forwarded), [false, true]);
      await owner.c.request('call.mute', { member_id: g.id, channels: ['video'] });
      await waitFor(() => obs.moderation().some((e) => e.mid === '1' && e.moderation === 'muted'), 1000, 'the host mute at the SFU');
    } finally {
      await obs.close();
    }
  });

  it('losing presence unpublishes: Janus drops the publisher and the member is told', async () => {
    const { name, owner } = await room();
    const g = await guest(name);
    await g.c.request('media.publish', { jsep: offer(['audio']) });
    const { obs } = await observer(name);
    try {
      assert.equal((await members(obs)).length, 1);
      await owner.c.request('call.member.update', { member_id: g.id, permissions: { hasPresence: false } });
      assert.deepEqual(await g.c.next('media.unpublished'), { reason: 'presence' });
      await waitFor(async () => (await members(obs)).length === 0, 1000, 'Janus to drop the publisher');
      assert.equal(await g.c.refused('media.publish', { jsep: offer(['audio']) }), 4403);
    } finally {
      await obs.close();
    }
  });

  it('removal tears down the member at the SFU; call.end destroys the room', async () => {
    const { name, owner } = await room();
    const g = await guest(name);
    await g.c.request('media.publish', { jsep: offer(['audio']) });
    await owner.c.request('media.publish', { jsep: offer(['audio']) });
    const { obs } = await observer(name);
    try {
      assert.equal((await members(obs)).length, 2);
      await owner.c.request('call.member.remove', { member_id: g.id });
      await waitFor(async () => (await members(obs)).length === 1, 1000, 'the removed member to leave Janus');
      await owner.c.request('call.end');
      await waitFor(async () => !(await obs.participants().then(() => true, () => false)), 2000, 'the room to be destroyed');
      assert.equal(t.server.media!.servers[0]!.rooms >= 0, true);
    } finally {
      await obs.close();
    }
  });

  it('a member leaving (its socket closing) frees its handles', async () => {
    const { name } = await room();
    const g = await guest(name);
    await g.c.request('media.publish', { jsep: offer(['audio']) });
    const { obs } = await observer(name);
    try {
      g.c.close();
      await waitFor(async () => (await members(obs)).length === 0, 2000, 'the publisher to leave Janus');
    } finally {
      await obs.close();
    }
  });

  it('a screen is published as its own kind and forwarded only while shared', async () => {
    const { name, owner } = await room();
    await owner.c.request('call.unmute', { channels: ['video'] });
    const { streams } = await owner.c.request('media.publish', { jsep: offer(['video', 'video']), kinds: { 1: 'screenVideo' } });
    assert.deepEqual(streams, [{ mid: '0', kind: 'video' }, { mid: '1', kind: 'screenVideo' }]);
    const forwarded = async () => (await t.server.media!.inspect(name))!.members.find((m) => m.member_id === owner.id)!.published.map((p) => p.forwarded);
    assert.deepEqual(await forwarded(), [true, false]);
    await owner.c.request('call.screenshare.start');
    await waitFor(async () => (await forwarded())[1] === true, 1000, 'the screen to be forwarded');
    await owner.c.request('call.screenshare.stop');
    await waitFor(async () => (await forwarded())[1] === false, 1000, 'the screen to stop');
  });

  it('ejection at token expiry tears the member down at the SFU', async () => {
    const { name } = await room();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const g = await joined(t, name, { token: await t.token({ room_name: name, user_name: 'Brief', exp, eject_at_token_exp: true }) });
    await g.c.request('media.publish', { jsep: offer(['audio']) });
    const { obs } = await observer(name);
    try {
      assert.equal((await members(obs)).length, 1);
      assert.deepEqual(await g.c.next('call.left', () => true, 4000), { reason: 'expired' });
      await waitFor(async () => (await members(obs)).length === 0, 1000, 'the ejected member to leave Janus');
    } finally {
      await obs.close();
    }
  });

  it('checks its parameters and the state of the call', async () => {
    const { name, owner } = await room();
    const c = await t.client();
    assert.equal(await c.refused('media.publish', { jsep: offer(['audio']) }), 4403); // not in a call
    assert.equal(await owner.c.refused('media.publish', {}), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: { type: 'answer', sdp: 'v=0' } }), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: { type: 'offer', sdp: 'hello' } }), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: offer(['audio']), kinds: { 0: 'video' } }), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: offer(['audio']), kinds: { 7: 'audio' } }), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: offer(['audio']), kinds: { 0: 'hologram' } }), -32602);
    assert.equal(await owner.c.refused('media.publish', { jsep: offer(['audio']), extra: 1 }), -32602);
    assert.equal(await owner.c.refused('media.trickle', { pc: 'publish', candidate: null }), 4409);
    assert.equal(await owner.c.refused('media.answer', { jsep: { type: 'answer', sdp: 'v=0\r\n' } }), 4409);
    assert.equal(await owner.c.refused('media.trickle', { pc: 'sideways', candidate: null }), -32602);
    await owner.c.request('media.publish', { jsep: offer(['audio']) });
    assert.deepEqual(await owner.c.request('media.trickle', {
      pc: 'publish', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    }), {});
    assert.deepEqual(await owner.c.request('media.trickle', { pc: 'publish', candidates: [null] }), {});
    assert.deepEqual(await owner.c.request('media.unpublish', {}), {});
    assert.equal(await owner.c.refused('media.trickle', { pc: 'publish', candidate: null }), 4409);
    // Browsers never see Janus: nothing in any reply or notification names its URL or secrets.
    const server = t.server.media!.servers[0]!;
    const seen = JSON.stringify([...owner.c.replies, ...owner.c.notifications]);
    for (const secret of [server.url, server.apiSecret!, server.adminKey!]) assert.equal(seen.includes(secret), false);
    await settle(10);
    assert.equal(name.length > 0, true);
  });
});

describe('media over several Janus instances (servers + pick)', { skip: !HAVE_JANUS && 'no janus binary' }, () => {
  it("spreads calls' rooms over the servers given, by pick or by load", async () => {
    const { JanusProcess, findJanus } = await import('../../src/media/janus-process.js');
    const { silentLogger } = await import('../../src/log.js');
    const a = await JanusProcess.start(findJanus().path!, {}, silentLogger);
    const b = await JanusProcess.start(findJanus().path!, {}, silentLogger);
    const picked: string[] = [];
    const t = await startServer({
      media: {
        servers: [a.endpoint, b.endpoint],
        pick: (room, servers) => {
          picked.push(room);
          return room.startsWith('b-') ? 1 : servers.reduce((best, s) => (s.rooms < best.rooms ? s : best)).index;
        },
      },
    });
    try {
      assert.deepEqual(t.server.media!.servers.map((s) => [s.url, s.up]), [[a.endpoint.url, true], [b.endpoint.url, true]]);
      for (const name of ['a-1', 'b-1', 'a-2']) {
        await t.rest('POST', '/v1/rooms', { name, privacy: 'public' });
        const m = await joined(t, name, { user_name: 'M' });
        await m.c.request('media.publish', { jsep: offer(['audio']) });
      }
      const where = async (name: string) => (await t.server.media!.inspect(name))!.server;
      assert.deepEqual([await where('a-1'), await where('b-1'), await where('a-2')], [0, 1, 0]);
      assert.deepEqual(picked, ['a-1', 'b-1', 'a-2']);
      assert.deepEqual(t.server.media!.servers.map((s) => s.rooms), [2, 1]);
      // A server given by URL is not the server's to stop: closing leaves both running.
      await t.close();
      await probeBoth();
    } finally {
      await a.stop();
      await b.stop();
    }

    async function probeBoth() {
      const { probe } = await import('../../src/media/janus-process.js');
      await probe(a.endpoint.url, a.endpoint.apiSecret);
      await probe(b.endpoint.url, b.endpoint.apiSecret);
    }
  });
});

describe('media with a Janus that is not there yet', () => {
  it('the server starts, media requests get 4503, the outage is logged once', async () => {
    const t = await startServer({ media: { servers: [{ url: 'ws://127.0.0.1:9' }] } });
    try {
      assert.deepEqual(t.server.media!.servers.map((s) => s.up), [false]);
      await t.rest('POST', '/v1/rooms', { name: 'nojanus', privacy: 'public' });
      const a = await joined(t, 'nojanus', { user_name: 'A' });
      const reply = await a.c.call('media.publish', { jsep: offer(['audio']) });
      assert.equal(reply.error.code, 4503);
      assert.match(reply.error.message, /media server is down/);
      await settle(2500);
      assert.equal(t.logs.filter((l) => /cannot reach Janus/.test(l.line)).length, 1);
    } finally {
      await t.close();
    }
  });
});
