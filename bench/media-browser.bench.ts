/**
 * Media in the browser: the demo page (`dist/` classic scripts) in Chromium
 * with fake devices, the reference server with its embedded Janus, loopback.
 * - join → first remote video frame: a guest already sends its camera; the
 *   owner opens the page; an init script wraps `srcObject` on media elements
 *   and takes the time of the first `requestVideoFrameCallback` of a remote
 *   video (the frame shown in `<call-stage>`). Printed from navigation and
 *   from `connect()` resolving (the page sets `window.call`).
 * - revocation → last forwarded audio packet: the guest's page keeps a live
 *   microphone on its audio sender (a modified client); the owner's page takes
 *   the time, sends `updateMember(guest, canSend: ['video'])`, and 1.5 s later
 *   reads `lastPacketReceivedTimestamp` of its inbound audio (getStats).
 * `MBB_ROUNDS` (default 5) sets the samples. Needs Janus and `npm run build`;
 * skips otherwise. Figures are printed, never asserted.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { findJanus } from '../packages/server/src/media/janus-process.js';
import { startDemo, type Demo, type Person } from '../test/e2e/harness.js';

const ROUNDS = Number(process.env.MBB_ROUNDS ?? 5);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${percentile(s, 0.5).toFixed(0)} ms  p90 ${percentile(s, 0.9).toFixed(0)} ms  min ${s[0]!.toFixed(0)}  max ${s.at(-1)!.toFixed(0)}  (n=${s.length})`;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs in the page before its scripts: when `connect()` resolved, and the first
 * remote frame shown. A string, so that no compiler helper leaks into the page.
 */
const instrument = `(() => {
  const w = window;
  w.__pcs = [];
  const Native = w.RTCPeerConnection;
  w.RTCPeerConnection = class extends Native {
    constructor(config) { super(config); w.__pcs.push(this); }
  };
  let call;
  Object.defineProperty(window, 'call', {
    configurable: true,
    get: () => call,
    set(value) { call = value; if (!w.__joined) w.__joined = Date.now(); },
  });
  const src = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    get() { return src.get.call(this); },
    set(stream) {
      src.set.call(this, stream);
      const remote = stream && stream.getVideoTracks().some((t) => w.__pcs.some((pc) => pc.getReceivers().some((r) => r.track === t)));
      if (remote && this instanceof HTMLVideoElement) this.requestVideoFrameCallback(() => { if (!w.__firstFrame) w.__firstFrame = Date.now(); });
    },
  });
})()`;

async function turnOn(page: Page, part: string): Promise<void> {
  await page.locator(`#controls [part~="${part}"]:not([data-mode="request"])`).click();
  await page.locator(`#controls [part~="${part}"][data-state="on"]`).waitFor();
}

const memberId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => (window as any).call.self$.subscribe((m: any) => m && resolve(m.id))));

async function firstFrame(demo: Demo): Promise<{ fromNavigation: number[]; fromJoin: number[] }> {
  const out = { fromNavigation: [] as number[], fromJoin: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const room = `bench-frame-${i}`;
    await demo.api('POST', '/v1/rooms', { name: room, privacy: 'public' });
    const guest = await demo.open(demo.link(room, { name: 'Guest' }), instrument);
    await turnOn(guest.page, 'camera');
    await sleep(500);
    const start = Date.now();
    const owner = await demo.open(demo.link(room, { token: await demo.ownerToken(room), name: 'Ada' }), instrument);
    await owner.page.waitForFunction(() => (window as any).__firstFrame, undefined, { timeout: 20_000 });
    const [joined, frame] = await owner.page.evaluate(() => [(window as any).__joined as number, (window as any).__firstFrame as number]);
    out.fromNavigation.push(frame - start);
    out.fromJoin.push(frame - joined);
    await owner.context.close();
    await guest.context.close();
  }
  return out;
}

async function revocation(demo: Demo): Promise<number[]> {
  const out: number[] = [];
  const room = 'bench-revoke';
  await demo.api('POST', '/v1/rooms', { name: room, privacy: 'public' });
  const owner = await demo.open(demo.link(room, { token: await demo.ownerToken(room), name: 'Ada' }), instrument);
  const guest: Person = await demo.open(demo.link(room, { name: 'Guest' }), instrument);
  await owner.page.locator('#tiles .tile', { hasText: 'Guest' }).waitFor();
  const id = await memberId(guest.page);
  const audioIn = () =>
    owner.page.evaluate(async () => {
      let bytes = 0;
      let last = 0;
      for (const pc of (window as any).__pcs as RTCPeerConnection[]) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s: any) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') {
            bytes += s.bytesReceived ?? 0;
            last = Math.max(last, s.lastPacketReceivedTimestamp ?? 0);
          }
        });
      }
      return { bytes, last };
    });
  for (let i = 0; i < ROUNDS; i++) {
    await owner.page.evaluate((g) => (window as any).call.updateMember(g, { permissions: { canSend: true } }), id);
    await guest.page.locator('#controls [part~="mic"]:not([data-mode="request"])').waitFor();
    await turnOn(guest.page, 'mic');
    // Audio flowing at the owner.
    for (let b = (await audioIn()).bytes, t = 0; t < 100; t++) {
      await sleep(100);
      const now = (await audioIn()).bytes;
      if (now > b && b > 0) break;
      b = now;
    }
    // The modified client: a live microphone stays on the audio sender whatever the library does.
    await guest.page.evaluate(async () => {
      const w = window as any;
      const pc = (w.__pcs as RTCPeerConnection[]).find((p) => p.connectionState !== 'closed' && p.getTransceivers().some((t) => t.direction === 'sendonly'))!;
      const sender = pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio')!.sender;
      const track = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0]!;
      await sender.replaceTrack(track);
      w.__rogue = setInterval(() => sender.track !== track && sender.replaceTrack(track), 20);
      w.__rogueTrack = track;
    });
    const revokedAt = await owner.page.evaluate(async (g) => {
      const t = performance.timeOrigin + performance.now();
      await (window as any).call.updateMember(g, { permissions: { canSend: ['video'] } });
      return t;
    }, id);
    await sleep(1500);
    const { last } = await audioIn();
    out.push(last - revokedAt);
    await guest.page.evaluate(() => {
      const w = window as any;
      clearInterval(w.__rogue);
      w.__rogueTrack.stop();
    });
  }
  await owner.context.close();
  await guest.context.close();
  return out;
}

export async function run(): Promise<void> {
  console.log('\n## Media in the browser (Chromium, fake devices, embedded Janus, loopback)');
  if (findJanus().path === null) return console.log('skipped: no janus binary (install Debian janus or set JANUS_PATH)');
  if (!existsSync('dist/callcaps-media.iife.js')) return console.log('skipped: run `npm run build` first (the demo page loads dist/)');
  const demo = await startDemo({ media: 'auto' });
  try {
    const frames = await firstFrame(demo);
    console.log('method: a guest sends its fake camera; the owner opens the demo page; the first requestVideoFrameCallback of the remote video in <call-stage>');
    console.log(`join → first remote video frame, from navigation:        ${summary(frames.fromNavigation)}`);
    console.log(`join → first remote video frame, from connect() resolved: ${summary(frames.fromJoin)}`);
    const revoked = await revocation(demo);
    console.log("method: the guest's page keeps a live microphone on its sender; the owner's page times updateMember(canSend: ['video']) and reads its inbound audio's lastPacketReceivedTimestamp 1.5 s later");
    console.log(`revocation → last forwarded audio packet at the owner: ${summary(revoked)}`);
  } finally {
    await demo.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
