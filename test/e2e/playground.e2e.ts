/** The capability playground: every flag, toggled by hand, shows, hides or disables the right part. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, screenshot, startDemo, type Demo, type Person } from './harness.js';

/** A flag, the element it shows in, the part it shows there, and the menu button to open first (the panel's row menu). */
const ROW_MENU = '#panel [part~="participant"][data-member-id="p1"] [part~="more"]';
const CASES: [flag: string, selector: string, opener?: string][] = [
  ['self.mute.audio.off', '#controls [part~="mic"]:not([data-mode])'],
  ['self.mute.video.off', '#controls [part~="camera"]:not([data-mode])'],
  ['screenshare', '#controls [part~="screenshare"]:not([data-mode])'],
  ['self.raisehand.on', '#controls [part~="hand"]'],
  ['self.deaf.on', '#controls [part~="deafen"]'],
  ['lock.on', '#controls [part~="lock"]'],
  ['layout.set', '#controls [part~="layout"]'],
  ['digit.send', '#controls [part~="dialpad"]'],
  ['device', '#controls [part~="devices"]'],
  ['record.on', '#controls [part~="record"]'],
  ['end', '#controls [part~="end"]'],
  ['request.audio', '#controls [part~="mic"][data-mode="request"]'],
  ['request.video', '#controls [part~="camera"][data-mode="request"]'],
  ['request.screenshare', '#controls [part~="screenshare"][data-mode="request"]'],
  ['member.remove', '#panel [part~="menu"] [part~="remove"]', ROW_MENU],
  ['member.mute.audio.on', '#panel [part~="participant"][data-member-id="p1"] [part~="mute-audio"]'],
  ['member.permissions.set', '#panel [part~="menu"] [part~="send-audio"]', ROW_MENU],
  ['waiting.admit', '#waiting [part~="waiting-participant"][data-member-id="k1"] [part~="admit"]'],
];

describe('the capability playground', () => {
  let demo: Demo;
  let person: Person;
  let page: Page;
  before(async () => {
    demo = await startDemo();
    person = await demo.open(`${demo.server.url}/playground.html`);
    page = person.page;
  });
  after(() => demo?.close());

  const none = () => page.getByRole('button', { name: 'None', exact: true }).click();
  const flag = (name: string) => page.locator(`#flags input[data-flag="${name}"]`);
  const gating = (mode: 'hide' | 'disable') => page.selectOption('#gating', mode);

  it('starts with the moderator preset, axe-clean and without console errors', async () => {
    await page.locator('#controls [part~="end"]').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'playground');
    assert.deepEqual(person.errors, []);
  });

  for (const [name, selector, opener] of CASES) {
    it(`${name}: absent hides, granted shows, absent with gating=disable disables`, async () => {
      await gating('hide');
      await none();
      await page.locator(opener ?? selector).waitFor({ state: 'detached' });

      await flag(name).check();
      if (opener) await page.locator(opener).click();
      const part = page.locator(selector);
      await part.waitFor();
      assert.notEqual(await part.getAttribute('aria-disabled'), 'true', 'granted: actionable');
      if (opener) await page.keyboard.press('Escape');

      await flag(name).uncheck();
      await page.locator(opener ?? selector).waitFor({ state: 'detached' });
    });
  }

  it('disables instead of hiding with gating=disable, with the reason as description', async () => {
    await none();
    await gating('disable');
    const end = page.locator('#controls [part~="end"]');
    await end.waitFor();
    assert.equal(await end.getAttribute('aria-disabled'), 'true');
    assert.ok(await end.getAttribute('title'), 'the reason is the title');
    const describedBy = await end.getAttribute('aria-describedby');
    assert.ok(describedBy, 'the reason is the accessible description');
    assert.deepEqual(await axeViolations(page), []);
    await flag('end').check();
    await page.locator('#controls [part~="end"]:not([aria-disabled])').waitFor();
    await gating('hide');
  });

  it('shows the mic of a muted participant who may only mute, but not as actionable', async () => {
    await gating('hide');
    await none();
    await flag('self.mute.audio.on').check();
    const mic = page.locator('#controls [part~="mic"]');
    assert.equal(await mic.getAttribute('data-state'), 'off', 'the fake participant is muted');
    assert.equal(await mic.getAttribute('aria-disabled'), 'true', 'unmuting needs self.mute.audio.off');
    await flag('self.mute.audio.off').check();
    await page.locator('#controls [part~="mic"]:not([aria-disabled])').waitFor();
  });

  it('grants nothing for malformed raw flags', async () => {
    await gating('hide');
    await page.locator('#raw').fill('["end", 3]');
    await page.locator('#controls [part~="end"]').waitFor({ state: 'detached' });
    assert.match(await page.locator('#raw-status').innerText(), /fail closed/);
    await page.locator('#raw').fill('["end"]');
    await page.locator('#controls [part~="end"]').waitFor();
  });

  it('offers nothing while capabilities are not known', async () => {
    await gating('hide');
    await page.locator('#raw').fill('["self","end","lock"]');
    await page.locator('#controls [part~="end"]').waitFor();
    await page.locator('#known').uncheck();
    await page.locator('#controls [part~="end"]').waitFor({ state: 'detached' });
    await page.locator('#known').check();
    await page.locator('#controls [part~="end"]').waitFor();
  });

  it('switches the language through lang and the shipped French locale', async () => {
    await page.selectOption('#language', 'fr');
    await page.getByRole('button', { name: 'Mettre fin à l’appel pour tous' }).waitFor();
    await page.selectOption('#language', 'en');
    await page.getByRole('button', { name: 'End call for everyone' }).waitFor();
  });

  it('shows a refused action as an error', async () => {
    await page.locator('#refuse').check();
    await page.locator('#controls [part~="lock"]').click();
    await page.locator('#controls [part~="error"]', { hasText: 'not allowed' }).waitFor();
    await page.locator('#refuse').uncheck();
    assert.deepEqual(person.errors, []);
  });

  it('works from file:// too', async () => {
    const local = await demo.open(pathToFileURL(resolve('demo/playground.html')).href);
    await local.page.locator('#controls [part~="end"]').waitFor();
    assert.deepEqual(local.errors, []);
  });
});
