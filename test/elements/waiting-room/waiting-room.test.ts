import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { define, ServerError, type CallcapsErrorEvent, type WaitingParticipant, type WaitingRoom } from '../../../src/core.js';
import { EMPTY, FakeCall, member, MODERATOR, RESTRICTED } from '../fake-call.js';
import { accessibleName, actionable, has, part, parts, settle } from '../helpers.js';

define();

const HOST = ['waiting.admit'];
const knocker = (id: string, name: string, minutesAgo = 0): WaitingParticipant => ({
  id,
  name,
  awaiting: 'full',
  requested_at: Date.now() - minutesAgo * 60_000,
});

async function room(call: FakeCall) {
  return fixture<WaitingRoom>(html`<waiting-room .call=${call}></waiting-room>`);
}

function hostCall(flags: unknown = HOST) {
  const call = new FakeCall(flags);
  call.waiting.next([knocker('k1', 'Kim', 0), knocker('k2', 'Lou', 5)]);
  return call;
}

function lobbyCall() {
  const call = new FakeCall(EMPTY, member({ id: 'me', name: 'Guest' }));
  call.caps.forget();
  call.access.next({ level: 'lobby', awaiting: null });
  return call;
}

const entry = (el: WaitingRoom, id: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="waiting-participant"][data-member-id="${id}"]`)!;

describe('<waiting-room>', () => {
  describe('accessibility', () => {
    it('is accessible as the host face', async () => {
      const el = await room(hostCall());
      await expect(el).to.be.accessible();
    });

    it('is accessible in the lobby: knock form, waiting, denied (dark theme)', async () => {
      const call = lobbyCall();
      const el = await room(call);
      el.theme = 'dark';
      await expect(el).to.be.accessible();
      call.access.next({ level: 'lobby', awaiting: 'full' });
      await el.updateComplete;
      await expect(el).to.be.accessible();
      call.left.next('denied');
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  });

  describe('host face', () => {
    it('lists knockers with their names as text, how long they waited, and a count', async () => {
      const call = hostCall();
      call.waiting.next([...call.waiting.value, knocker('k3', '<img src=x onerror="window.pwned=1">Mal')]);
      const el = await room(call);
      expect(parts(el, 'waiting-participant').map((k) => k.dataset.memberId)).to.deep.equal(['k1', 'k2', 'k3']);
      expect(part(el, 'name', entry(el, 'k3'))!.textContent).to.equal('<img src=x onerror="window.pwned=1">Mal');
      expect(el.shadowRoot!.querySelector('img') === null).to.equal(true);
      expect(part(el, 'waited', entry(el, 'k1'))!.textContent).to.equal('just arrived');
      expect(part(el, 'waited', entry(el, 'k2'))!.textContent).to.equal('waiting for 5 minutes');
      expect(part(el, 'count')!.textContent).to.equal('3 waiting');
      expect(accessibleName(part(el, 'admit', entry(el, 'k1'))!)).to.equal('Admit Kim');
    });

    it('admit, deny, admit-all and deny-all call updateWaiting', async () => {
      const call = hostCall();
      const el = await room(call);
      const press = async (name: string, within?: HTMLElement) => {
        part(el, name, within)!.click();
        await settle(el);
        return call.calls.at(-1);
      };
      expect(await press('admit', entry(el, 'k1'))).to.deep.equal({ method: 'updateWaiting', args: ['k1', true] });
      expect(await press('deny', entry(el, 'k2'))).to.deep.equal({ method: 'updateWaiting', args: ['k2', false] });
      expect(await press('admit-all')).to.deep.equal({ method: 'updateWaiting', args: ['*', true] });
      expect(await press('deny-all')).to.deep.equal({ method: 'updateWaiting', args: ['*', false] });
    });

    it('is live: knockers come, rename and go, and arrivals are announced', async () => {
      const call = hostCall();
      const el = await room(call);
      const announcement = part(el, 'announcement')!;
      expect(announcement.getAttribute('role')).to.equal('status');
      expect(announcement.textContent).to.equal('');
      call.waiting.next([...call.waiting.value, knocker('k3', 'Max')]);
      await el.updateComplete;
      expect(announcement.textContent).to.equal('Max is asking to join');
      call.waiting.next([knocker('k1', 'Kimberly'), knocker('k3', 'Max'), knocker('k4', 'A'), knocker('k5', 'B')]);
      await el.updateComplete;
      expect(announcement.textContent).to.equal('2 people are asking to join');
      expect(part(el, 'name', entry(el, 'k1'))!.textContent).to.equal('Kimberly');
      expect(has(el, 'admit-all')).to.equal(true);
      call.waiting.next([]);
      await el.updateComplete;
      expect(parts(el, 'waiting-participant').length).to.equal(0);
      expect(part(el, 'count')!.textContent).to.equal('0 waiting');
      expect(has(el, 'admit-all')).to.equal(false);
    });

    it('renders nothing without waiting.admit (moderator, restricted, empty flag sets)', async () => {
      for (const flags of [MODERATOR, RESTRICTED, EMPTY]) {
        const el = await room(hostCall(flags));
        expect(el.shadowRoot!.querySelector('button, input') === null, String(flags)).to.equal(true);
      }
    });

    it('nothing is actionable before capabilities are known or while reconnecting; admit follows updates', async () => {
      const call = hostCall();
      call.caps.forget();
      const el = await room(call);
      expect(has(el, 'waiting-participant')).to.equal(false);
      call.caps.update(HOST);
      await el.updateComplete;
      expect(actionable(part(el, 'admit'))).to.equal(true);
      call.connection.next('reconnecting');
      await el.updateComplete;
      // The knockers stay on screen, inert under a banner.
      expect(parts(el, 'waiting-participant').length).to.equal(2);
      expect([...el.shadowRoot!.querySelectorAll<HTMLElement>('button')].some(actionable)).to.equal(false);
      expect(part(el, 'reconnecting')!.textContent).to.contain('Reconnecting');
      call.connection.next('connected');
      call.caps.update([]);
      await el.updateComplete;
      expect(has(el, 'waiting-participant')).to.equal(false);
    });

    it('a refused admit shows the error and emits callcaps-error', async () => {
      const call = hostCall();
      const refusal = new ServerError(4404, 'That person is no longer waiting');
      call.failing.set('updateWaiting', refusal);
      const el = await room(call);
      setTimeout(() => part(el, 'admit', entry(el, 'k1'))!.click());
      const event = (await oneEvent(el, 'callcaps-error')) as CallcapsErrorEvent;
      expect(event.detail).to.deep.equal({ error: refusal, action: 'updateWaiting' });
      await el.updateComplete;
      expect(part(el, 'error')!.textContent).to.contain('That person is no longer waiting');
    });

    it('renders 5,000 knockers', async () => {
      const call = new FakeCall(HOST);
      call.waiting.next(Array.from({ length: 5000 }, (_, i) => knocker(`w${i}`, `W${i}`)));
      const el = await room(call);
      expect(part(el, 'count')!.textContent).to.equal('5,000 waiting');
      await waitUntil(() => parts(el, 'waiting-participant').length === 5000, 'every row rendered', { timeout: 8000 });
    });
  });

  describe('lobby face', () => {
    it('knocks under the name typed, from the keyboard', async () => {
      const call = lobbyCall();
      const el = await room(call);
      const input = part<HTMLInputElement>(el, 'name-input')!;
      expect(input.value).to.equal('Guest');
      input.value = '';
      input.dispatchEvent(new Event('input'));
      await el.updateComplete;
      part(el, 'knock')!.click();
      await settle(el);
      expect(actionable(part(el, 'knock'))).to.equal(false);
      expect(call.calls).to.deep.equal([]);
      input.focus();
      await sendKeys({ type: 'Zoë <b>' });
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(call.calls).to.deep.equal([{ method: 'requestAccess', args: ['Zoë <b>'] }]);
    });

    it('shows the waiting status with cancel, then a denial', async () => {
      const call = lobbyCall();
      const el = await room(call);
      call.access.next({ level: 'lobby', awaiting: 'full' });
      await el.updateComplete;
      expect(part(el, 'status')!.textContent).to.contain('Waiting for the host');
      expect(has(el, 'knock')).to.equal(false);
      part(el, 'cancel')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([{ method: 'leave', args: [] }]);
      call.left.next('denied');
      await el.updateComplete;
      expect(part(el, 'status')!.textContent).to.equal('The host did not let you in.');
      expect(el.shadowRoot!.querySelector('button') === null).to.equal(true);
    });

    it('cannot knock while reconnecting', async () => {
      const call = lobbyCall();
      const el = await room(call);
      call.connection.next('reconnecting');
      await el.updateComplete;
      part(el, 'knock')!.click();
      await settle(el);
      expect(actionable(part(el, 'knock'))).to.equal(false);
      expect(call.calls).to.deep.equal([]);
    });

    it('a refused knock shows the error', async () => {
      const call = lobbyCall();
      call.failing.set('requestAccess', new ServerError(4409, 'The room is full'));
      const el = await room(call);
      part(el, 'knock')!.click();
      await settle(el);
      expect(part(el, 'error')!.textContent).to.contain('The room is full');
    });

    it('strings are localisable', async () => {
      const el = await room(lobbyCall());
      el.strings = { knock: 'Anklopfen' };
      await el.updateComplete;
      expect(part(el, 'knock')!.textContent!.trim()).to.equal('Anklopfen');
    });
  });

  describe('lobby states', () => {
    it('keeps the name already given (attribute or property) and shows the room and that it is private', async () => {
      const call = lobbyCall();
      call.self.next(null);
      call.room.next(null);
      const el = await fixture<WaitingRoom>(html`<waiting-room .call=${call} name="Zoë" room-name="Design review"></waiting-room>`);
      expect(part<HTMLInputElement>(el, 'name-input')!.value).to.equal('Zoë');
      expect(part(el, 'room')!.textContent).to.equal('Design review');
      expect(part(el, 'private')!.textContent).to.contain('Private room');
      expect(part(el, 'lobby')!.dataset.state).to.equal('form');
      el.name = 'Zoé';
      await el.updateComplete;
      expect(part<HTMLInputElement>(el, 'name-input')!.value).to.equal('Zoé');
      part(el, 'knock')!.click();
      await settle(el);
      expect(call.last('requestAccess')!.args).to.deep.equal(['Zoé']);
      await expect(el).to.be.accessible();
    });

    it('one clear state at a time: waiting, then admitted or denied (the denial said once)', async () => {
      const call = lobbyCall();
      const el = await room(call);
      const status = () => part(el, 'status')!.textContent;
      call.access.next({ level: 'lobby', awaiting: 'full' });
      await el.updateComplete;
      expect(part(el, 'lobby')!.dataset.state).to.equal('waiting');
      expect(status()).to.equal('Waiting for the host to let you in…');
      call.access.next({ level: 'full', awaiting: null });
      await el.updateComplete;
      expect(part(el, 'lobby')!.dataset.state).to.equal('admitted');
      expect(status()).to.equal('You are in: a host let you in.');
      await expect(el).to.be.accessible();

      const denied = lobbyCall();
      const other = await room(denied);
      denied.access.next({ level: 'lobby', awaiting: 'full' });
      await other.updateComplete;
      denied.left.next('denied');
      denied.access.next({ level: 'none', awaiting: null });
      await other.updateComplete;
      expect(part(other, 'lobby')!.dataset.state).to.equal('denied');
      const text = other.shadowRoot!.textContent!;
      expect(text.split('The host did not let you in.').length - 1).to.equal(1);
      await expect(other).to.be.accessible();
    });

    it('while reconnecting, the lobby stays (the link forgets the access), inert under a banner', async () => {
      const call = lobbyCall();
      const el = await room(call);
      call.access.next({ level: 'lobby', awaiting: 'full' });
      await el.updateComplete;
      call.connection.next('reconnecting');
      call.access.next({ level: 'unknown', awaiting: null });
      await el.updateComplete;
      expect(part(el, 'lobby')!.dataset.state).to.equal('waiting');
      expect(actionable(part(el, 'cancel'))).to.equal(false);
      expect(part(el, 'reconnecting')!.textContent).to.equal('Reconnecting to the call…');
      await expect(el).to.be.accessible();
    });
  });

  it('the host\'s announcement follows the list: withdrawn once the knocker it names is gone', async () => {
    const call = hostCall();
    const el = await room(call);
    const announcement = part(el, 'announcement')!;
    call.waiting.next([...call.waiting.value, knocker('k3', 'Max')]);
    await el.updateComplete;
    expect(announcement.textContent).to.equal('Max is asking to join');
    call.waiting.next(call.waiting.value.filter((k) => k.id !== 'k3'));
    await el.updateComplete;
    expect(announcement.textContent).to.equal('');
    // Someone else leaving does not touch a current announcement.
    call.waiting.next([...call.waiting.value, knocker('k4', 'Ivy')]);
    await el.updateComplete;
    call.waiting.next(call.waiting.value.filter((k) => k.id !== 'k1'));
    await el.updateComplete;
    expect(announcement.textContent).to.equal('Ivy is asking to join');
  });

  it('knockers read as the panel\'s rows: an initial, the name, how long', async () => {
    const el = await room(hostCall());
    expect(part(el, 'avatar', entry(el, 'k2'))!.textContent).to.equal('L');
    expect(part(el, 'avatar', entry(el, 'k2'))!.getAttribute('aria-hidden')).to.equal('true');
  });

  it('renders nothing for a participant who is in and may not admit, and says so with `empty`', async () => {
    const el = await room(new FakeCall(RESTRICTED));
    expect(el.shadowRoot!.querySelector('button, input') === null).to.equal(true);
    expect(el.hasAttribute('empty')).to.equal(true);
    const host = await room(hostCall());
    expect(host.hasAttribute('empty')).to.equal(false);
  });

  it('removing the element leaves no live subscription', async () => {
    const call = hostCall();
    const el = await room(call);
    expect(call.live).to.be.greaterThan(0);
    el.remove();
    expect(call.live).to.equal(0);
  });
});
