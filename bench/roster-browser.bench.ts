/**
 * The permissions panel over the reference server's paged roster, in
 * Chromium: the demo page (panel, controls, stage) of an owner joining a room
 * of 5,000, in pages of 100 (the default) above 20 members (not 200: the
 * members who join while the room is small hear of every later join, which
 * only slows the setup). Beside elements.bench.ts, whose list arrives whole from a fake
 * call, this one pays the server, the socket and the client for every page.
 */
import type { Page } from 'playwright-core';
import { rawMember, rawMembers } from '../packages/server/test/helpers.js';
import { startDemo } from '../test/e2e/harness.js';
import { timingLine } from './harness.js';

const ROOM = 'bench-town-hall';
const MEMBERS = 4999;
const SAMPLES = 5;

/** In the page: from a keydown on the first row (End) until the last row is focused, or from an input in the search box (`name`) until that row is shown. */
function timeTo(page: Page, action: 'End' | 'search', name = ''): Promise<number> {
  // A string, not a function: the TypeScript loader would name the inner functions with a helper the page lacks.
  return page.evaluate(`new Promise((resolve) => {
    const root = document.querySelector('#panel').shadowRoot;
    const done = () => {
      const active = root.activeElement;
      return ${JSON.stringify(action)} === 'End'
        ? !!active?.matches('[aria-posinset]:not([aria-posinset="1"])') && active.getAttribute('aria-posinset') === active.getAttribute('aria-setsize')
        : [...root.querySelectorAll('[part~="name"]')].some((el) => el.textContent === ${JSON.stringify(name)});
    };
    const started = performance.now();
    if (${JSON.stringify(action)} === 'End') {
      const row = root.querySelector('[part~="participant"]');
      row.focus();
      row.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, composed: true }));
    } else {
      const search = root.querySelector('[part~="search"]');
      search.value = ${JSON.stringify(name)};
      search.dispatchEvent(new Event('input'));
    }
    // Checked after each frame: the row has been laid out when it is seen.
    const check = () => (done() ? resolve(performance.now() - started) : requestAnimationFrame(check));
    requestAnimationFrame(check);
  })`);
}

export async function run(): Promise<void> {
  const demo = await startDemo({ server: { maxConnectionsPerAddress: 0, roster: { threshold: 20 } } });
  const members: Awaited<ReturnType<typeof rawMember>>[] = [];
  try {
    await demo.api('POST', '/v1/rooms', { name: ROOM, privacy: 'public', properties: { max_participants: 10_000 } });
    members.push(...await rawMembers(demo.server.wsUrl, ROOM, MEMBERS, (i) => `member-${i}`));
    const joined: number[] = [];
    const end: number[] = [];
    const search: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      // A fresh owner each time: its roster starts at the first page.
      const started = performance.now();
      const { page, context } = await demo.open(demo.link(ROOM, { token: await demo.ownerToken(ROOM, `Owner ${s}`) }));
      await page.locator('#panel [part~="participant"]').first().waitFor();
      joined.push(performance.now() - started);
      search.push(await timeTo(page, 'search', 'member-4321'));
      await page.locator('#panel [part~="search"]').fill('');
      await page.locator('#panel [part~="participant"]', { hasText: 'member-0' }).first().waitFor();
      end.push(await timeTo(page, 'End'));
      await context.close();
    }
    console.log(`\n## permissions-panel over the reference server's paged roster (${demo.browser.version()})`);
    console.log(
      `method: the demo page of an owner joining a room of ${(MEMBERS + 1).toLocaleString('en')} (${MEMBERS.toLocaleString('en')} raw members ` +
        'from Node, the server in the same process, pages of 100 above 20 members); a fresh owner per sample. ' +
        '"joined" runs from opening the page to the first row shown (Node clock); the others are timed in the page from the keydown or ' +
        'input event to the row focused or shown after a frame, pages fetched over the socket on the way (End loads pages of up to 1,000).',
    );
    timingLine(`page opened → first row shown, ${(MEMBERS + 1).toLocaleString('en')}`, joined, 'info');
    timingLine(`End → last row focused, every page loaded`, end, '< 200 ms');
    timingLine(`search → a member on a later page shown`, search, '< 200 ms');
  } finally {
    for (const m of members) m.ws.terminate();
    await demo.close();
  }
}
