// What happened to the participant: each notice appears once, in the status line (a polite live region).
import { expect, fixture, html } from '@open-wc/testing';
import { define, type CallControls, type Member } from '../../../src/core.js';
import { FakeCall, FULL_PERMISSIONS, member } from '../fake-call.js';
import { part, settle } from '../helpers.js';

define();

// A guest who may speak, use the camera and share; may ask for what it lacks.
const GUEST = ['self', 'screenshare', 'device', 'request'];
const MUTED_GUEST = ['self.mute.audio.on', 'self.mute.video.on', 'self.raisehand', 'device', 'request'];

async function setup(flags: unknown = GUEST, self: Partial<Member> = {}) {
  const me = member({ id: 'me', name: 'Me', ...self });
  const call = new FakeCall(flags, me);
  const el = await fixture<CallControls>(html`<call-controls .call=${call}></call-controls>`);
  const status = part(el, 'status')!;
  /** Every text the status line showed, in order (each one is announced once). */
  const shown: string[] = [];
  new MutationObserver(() => {
    const text = status.textContent ?? '';
    if (text && text !== shown.at(-1)) shown.push(text);
  }).observe(status, { childList: true, subtree: true, characterData: true });
  const update = async (patch: Partial<Member>, flags?: unknown) => {
    call.self.next({ ...call.self.value!, ...patch });
    if (flags) call.caps.update(flags);
    await settle(el);
  };
  return { call, el, status, shown, update };
}

describe('<call-controls> notices', () => {
  it('a host muting the participant reads as such, once; its own mute does not', async () => {
    const { el, status, shown, update } = await setup();
    expect(status.getAttribute('role')).to.equal('status');
    await update({ audio_muted: true });
    expect(status.textContent).to.equal('A host muted your microphone.');
    await update({ handraised: true });
    await update({ video_muted: true });
    expect(shown).to.deep.equal(['A host muted your microphone.', 'A host turned off your camera.']);
    await expect(el).to.be.accessible();
    // Its own unmute clears the notice; its own mute is no news.
    part(el, 'mic')!.click();
    await settle(el);
    await update({ audio_muted: false });
    expect(status.textContent).to.equal('');
    part(el, 'mic')!.click();
    await settle(el);
    await update({ audio_muted: true });
    expect(status.textContent).to.equal('');
    expect(shown.length).to.equal(2);
  });

  it('where the call says who muted (muted_by), a mute the page made itself is no news, a host\'s is', async () => {
    const { status, shown, update } = await setup();
    // The page called call.mute() directly: not through these controls, yet the participant's own.
    await update({ audio_muted: true, muted_by: 'me' });
    expect(status.textContent).to.equal('');
    await update({ audio_muted: false });
    await update({ audio_muted: true, muted_by: 'host-1' });
    expect(status.textContent).to.equal('A host muted your microphone.');
    await update({ video_muted: true, muted_by: 'me' });
    expect(shown).to.deep.equal(['A host muted your microphone.']);
  });

  it('a permission taken and given back', async () => {
    const { status, shown, update } = await setup();
    await update({ audio_muted: true, permissions: { ...FULL_PERMISSIONS, canSend: ['video'] } }, ['self.mute.audio.on', 'self.mute.video', 'self.raisehand', 'screenshare', 'device', 'request']);
    // Taken: the server mutes too, but the permission is the news.
    expect(status.textContent).to.equal('A host no longer lets you speak.');
    await update({ permissions: FULL_PERMISSIONS }, GUEST);
    expect(status.textContent).to.equal('A host lets you speak now.');
    await update({}, ['self', 'device', 'request']);
    expect(status.textContent).to.equal('A host no longer lets you share your screen.');
    await update({ video_muted: true }, ['self.mute.audio', 'self.mute.video.on', 'self.raisehand', 'self.deaf', 'device', 'request']);
    expect(status.textContent).to.equal('A host no longer lets you use your camera.');
    expect(shown.length).to.equal(4);
  });

  it('presence taken and given: one notice, not one per kind of media', async () => {
    const { status, update } = await setup();
    await update({ audio_muted: true, video_muted: true, permissions: { ...FULL_PERMISSIONS, hasPresence: false } }, ['request']);
    expect(status.textContent).to.equal('A host no longer lets you be seen in the call.');
    await update({ permissions: FULL_PERMISSIONS }, GUEST);
    expect(status.textContent).to.equal('A host lets you be seen in the call now.');
  });

  it('a request: sent, then approved (the status clears into the news), or declined', async () => {
    const { call, el, status, shown, update } = await setup(MUTED_GUEST, { audio_muted: true, video_muted: true, permissions: { ...FULL_PERMISSIONS, canSend: [] } });
    part(el, 'mic')!.click();
    call.requests.next([{ member_id: 'me', name: 'Me', permissions: ['audio'], requested_at: 0 }]);
    await settle(el);
    expect(call.last('requestPermissions')!.args).to.deep.equal([['audio']]);
    expect(status.textContent).to.equal('Your request was sent to the hosts');
    // Approved: the permission arrives, then the request goes.
    await update({ permissions: { ...FULL_PERMISSIONS, canSend: ['audio'] } }, [...MUTED_GUEST, 'self.mute.audio']);
    call.requests.next([]);
    await settle(el);
    expect(status.textContent).to.equal('A host lets you speak now.');
    // Later changes never bring the request status back.
    await update({ handraised: true });
    expect(status.textContent).to.equal('A host lets you speak now.');
    // Declined: the request goes without the permission.
    part(el, 'camera')!.click();
    call.requests.next([{ member_id: 'me', name: 'Me', permissions: ['video'], requested_at: 0 }]);
    await settle(el);
    expect(status.textContent).to.equal('Your request was sent to the hosts');
    call.requests.next([]);
    await settle(el);
    expect(status.textContent).to.equal('A host declined your request.');
    expect(shown).to.deep.equal([
      'Your request was sent to the hosts',
      'A host lets you speak now.',
      'Your request was sent to the hosts',
      'A host declined your request.',
    ]);
  });

  it('a new role, and a removal', async () => {
    const { call, el, status, shown, update } = await setup();
    await update({ role: 'moderator' }, ['self', 'member', 'screenshare', 'device', 'lock', 'end']);
    expect(status.textContent).to.equal('A host made you moderator.');
    await update({ role: 'user' }, GUEST);
    expect(status.textContent).to.equal('A host made you user.');
    call.left.next('removed');
    call.self.next(null);
    call.caps.forget();
    await settle(el);
    expect(status.textContent).to.equal('A host removed you from the call.');
    expect(shown.length).to.equal(3);
    await expect(el).to.be.accessible();
  });

  it('what changed while reconnecting is told once back; nothing is told at first sight', async () => {
    const { call, el, status, update } = await setup(GUEST, { audio_muted: true });
    expect(status.textContent).to.equal('');
    call.connection.next('reconnecting');
    call.caps.forget();
    await settle(el);
    expect(el.shadowRoot!.querySelector('.frame')!.hasAttribute('inert')).to.equal(true);
    expect(part(el, 'mic') !== null && part(el, 'leave') !== null).to.equal(true);
    call.connection.next('connected');
    await update({ role: 'moderator' }, ['self', 'member', 'device']);
    expect(status.textContent).to.equal('A host made you moderator.');
    expect(el.shadowRoot!.querySelector('.frame')!.hasAttribute('inert')).to.equal(false);
  });

  it('notices are localisable', async () => {
    const { el, status, update } = await setup();
    el.strings = { mutedByHost: 'Un hôte a coupé votre micro.' };
    await update({ audio_muted: true });
    expect(status.textContent).to.equal('Un hôte a coupé votre micro.');
  });
});
