/**
 * BrowserMedia against a fake server: real RTCPeerConnections in Chromium, the
 * server's side played by another RTCPeerConnection that answers offers, and
 * captures from a canvas and an oscillator. What is checked: the media.* the
 * browser sends, what it captures and puts on its senders, and when.
 */
import { expect, waitUntil as waitUntilDefault } from '@open-wc/testing';

// Generous bounds: new PeerConnections and their negotiation take longer on a loaded machine than the default 1 s.
const waitUntil = (check: () => boolean, message?: string, options: { timeout?: number } = {}) =>
  waitUntilDefault(check, message, { timeout: 5000, ...options });
import { BehaviorSubject, Subject } from 'rxjs';
import { BrowserMedia } from '../../src/media/index.js';
import { SelfCapabilities, ServerError, type ConnectionState, type LeftReason, type Member } from '../../src/core.js';
import { member } from '../elements/fake-call.js';

const SENDER = ['self', 'screenshare', 'device'];
const LISTENER = ['self.mute.audio.on', 'self.mute.video.on', 'device'];

class FakeServer {
  readonly self = new BehaviorSubject<Member | null>(member({ id: 'me', audio_muted: true, video_muted: true }));
  readonly capabilities = new SelfCapabilities(SENDER);
  readonly connection = new BehaviorSubject<ConnectionState>('connected');
  readonly left = new BehaviorSubject<LeftReason | null>(null);
  readonly signals$ = new Subject<{ method: string; params: any }>();
  readonly sent: { method: string; params: any }[] = [];
  /** The answering side of the publication (stands in for Janus). */
  sfu: RTCPeerConnection | null = null;
  media = true;
  get self$() { return this.self.asObservable(); }
  get connection$() { return this.connection.asObservable(); }
  get left$() { return this.left.asObservable(); }
  stopScreenshare = async () => {
    this.sent.push({ method: 'call.screenshare.stop', params: {} });
  };

  async signal(method: string, params: any): Promise<any> {
    this.sent.push({ method, params });
    if (!this.media) throw new ServerError(4503, 'media is off on this server');
    if (method === 'media.publish') {
      this.sfu?.close();
      const sfu = (this.sfu = new RTCPeerConnection());
      await sfu.setRemoteDescription(params.jsep);
      await sfu.setLocalDescription(await sfu.createAnswer());
      return { jsep: sfu.localDescription!.toJSON(), streams: [] };
    }
    return {};
  }

  methods(): string[] {
    return this.sent.map((s) => s.method).filter((m) => m !== 'media.trickle');
  }

  update(patch: Partial<Member>): void {
    this.self.next({ ...this.self.value!, ...patch });
  }
}

let captures: string[] = [];
let live: MediaStreamTrack[] = [];
function fakeCapture(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (constraints.audio) {
    captures.push('audio');
    const ctx = new AudioContext();
    const out = ctx.createMediaStreamDestination();
    ctx.createOscillator().connect(out);
    live.push(...out.stream.getTracks());
    return Promise.resolve(out.stream);
  }
  captures.push('video');
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')!.fillRect(0, 0, 10, 10);
  const stream = canvas.captureStream(5);
  live.push(...stream.getTracks());
  return Promise.resolve(stream);
}
function fakeScreen(): Promise<MediaStream> {
  captures.push('screen');
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')!.fillRect(0, 0, 10, 10);
  const stream = canvas.captureStream(5);
  live.push(...stream.getTracks());
  return Promise.resolve(stream);
}

let server: FakeServer;
let media: BrowserMedia;
function start(flags = SENDER): void {
  server = new FakeServer();
  server.capabilities.update(flags);
  media = new BrowserMedia(server as any, { getUserMedia: fakeCapture, getDisplayMedia: fakeScreen, retry: 50 });
}
const publishes = () => server.sent.filter((s) => s.method === 'media.publish');
const sections = (sdp: string) => [...sdp.matchAll(/^m=(audio|video).*\r?\n(?:(?!m=)[^\n]*\n)*?a=(sendonly|inactive|recvonly|sendrecv)/gm)].map((m) => `${m[1]}:${m[2]}`);

afterEach(() => {
  media?.stop();
  server?.sfu?.close();
  for (const t of live) t.stop();
  live = [];
  captures = [];
});

describe('BrowserMedia', () => {
  it('subscribes, and publishes what is granted without capturing anything while the member is muted', async () => {
    start();
    await waitUntil(() => publishes().length === 1, 'publishes');
    expect(server.methods().slice(0, 2)).to.deep.equal(['media.subscribe', 'media.publish']);
    expect(sections(publishes()[0]!.params.jsep.sdp)).to.deep.equal(['audio:sendonly', 'video:sendonly']);
    expect(captures).to.deep.equal([], 'muted: no device is opened');
  });

  it('captures and sends the microphone only once the member unmutes (a grant alone starts nothing), and releases it on mute', async () => {
    start(LISTENER);
    await waitUntil(() => server.methods().includes('media.subscribe'));
    await new Promise((r) => setTimeout(r, 100));
    expect(publishes().length, 'nothing to publish without a send grant').to.equal(0);
    // The grant arrives (request mode): a section, still no capture.
    server.capabilities.update(SENDER);
    await waitUntil(() => publishes().length === 1, 'publishes once granted');
    expect(captures).to.deep.equal([]);
    // The participant unmutes: the microphone is captured and goes on the sender.
    server.update({ audio_muted: false });
    let local: { audio?: MediaStreamTrack } = {};
    const sub = media.local$.subscribe((l) => (local = l));
    await waitUntil(() => !!local.audio, 'the microphone is live');
    expect(captures).to.deep.equal(['audio']);
    await waitUntil(() => server.sfu!.getTransceivers().some((t) => t.receiver.track.kind === 'audio'));
    expect(publishes().length, 'no renegotiation for an unmute').to.equal(1);
    const track = local.audio!;
    server.update({ audio_muted: true });
    await waitUntil(() => !local.audio, 'released on mute');
    expect(track.readyState).to.equal('ended');
    sub.unsubscribe();
  });

  it('renegotiates a screen share as a declared screenVideo section, and drops it when sharing stops', async () => {
    start();
    await waitUntil(() => publishes().length === 1);
    server.update({ screenshare: true });
    await waitUntil(() => publishes().length === 2, 'renegotiates with the screen');
    const kinds = publishes()[1]!.params.kinds as Record<string, string>;
    expect(Object.values(kinds)).to.deep.equal(['screenVideo']);
    expect(captures).to.deep.equal(['screen']);
    server.update({ screenshare: false });
    await waitUntil(() => publishes().length === 3, 'renegotiates without it');
    expect(publishes()[2]!.params.kinds).to.equal(undefined);
  });

  it('fails closed on 4503: nothing sent or received, state unavailable, asks again later', async () => {
    server = new FakeServer();
    server.media = false;
    media = new BrowserMedia(server as any, { getUserMedia: fakeCapture, retry: 50 });
    const states: string[] = [];
    media.state$.subscribe((s) => states.push(s));
    await waitUntil(() => states.includes('unavailable'));
    expect(publishes().length).to.equal(0);
    server.media = true;
    await waitUntil(() => publishes().length === 1, 'publishes once media is back', { timeout: 5000 });
    await waitUntil(() => states.at(-1) === 'on');
    expect(states.slice(states.indexOf('unavailable')), 'no flicker while it asks again').to.deep.equal(['unavailable', 'on']);
  });

  it('starts over on media.reset and after a reconnection (unpublish, new PeerConnections)', async () => {
    start();
    await waitUntil(() => publishes().length === 1);
    server.sent.length = 0;
    server.signals$.next({ method: 'media.reset', params: { reason: 'media-server-restarted' } });
    await waitUntil(() => server.methods().includes('media.publish') && server.methods().includes('media.subscribe'), 'reset: publish and subscribe again');
    server.sent.length = 0;
    server.connection.next('reconnecting');
    server.connection.next('connected');
    await waitUntil(() => server.methods().includes('media.publish'), 'reconnected: publish again');
    expect(server.methods()).to.deep.equal(['media.unpublish', 'media.subscribe', 'media.publish']);
  });

  it('stops every track and closes its connections when the call is left', async () => {
    start();
    server.update({ audio_muted: false, video_muted: false });
    let local: { audio?: MediaStreamTrack; video?: MediaStreamTrack } = {};
    media.local$.subscribe((l) => (local = l));
    await waitUntil(() => !!local.audio && !!local.video);
    const tracks = [local.audio!, local.video!];
    server.self.next(null);
    server.left.next('left');
    expect(tracks.map((t) => t.readyState)).to.deep.equal(['ended', 'ended']);
    expect(local).to.deep.equal({ audio: undefined, video: undefined, screen: undefined });
  });
});
