// The compact layout: icon-only controls whose tooltips are their names, the
// less common controls in a "More" menu (WAI-ARIA menu button), end and leave
// always in the bar; at 375 px at most two rows, mirrored under dir="rtl".
import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { define, type CallControls } from '../../../src/core.js';
import { FakeCall, member, MODERATOR } from '../fake-call.js';
import { accessibleName, actionable, description, has, part, parts, settle } from '../helpers.js';

define();

const MORE = [...MODERATOR, 'record'];

async function controls(call: FakeCall, attrs: { width?: number; variant?: string; dir?: string; gating?: string } = {}) {
  const el = await fixture<CallControls>(
    html`<call-controls
      .call=${call}
      style=${attrs.width ? `width: ${attrs.width}px` : ''}
      variant=${attrs.variant ?? 'auto'}
      dir=${attrs.dir ?? 'ltr'}
      gating=${attrs.gating ?? 'hide'}
    ></call-controls>`,
  );
  // The ResizeObserver reports the width after the next frame's layout.
  await nextFrame();
  await nextFrame();
  await el.updateComplete;
  return el;
}

/** The controls in the bar, in DOM order. */
const bar = (el: CallControls) => [...part(el, 'bar')!.querySelectorAll<HTMLElement>(':scope > button, :scope > select')];
const partName = (control: HTMLElement) => control.getAttribute('part')!;
const active = (el: CallControls) => el.shadowRoot!.activeElement as HTMLElement | null;
const menuItems = (el: CallControls) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="menu"] [role^="menuitem"]')];

/** Distinct rows (by top edge) the controls occupy. */
const rows = (controls: HTMLElement[]) => new Set(controls.map((c) => Math.round(c.getBoundingClientRect().top))).size;

function insideHost(el: CallControls, controls: HTMLElement[]): string[] {
  const host = el.getBoundingClientRect();
  return controls
    .filter((c) => {
      const r = c.getBoundingClientRect();
      return r.left < host.left - 0.5 || r.right > host.right + 0.5 || r.width === 0;
    })
    .map(partName);
}

async function openByKeyboard(el: CallControls) {
  part(el, 'more')!.focus();
  await sendKeys({ press: 'Enter' });
  await settle(el);
}

describe('<call-controls> compact', () => {
  it('is accessible compact, with the menu open, and in dark theme', async () => {
    const el = await controls(new FakeCall(MORE), { variant: 'compact' });
    await expect(el).to.be.accessible();
    await openByKeyboard(el);
    expect(has(el, 'menu')).to.equal(true);
    await expect(el).to.be.accessible();
    el.theme = 'dark';
    el.gating = 'disable';
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('at 375 px (variant auto) the bar is compact: icon-only, at most two rows, end and leave visible, nothing overflows', async () => {
    const el = await controls(new FakeCall(MORE), { width: 375 });
    expect(part(el, 'bar')!.dataset.layout).to.equal('compact');
    const shown = bar(el);
    expect(shown.map(partName)).to.deep.equal(['mic', 'camera', 'screenshare', 'hand', 'more', 'end', 'leave']);
    expect(rows(shown)).to.be.at.most(2);
    expect(insideHost(el, shown)).to.deep.equal([]);
    for (const name of ['end', 'leave']) expect(part(el, name)!.getBoundingClientRect().width, name).to.be.greaterThan(0);
    // Icon-only: the label is clipped away, but it is still the accessible name.
    const mic = part(el, 'mic')!;
    expect(accessibleName(mic)).to.equal('Mute');
    expect(getComputedStyle(mic.querySelector<HTMLElement>('.label')!).clipPath).to.equal('inset(50%)');
  });

  it('a crowded bar (request-presence, a muted participant in disable mode) still takes at most two rows at 375 px', async () => {
    const call = new FakeCall(
      [...MORE, 'request.presence'],
      member({ id: 'me', audio_muted: true, permissions: { hasPresence: false, canSend: false, canReceive: { base: true }, canAdmin: false } }),
    );
    const el = await controls(call, { width: 375, gating: 'disable' });
    const shown = bar(el);
    expect(shown.map(partName)).to.include.members(['request-presence', 'more', 'end', 'leave']);
    expect(rows(shown)).to.be.at.most(2);
    expect(insideHost(el, shown)).to.deep.equal([]);
  });

  it('at 1280 px (variant auto) the bar is labelled, and variant overrides the width either way', async () => {
    let el = await controls(new FakeCall(MORE), { width: 1280 });
    expect(part(el, 'bar')!.dataset.layout).to.equal('full');
    expect(has(el, 'more')).to.equal(false);
    expect(has(el, 'lock')).to.equal(true);
    el = await controls(new FakeCall(MORE), { width: 1280, variant: 'compact' });
    expect(part(el, 'bar')!.dataset.layout).to.equal('compact');
    el = await controls(new FakeCall(MORE), { width: 375, variant: 'full' });
    expect(part(el, 'bar')!.dataset.layout).to.equal('full');
    expect(has(el, 'more')).to.equal(false);
  });

  it('the tooltip is the accessible name, shown on keyboard focus', async () => {
    const el = await controls(new FakeCall(MORE), { variant: 'compact' });
    const before = document.createElement('button');
    before.textContent = 'before';
    el.before(before);
    before.focus();
    await sendKeys({ press: 'Tab' });
    const mic = part(el, 'mic')!;
    expect(active(el) === mic).to.equal(true);
    const tip = mic.querySelector<HTMLElement>('.label')!;
    expect(getComputedStyle(tip).clipPath).to.equal('none');
    // Above the control, not over it.
    expect(tip.getBoundingClientRect().bottom).to.be.at.most(mic.getBoundingClientRect().top);
    expect(tip.textContent).to.equal(accessibleName(mic));
    before.remove();
  });

  it('More is a menu button: Enter opens with focus on the first item, arrows move and wrap, Home/End jump, Escape closes and returns focus', async () => {
    const el = await controls(new FakeCall(MORE), { variant: 'compact' });
    const more = part(el, 'more')!;
    expect([more.getAttribute('aria-haspopup'), more.getAttribute('aria-expanded')]).to.deep.equal(['menu', 'false']);
    expect(accessibleName(more)).to.equal('More controls');
    await openByKeyboard(el);
    expect(more.getAttribute('aria-expanded')).to.equal('true');
    expect(more.getAttribute('aria-controls')).to.equal(part(el, 'menu')!.id);
    const items = menuItems(el);
    expect(items.map((item) => item.getAttribute('part'))).to.deep.equal([
      'deafen', 'lock', 'layout-option', 'layout-option', 'layout-option', 'record', 'dialpad', 'devices',
    ]);
    expect(items.every((item) => item.tabIndex === -1)).to.equal(true);
    expect(active(el) === items[0]).to.equal(true);
    await sendKeys({ press: 'ArrowDown' });
    expect(active(el) === items[1]).to.equal(true);
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    expect(active(el) === items.at(-1)).to.equal(true);
    await sendKeys({ press: 'ArrowDown' });
    expect(active(el) === items[0]).to.equal(true);
    await sendKeys({ press: 'End' });
    expect(active(el) === items.at(-1)).to.equal(true);
    await sendKeys({ press: 'Home' });
    expect(active(el) === items[0]).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await settle(el);
    expect(has(el, 'menu')).to.equal(false);
    expect(more.getAttribute('aria-expanded')).to.equal('false');
    expect(active(el) === more).to.equal(true);
  });

  it('ArrowUp on More opens on the last item; Tab and a click elsewhere close the menu', async () => {
    const el = await controls(new FakeCall(MORE), { variant: 'compact' });
    part(el, 'more')!.focus();
    await sendKeys({ press: 'ArrowUp' });
    await settle(el);
    expect(active(el) === menuItems(el).at(-1)).to.equal(true);
    await sendKeys({ press: 'Tab' });
    await settle(el);
    expect(has(el, 'menu')).to.equal(false);
    part(el, 'more')!.click();
    await settle(el);
    part(el, 'more')!.focus();
    await sendKeys({ press: 'Escape' });
    await settle(el);
    expect(has(el, 'menu')).to.equal(false);
    part(el, 'more')!.click();
    await settle(el);
    expect(has(el, 'menu')).to.equal(true);
    (active(el) as HTMLElement).blur();
    await settle(el);
    expect(has(el, 'menu')).to.equal(false);
  });

  it('menu items call the same Call methods as the bar, then close the menu and return focus', async () => {
    const call = new FakeCall(MORE);
    const el = await controls(call, { variant: 'compact' });
    const viaMenu = async (name: string, index = 0) => {
      await openByKeyboard(el);
      const item = parts(el, name)[index];
      item.focus();
      await sendKeys({ press: 'Enter' });
      await settle(el);
      return call.calls.at(-1);
    };
    expect(await viaMenu('deafen')).to.deep.equal({ method: 'deaf', args: [] });
    expect(has(el, 'menu')).to.equal(false);
    expect(active(el) === part(el, 'more')).to.equal(true);
    expect(await viaMenu('lock')).to.deep.equal({ method: 'lock', args: [] });
    expect(await viaMenu('record')).to.deep.equal({ method: 'startRecording', args: [] });
    expect(await viaMenu('layout-option', 1)).to.deep.equal({ method: 'setLayout', args: ['speaker'] });
    // State follows into the menu: the faces flip as in the bar.
    call.room.next({ ...call.room.value!, locked: true, recording: true });
    await el.updateComplete;
    await openByKeyboard(el);
    expect(accessibleName(part(el, 'lock')!)).to.equal('Unlock room');
    expect(part(el, 'lock')!.dataset.state).to.equal('on');
    expect(parts(el, 'layout-option').map((o) => o.getAttribute('aria-checked'))).to.deep.equal(['true', 'false', 'false']);
    await sendKeys({ press: 'Escape' });
    await settle(el);
    expect(await viaMenu('lock')).to.deep.equal({ method: 'unlock', args: [] });
    expect(await viaMenu('record')).to.deep.equal({ method: 'stopRecording', args: [] });
  });

  it('the dialpad item opens the dialpad with focus on its first key', async () => {
    const call = new FakeCall(MORE);
    const el = await controls(call, { variant: 'compact' });
    await openByKeyboard(el);
    part(el, 'dialpad')!.focus();
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect(has(el, 'menu')).to.equal(false);
    expect(active(el) === parts(el, 'digit')[0]).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect(call.last('sendDigits')!.args).to.deep.equal(['1']);
  });

  it('a locked item in the menu says why and does nothing', async () => {
    const call = new FakeCall(['self', 'lock.off', 'device']);
    const el = await controls(call, { variant: 'compact', gating: 'disable' });
    await openByKeyboard(el);
    const lock = part(el, 'lock')!;
    expect([actionable(lock), description(lock), lock.getAttribute('role')]).to.deep.equal([false, 'Only hosts can lock the room', 'menuitem']);
    expect(has(el, 'locked')).to.equal(true);
    lock.click();
    await settle(el);
    expect(call.calls).to.deep.equal([]);
    expect(has(el, 'menu')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('without overflowing controls there is no More button', async () => {
    const el = await controls(new FakeCall(['self.mute.audio', 'self.mute.video']), { variant: 'compact' });
    expect(bar(el).map(partName)).to.deep.equal(['mic', 'camera', 'leave']);
  });

  describe('dir="rtl"', () => {
    for (const [variant, width] of [['compact', 375], ['full', 1000]] as const) {
      it(`${variant} at ${width} px: the order is mirrored and nothing overflows the host`, async () => {
        const ltr = await controls(new FakeCall(MORE), { variant, width });
        const rtl = await controls(new FakeCall(MORE), { variant, width, dir: 'rtl' });
        const x = (el: CallControls, name: string) => part(el, name)!.getBoundingClientRect().left;
        expect(x(ltr, 'mic')).to.be.lessThan(x(ltr, 'leave'));
        expect(x(rtl, 'mic')).to.be.greaterThan(x(rtl, 'leave'));
        expect(insideHost(rtl, bar(rtl))).to.deep.equal([]);
        expect(rows(bar(rtl))).to.equal(rows(bar(ltr)));
        await expect(rtl).to.be.accessible();
      });
    }

    it('the leave arrow points the other way', async () => {
      const el = await controls(new FakeCall(MORE), { dir: 'rtl' });
      expect(getComputedStyle(part(el, 'leave')!.querySelector('svg')!).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    });
  });
});
