/**
 * What happened to me, end to end: owner, guests and knockers in separate
 * browser contexts; each notice appears for the right person, once. Also the
 * lobby keeps the name given, the request status clears on approval, and
 * reconnecting keeps the call on screen (inert, under a banner).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations, expectCleanPages, fromRowMenu, row, screenshot, startDemo, type Demo, type Person } from './harness.js';

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
const status = (page: Page) => page.locator('#controls [part~="status"]');

/** Records every text the controls' status line shows (each one is announced once by its live region). */
async function recordNotices(page: Page): Promise<void> {
  await page.locator('#controls [part~="status"]').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    const region = document.querySelector('#controls')!.shadowRoot!.querySelector('[part~="status"]')!;
    const shown: string[] = ((window as any).notices = []);
    new MutationObserver(() => {
      const text = region.textContent ?? '';
      if (text && text !== shown.at(-1)) shown.push(text);
    }).observe(region, { childList: true, subtree: true, characterData: true });
  });
}
const notices = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).notices as string[]);

async function expectNotice(person: Person, text: string, others: Person[]): Promise<void> {
  await status(person.page).filter({ hasText: text }).waitFor();
  assert.equal((await notices(person.page)).filter((n) => n === text).length, 1, `"${text}" shown once`);
  for (const other of others) assert.equal(await other.page.getByText(text).count(), 0, `"${text}" is not for ${other.page.url()}`);
}

describe('notices, end to end', () => {
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo?.close());
  afterEach(async () => {
    for (const person of people) await person.context.close().catch(() => {});
    people = [];
  });

  it('mute, permission taken and given back, promotion, removal: each told to the guest, once', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    const guest = await join('demo-public', { name: 'Guest' });
    const bystander = await join('demo-public', { name: 'Bystander' });
    await tile(owner.page, 'Bystander').waitFor();
    await recordNotices(guest.page);
    await recordNotices(owner.page);

    // The guest unmutes; a host mutes it.
    await control(guest.page, 'mic').click();
    await guest.page.locator('#controls [part~="mic"][data-state="on"]').waitFor();
    await row(owner.page, 'Guest').locator('[part~="mute-audio"]').click();
    await expectNotice(guest, 'A host muted your microphone.', [owner, bystander]);
    await screenshot(guest.page, 'notice-muted');
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);

    // Sending audio taken, then given back.
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    await expectNotice(guest, 'A host no longer lets you speak.', [owner, bystander]);
    await fromRowMenu(owner.page, 'Guest', 'send-audio');
    await expectNotice(guest, 'A host lets you speak now.', [owner, bystander]);

    // No empty "Host tools" landmark for a guest; promoted, the panel appears, and the guest is told why.
    assert.equal(await guest.page.locator('aside.side').isVisible(), false);
    assert.equal(await guest.page.getByRole('complementary', { name: 'Host tools' }).count(), 0);
    await fromRowMenu(owner.page, 'Guest', 'role-option', 'moderator');
    await expectNotice(guest, 'A host made you moderator.', [owner, bystander]);
    await row(guest.page, 'Ada').waitFor();
    assert.equal(await guest.page.locator('aside.side').isVisible(), true);
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);

    // Removed: told once, by the page (the call, controls included, goes away).
    await fromRowMenu(owner.page, 'Bystander', 'remove');
    await owner.page.locator('#panel [part~="remove-confirm-yes"]').click();
    const removed = bystander.page.getByText('A host removed you from the call.').filter({ visible: true });
    await removed.waitFor();
    assert.equal(await removed.count(), 1);
    assert.equal(await owner.page.getByText('A host removed you from the call.').count(), 0);
    assert.deepEqual(await notices(owner.page), [], 'the host is told nothing about itself');
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);
  });

  it('a request: sent, then approved (the status clears into the news and stays cleared)', async () => {
    const owner = await join('demo-stage', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();
    const guest = await join('demo-stage', { name: 'Asker' });
    await recordNotices(guest.page);
    await control(guest.page, 'request-presence').click();
    await status(guest.page).filter({ hasText: 'Your request was sent to the hosts' }).waitFor();
    await owner.page.locator('#panel [part~="request"]', { hasText: 'Asker' }).locator('[part~="approve"]').click();
    await expectNotice(guest, 'A host lets you be seen in the call now.', [owner]);
    // Later changes never bring the request status back.
    await fromRowMenu(owner.page, 'Asker', 'send-audio');
    await expectNotice(guest, 'A host lets you speak now.', [owner]);
    assert.equal((await notices(guest.page)).filter((n) => n.includes('request was sent')).length, 1);
    assert.equal(await status(guest.page).innerText(), 'A host lets you speak now.');
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);
  });

  it('the lobby keeps the name given on the join form and says the room is private; admitted', async () => {
    const owner = await join('demo-private', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();
    const knocker = await join('demo-private', { name: 'Zoë Knocker' });
    const input = knocker.page.locator('#lobby-room [part~="name-input"]');
    await input.waitFor();
    assert.equal(await input.inputValue(), 'Zoë Knocker');
    assert.equal(await knocker.page.locator('#lobby-room [part~="room"]').innerText(), 'demo-private');
    await knocker.page.locator('#lobby-room [part~="private"]').waitFor();
    await knocker.page.locator('#lobby-room [part~="knock"]').click();
    await knocker.page.locator('#lobby-room [part~="lobby"][data-state="waiting"]').waitFor();
    await screenshot(knocker.page, 'lobby-waiting');
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);
    await owner.page.locator('#waiting [part~="waiting-participant"]', { hasText: 'Zoë Knocker' }).locator('[part~="admit"]').click();
    await tile(knocker.page, 'Zoë Knocker').waitFor();
    // The host's announcement is withdrawn once the knocker is in.
    await owner.page.locator('#waiting [part~="waiting-participant"]').waitFor({ state: 'detached' });
    assert.equal(await owner.page.locator('#waiting [part~="announcement"]').innerText(), '');
    await expectCleanPages(people, /WebSocket|ERR_CONNECTION/);
  });

  it('reconnecting keeps the call on screen, dimmed and inert, under a banner; then it comes back', async () => {
    const owner = await join('demo-public', { owner: 'Ada' });
    await tile(owner.page, 'Ada').waitFor();
    const page = owner.page;
    // The page's sockets, recorded; while `offline`, new ones go nowhere. Then the live one is closed.
    await page.addInitScript(() => {
      const w = window as any;
      const Native = WebSocket;
      w.sockets = [];
      w.offline = false;
      w.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(w.offline ? 'ws://127.0.0.1:9/' : url, protocols);
          w.sockets.push(this);
        }
      };
    });
    await page.reload();
    await tile(page, 'Ada').waitFor();
    await page.evaluate(() => {
      const w = window as any;
      w.offline = true;
      for (const socket of w.sockets) socket.close();
    });
    await page.locator('body[data-connection="reconnecting"]').waitFor();
    await page.locator('#call').waitFor({ state: 'visible' });
    await page.locator('#controls [part~="reconnecting"]', { hasText: 'Reconnecting' }).waitFor();
    assert.equal(await page.locator('#controls [part~="reconnecting"]').getAttribute('role'), 'status');
    assert.equal(await page.locator('#controls .frame[inert]').count(), 1);
    assert.equal(await control(page, 'leave').isVisible(), true, 'the controls stay');
    await screenshot(page, 'reconnecting');
    assert.deepEqual(await axeViolations(page), []);
    await page.evaluate(() => ((window as any).offline = false));
    await page.locator('body[data-connection="connected"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#controls .frame[inert]').count(), 0);
    await control(page, 'mic').click();
  });
});
