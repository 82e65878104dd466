import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { define, ServerError, type CallcapsErrorEvent, type Gating, type Member, type PermissionsPanel } from '../../../src/core.js';
import { EMPTY, FakeCall, member, MODERATOR, RESTRICTED } from '../fake-call.js';
import { accessibleName, actionable, description, has, part, parts, settle } from '../helpers.js';

define();

const ROW_CONTROLS = ['presence', 'send-audio', 'send-video', 'send-screen', 'admin', 'role', 'mute-audio', 'mute-video', 'remove'];

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

const row = (el: PermissionsPanel, id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="participant"][data-member-id="${id}"]`);
const control = (el: PermissionsPanel, id: string, name: string) => part(el, name, row(el, id)!);
const rowControls = (el: PermissionsPanel, id: string) => ROW_CONTROLS.filter((name) => control(el, id, name));
const liveControls = (el: PermissionsPanel, id: string) => rowControls(el, id).filter((name) => actionable(control(el, id, name)));

describe('<permissions-panel>', () => {
  describe('accessibility', () => {
    it('is accessible for a moderator with participants and requests', async () => {
      const call = callWith(MODERATOR);
      call.requests.next([{ member_id: 'ana', name: 'Ana', permissions: ['audio', 'screenshare'], requested_at: Date.now() }]);
      const el = await panel(call);
      await expect(el).to.be.accessible();
    });

    it('is accessible disabled, with a confirmation open, in dark theme', async () => {
      const call = callWith(['member.mute.audio.on', 'member.remove']);
      const el = await panel(call, 'disable');
      el.theme = 'dark';
      control(el, 'ana', 'remove')!.click();
      await settle(el);
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

    it('nothing is actionable while reconnecting', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      call.connection.next('reconnecting');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('button, select') === null).to.equal(true);
    });

    it('a moderator gets every control on a non-owner, none on an owner, and no row for itself', async () => {
      const el = await panel(callWith(MODERATOR));
      expect(parts(el, 'participant').map((r) => r.dataset.memberId)).to.deep.equal(['ana', 'bob', 'owen']);
      expect(liveControls(el, 'ana')).to.deep.equal(ROW_CONTROLS);
      expect(rowControls(el, 'owen')).to.deep.equal([]);
    });

    it('disable: controls on an owner are disabled with the reason', async () => {
      const el = await panel(callWith(MODERATOR), 'disable');
      expect(rowControls(el, 'owen')).to.deep.equal(ROW_CONTROLS);
      expect(liveControls(el, 'owen')).to.deep.equal([]);
      const remove = control(el, 'owen', 'remove')!;
      expect(description(remove)).to.equal('Only an owner can change an owner');
      expect(remove.title).to.equal('Only an owner can change an owner');
    });

    it('an owner may act on an owner', async () => {
      const el = await panel(callWith(MODERATOR, [OWEN], member({ id: 'me', owner: true })));
      expect(liveControls(el, 'owen')).to.deep.equal(ROW_CONTROLS);
    });

    it('remote unmute only with member.muteAudio.off', async () => {
      let el = await panel(callWith(['member.mute.audio.on']));
      expect(rowControls(el, 'ana')).to.deep.equal(['mute-audio']);
      expect(liveControls(el, 'bob')).to.deep.equal([]);
      expect(control(el, 'bob', 'mute-audio')!.getAttribute('aria-pressed')).to.equal('true');
      const call = callWith(['member.mute.audio']);
      el = await panel(call);
      control(el, 'bob', 'mute-audio')!.click();
      await settle(el);
      expect(call.last('unmute')!.args).to.deep.equal([['audio'], 'bob']);
    });

    it('only the granted controls, per flag', async () => {
      const el = await panel(callWith(['member.remove', 'member.permissions.set']));
      expect(rowControls(el, 'ana')).to.deep.equal(['presence', 'send-audio', 'send-video', 'send-screen', 'admin', 'remove']);
    });

    it('follows a capability change', async () => {
      const call = callWith(['member.remove']);
      const el = await panel(call);
      expect(rowControls(el, 'ana')).to.deep.equal(['remove']);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(rowControls(el, 'ana')).to.deep.equal(ROW_CONTROLS);
      call.caps.update(RESTRICTED);
      await el.updateComplete;
      expect(has(el, 'participant')).to.equal(false);
    });
  });

  describe('actions', () => {
    it('toggles send partial permission updates; role, mute and remove', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      const press = async (name: string, id = 'ana') => {
        control(el, id, name)!.click();
        await settle(el);
        return call.calls.at(-1);
      };
      expect(control(el, 'ana', 'send-audio')!.getAttribute('aria-pressed')).to.equal('true');
      expect(accessibleName(control(el, 'ana', 'send-audio')!)).to.equal('Audio for Ana');
      expect(await press('presence')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { hasPresence: false } }] });
      expect(await press('send-audio')).to.deep.equal({
        method: 'updateMember',
        args: ['ana', { permissions: { canSend: ['video', 'screenVideo', 'screenAudio'] } }],
      });
      expect(await press('send-screen')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { canSend: ['audio', 'video'] } }] });
      expect(await press('admin')).to.deep.equal({ method: 'updateMember', args: ['ana', { permissions: { canAdmin: ['participants'] } }] });
      expect(await press('mute-audio')).to.deep.equal({ method: 'mute', args: [['audio'], 'ana'] });
      expect(await press('mute-video')).to.deep.equal({ method: 'mute', args: [['video'], 'ana'] });
      const role = control(el, 'ana', 'role') as HTMLSelectElement;
      expect([...role.options].map((o) => o.value)).to.deep.equal(['user', 'moderator', 'host']);
      role.value = 'moderator';
      role.dispatchEvent(new Event('change'));
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['ana', { role: 'moderator' }] });
      call.reset();
      await press('remove');
      expect(call.calls).to.deep.equal([]);
      part(el, 'remove-cancel', row(el, 'ana')!)!.click();
      await settle(el);
      expect(has(el, 'remove-confirm')).to.equal(false);
      await press('remove');
      part(el, 'remove-confirm-yes', row(el, 'ana')!)!.click();
      await settle(el);
      expect(call.calls).to.deep.equal([{ method: 'removeMember', args: ['ana'] }]);
    });

    it("apply-all sends '*'", async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      part(el, 'apply-all')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['*', { permissions: { canSend: true } }] });
      const change = part<HTMLSelectElement>(el, 'apply-all-change')!;
      change.value = 'blockAllSend';
      change.dispatchEvent(new Event('change'));
      await el.updateComplete;
      part(el, 'apply-all')!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['*', { permissions: { canSend: false } }] });
    });

    it('approving a request grants what it asks; deny declines it', async () => {
      const limited = member({ id: 'lee', name: 'Lee', permissions: { hasPresence: false, canSend: ['video'], canReceive: { base: true }, canAdmin: false } });
      const call = callWith(MODERATOR, [limited]);
      const now = Date.now();
      call.requests.next([
        { member_id: 'lee', name: 'Lee', permissions: ['presence', 'audio', 'screenshare'], requested_at: now },
        { member_id: 'zed', name: 'Zed', permissions: ['video'], requested_at: now },
      ]);
      const el = await panel(call);
      const requests = parts(el, 'request');
      expect(requests.map((r) => r.dataset.memberId)).to.deep.equal(['lee', 'zed']);
      expect(requests[0].textContent).to.contain('Lee asks for presence, audio, screen sharing');
      part(el, 'approve', requests[0])!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({
        method: 'updateMember',
        args: ['lee', { permissions: { hasPresence: true, canSend: ['video', 'audio', 'screenVideo', 'screenAudio'] } }],
      });
      part(el, 'approve', requests[1])!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'updateMember', args: ['zed', { permissions: { canSend: ['video'] } }] });
      part(el, 'deny', requests[1])!.click();
      await settle(el);
      expect(call.calls.at(-1)).to.deep.equal({ method: 'denyRequest', args: ['zed'] });
    });

    it('a refused action shows the error and emits callcaps-error', async () => {
      const call = callWith(MODERATOR);
      const refusal = new ServerError(4403, 'forbidden');
      call.failing.set('removeMember', refusal);
      const el = await panel(call);
      control(el, 'ana', 'remove')!.click();
      await settle(el);
      setTimeout(() => part(el, 'remove-confirm-yes')!.click());
      const event = (await oneEvent(el, 'callcaps-error')) as CallcapsErrorEvent;
      expect(event.detail.error).to.equal(refusal);
      await el.updateComplete;
      expect(part(el, 'error')!.textContent).to.contain('you are not allowed to do that');
    });

    it('is operable from the keyboard', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      control(el, 'ana', 'remove')!.focus();
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(el.shadowRoot!.activeElement === part(el, 'remove-confirm-yes')).to.equal(true);
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect(has(el, 'remove-confirm')).to.equal(false);
      control(el, 'ana', 'presence')!.focus();
      await sendKeys({ press: 'Space' });
      await settle(el);
      expect(call.last('updateMember')!.args[0]).to.equal('ana');
    });
  });

  describe('rows', () => {
    it('renders names as text, never as markup', async () => {
      const evil = member({ id: 'evil', name: '<img src=x onerror="window.pwned=1"><b>Eve</b>' });
      const call = callWith(MODERATOR, [evil]);
      call.requests.next([{ member_id: 'evil', name: evil.name, permissions: ['audio'], requested_at: 0 }]);
      const el = await panel(call);
      expect(part(el, 'name', row(el, 'evil')!)!.textContent).to.equal(evil.name);
      expect(el.shadowRoot!.querySelector('img, b') === null).to.equal(true);
      expect(part(el, 'request')!.textContent).to.contain('<b>Eve</b>');
    });

    it('searches by name', async () => {
      const el = await panel(callWith(MODERATOR));
      const search = part<HTMLInputElement>(el, 'search')!;
      search.value = 'an';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(parts(el, 'participant').map((r) => r.dataset.memberId)).to.deep.equal(['ana']);
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
      await waitUntil(() => parts(el, 'participant').length === 200, 'every row rendered', { timeout: 5000 });
      const before = new Map(reads);
      const firstRow = row(el, 'p0');
      const next = [...call.participants.value];
      next[51] = counted(member({ id: 'p50', name: 'P50', audio_muted: true }));
      call.participants.next(next);
      await el.updateComplete;
      const changed = [...reads].filter(([id, n]) => n !== before.get(id)).map(([id]) => id);
      expect(changed).to.deep.equal(['p50']);
      expect(control(el, 'p50', 'mute-audio')!.getAttribute('aria-pressed')).to.equal('true');
      expect(row(el, 'p0') === firstRow).to.equal(true);
    });

    it("one participant's change mutates the DOM inside that row only", async () => {
      const members = Array.from({ length: 200 }, (_, i) => member({ id: `p${i}`, name: `P${i}` }));
      const call = callWith(MODERATOR, members);
      const el = await panel(call);
      await waitUntil(() => parts(el, 'participant').length === 200, 'every row rendered', { timeout: 5000 });
      await el.updateComplete;
      const changed = row(el, 'p50')!;
      const records: MutationRecord[] = [];
      const observer = new MutationObserver((batch) => records.push(...batch));
      observer.observe(el.shadowRoot!, { subtree: true, childList: true, attributes: true, characterData: true });
      const next = [...call.participants.value];
      next[51] = { ...members[50], audio_muted: true, permissions: { ...members[50].permissions, hasPresence: false } };
      call.participants.next(next);
      await el.updateComplete;
      records.push(...observer.takeRecords());
      observer.disconnect();
      expect(records.length).to.be.greaterThan(0);
      const outside = records.filter((record) => record.target === changed || !changed.contains(record.target));
      expect(outside.map((record) => `${record.type} ${(record.target as Element).outerHTML?.slice(0, 80) ?? record.target.nodeName}`)).to.deep.equal([]);
      expect(row(el, 'p50') === changed).to.equal(true);
      expect(control(el, 'p50', 'presence')!.getAttribute('aria-pressed')).to.equal('false');
    });

    it('follows joins, leaves, moves and search, keeping the rows of those who stay', async () => {
      const call = callWith(MODERATOR);
      const el = await panel(call);
      const ids = () => parts(el, 'participant').map((r) => r.dataset.memberId);
      const [ana, bob, owen] = ['ana', 'bob', 'owen'].map((id) => row(el, id));
      const zoe = member({ id: 'zoe', name: 'Zoe' });
      call.participants.next([ME, ANA, OWEN, zoe]);
      await el.updateComplete;
      expect(ids()).to.deep.equal(['ana', 'owen', 'zoe']);
      expect(row(el, 'bob')).to.equal(null);
      call.participants.next([ME, OWEN, BOB, zoe, ANA]);
      await el.updateComplete;
      expect(ids()).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
      expect(row(el, 'ana') === ana && row(el, 'owen') === owen && row(el, 'bob') !== bob).to.equal(true);
      const search = part<HTMLInputElement>(el, 'search')!;
      search.value = 'o';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids()).to.deep.equal(['owen', 'bob', 'zoe']);
      search.value = '';
      search.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(ids()).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
      expect(row(el, 'owen') === owen).to.equal(true);
      call.caps.update(RESTRICTED);
      await el.updateComplete;
      expect(has(el, 'participant')).to.equal(false);
      call.caps.update(MODERATOR);
      await el.updateComplete;
      expect(ids()).to.deep.equal(['owen', 'bob', 'zoe', 'ana']);
      expect(liveControls(el, 'ana')).to.deep.equal(ROW_CONTROLS);
    });

    it('re-renders every row when what rows share changes (strings, gating)', async () => {
      const el = await panel(callWith(MODERATOR));
      el.strings = { presence: 'Here', presenceLabel: 'Here: {name}' };
      await el.updateComplete;
      expect(['ana', 'bob'].map((id) => accessibleName(control(el, id, 'presence')!))).to.deep.equal(['Here: Ana', 'Here: Bob']);
      expect(rowControls(el, 'owen')).to.deep.equal([]);
      el.gating = 'disable';
      await el.updateComplete;
      expect(rowControls(el, 'owen')).to.deep.equal(ROW_CONTROLS);
    });

    it('one confirmation at a time: confirming another row closes the first', async () => {
      const el = await panel(callWith(MODERATOR));
      control(el, 'ana', 'remove')!.click();
      await settle(el);
      control(el, 'bob', 'remove')!.click();
      await settle(el);
      expect([has(el, 'remove-confirm'), !!control(el, 'ana', 'remove'), !!part(el, 'remove-confirm', row(el, 'bob')!)]).to.deep.equal([true, true, true]);
      expect(parts(el, 'remove-confirm').length).to.equal(1);
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

    it('renders 1,000 participants, the first rows at once and the rest progressively', async () => {
      const members = Array.from({ length: 1000 }, (_, i) => member({ id: `q${i}`, name: `Q${i}` }));
      const el = await panel(callWith(MODERATOR, members));
      const first = parts(el, 'participant').length;
      expect(first).to.be.within(1, 999);
      expect(part(el, 'count')!.textContent).to.equal('1000 participants');
      await waitUntil(() => parts(el, 'participant').length === 1000, 'every row rendered', { timeout: 8000 });
      expect(row(el, 'q999')!.textContent).to.contain('Q999');
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
