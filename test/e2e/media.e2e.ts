/**
 * Real media end to end: the demo page (callcaps + callcaps-media classic
 * scripts) in Chromium with fake devices, the reference server with its
 * embedded Janus. Every assertion about media is on what a receiving browser
 * gets (`getStats()` inbound-rtp bytes), not on UI state.
 *
 * Each page records its RTCPeerConnections and WebSockets (an init script,
 * the way a modified client would reach them); headless Chromium has no
 * screen, so the same script gives `getDisplayMedia` a canvas.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { findJanus } from '../../packages/server/src/media/janus-process.js';
import { axeViolations, fromRowMenu, screenshot, startDemo, type Demo, type Person } from './harness.js';

const HAVE_JANUS = findJanus().path !== null;

let demo: Demo;
let people: Person[] = [];
let rooms = 0;

/** Runs in every page before its scripts. */
function instrument(): void {
  const w = window as unknown as { __pcs: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
  const pcs: RTCPeerConnection[] = (w.__pcs = []);
  const Native = w.RTCPeerConnection;
  w.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  };
  const sockets: WebSocket[] = ((window as any).__sockets = []);
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  };
  navigator.mediaDevices.getDisplayMedia = async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const g = canvas.getContext('2d')!;
    setInterval(() => {
      g.fillStyle = '#246';
      g.fillRect(0, 0, 640, 360);
      g.fillStyle = '#fff';
      g.fillRect((performance.now() / 5) % 640, 150, 60, 60);
    }, 40);
    return canvas.captureStream(25);
  };
}

async function newRoom(properties: object = {}): Promise<string> {
  const name = `media-${++rooms}`;
  const created = await demo.api('POST', '/v1/rooms', { name, privacy: 'public', properties });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  return name;
}

async function join(room: string, options: { owner?: string; name?: string }): Promise<Person> {
  const token = options.owner ? await demo.ownerToken(room, options.owner) : undefined;
  const person = await demo.open(demo.link(room, { token, name: options.name }), instrument);
  people.push(person);
  await person.page.locator('#tiles .tile.self').waitFor();
  return person;
}

const control = (page: Page, part: string) => page.locator(`#controls [part~="${part}"]:not([data-mode="request"])`);

/** Turns a toggle of call-controls on (mic, camera, screenshare). */
async function turnOn(page: Page, part: string): Promise<void> {
  await control(page, part).click();
  await page.locator(`#controls [part~="${part}"][data-state="on"]`).waitFor();
}

const memberId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => (window as any).call.self$.subscribe((m: any) => m && resolve(m.id))));

/** Bytes received by kind on every open PeerConnection of the page (inbound-rtp). */
function received(page: Page): Promise<{ audio: number; video: number }> {
  return page.evaluate(async () => {
    const out = { audio: 0, video: 0 };
    for (const pc of (window as any).__pcs as RTCPeerConnection[]) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: any) => {
        if (s.type === 'inbound-rtp') out[s.kind as 'audio' | 'video'] += s.bytesReceived ?? 0;
      });
    }
    return out;
  });
}

/** Packets the page sends, by kind (outbound-rtp). */
function sent(page: Page): Promise<{ audio: number; video: number }> {
  return page.evaluate(async () => {
    const out = { audio: 0, video: 0 };
    for (const pc of (window as any).__pcs as RTCPeerConnection[]) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: any) => {
        if (s.type === 'outbound-rtp') out[s.kind as 'audio' | 'video'] += s.packetsSent ?? 0;
      });
    }
    return out;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `read` rises over a 500 ms window (at most `timeout` ms). */
async function untilRising(read: () => Promise<number>, what: string, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  let last = await read();
  while (Date.now() < end) {
    await sleep(500);
    const now = await read();
    if (now > last && last > 0) return;
    last = now;
  }
  assert.fail(`${what}: not rising within ${timeout} ms`);
}

describe('real media, end to end (Chromium with fake devices, a real Janus)', { skip: !HAVE_JANUS && 'no janus binary (install Debian janus or set JANUS_PATH)' }, () => {
  before(async () => {
    demo = await startDemo({ media: 'auto' });
  });
  after(() => demo?.close());
  afterEach(async () => {
    for (const person of people) await person.context.close().catch(() => {});
    people = [];
  });

  it("carries a guest's audio and video to the owner; a revocation stops its audio within 1 s even when the guest's page keeps sending, and a grant plus the guest's unmute brings it back", async () => {
    const room = await newRoom();
    const owner = await join(room, { owner: 'Ada' });
    const guest = await join(room, { name: 'Guest' });
    await turnOn(guest.page, 'mic');
    await turnOn(guest.page, 'camera');

    await untilRising(async () => (await received(owner.page)).audio, "the guest's audio at the owner");
    await untilRising(async () => (await received(owner.page)).video, "the guest's video at the owner");
    // The owner's stage shows the guest's camera, frames and all.
    const guestId = await memberId(guest.page);
    await owner.page.waitForFunction(
      (id) => ((document.getElementById('tiles')!.shadowRoot!.querySelector(`[part~="tile"][data-member-id="${id}"] video`) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
      guestId,
    );
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(await axeViolations(owner.page), []);

    // The owner revokes the guest's audio (the panel's send-audio toggle).
    const videoBefore = (await received(owner.page)).video;
    const revokedAt = Date.now();
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    // The owner's received audio, sampled every 50 ms from the click until 2 s after it.
    const samples: [number, number][] = [];
    const sampling = (async () => {
      while (Date.now() - revokedAt < 2000) {
        samples.push([Date.now() - revokedAt, (await received(owner.page)).audio]);
        await sleep(50);
      }
    })();
    await control(guest.page, 'mic').waitFor({ state: 'detached' });
    // A modified client: the guest's page puts a live microphone back on its audio sender, and keeps it there.
    await guest.page.evaluate(async () => {
      const pcs = (window as any).__pcs as RTCPeerConnection[];
      const publishing = pcs.find((pc) => pc.connectionState !== 'closed' && pc.getTransceivers().some((t) => t.direction === 'sendonly'))!;
      const sender = publishing.getTransceivers().find((t) => t.receiver.track.kind === 'audio')!.sender;
      const track = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0]!;
      track.enabled = true;
      await sender.replaceTrack(track);
      (window as any).__rogue = setInterval(() => sender.track !== track && sender.replaceTrack(track), 100);
      (window as any).__rogueTrack = track;
    });
    const sentBefore = (await sent(guest.page)).audio;
    await sampling;
    let lastRise = 0;
    for (let i = 1; i < samples.length; i++) if (samples[i]![1] > samples[i - 1]![1]) lastRise = samples[i]![0];
    const sentAfter = (await sent(guest.page)).audio;
    const videoAfter = (await received(owner.page)).video;
    console.log(`# revocation: the owner's received audio last rose ${lastRise} ms after the click (sampled every 50 ms)`);
    assert.ok(lastRise < 1000, `audio still forwarded ${lastRise} ms after the revocation`);
    assert.ok(sentAfter > sentBefore, "the guest's modified page keeps sending audio");
    assert.ok(videoAfter > videoBefore, 'video goes on');
    const flat = (await received(owner.page)).audio;
    await sleep(800);
    assert.equal((await received(owner.page)).audio, flat, 'no audio reaches the owner while revoked');

    // A new grant: nothing flows until the guest itself unmutes (request mode: publishing starts on its action).
    await guest.page.evaluate(() => {
      clearInterval((window as any).__rogue);
      (window as any).__rogueTrack.stop();
    });
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    await control(guest.page, 'mic').waitFor();
    assert.equal(await control(guest.page, 'mic').getAttribute('data-state'), 'off', 'the grant leaves the guest muted');
    const regranted = (await received(owner.page)).audio;
    await sleep(800);
    assert.equal((await received(owner.page)).audio, regranted, 'nothing flows before the guest unmutes');
    await turnOn(guest.page, 'mic');
    await untilRising(async () => (await received(owner.page)).audio, "the guest's audio after the new grant", 10_000);
    assert.deepEqual(guest.errors, []);
  });

  it('lets a member without presence reach nobody, even publishing by hand', async () => {
    const room = await newRoom({ permissions: { hasPresence: false, canSend: false } });
    const owner = await join(room, { owner: 'Ada' });
    const hidden = await join(room, { name: 'Hidden' });
    assert.equal(await owner.page.locator('#tiles .tile', { hasText: 'Hidden' }).count(), 0, 'no tile for a hidden member');
    assert.equal(await control(hidden.page, 'mic').count(), 0);
    // A modified client offers audio and video itself: refused (4403), and nothing reaches the owner.
    const refusal = await hidden.page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const pc = new RTCPeerConnection();
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      try {
        await (window as any).call.signal('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription!.sdp } });
        return 'accepted';
      } catch (error) {
        return (error as { code?: number }).code;
      } finally {
        pc.close();
        for (const track of stream.getTracks()) track.stop();
      }
    });
    assert.equal(refusal, 4403);
    await sleep(1500);
    assert.deepEqual(await received(owner.page), { audio: 0, video: 0 }, 'the owner receives nothing from a hidden member');
  });

  it('gives a guest with canReceive.base false nothing, while another guest receives the owner', async () => {
    const room = await newRoom();
    const owner = await join(room, { owner: 'Ada' });
    const viewer = await join(room, { name: 'Viewer' });
    const blind = await join(room, { name: 'Blind' });
    const blindId = await memberId(blind.page);
    await owner.page.evaluate((id) => (window as any).call.updateMember(id, { permissions: { canReceive: { base: false } } }), blindId);
    await turnOn(owner.page, 'mic');
    await turnOn(owner.page, 'camera');
    await untilRising(async () => (await received(viewer.page)).video, "the owner's video at the other guest");
    await untilRising(async () => (await received(viewer.page)).audio, "the owner's audio at the other guest");
    assert.deepEqual(await received(blind.page), { audio: 0, video: 0 });
    const tracks = await blind.page.evaluate(() => new Promise<number>((resolve) => (window as any).call.media.streams$.subscribe((m: Map<string, unknown>) => resolve(m.size))));
    assert.equal(tracks, 0, 'no member media for a guest that may receive nothing');
  });

  it('publishes and subscribes again after the link drops and the member resumes', async () => {
    const room = await newRoom();
    const owner = await join(room, { owner: 'Ada' });
    const guest = await join(room, { name: 'Guest' });
    const guestId = await memberId(guest.page);
    await turnOn(guest.page, 'mic');
    await turnOn(guest.page, 'camera');
    await turnOn(owner.page, 'mic');
    await untilRising(async () => (await received(owner.page)).video, "the guest's video at the owner");
    await untilRising(async () => (await received(guest.page)).audio, "the owner's audio at the guest");
    const pcsBefore = await guest.page.evaluate(() => (window as any).__pcs.length);
    // The guest's link is lost (4000: the client let go of a dead link); the client reconnects and resumes.
    await guest.page.evaluate(() => (window as any).__sockets.at(-1).close(4000, 'link lost'));
    await guest.page.waitForFunction(() => (window as any).__sockets.length > 1 && document.getElementById('connection')!.textContent === 'Connected');
    assert.equal(await memberId(guest.page), guestId, 'the same member');
    // New PeerConnections, and media flows both ways again.
    await guest.page.waitForFunction((n) => (window as any).__pcs.filter((pc: RTCPeerConnection) => pc.connectionState === 'connected').length >= 2 && (window as any).__pcs.length >= n + 2, pcsBefore);
    await untilRising(async () => (await received(owner.page)).video, "the guest's video at the owner after the resume");
    await untilRising(async () => (await received(owner.page)).audio, "the guest's audio at the owner after the resume");
    await untilRising(async () => (await received(guest.page)).audio, "the owner's audio at the guest after the resume");
    assert.deepEqual(guest.errors, []);
  });

  it("shows a screen share as its own, larger tile on the others' stage", async () => {
    const room = await newRoom();
    const owner = await join(room, { owner: 'Ada' });
    const guest = await join(room, { name: 'Guest' });
    const ownerId = await memberId(owner.page);
    await turnOn(owner.page, 'camera');
    await turnOn(owner.page, 'screenshare');
    const screen = guest.page.locator(`#tiles [part~="screen-tile"][data-member-id="${ownerId}"]`);
    await screen.waitFor();
    await guest.page.waitForFunction(
      (id) => ((document.getElementById('tiles')!.shadowRoot!.querySelector(`[part~="screen-tile"][data-member-id="${id}"] video`) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
      ownerId,
    );
    const camera = await guest.page.locator(`#tiles [part~="tile"][data-member-id="${ownerId}"]`).boundingBox();
    const shared = await screen.boundingBox();
    assert.ok(shared!.width * shared!.height > 2 * camera!.width * camera!.height, 'the screen tile is larger');
    await screenshot(guest.page, 'media-guest-view');
    assert.deepEqual(await axeViolations(guest.page), []);
    // Stopping the share removes the tile.
    await control(owner.page, 'screenshare').click();
    await screen.waitFor({ state: 'detached' });
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(guest.errors, []);
  });
});
