/**
 * <call-stage> against a fake Call whose media are synthetic: a canvas
 * `captureStream()` for video and screens, a WebAudio oscillator for audio.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { CSSResult, LitElement } from 'lit';
import { BehaviorSubject } from 'rxjs';
import { CallStage, defineStage } from '../../../src/callcaps-media.js';
import type { CallMedia, MediaState, MemberTracks } from '../../../src/core.js';
import { FakeCall, MODERATOR, member, room } from '../fake-call.js';
import { part, parts } from '../helpers.js';

defineStage();

/** A live video track drawn on a canvas (a few frames a second). */
function videoTrack(color = '#3a7'): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  const g = canvas.getContext('2d')!;
  const draw = () => {
    g.fillStyle = color;
    g.fillRect(0, 0, 160, 90);
    g.fillStyle = '#fff';
    g.fillRect((performance.now() / 10) % 160, 30, 20, 20);
  };
  draw();
  const timer = setInterval(draw, 50);
  const track = canvas.captureStream(20).getVideoTracks()[0]!;
  track.addEventListener('ended', () => clearInterval(timer));
  cleanup.push(() => {
    clearInterval(timer);
    track.stop();
  });
  return track;
}

/** A loud (or silent) audio track from an oscillator. */
function audioTrack(gain = 0.5): MediaStreamTrack {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const amp = ctx.createGain();
  amp.gain.value = gain;
  const out = ctx.createMediaStreamDestination();
  osc.connect(amp).connect(out);
  osc.start();
  void ctx.resume();
  cleanup.push(() => {
    osc.stop();
    void ctx.close();
  });
  return out.stream.getAudioTracks()[0]!;
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** A fake `call.media`: subjects the tests push. */
class FakeMedia implements CallMedia {
  readonly state = new BehaviorSubject<MediaState>('on');
  readonly streams = new BehaviorSubject<ReadonlyMap<string, MemberTracks>>(new Map());
  readonly local = new BehaviorSubject<MemberTracks>({});
  readonly state$ = this.state.asObservable();
  readonly streams$ = this.streams.asObservable();
  readonly local$ = this.local.asObservable();
  readonly preview$ = new BehaviorSubject<MediaStream | null>(null).asObservable();
  readonly devices$ = new BehaviorSubject<readonly MediaDeviceInfo[]>([]).asObservable();
  readonly selected$ = new BehaviorSubject({ audioinput: '', videoinput: '', audiooutput: '' }).asObservable();
  selectDevice = async () => {};
  stop = () => {};
}

const me = member({ id: 'me', name: 'Me', audio_muted: true, video_muted: true });
const ada = member({ id: 'ada', name: 'Ada', owner: true });
const bob = member({ id: 'bob', name: 'Bob', audio_muted: true, handraised: true });
const ghost = member({ id: 'ghost', name: 'Ghost', permissions: { ...ada.permissions, hasPresence: false } });

async function stage(members = [me, ada, bob]) {
  const call = new FakeCall(MODERATOR, me);
  call.participants.next(members);
  const media = new FakeMedia();
  call.media = media;
  const el = await fixture<CallStage>(html`<call-stage .call=${call}></call-stage>`);
  return { el, call, media };
}

const tile = (el: CallStage, id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-member-id="${id}"]`);
const badges = (el: CallStage, id: string) => parts(el, 'badge', tile(el, id)!).map((b) => b.textContent!.trim());

describe('<call-stage>', () => {
  it('registers under its default tag, a prefix or a map, and registering twice never throws', () => {
    defineStage();
    defineStage();
    expect(customElements.get('call-stage')).to.equal(CallStage);
    defineStage('acme');
    defineStage({ 'call-stage': 'big-stage' });
    expect(customElements.get('acme-call-stage')!.prototype).to.be.instanceOf(CallStage);
    expect(customElements.get('big-stage')!.prototype).to.be.instanceOf(CallStage);
  });

  it('is accessible, in the grid and in the speaker layout', async () => {
    const { el, call, media } = await stage();
    media.streams.next(new Map([['ada', { video: videoTrack() }]]));
    await el.updateComplete;
    await expect(el).to.be.accessible();
    call.room.next(room({ layout: 'speaker' }));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('shows a tile per member it may see: name, avatar or video, badges; nothing for hidden members', async () => {
    const { el, media } = await stage([me, ada, bob, ghost]);
    expect(parts(el, 'tile').map((t) => t.dataset.memberId)).to.deep.equal(['me', 'ada', 'bob']);
    expect(tile(el, 'ghost')).to.equal(null);
    expect(part(el, 'name', tile(el, 'me')!)!.textContent).to.equal('Me (you)');
    expect(tile(el, 'me')!.hasAttribute('data-self')).to.equal(true);
    // No media yet: avatars with the initial.
    expect(part(el, 'avatar', tile(el, 'ada')!)!.textContent).to.equal('A');
    expect(badges(el, 'ada')).to.deep.equal(['Owner', 'Mic on']);
    expect(badges(el, 'bob')).to.deep.equal(['✋ Hand raised', 'Muted']);

    const video = videoTrack();
    media.streams.next(new Map([['ada', { video }]]));
    await el.updateComplete;
    const v = part<HTMLVideoElement>(el, 'video', tile(el, 'ada')!)!;
    expect((v.srcObject as MediaStream).getVideoTracks()[0]).to.equal(video);
    expect(part(el, 'avatar', tile(el, 'ada')!)).to.equal(null);
    await waitUntil(() => v.videoWidth > 0, 'frames reach the tile');
    // The local participant's tile shows its own camera.
    const mine = videoTrack('#a37');
    media.local.next({ video: mine });
    call(el).self.next({ ...me, video_muted: false });
    await el.updateComplete;
    expect((part<HTMLVideoElement>(el, 'video', tile(el, 'me')!)!.srcObject as MediaStream).getVideoTracks()[0]).to.equal(mine);
  });

  it('keeps a tile stable across renders (the same video element and stream)', async () => {
    const { el, media, call: c } = await stage();
    media.streams.next(new Map([['ada', { video: videoTrack() }]]));
    await el.updateComplete;
    const before = part<HTMLVideoElement>(el, 'video', tile(el, 'ada')!)!;
    const stream = before.srcObject;
    c.participants.next([me, { ...ada, handraised: true }, bob]);
    await el.updateComplete;
    const after = part<HTMLVideoElement>(el, 'video', tile(el, 'ada')!)!;
    expect(after).to.equal(before);
    expect(after.srcObject).to.equal(stream);
  });

  it('caps the tiles at max-tiles: self, video, raised hands first, and the last tile counts the rest', async () => {
    const crowd = Array.from({ length: 60 }, (_, i) =>
      member({ id: `c${i}`, name: `Crowd ${i}`, audio_muted: true, video_muted: i !== 45, handraised: i === 50 }));
    const { el, media } = await stage([me, ...crowd]);
    media.streams.next(new Map([['c45', { video: videoTrack() }]]));
    await el.updateComplete;
    const cells = () => parts(el, 'tile').map((t) => t.dataset.memberId ?? t.getAttribute('part'));
    expect(cells().length, 'the default: 25 cells').to.equal(25);
    expect(cells().slice(0, 4)).to.deep.equal(['me', 'c45', 'c50', 'c0']);
    expect(cells().at(-1)).to.equal('tile more');
    expect(part(el, 'more')!.textContent).to.equal('+37 more');
    el.setAttribute('max-tiles', '5');
    await el.updateComplete;
    expect(cells()).to.deep.equal(['me', 'c45', 'c50', 'c0', 'tile more']);
    expect(part(el, 'more')!.textContent).to.equal('+57 more');
    el.maxTiles = 100;
    await el.updateComplete;
    expect([cells().length, part(el, 'more')]).to.deep.equal([61, null]);
    expect(cells().slice(0, 3), 'call order when all fit').to.deep.equal(['me', 'c0', 'c1']);
    await expect(el).to.be.accessible();
  });

  it("hides video-muted members while the room hides them, never the local participant's own tile", async () => {
    const { el, call: c } = await stage([me, { ...ada, video_muted: true }, { ...bob, video_muted: false }]);
    expect(parts(el, 'tile').length).to.equal(3);
    c.room.next(room({ vmuted_hidden: true }));
    await el.updateComplete;
    expect(parts(el, 'tile').map((t) => t.dataset.memberId)).to.deep.equal(['me', 'bob']);
    // Still heard.
    (el.call!.media as FakeMedia).streams.next(new Map([['ada', { audio: audioTrack(0.1) }]]));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('audio').length).to.equal(1);
  });

  it('shows a reconnecting member, and a hidden local participant marked so', async () => {
    const hiddenMe = { ...me, permissions: { ...me.permissions, hasPresence: false } };
    const { el, call: c } = await stage([hiddenMe, { ...ada, reconnecting: true }]);
    c.self.next(hiddenMe);
    await el.updateComplete;
    expect(badges(el, 'ada')).to.include('Reconnecting…');
    expect(badges(el, 'me')).to.include('Hidden');
  });

  it('shows a screen share as its own, larger tile', async () => {
    const { el, media, call: c } = await stage();
    c.participants.next([me, { ...ada, screenshare: true }, bob]);
    media.streams.next(new Map([['ada', { video: videoTrack(), screen: videoTrack('#ccc') }]]));
    await el.updateComplete;
    const screen = part(el, 'screen-tile')!;
    expect(screen.dataset.memberId).to.equal('ada');
    expect(screen.textContent).to.contain('Ada is presenting');
    const camera = tile(el, 'ada')!.getBoundingClientRect();
    const shared = screen.getBoundingClientRect();
    expect(shared.width * shared.height).to.be.greaterThan(2 * camera.width * camera.height);
    // Its track is not shown once the member stops sharing.
    c.participants.next([me, ada, bob]);
    await el.updateComplete;
    expect(part(el, 'screen-tile')).to.equal(null);
  });

  it("follows the room's layout: grid, or speaker with a main tile; the layout attribute overrides it", async () => {
    const { el, call: c } = await stage();
    expect(part(el, 'stage')!.dataset.layout).to.equal('grid');
    expect(part(el, 'main')).to.equal(null);
    c.room.next(room({ layout: 'speaker' }));
    await el.updateComplete;
    expect(part(el, 'stage')!.dataset.layout).to.equal('speaker');
    const main = part(el, 'main')!;
    expect(main.dataset.memberId).to.equal('ada', 'the first other member, before anyone spoke');
    expect(main.getBoundingClientRect().width).to.be.greaterThan(tile(el, 'me')!.getBoundingClientRect().width * 1.5);
    el.layout = 'grid';
    await el.updateComplete;
    expect(part(el, 'stage')!.dataset.layout).to.equal('grid');
  });

  it('pins a tile from the keyboard in the speaker layout', async () => {
    const { el, call: c } = await stage();
    c.room.next(room({ layout: 'speaker' }));
    await el.updateComplete;
    const pin = part<HTMLButtonElement>(el, 'pin', tile(el, 'bob')!)!;
    expect(pin.getAttribute('aria-pressed')).to.equal('false');
    pin.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(part(el, 'main')!.dataset.memberId).to.equal('bob');
    expect(part(el, 'pin', tile(el, 'bob')!)!.getAttribute('aria-pressed')).to.equal('true');
  });

  it('marks a member speaking from the level of its audio, and not a silent or muted one', async () => {
    const { el, media, call: c } = await stage([me, ada, { ...bob, audio_muted: false }]);
    media.streams.next(new Map([['ada', { audio: audioTrack(0.5) }], ['bob', { audio: audioTrack(0) }]]));
    await waitUntil(() => tile(el, 'ada')!.hasAttribute('data-speaking'), 'Ada speaks', { timeout: 3000 });
    expect(badges(el, 'ada')).to.include('Speaking');
    expect(tile(el, 'bob')!.hasAttribute('data-speaking')).to.equal(false);
    // Muted: not speaking, whatever its track carries.
    c.participants.next([me, { ...ada, audio_muted: true }, bob]);
    await waitUntil(() => !tile(el, 'ada')!.hasAttribute('data-speaking'), 'muted: not speaking', { timeout: 3000 });
    // Remote audio plays (hidden <audio> elements), never the local participant's own.
    expect(el.shadowRoot!.querySelectorAll('audio').length).to.equal(2);
  });

  it('says when media is unavailable, and still shows every tile with avatars', async () => {
    const { el, media } = await stage();
    media.state.next('unavailable');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('not available');
    expect(parts(el, 'avatar').length).to.equal(3);
  });

  it('works without media (a Call with no media surface) and releases its subscriptions when removed', async () => {
    const call = new FakeCall(MODERATOR, me);
    call.participants.next([me, ada]);
    const el = await fixture<CallStage>(html`<call-stage .call=${call}></call-stage>`);
    expect(parts(el, 'tile').length).to.equal(2);
    expect(call.live).to.be.greaterThan(0);
    el.remove();
    expect(call.live).to.equal(0);
  });

  it('uses what it defines or documents of CSS custom properties, and documents its parts', async () => {
    const manifest = await (await fetch('/custom-elements.json')).json();
    const declaration = manifest.modules.flatMap((m: any) => m.declarations ?? []).find((d: any) => d.tagName === 'call-stage');
    expect(declaration, 'call-stage is in custom-elements.json').to.not.equal(undefined);
    const documented: string[] = (declaration.cssProperties ?? []).map((p: any) => p.name);
    const css = [CallStage.styles].flat(Infinity as 1).map((s) => (s as CSSResult).cssText).join('\n');
    const used = new Set([...css.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]!));
    const defined = new Set([...css.matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]!));
    expect([...used].filter((n) => !defined.has(n) && !documented.includes(n)), 'used but neither defined nor documented').to.deep.equal([]);
    expect([...defined].filter((n) => !used.has(n)), 'defined but unused').to.deep.equal([]);
    expect(documented.filter((n) => !used.has(n)), 'documented but unused').to.deep.equal([]);

    const { el, media, call: c } = await stage();
    c.room.next(room({ layout: 'speaker' }));
    c.participants.next([me, { ...ada, screenshare: true, reconnecting: true }, bob]);
    media.streams.next(new Map([['ada', { video: videoTrack(), screen: videoTrack() }]]));
    media.state.next('unavailable');
    await el.updateComplete;
    const documentedParts: string[] = (declaration.cssParts ?? []).map((p: any) => p.name);
    const shown = new Set([...el.shadowRoot!.querySelectorAll('[part]')].flatMap((n) => n.getAttribute('part')!.split(/\s+/)));
    expect([...shown].filter((p) => !documentedParts.includes(p))).to.deep.equal([]);
    void (el as LitElement);
  });
});

/** The fake call behind an element (for pushing self$). */
function call(el: CallStage): FakeCall {
  return el.call as unknown as FakeCall;
}
