import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { define, ServerError, type CallcapsErrorEvent, type Gating, type Member, type PermissionsPanel } from '../../../src/core.js';
import { EMPTY, FakeCall, member, MODERATOR, RESTRICTED, withRoster } from '../fake-call.js';
import { accessibleName, actionable, description, has, part, parts, settle } from '../helpers.js';

define();

/** What a row's menu may hold, in order. */
const MENU_CONTROLS = ['mute-audio', 'mute-video', 'presence', 'send-audio', 'send-video', 'send-screen', 'admin', 'role', 'remove'];

const ME = member({ id: 'me', name: 'Me' });
const ANA = member({ id: 'ana', name: 'Ana' });
const BOB = member({ id: 'bob', name: 'Bob', audio_muted: true });
const OWEN = member({ id: 'owen', name: 'Owen', owner: true });

function callWith(flags: unknown, members: Member[] = [ANA, BOB, OWEN], self: Member = ME) {
  const call = new FakeCall(flags, self);
  call.participants.next([self, ...members]);
  return call;
}

async function panel(call: FakeCall | undefined, gating: Gating = 'hide') {
  return fixture<PermissionsPanel>(html`<permissions-panel .call=${call} gating=${gating}></permissions-panel>`);
}

const row = (el: PermissionsPanel, id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-member-id="${id}"]`);
const inline = (el: PermissionsPanel, id: string, name: string) => part(el, name, row(el, id)!);
const ids = (el: PermissionsPanel) => parts(el, 'participant').map((r) => r.dataset.memberId);
const menu = (el: PermissionsPanel) => part(el, 'menu');
const item = (el: PermissionsPanel, name: string) => part(el, name, menu(el)!);
const active = (el: PermissionsPanel) => el.shadowRoot!.activeElement as HTMLElement | null;

/** Opens a row's menu (or everyone's, with `*`) by click and returns it. */
async function openMenu(el: PermissionsPanel, id: string): Promise<HTMLElement> {
  (id === '*' ? part(el, 'everyone') : inline(el, id, 'more'))!.click();
  await settle(el);
  return menu(el)!;
}

/** The parts a row offers: inline, and in its menu (opened and closed again). */
async function offered(el: PermissionsPanel, id: string, live = false): Promise<string[]> {
  const found = new Set<string>();
  const look = (within: Element) => {
    for (const name of MENU_CONTROLS) {
      const control = part(el, name, within);
      if (control && (!live || actionable(control) || name === 'role')) found.add(name);
    }
  };
  look(row(el, id)!);
  if (inline(el, id, 'more')) {
    const m = await openMenu(el, id);
    look(m);
    if (live && part(el, 'role', m) && !parts(el, 'role-option', m).some(actionable)) found.delete('role');
    inline(el, id, 'more')!.click();
    await settle(el);
  }
  return MENU_CONTROLS.filter((name) => found.has(name));
}

describe('<permissions-panel>', () => {
  describe('accessibility', () => {
    it('is accessible for a moderator with participants and requests', async () => {
      const call = callWith(MODERATOR, [ANA, BOB, OWEN, member({ id: 'hal', name: 'Hal', handraised: true, screenshare: true })]);
      call.requests.next([{ member_id: 'ana', name: 'Ana', permissions: ['audio', 'screenshare'], requested_at: Date.now() }]);
      const el = await panel(call);
      await expect(el).to.be.accessible();
    });

    it('is accessible with a row menu open, and with everyone’s menu open', async () => {
      const el = await panel(callWith(MODERATOR));
      await openMenu(el, 'ana');
      await expect(el).to.be.accessible();
      await openMenu(el, '*');
      await expect(el).to.be.accessible();
    });

    it('is accessible disabled, with a confirmation open, in dark theme', async () => {
      const call = callWith(['member.mute.audio.on', 'member.remove']);
      const el = await panel(call, 'disable');
      el.theme = 'dark';
      await openMenu(el, 'ana');
      item(el, 'remove')!.click();
      await settle(el);
      expect(has(el, 'remove-confirm')).to.equal(true);
      await expect(el).to.be.accessible();
      part(el, 'remove-cancel')!.click();
      await settle(el);
      await openMenu(el, 'owen');
      expect(parts(el, 'remove', menu(el)!).map(actionable)).to.deep.equal([false]);
      await expect(el).to.be.accessible();
    });
  });

  describe('gating', () => {
    it('renders nothing for the restricted and the empty flag sets, or before known', async () => {
      for (const flags of [RESTRICTED, EMPTY]) {
        const el = await panel(callWith(flags), 'disable');
        expect(el.shadowRoot!.querySelector('button, select, input') === null, String(flags)).to.equal(true);
      }
      const call = callWith(MODERATOR);
      call.caps.forget();
      const el = await panel(call);
      expect(has(el, 'participant')).to.equal(false);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(parts(el, 'participant').length).to.equal(3);
    });

    it('while reconnecting, the list stays on screen, inert under a banner: nothing is actionable', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      call.connection.next('reconnecting');
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['ana', 'bob', 'owen']);
      const controls = [...el.shadowRoot!.querySelectorAll<HTMLElement>('button, input')];
      expect(controls.length > 0 && controls.every((c) => !actionable(c))).to.equal(true);
      expect(part(el, 'reconnecting')!.getAttribute('role')).to.equal('status');
      expect(part(el, 'reconnecting')!.textContent).to.equal('Reconnecting to the call…');
      await expect(el).to.be.accessible();
      call.connection.next('connected');
      await el.updateComplete;
      expect(part(el, 'reconnecting')!.textContent).to.equal('');
      expect(actionable(inline(el, 'ana', 'more'))).to.equal(true);
    });

    it('a moderator gets every action on a non-owner, none on an owner, and no row for itself', async () => {
      const el = await panel(callWith(MODERATOR));
      expect(ids(el)).to.deep.equal(['ana', 'bob', 'owen']);
      expect(await offered(el, 'ana', true)).to.deep.equal(MENU_CONTROLS);
      // Muted Bob: the moderator flags hold member.mute.audio.off, so the inline control unmutes.
      expect(await offered(el, 'bob', true)).to.deep.equal(MENU_CONTROLS);
      expect(inline(el, 'bob', 'mute-audio')!.textContent!.trim()).to.equal('Unmute');
      expect(await offered(el, 'owen')).to.deep.equal([]);
      expect(!!inline(el, 'owen', 'more')).to.equal(false);
    });

    it('disable: actions on an owner are disabled, each with the rule that refuses it', async () => {
      const el = await panel(callWith(MODERATOR), 'disable');
      expect(await offered(el, 'owen')).to.deep.equal(MENU_CONTROLS);
      expect(await offered(el, 'owen', true)).to.deep.equal([]);
      const mute = inline(el, 'owen', 'mute-audio')!;
      expect(description(mute)).to.equal('Nobody but an owner changes an owner');
      expect(mute.title).to.equal('Nobody but an owner changes an owner');
      await openMenu(el, 'owen');
      for (const name of ['presence', 'admin', 'role-option', 'remove']) {
        expect(description(item(el, name)!), name).to.equal('Nobody but an owner changes an owner');
      }
    });

    it('an owner may act on an owner', async () => {
      const el = await panel(callWith(MODERATOR, [OWEN], member({ id: 'me', owner: true })));
      expect(await offered(el, 'owen', true)).to.deep.equal(MENU_CONTROLS);
    });

    it('remote unmute only with member.muteAudio.off; otherwise the reason names the rule', async () => {
      let el = await panel(callWith(['member.mute.audio.on']));
      expect(await offered(el, 'ana')).to.deep.equal(['mute-audio']);
      expect(await offered(el, 'bob')).to.deep.equal([]);
      el = await panel(callWith(['member.mute.audio.on']), 'disable');
      const unmute = inline(el, 'bob', 'mute-audio')!;
      expect([unmute.textContent!.trim(), actionable(unmute), description(unmute)]).to.deep.equal([
        'Unmute', false, 'Only owners can unmute others',
      ]);
      const call = callWith(['member.mute.audio']);
      el = await panel(call);
      expect(accessibleName(inline(el, 'bob', 'mute-audio')!)).to.equal('Unmute: Bob');
      inline(el, 'bob', 'mute-audio')!.click();
      await settle(el);
      expect(call.last('unmute')!.args).to.deep.equal([['audio'], 'bob']);
    });

    it('only the granted actions, per flag, with reasons for the others', async () => {
      let el = await panel(callWith(['member.remove', 'member.permissions.set']));
      expect(await offered(el, 'ana')).to.deep.equal(['presence', 'send-audio', 'send-video', 'send-screen', 'admin', 'remove']);
      el = await panel(callWith(['member.remove']), 'disable');
      await openMenu(el, 'ana');
      expect([actionable(item(el, 'remove')), actionable(item(el, 'send-audio'))]).to.deep.equal([true, false]);
      expect(description(item(el, 'send-audio')!)).to.equal('Only hosts can change permissions');
      expect(description(item(el, 'role-option')!)).to.equal('Only hosts can change roles');
      expect(description(item(el, 'mute-video')!)).to.equal('Only hosts can mute others');
    });

    it('never offers a permission the call cannot change (Call.permissionFields), in either gating mode', async () => {
      for (const gating of ['hide', 'disable'] as const) {
        const call = callWith(['member.remove', 'member.permissions.set']);
        Object.assign(call, { permissionFields: ['canSend', 'canAdmin'] });
        const shown = await offered(await panel(call, gating), 'ana');
        expect([shown.includes('presence'), shown.includes('send-audio'), shown.includes('admin')], gating).to.deep.equal([false, true, true]);
      }
    });

    it('follows a capability change', async () => {
      const call = callWith(['member.remove']);
      const el = await panel(call);
      expect(await offered(el, 'ana')).to.deep.equal(['remove']);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(await offered(el, 'ana')).to.deep.equal(MENU_CONTROLS);
      call.caps.update(RESTRICTED);
      await el.updateComplete;
      expect(has(el, 'participant')).to.equal(false);
    });
  });

  describe('a row at a glance', () => {
    it('shows the initial, the name, the role, and the live state as labelled icons', async () => {
      const mod = member({ id: 'mo', name: 'émile', role: 'moderator', video_muted: true, screenshare: true, handraised: true, reconnecting: true });
      const el = await panel(callWith(MODERATOR, [ANA, OWEN, mod]));
      const states = (id: string) =>
        parts(el, 'state', row(el, id)!).map((s) => `${s.dataset.icon}:${s.getAttribute('role')}:${s.getAttribute('aria-label')}`);
      expect(part(el, 'avatar', row(el, 'mo')!)!.textContent).to.equal('É');
      expect(part(el, 'avatar', row(el, 'mo')!)!.getAttribute('aria-hidden')).to.equal('true');
      expect(part(el, 'badge', row(el, 'mo')!)!.textContent).to.equal('moderator');
      expect(part(el, 'badge', row(el, 'owen')!)!.textContent).to.equal('Owner');
      expect(!!inline(el, 'ana', 'badge')).to.equal(false);
      expect(states('ana')).to.deep.equal(['mic:img:Mic on', 'camera:img:Camera on']);
      expect(states('mo')).to.deep.equal(['mic:img:Mic on', 'camera-off:img:Camera off', 'screenshare:img:Sharing screen', 'hand:img:Hand raised']);
      expect(row(el, 'mo')!.textContent).to.contain('Reconnecting');
      // The one likeliest action inline: mute a live participant.
      expect(accessibleName(inline(el, 'ana', 'mute-audio')!)).to.equal('Mute: Ana');
      expect(accessibleName(inline(el, 'ana', 'more')!)).to.equal('Actions for Ana');
    });

    it('renders names as text, never as markup', async () => {
      const evil = member({ id: 'evil', name: '<img src=x onerror="window.pwned=1"><b>Eve</b>' });
      const call = callWith(MODERATOR, [evil]);
      call.requests.next([{ member_id: 'evil', name: evil.name, permissions: ['audio'], requested_at: 0 }]);
      const el = await panel(call);
      expect(part(el, 'name', row(el, 'evil')!)!.textContent).to.equal(evil.name);
      expect(el.shadowRoot!.querySelector('img, b') === null).to.equal(true);
      expect(part(el, 'request')!.textContent).to.contain('<b>Eve</b>');
    });

    it('one notion of admin: the permission reads as what it is, and the role picker says what each role grants', async () => {
      const el = await panel(callWith(MODERATOR));
      await openMenu(el, 'ana');
      expect(item(el, 'admin')!.textContent!.trim()).to.equal('Can manage participants');
      expect(item(el, 'admin')!.getAttribute('role')).to.equal('menuitemcheckbox');
      const roles = parts(el, 'role-option', menu(el)!);
      expect(roles.map((r) => r.textContent!.trim())).to.deep.equal([
        'user: Sends as permitted',
        'moderator: Also mutes, removes, sets permissions',
        'host: Also roles, layout, lock, recording',
      ]);
      expect(roles.map((r) => r.getAttribute('aria-checked'))).to.deep.equal(['true', 'false', 'false']);
      el.strings = { 'role.host': 'Runs the show' };
      await settle(el);
      expect(parts(el, 'role-option', menu(el)!)[2].textContent!.trim()).to.equal('host: Runs the show');
    });
  });

  describe('attention first', () => {
    it('orders pending requests, then raised hands, then everyone else, each in call order', async () => {
      const people = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => member({ id, name: id.toUpperCase(), handraised: id === 'b' || id === 'e' }));
      const call = callWith(MODERATOR, people);
      const el = await panel(call);
      expect(ids(el)).to.deep.equal(['b', 'e', 'a', 'c', 'd', 'f']);
      call.requests.next([
        { member_id: 'f', name: 'F', permissions: ['audio'], requested_at: 1 },
        { member_id: 'hidden', name: 'Hidden', permissions: ['presence'], requested_at: 2 },
        { member_id: 'c', name: 'C', permissions: ['video', 'screenshare'], requested_at: 3 },
      ]);
      await el.updateComplete;
      const order = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.row')].map((r) => `${r.dataset.memberId}:${r.getAttribute('part')}`);
      expect(order).to.deep.equal([
        'c:participant request', 'f:participant request', 'hidden:request',
        'b:participant', 'e:participant', 'a:participant', 'd:participant',
      ]);
      expect(row(el, 'c')!.textContent).to.contain('Asks to use video, share screen');
      expect(row(el, 'hidden')!.textContent).to.contain('Asks to appear');
      // A request takes the row's inline slot: approve and deny; mute moves to the menu.
      expect([!!inline(el, 'c', 'approve'), !!inline(el, 'c', 'deny'), !!inline(el, 'c', 'mute-audio')]).to.deep.equal([true, true, false]);
      expect(await offered(el, 'c')).to.deep.equal(MENU_CONTROLS);
      call.requests.next([]);
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['b', 'e', 'a', 'c', 'd', 'f']);
    });

    it('approving a request grants what it asks; deny declines it; a hidden requester too', async () => {
      const limited = member({ id: 'lee', name: 'Lee', permissions: { hasPresence: true, canSend: ['video'], canReceive: { base: true }, canAdmin: false } });
      const call = callWith(MODERATOR, [limited]);
      const now = Date.now();
      call.requests.next([
        { member_id: 'lee', name: 'Lee', permissions: ['audio', 'screenshare'], requested_at: now },
        { member_id: 'zed', name: 'Zed', permissions: ['presence', 'video'], requested_at: now },
      ]);
      const el = await panel(call);
      expect(parts(el, 'request').map((r) => r.dataset.memberId)).to.deep.equal(['lee', 'zed']);
      expect(accessibleName(inline(el, 'lee', 'approve')!)).to.equal('Approve: Lee');
      inline(el, 'lee', 'approve')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({
        method: 'updateMember',
        args: ['lee', { permissions: { canSend: ['video', 'audio', 'screenVideo', 'screenAudio'] } }],
      });
      inline(el, 'zed', 'approve')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['zed', { permissions: { hasPresence: true, canSend: ['video'] } }] });
      inline(el, 'zed', 'deny')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'denyRequest', args: ['zed'] });
    });
  });

  describe('the row menu', () => {
    it('opens from the keyboard on its first item; arrows, Home and End move; Escape closes and returns focus', async () => {
      const el = await panel(callWith(MODERATOR));
      const more = inline(el, 'ana', 'more')!;
      expect([more.getAttribute('aria-haspopup'), more.getAttribute('aria-expanded')]).to.deep.equal(['menu', 'false']);
      more.focus();
      await sendKeys({ press: 'Enter' });
      await settle(el);
      const m = menu(el)!;
      expect([m.getAttribute('role'), more.getAttribute('aria-expanded')]).to.deep.equal(['menu', 'true']);
      const items = [...m.querySelectorAll<HTMLElement>('[role^="menuitem"]')];
      expect(active(el) === items[0]).to.equal(true);
      await sendKeys({ press: 'ArrowDown' });
      expect(active(el) === items[1]).to.equal(true);
      await sendKeys({ press: 'End' });
      expect(active(el)!.getAttribute('part')).to.equal('remove');
      await sendKeys({ press: 'ArrowDown' });
      expect(active(el) === items[0]).to.equal(true);
      await sendKeys({ press: 'ArrowUp' });
      expect(active(el)!.getAttribute('part')).to.equal('remove');
      await sendKeys({ press: 'Home' });
      expect(active(el) === items[0]).to.equal(true);
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect([has(el, 'menu'), active(el) === more, more.getAttribute('aria-expanded')]).to.deep.equal([false, true, 'false']);
    });

    it('sets remove apart as destructive, behind a separator and a confirmation that starts on Cancel', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      await openMenu(el, 'ana');
      const remove = item(el, 'remove')!;
      expect(remove.classList.contains('danger')).to.equal(true);
      expect(remove.previousElementSibling!.getAttribute('role')).to.equal('separator');
      remove.focus();
      await sendKeys({ press: 'Enter' });
      await settle(el);
      const confirm = part(el, 'remove-confirm')!;
      expect([confirm.getAttribute('role'), confirm.getAttribute('aria-label')]).to.deep.equal(['alertdialog', 'Remove Ana from the call?']);
      expect(active(el)!.getAttribute('part')).to.equal('remove-cancel');
      expect(call.calls).to.deep.equal([]);
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect([has(el, 'remove-confirm'), active(el) === inline(el, 'ana', 'more')]).to.deep.equal([false, true]);
      await openMenu(el, 'ana');
      item(el, 'remove')!.click();
      await settle(el);
      part(el, 'remove-cancel')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([]);
      await openMenu(el, 'ana');
      item(el, 'remove')!.click();
      await settle(el);
      part(el, 'remove-confirm-yes')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([{ method: 'removeMember', args: ['ana'] }]);
    });

    it('sends partial permission updates, the role, and mutes', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      const choose = async (name: string, id = 'ana', index = 0) => {
        await openMenu(el, id);
        parts(el, name, menu(el)!)[index].click();
        await settle(el);
        return call.calls.at(-1);
      };
      await openMenu(el, 'ana');
      expect(item(el, 'send-audio')!.getAttribute('aria-checked')).to.equal('true');
      inline(el, 'ana', 'more')!.click();
      await settle(el);
      expect(await choose('presence')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { hasPresence: false } }] });
      expect(has(el, 'menu')).to.equal(false);
      expect(await choose('send-audio')).to.deep.equal({
        method: 'updateMember',
        args: ['ana', { permissions: { canSend: ['video', 'screenVideo', 'screenAudio'] } }],
      });
      expect(await choose('send-screen')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { canSend: ['audio', 'video'] } }] });
      expect(await choose('admin')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { canAdmin: ['participants'] } }] });
      expect(await choose('role-option', 'ana', 1)).to.deep.equal({ method: 'updateMember', args: ['ana', { role: 'moderator' }] });
      expect(await choose('mute-video')).to.deep.equal({ method: 'mute', args: [['video'], 'ana'] });
      inline(el, 'ana', 'mute-audio')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'mute', args: [['audio'], 'ana'] });
    });

    it('a refused action shows the error and emits callcaps-error', async () => {
      const call = callWith(MODERATOR);
      const refusal = new ServerError(4403, 'forbidden');
      call.failing.set('removeMember', refusal);
      const el = await panel(call);
      await openMenu(el, 'ana');
      item(el, 'remove')!.click();
      await settle(el);
      setTimeout(() => part(el, 'remove-confirm-yes')!.click());
      const event = (await oneEvent(el, 'callcaps-error')) as CallcapsErrorEvent;
      expect(event.detail.error).to.equal(refusal);
      await el.updateComplete;
      expect(part(el, 'error')!.textContent).to.contain('you are not allowed to do that');
    });
  });

  describe('bulk actions', () => {
    it('mute all mutes each live participant the user may mute; approve all and deny all answer each request', async () => {
      const live = member({ id: 'liv', name: 'Liv' });
      const call = callWith(MODERATOR, [ANA, BOB, OWEN, live]);
      call.requests.next([
        { member_id: 'ana', name: 'Ana', permissions: ['video'], requested_at: 1 },
        { member_id: 'zed', name: 'Zed', permissions: ['presence'], requested_at: 2 },
      ]);
      const el = await panel(call);
      const everyone = part(el, 'everyone')!;
      expect([accessibleName(everyone), everyone.getAttribute('aria-haspopup')]).to.deep.equal(['Actions for everyone', 'menu']);
      await openMenu(el, '*');
      expect(parts(el, 'apply-all', menu(el)!).length).to.equal(2);
      item(el, 'mute-all')!.click();
      await settle(el);
      // Not muted Bob, not the owner (only owners act on owners), not oneself.
      expect(call.calls).to.deep.equal([
        { method: 'mute', args: [['audio'], 'ana'] },
        { method: 'mute', args: [['audio'], 'liv'] },
      ]);
      call.reset();
      await openMenu(el, '*');
      item(el, 'approve-all')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([
        { method: 'updateMember', args: ['ana', { permissions: { canSend: ['audio', 'screenVideo', 'screenAudio', 'video'] } }] },
        { method: 'updateMember', args: ['zed', { permissions: { hasPresence: true } }] },
      ]);
      call.reset();
      await openMenu(el, '*');
      item(el, 'deny-all')!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([
        { method: 'denyRequest', args: ['ana'] },
        { method: 'denyRequest', args: ['zed'] },
      ]);
    });

    it("apply-all sends '*'", async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      await openMenu(el, '*');
      expect(has(el, 'approve-all')).to.equal(false);
      parts(el, 'apply-all', menu(el)!)[0].click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['*', { permissions: { canSend: true } }] });
      await openMenu(el, '*');
      parts(el, 'apply-all', menu(el)!)[1].click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['*', { permissions: { canSend: false } }] });
    });
  });

  describe('rows', () => {
    it('searches by name, with a count', async () => {
      const el = await panel(callWith(MODERATOR));
      expect(part(el, 'count')!.textContent).to.equal('3 participants');
      const search = part<HTMLInputElement>(el, 'search')!;
      search.value = 'an';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['ana']);
      expect(part(el, 'count')!.textContent).to.equal('1 participant');
    });

    it("one participant's change re-renders that row only", async () => {
      const reads = new Map<string, number>();
      const counted = (m: Member): Member =>
        Object.defineProperty({ ...m }, 'name', {
          get: () => (reads.set(m.id, (reads.get(m.id) ?? 0) + 1), m.name),
          enumerable: true,
        }) as Member;
      const members = Array.from({ length: 200 }, (_, i) => counted(member({ id: `p${i}`, name: `P${i}` })));
      const call = callWith(MODERATOR, members);
      const el = await panel(call);
      const before = new Map(reads);
      const firstRow = row(el, 'p0');
      const next = [...call.participants.value];
      next[6] = counted(member({ id: 'p5', name: 'P5', audio_muted: true }));
      call.participants.next(next);
      await el.updateComplete;
      const changed = [...reads].filter(([id, n]) => n !== before.get(id)).map(([id]) => id);
      expect(changed).to.deep.equal(['p5']);
      expect(parts(el, 'state', row(el, 'p5')!)[0].dataset.icon).to.equal('mic-off');
      expect(row(el, 'p0') === firstRow).to.equal(true);
    });

    it("one participant's change mutates the DOM inside that row only", async () => {
      const members = Array.from({ length: 200 }, (_, i) => member({ id: `p${i}`, name: `P${i}` }));
      const call = callWith(MODERATOR, members);
      const el = await panel(call);
      await settle(el);
      const changed = row(el, 'p5')!;
      const records: MutationRecord[] = [];
      const observer = new MutationObserver((batch) => records.push(...batch));
      observer.observe(el.shadowRoot!, { subtree: true, childList: true, attributes: true, characterData: true });
      const next = [...call.participants.value];
      next[6] = { ...members[5], audio_muted: true, video_muted: true, permissions: { ...members[5].permissions, hasPresence: false } };
      call.participants.next(next);
      await settle(el);
      records.push(...observer.takeRecords());
      observer.disconnect();
      expect(records.length).to.be.greaterThan(0);
      const outside = records.filter((record) => record.target === changed || !changed.contains(record.target));
      expect(outside.map((record) => `${record.type} ${(record.target as Element).outerHTML?.slice(0, 80) ?? record.target.nodeName}`)).to.deep.equal([]);
      expect(row(el, 'p5') === changed).to.equal(true);
      expect([part(el, 'mute-audio', changed)!.textContent!.trim(), parts(el, 'state', changed)[0].dataset.icon]).to.deep.equal(['Unmute', 'mic-off']);
    });

    it('follows joins, leaves, moves and search, keeping the rows of those who stay', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      const [ana, bob, owen] = ['ana', 'bob', 'owen'].map((id) => row(el, id));
      const zoe = member({ id: 'zoe', name: 'Zoe' });
      call.participants.next([ME, ANA, OWEN, zoe]);
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['ana', 'owen', 'zoe']);
      expect(row(el, 'bob')).to.equal(null);
      call.participants.next([ME, OWEN, BOB, zoe, ANA]);
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
      expect(row(el, 'ana') === ana && row(el, 'owen') === owen && row(el, 'bob') !== bob).to.equal(true);
      const search = part<HTMLInputElement>(el, 'search')!;
      search.value = 'o';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['owen', 'bob', 'zoe']);
      search.value = '';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
      expect(row(el, 'owen') === owen).to.equal(true);
      call.caps.update(RESTRICTED);
      await el.updateComplete;
      expect(has(el, 'participant')).to.equal(false);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
    });

    it('re-renders every row when what rows share changes (strings, gating)', async () => {
      const el = await panel(callWith(MODERATOR));
      el.strings = { muteAudio: 'Silence', actionFor: '{action} {name}' };
      await el.updateComplete;
      expect(accessibleName(inline(el, 'ana', 'mute-audio')!)).to.equal('Silence Ana');
      expect(!!inline(el, 'owen', 'more')).to.equal(false);
      el.gating = 'disable';
      await el.updateComplete;
      expect(!!inline(el, 'owen', 'more')).to.equal(true);
    });

    it('keys rows by member id', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      const bob = row(el, 'bob');
      call.participants.next([ME, BOB, ANA]);
      await el.updateComplete;
      expect(row(el, 'bob') === bob).to.equal(true);
      expect(parts(el, 'participant')[0] === bob).to.equal(true);
    });
  });

  describe('long lists', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => member({ id: `q${i}`, name: `Member ${i}` }));

    it('5,000 participants: only the rows near the viewport are in the DOM, each saying where it is', async () => {
      const el = await panel(callWith(MODERATOR, many(5000)));
      const rows = parts(el, 'participant');
      expect(rows.length).to.be.within(8, 60);
      expect(part(el, 'count')!.textContent).to.equal('5,000 participants');
      expect([rows[0].getAttribute('aria-posinset'), rows[0].getAttribute('aria-setsize')]).to.deep.equal(['1', '5000']);
      const list = part(el, 'participants')!;
      expect(list.scrollHeight).to.be.greaterThan(5000 * 40);
      // Scrolling anywhere renders the rows there.
      list.scrollTop = list.scrollHeight / 2;
      await waitUntil(() => row(el, 'q2500') !== null, 'the middle rows render');
      const middle = row(el, 'q2500')!.getBoundingClientRect();
      const box = list.getBoundingClientRect();
      expect(middle.bottom > box.top && middle.top < box.bottom, 'the row is in view').to.equal(true);
    });

    it('roving focus: one tab stop; arrows move between rows, Home and End jump, Tab enters the row', async () => {
      const el = await panel(callWith(MODERATOR, many(5000)));
      const stops = () => [...el.shadowRoot!.querySelectorAll('.list [tabindex="0"], .list button:not([tabindex="-1"])')];
      expect(stops().map((s) => (s as HTMLElement).dataset.memberId ?? s.getAttribute('part'))).to.deep.equal(['q0', 'mute-audio', 'more']);
      row(el, 'q0')!.focus();
      await sendKeys({ press: 'ArrowDown' });
      await settle(el);
      expect(active(el) === row(el, 'q1')).to.equal(true);
      expect(stops().map((s) => (s as HTMLElement).dataset.memberId ?? s.getAttribute('part'))).to.deep.equal(['q1', 'mute-audio', 'more']);
      await sendKeys({ press: 'End' });
      await settle(el);
      const last = row(el, 'q4999');
      expect(active(el) === last, 'End focuses the last row').to.equal(true);
      expect(last!.getAttribute('aria-posinset')).to.equal('5000');
      const box = part(el, 'participants')!.getBoundingClientRect();
      expect(last!.getBoundingClientRect().bottom <= box.bottom + 1, 'the last row is in view').to.equal(true);
      await sendKeys({ press: 'ArrowUp' });
      await settle(el);
      expect(active(el) === row(el, 'q4998')).to.equal(true);
      await sendKeys({ press: 'Tab' });
      expect(active(el)!.getAttribute('part')).to.equal('mute-audio');
      // Arrows from a control in a row move rows too.
      await sendKeys({ press: 'Home' });
      await settle(el);
      expect(active(el) === row(el, 'q0')).to.equal(true);
    });

    it('a list kept through reconnecting stays where it was, with its rows', async () => {
      const call = callWith(MODERATOR, many(5000));
      const el = await panel(call);
      const list = part(el, 'participants')!;
      list.scrollTop = list.scrollHeight / 2;
      await waitUntil(() => row(el, 'q2500') !== null, 'the middle rows render');
      call.connection.next('reconnecting');
      await el.updateComplete;
      expect(part(el, 'participants') === list && row(el, 'q2500') !== null).to.equal(true);
      call.connection.next('connected');
      await settle(el);
      expect(row(el, 'q2500') !== null).to.equal(true);
    });

    it('a list that comes back (capabilities regained) starts at the top, with its rows', async () => {
      const call = callWith(MODERATOR, many(5000));
      const el = await panel(call);
      const list = part(el, 'participants')!;
      list.scrollTop = list.scrollHeight / 2;
      await waitUntil(() => row(el, 'q2500') !== null, 'the middle rows render');
      call.caps.update([]);
      await el.updateComplete;
      expect(has(el, 'participants')).to.equal(false);
      expect(el.hasAttribute('empty')).to.equal(true);
      call.caps.update(MODERATOR);
      await settle(el);
      expect(ids(el).slice(0, 2)).to.deep.equal(['q0', 'q1']);
      expect(part(el, 'participants')!.scrollTop).to.equal(0);
      expect(el.hasAttribute('empty')).to.equal(false);
    });

    it('search finds a member at the far end of 5,000', async () => {
      const el = await panel(callWith(MODERATOR, many(5000)));
      const search = part<HTMLInputElement>(el, 'search')!;
      search.value = 'Member 4999';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids(el)).to.deep.equal(['q4999']);
      expect(part(el, 'count')!.textContent).to.equal('1 participant');
    });

    describe('a paged roster (a large room on the reference server)', () => {
      /** The self first, then 4,999 others, of whom the first page (100, the self included) is loaded. */
      const paged = (audience?: number) => withRoster(new FakeCall(MODERATOR, ME), [ME, ...many(4999)], { audience });
      const loads = (call: FakeCall) => call.calls.filter((c) => c.method === 'roster.loadMore').map((c) => c.args[0]);

      it('counts everyone, the rows not loaded too, and those watching', async () => {
        const el = await panel(paged(40));
        expect(part(el, 'count')!.textContent).to.equal('4,999 participants, 40 watching');
        const rows = parts(el, 'participant');
        expect([rows[0].dataset.memberId, rows[0].getAttribute('aria-setsize')]).to.deep.equal(['q0', '4999']);
        expect(part(el, 'participants')!.scrollHeight).to.be.greaterThan(4999 * 40);
      });

      it('no audience, no "watching"; an audience alone is still counted', async () => {
        expect(part(await panel(paged(0)), 'count')!.textContent).to.equal('4,999 participants');
        const stage = withRoster(new FakeCall(MODERATOR, ME), [ME], { audience: 1 });
        expect(part(await panel(stage), 'count')!.textContent).to.equal('0 participants, 1 watching');
      });

      it('End loads what the window lacks in a few large pages, then focuses the last member', async () => {
        const call = paged();
        const el = await panel(call);
        expect(loads(call), 'the first window needs no page').to.deep.equal([]);
        row(el, 'q0')!.focus();
        await sendKeys({ press: 'End' });
        await waitUntil(() => active(el) === row(el, 'q4998'), 'the last row takes the focus');
        expect(row(el, 'q4998')!.getAttribute('aria-posinset')).to.equal('4999');
        expect(loads(call).length).to.be.within(5, 6);
        expect(loads(call).every((limit) => typeof limit === 'number' && limit >= 100 && limit <= 1000)).to.equal(true);
      });

      it('scrolling loads the next page as the window reaches it', async () => {
        const call = paged();
        const el = await panel(call);
        const list = part(el, 'participants')!;
        list.scrollTop = 150 * row(el, 'q0')!.offsetHeight;
        await waitUntil(() => row(el, 'q150') !== null, 'the rows of the second page render');
        expect(loads(call)[0]).to.equal(100);
      });

      it('search asks the server, and shows its results', async () => {
        const call = paged();
        const el = await panel(call);
        const search = part<HTMLInputElement>(el, 'search')!;
        search.value = ' Member 4321 ';
        search.dispatchEvent(new Event('input'));
        await settle(el);
        expect(call.calls.filter((c) => c.method === 'roster.search').map((c) => c.args)).to.deep.equal([['Member 4321']]);
        expect(ids(el)).to.deep.equal(['q4321']);
        expect(part(el, 'count')!.textContent).to.equal('1 participant');
      });
    });

    it('a focused row that moves, or whose control goes away, keeps the focus in the list', async () => {
      const call = callWith(MODERATOR, many(20));
      call.requests.next([{ member_id: 'q3', name: 'Member 3', permissions: ['audio'], requested_at: 0 }]);
      const el = await panel(call);
      inline(el, 'q3', 'approve')!.focus();
      call.requests.next([]);
      await settle(el);
      expect(active(el)?.closest('.row')?.getAttribute('data-member-id')).to.equal('q3');
    });
  });

  it('removing the element leaves no live subscription', async () => {
    const call = callWith(MODERATOR);
    const el = await panel(call);
    expect(call.live).to.be.greaterThan(0);
    el.remove();
    expect(call.live).to.equal(0);
  });
});
