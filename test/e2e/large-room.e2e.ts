/**
 * A town hall of 5,000 in Chromium (issues 13 and 14): the owner's
 * permissions panel over the client's paged roster. 4,999 cheap members join
 * from Node before the owner, in pages of 100 (the default) above 20 members
 * (not 200: the members who join while the room is small hear of every later
 * join, which only slows the setup). The panel counts them all and the
 * audience, puts a hand raised on a page not loaded yet first, finds a member
 * on a later page by searching on the server, reaches the last member by
 * keyboard and by scrolling, and never shows a member who left from a page not
 * loaded yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { rawMember, rawMembers } from '../../packages/server/test/helpers.js';
import { expectCleanPages, startDemo, type Demo, type Person } from './harness.js';

const ROOM = 'town-hall';
const MEMBERS = 4999;
const HIDDEN = 3;
const name = (i: number) => `member-${String(i).padStart(4, '0')}`;
const LAST = name(MEMBERS - 1);

const count = (page: Page) => page.locator('#panel [part~="count"]');
const focusedName = (page: Page) =>
  page.evaluate(() => document.querySelector('#panel')!.shadowRoot!.activeElement?.querySelector('[part~="name"]')?.textContent ?? null);

/** Records every name the panel's list ever renders (rows come and go as the window moves). */
async function recordNames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const root = document.querySelector('#panel')!.shadowRoot!;
    const seen = ((window as unknown as { seen: Set<string> }).seen = new Set());
    // (No named functions in here: the test runner's transform would wrap them in a helper the page lacks.)
    new MutationObserver(() => root.querySelectorAll('[part~="name"]').forEach((el) => seen.add(el.textContent ?? '')))
      .observe(root, { childList: true, subtree: true, characterData: true });
    root.querySelectorAll('[part~="name"]').forEach((el) => seen.add(el.textContent ?? ''));
  });
}
const seen = (page: Page, who: string) => page.evaluate((n) => (window as unknown as { seen: Set<string> }).seen.has(n), who);

describe(`a room of ${(MEMBERS + 1).toLocaleString('en')} in the permissions panel`, () => {
  let demo: Demo;
  const people: Person[] = [];
  let members: Awaited<ReturnType<typeof rawMember>>[] = [];

  before(async () => {
    demo = await startDemo({ server: { maxConnectionsPerAddress: 0, roster: { threshold: 20 } } });
    await demo.api('POST', '/v1/rooms', { name: ROOM, privacy: 'public', properties: { max_participants: 10_000 } });
    const started = Date.now();
    members = await rawMembers(demo.server.wsUrl, ROOM, MEMBERS, name);
    for (let i = 0; i < HIDDEN; i++) {
      const token = await demo.server.createToken({ room_name: ROOM, user_name: `viewer-${i}`, permissions: { hasPresence: false } });
      members.push(await rawMember(demo.server.wsUrl, ROOM, { token }));
    }
    console.log(`# ${members.length} members joined in ${Date.now() - started} ms`);
  });
  after(async () => {
    for (const m of members) m.ws.terminate();
    members = [];
    await demo?.close();
  });

  async function owner(label: string): Promise<Page> {
    const person = await demo.open(demo.link(ROOM, { token: await demo.ownerToken(ROOM, label) }));
    people.push(person);
    return person.page;
  }

  it('counts everyone and the audience, searches on the server, reaches the last member by End, never shows who left unloaded', async () => {
    const page = await owner('Owner');
    // The owner is one of 5,000 with presence: the others are counted before their pages load.
    await count(page).filter({ hasText: '4,999 participants, 3 watching' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#panel [part~="participant"]').first().getAttribute('aria-setsize'), '4999');
    await recordNames(page);

    // A hand raised on a page not loaded yet comes first all the same (the server tells hosts of raised hands).
    members[4000].send('call.raisehand');
    await page.locator('#panel [part~="participant"]').first().filter({ hasText: name(4000) }).waitFor();
    assert.equal(await page.locator('#panel [part~="participant"]').first().locator('[data-icon="hand"]').count(), 1);
    members[4000].send('call.lowerhand');
    await page.locator('#panel [part~="participant"]').first().filter({ hasText: name(0) }).waitFor();

    // A member on a page not loaded yet leaves: counted out, never shown.
    const gone = name(4500);
    members[4500].send('call.leave');
    await count(page).filter({ hasText: '4,998 participants' }).waitFor();

    // Search on the server finds a member far beyond the loaded page.
    const search = page.locator('#panel [part~="search"]');
    await search.fill('MEMBER-4321');
    await page.locator('#panel [part~="participant"]', { hasText: name(4321) }).waitFor();
    await count(page).filter({ hasText: /^1 participant, 3 watching$/ }).waitFor();
    await search.fill('');
    await count(page).filter({ hasText: '4,998 participants, 3 watching' }).waitFor();

    // End from the first row: the pages load one after another, and the last member takes the focus.
    await page.locator('#panel [part~="participant"]').first().focus();
    const started = Date.now();
    await page.keyboard.press('End');
    await page.waitForFunction((last) => {
      const active = document.querySelector('#panel')!.shadowRoot!.activeElement;
      return active?.querySelector('[part~="name"]')?.textContent === last;
    }, LAST, { timeout: 30_000 });
    console.log(`# End → last of ${MEMBERS - 1} rows focused, all pages loaded: ${Date.now() - started} ms`);
    const last = page.locator('#panel [part~="participant"]', { hasText: LAST });
    assert.deepEqual([await last.getAttribute('aria-posinset'), await last.getAttribute('aria-setsize')], ['4998', '4998']);
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedName(page), name(MEMBERS - 2));
    await page.keyboard.press('Home');
    assert.equal(await focusedName(page), name(0));

    assert.equal(await seen(page, LAST), true);
    assert.equal(await seen(page, gone), false, 'the member who left before its page loaded never appeared');
    await expectCleanPages([people.at(-1)!]);
  });

  it('scrolling to the end loads the pages on the way and reaches the last member', async () => {
    const page = await owner('Co-owner');
    await count(page).filter({ hasText: '4,999 participants, 3 watching' }).waitFor({ timeout: 20_000 });
    // (4,998 raw members and the first owner: the co-owner does not list itself.)
    const started = Date.now();
    await page.evaluate(() => {
      const list = document.querySelector('#panel')!.shadowRoot!.querySelector<HTMLElement>('[part~="participants"]')!;
      list.scrollTop = list.scrollHeight;
    });
    await page.locator('#panel [part~="participant"]', { hasText: 'Owner' }).waitFor({ timeout: 30_000 });
    console.log(`# scrolled to the end, all pages loaded: ${Date.now() - started} ms`);
    await page.locator('#panel [part~="participant"]', { hasText: LAST }).waitFor();
  });
});
