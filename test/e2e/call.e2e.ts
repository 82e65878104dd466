/**
 * The whole system as people use it: the reference server, the live demo page
 * and the elements, one browser context per person.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { expectCleanPages, fromRowMenu, row, screenshot, startDemo, type Demo, type Person } from './harness.js';

let demo: Demo;
let people: Person[] = [];

async function join(room: string, options: { owner?: string; name?: string }): Promise<Person> {
  const token = options.owner ? await demo.ownerToken(room, options.owner) : undefined;
  const person = await demo.open(demo.link(room, { token, name: options.name }));
  people.push(person);
  return person;
}

const tile = (page: Page, name: string) => page.locator('#tiles .tile', { hasText: name });
const control = (page: Page, part: string) => page.locator(`#controls [part~="${part}"]`);

describe('a call, end to end', () => {
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo?.close());
  afterEach(async () => {
    for (const person of people) await person.context.close().catch(() => {});
    people = [];
  });

  it('runs the lifecycle of a stage: hidden, presence asked and granted, audio granted and revoked', async () => {
    const owner = await join('demo-stage', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();
    const guest = await join('demo-stage', { name: 'Guest' });

    // The guest is in the call but hidden from everyone else.
    await tile(guest.page, 'Guest').waitFor();
    assert.equal(await tile(owner.page, 'Guest').count(), 0);

    await control(guest.page, 'request-presence').click();
    const request = owner.page.locator('#panel [part~="request"]', { hasText: 'Guest' });
    await request.locator('[part~="approve"]').click();
    await tile(owner.page, 'Guest').waitFor();
    await request.waitFor({ state: 'detached' });

    // The owner lets the guest send audio: the guest's mic appears and works.
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    const mic = guest.page.locator('#controls [part~="mic"]:not([data-mode="request"])');
    await mic.waitFor();
    assert.equal(await mic.getAttribute('data-state'), 'off', 'joins muted');
    await mic.click();
    await guest.page.locator('#controls [part~="mic"][data-state="on"]').waitFor();
    await tile(owner.page, 'Guest').locator('.badge', { hasText: 'Mic on' }).waitFor();
    await screenshot(owner.page, 'owner-view');
    await screenshot(guest.page, 'guest-view');
    await expectCleanPages(people);

    // The owner revokes it: the mic disappears and the server mutes the guest.
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    await mic.waitFor({ state: 'detached' });
    await tile(owner.page, 'Guest').locator('.badge', { hasText: 'Muted' }).waitFor();
    await tile(guest.page, 'Guest').locator('.badge', { hasText: 'Muted' }).waitFor();
    await expectCleanPages(people);
  });

  it('lets a knocker in, and tells a denied knocker so', async () => {
    const owner = await join('demo-private', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();

    const first = await join('demo-private', { name: 'Knocker One' });
    await first.page.locator('#lobby-room [part~="name-input"]').fill('Knocker One');
    await first.page.locator('#lobby-room [part~="knock"]').click();
    await first.page.locator('#lobby-room [part~="status"]').waitFor();
    await screenshot(first.page, 'knocker-lobby');

    const knocker = owner.page.locator('#waiting [part~="waiting-participant"]', { hasText: 'Knocker One' });
    await knocker.waitFor();
    await screenshot(owner.page, 'owner-waiting-room');
    await expectCleanPages(people);
    await knocker.locator('[part~="admit"]').click();
    await tile(first.page, 'Knocker One').waitFor();
    await tile(owner.page, 'Knocker One').waitFor();

    const second = await join('demo-private', { name: 'Knocker Two' });
    await second.page.locator('#lobby-room [part~="name-input"]').fill('Knocker Two');
    await second.page.locator('#lobby-room [part~="knock"]').click();
    await owner.page
      .locator('#waiting [part~="waiting-participant"]', { hasText: 'Knocker Two' })
      .locator('[part~="deny"]')
      .click();
    // The denial reads once: in the lobby's status, not again in the page's notice.
    await second.page.locator('#lobby-room [part~="lobby"][data-state="denied"]').waitFor();
    assert.match(await second.page.locator('#lobby-room [part~="status"]').innerText(), /not let you in/i);
    assert.equal(await second.page.getByText('The host did not let you in.').filter({ visible: true }).count(), 1);
    assert.equal(await second.page.locator('#notice').isVisible(), false);
    assert.equal(await tile(owner.page, 'Knocker Two').count(), 0);
    await expectCleanPages(people);
  });

  it('shows a promoted guest the permissions panel without a reload', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    const guest = await join('demo-public', { name: 'Promoted' });
    await tile(owner.page, 'Promoted').waitFor();
    assert.equal(await guest.page.locator('#panel [part~="participant"]').count(), 0);

    await fromRowMenu(owner.page, 'Promoted', 'role-option', 'moderator');
    await row(guest.page, 'Ada').waitFor();
    await expectCleanPages(people);
  });

  it('shows the local camera preview while sending video is allowed and the camera is on', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    // The preview is the participant's own tile of <call-stage>, which shows the local camera.
    const preview = owner.page.locator('#tiles .tile.self video');
    const camera = control(owner.page, 'camera');
    await camera.waitFor();
    assert.equal(await preview.count(), 0, 'camera off: no preview');
    await camera.click();
    await owner.page.locator('#controls [part~="camera"][data-state="on"]').waitFor();
    await preview.waitFor({ state: 'visible' });
    // The fake device delivers frames into the preview.
    await owner.page.waitForFunction(
      () => (document.getElementById('tiles')!.shadowRoot!.querySelector('.tile.self video') as HTMLVideoElement | null)?.videoWidth! > 0,
    );
    await camera.click();
    await preview.waitFor({ state: 'detached' });
    await expectCleanPages(people);
  });

  it('makes a new guest knock while the room is locked', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();
    const lock = control(owner.page, 'lock');
    await lock.click();
    await owner.page.locator('#controls [part~="lock"][data-state="on"]').waitFor();

    const late = await join('demo-public', { name: 'Late' });
    await late.page.locator('#lobby-room [part~="knock"]').waitFor();
    assert.equal(await late.page.locator('#call').isVisible(), false);
    await late.page.locator('#lobby-room [part~="name-input"]').fill('Late');
    await late.page.locator('#lobby-room [part~="knock"]').click();
    await owner.page
      .locator('#waiting [part~="waiting-participant"]', { hasText: 'Late' })
      .locator('[part~="admit"]')
      .click();
    await tile(late.page, 'Late').waitFor();

    await lock.click();
    await owner.page.locator('#controls [part~="lock"][data-state="off"]').waitFor();
    const next = await join('demo-public', { name: 'Walk-in' });
    await tile(next.page, 'Walk-in').waitFor();
    await expectCleanPages(people);
  });

  it('ends the call for everyone', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    const guests = [await join('demo-public', { name: 'One' }), await join('demo-public', { name: 'Two' })];
    await tile(owner.page, 'Two').waitFor();
    for (const guest of guests) assert.equal(await control(guest.page, 'end').count(), 0, 'guests cannot end');

    await control(owner.page, 'end').click();
    await owner.page.locator('#controls [part~="end-confirm-yes"]').click();
    for (const person of [owner, ...guests]) {
      await person.page.locator('#notice', { hasText: 'The call has ended' }).waitFor();
      assert.equal(await person.page.locator('#call').isVisible(), false);
    }
    await expectCleanPages(people);
  });
});
