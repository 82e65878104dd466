/**
 * Media that actually flows: werift peers (real ICE, DTLS, SRTP) publish
 * synthetic RTP through a real Janus, and the assertions are on the RTP
 * packets each receiver gets, per member and kind. The publisher keeps
 * sending throughout, as a modified client would: every stop is the SFU's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type RpcClient, type TestServer } from '../helpers.js';
import { HAVE_JANUS, waitFor } from './fixtures.js';
import { FakePublisher, FakeReceiver } from './peer.js';

/** A viewer: answers every `media.offer`, and knows which member and kind each of its mids carries. */
class Viewer {
  receiver = new FakeReceiver();
  streams: { mid: string; member_id: string; kind: string }[] = [];
  offers = 0;
  #stop = false;

  constructor(readonly c: RpcClient) {}

  async start(): Promise<void> {
    await this.c.request('media.subscribe', {});
    void (async () => {
      while (!this.#stop) {
        // Short waits, so that a closed viewer stops promptly (a pending wait holds a timer).
        const offer = await this.c.next('media.offer', () => true, 250).catch(() => null);
        if (this.#stop) return;
        if (!offer) continue;
        this.streams = offer.streams;
        this.offers++;
        await this.c.request('media.answer', { jsep: await this.receiver.answer(offer.jsep) }).catch(() => {});
      }
    })();
  }

  /** Packets received of `member`'s `kind` (0 when not subscribed). */
  packets(member: string, kind: string): number {
    const s = this.streams.find((x) => x.member_id === member && x.kind === kind);
    return s ? this.receiver.count(s.mid) : 0;
  }

  async close(): Promise<void> {
    this.#stop = true;
    await this.receiver.close();
  }
}

/** Whether a count keeps rising over `ms`. */
async function rising(read: () => number, ms = 400): Promise<boolean> {
  const before = read();
  await settle(ms);
  return read() > before;
}

describe('media flow (real Janus, werift peers)', { skip: !HAVE_JANUS && 'no janus binary (install Debian janus or set JANUS_PATH)' }, () => {
  let t: TestServer;
  let n = 0;
  const closers: (() => Promise<void>)[] = [];
  before(async () => {
    t = await startServer({ media: 'auto' });
  });
  after(async () => {
    for (const c of closers) await c().catch(() => {});
    await t.close();
  });

  async function call() {
    const name = `f${++n}`;
    await t.rest('POST', '/v1/rooms', { name, privacy: 'public' });
    const owner = await joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_name: 'Owner', user_id: 'owner' }) });
    const guest = await joined(t, name, { token: await t.token({ room_name: name, user_name: 'Pat', user_id: 'pat' }) });
    return { name, owner, guest };
  }

  /** Publishes audio+video from a member (unmuted first) and starts sending; resolves once Janus has it live. */
  async function publish(c: RpcClient) {
    await c.request('call.unmute', { channels: ['audio', 'video'] });
    const pub = new FakePublisher(['audio', 'video']);
    closers.push(() => pub.close());
    const { jsep } = await c.request('media.publish', { jsep: await pub.offer() });
    await pub.accept(jsep);
    pub.send();
    return pub;
  }

  async function viewer(c: RpcClient) {
    const v = new Viewer(c);
    closers.push(() => v.close());
    await v.start();
    return v;
  }

  it("a guest's audio and video reach the owner; a revocation stops the audio within 1 s while video goes on; a grant and an unmute bring it back", async () => {
    const { owner, guest } = await call();
    const v = await viewer(owner.c);
    const joinedAt = performance.now();
    await publish(guest.c);
    await waitFor(() => v.packets(guest.id, 'video') > 0, 10_000, 'the first video packet at the owner');
    const firstVideo = performance.now() - joinedAt;
    await waitFor(() => v.packets(guest.id, 'audio') > 10, 5000, 'audio at the owner');
    assert.deepEqual(v.streams.map((s) => [s.member_id, s.kind]).sort(), [[guest.id, 'audio'], [guest.id, 'video']]);

    // Revoke audio: the audio count stops rising within 1 s; video keeps rising.
    const revokedAt = performance.now();
    let lastAudio = revokedAt;
    let seen = v.packets(guest.id, 'audio');
    const watch = setInterval(() => {
      const now = v.packets(guest.id, 'audio');
      if (now !== seen) {
        seen = now;
        lastAudio = performance.now();
      }
    }, 5);
    await owner.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: ['video'] } });
    await settle(1500);
    clearInterval(watch);
    const stoppedAfter = lastAudio - revokedAt;
    assert.ok(stoppedAfter < 1000, `the last audio packet came ${stoppedAfter} ms after the revocation`);
    assert.equal(await rising(() => v.packets(guest.id, 'audio')), false);
    assert.equal(await rising(() => v.packets(guest.id, 'video')), true);

    // A new grant, and the guest's own unmute: audio flows again.
    await owner.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: ['audio', 'video'] } });
    await guest.c.request('call.unmute', { channels: ['audio'] });
    await waitFor(() => rising(() => v.packets(guest.id, 'audio'), 200), 3000, 'audio to flow again');
    console.log(`# figures: first remote video ${firstVideo.toFixed(0)} ms after publish (werift ICE included); last audio packet ${stoppedAfter.toFixed(0)} ms after the revocation`);
  });

  it('a publisher that comes later is added to an existing subscription (renegotiated by the server)', async () => {
    const { name, owner, guest } = await call();
    const v = await viewer(owner.c);
    await publish(guest.c);
    await waitFor(() => v.packets(guest.id, 'video') > 5, 10_000, "the first publisher's video");
    const late = await joined(t, name, { user_name: 'Late' });
    await publish(late.c);
    await waitFor(() => v.packets(late.id, 'audio') > 5 && v.packets(late.id, 'video') > 5, 10_000, "the late publisher's media");
    assert.equal(v.streams.length, 4);
    assert.equal(await rising(() => v.packets(guest.id, 'audio')), true);
    assert.deepEqual(t.logs.filter((l) => l.level === 'error'), []);
  });

  it('subscribing again starts over on a new PeerConnection', async () => {
    const { owner, guest } = await call();
    const v = await viewer(owner.c);
    await publish(guest.c);
    await waitFor(() => v.packets(guest.id, 'audio') > 5, 10_000, 'audio at the first receiver');
    // The browser's receiving PeerConnection failed: a new one, and media.subscribe again.
    const offers = v.offers;
    await v.receiver.close();
    v.receiver = new FakeReceiver();
    closers.push(() => v.receiver.close());
    await owner.c.request('media.subscribe', {});
    await waitFor(() => v.offers > offers && v.packets(guest.id, 'audio') > 5, 10_000, 'audio at the new receiver');
  });

  it('canReceive.base false receives nothing; byUserId widens one kind from one user', async () => {
    const { owner, guest } = await call();
    const w = await joined(t, `f${n}`, { user_name: 'Watcher' });
    await owner.c.request('call.member.update', { member_id: w.id, permissions: { canReceive: { base: false } } });
    const v = await viewer(w.c);
    const vOwner = await viewer(owner.c);
    await publish(guest.c);
    await waitFor(() => vOwner.packets(guest.id, 'video') > 5, 10_000, 'the owner to receive');
    assert.equal(v.offers, 0);
    assert.equal(v.receiver.packets.size, 0);

    await owner.c.request('call.member.update', { member_id: w.id, permissions: { canReceive: { base: false, byUserId: { pat: { audio: true } } } } });
    await waitFor(() => v.packets(guest.id, 'audio') > 5, 10_000, "the watcher to receive the guest's audio");
    assert.deepEqual(v.streams.map((s) => [s.member_id, s.kind]), [[guest.id, 'audio']]);
    assert.equal(v.packets(guest.id, 'video'), 0);
  });

  it("losing presence ends everyone's subscriptions to the member; it reaches nobody", async () => {
    const { owner, guest } = await call();
    const v = await viewer(owner.c);
    await publish(guest.c);
    await waitFor(() => v.packets(guest.id, 'audio') > 5 && v.packets(guest.id, 'video') > 5, 10_000, 'media at the owner');
    const before = v.offers;
    await owner.c.request('call.member.update', { member_id: guest.id, permissions: { hasPresence: false } });
    await waitFor(() => v.offers > before, 3000, 'a renegotiation without the hidden member');
    assert.deepEqual(v.streams, []);
    const counts = [...v.receiver.packets.values()];
    await settle(500);
    assert.deepEqual([...v.receiver.packets.values()], counts);
  });
});
