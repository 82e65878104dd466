/**
 * Screenshots of every element in its main states (light and dark, 1280 and
 * 375 px wide, left to right and right to left), saved to
 * test-output/screenshots/, and checked for layout regressions by bounding
 * boxes: no two controls overlap, none overflows its element, and the
 * call-controls bar at 375 px takes at most two rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot, startDemo, type Demo, type Person } from './harness.js';

let demo: Demo;
const people: Person[] = [];

async function join(room: string, options: { owner?: string; name?: string }): Promise<Person> {
  const token = options.owner ? await demo.ownerToken(room, options.owner) : undefined;
  const person = await demo.open(demo.link(room, { token, name: options.name }));
  people.push(person);
  return person;
}

/** Layout problems of every visible callcaps element on the page, and the rows of each controls bar. */
async function layout(page: Page): Promise<{ problems: string[]; barRows: number[] }> {
  // tsx keeps function names with a helper the page does not have.
  await page.evaluate('window.__name = (f) => f');
  return page.evaluate(() => {
    const problems: string[] = [];
    const barRows: number[] = [];
    const inside = (b: DOMRect, h: DOMRect) => b.left >= h.left - 1 && b.right <= h.right + 1 && b.top >= h.top - 1 && b.bottom <= h.bottom + 1;
    for (const host of document.querySelectorAll<HTMLElement>('call-controls, permissions-panel, waiting-room')) {
      if (!host.checkVisibility() || host.hasAttribute('empty')) continue;
      const root = host.shadowRoot!;
      const name = `${host.localName}#${host.id}`;
      const hostBox = host.getBoundingClientRect();
      // Controls in place (popups and menus are not: they float above by design).
      const controls = [...root.querySelectorAll<HTMLElement>('button, input, select, [part~="count"], [part~="name"]')].filter(
        (el) => el.checkVisibility() && !el.closest('[popover], .popup, [role="menu"]'),
      );
      const boxes = controls.map((el) => ({ el, box: el.getBoundingClientRect() })).filter(({ box }) => box.width > 0);
      for (const { el, box } of boxes) {
        // A scrolling list clips its rows vertically: only the rows in view count.
        const list = el.closest('ul');
        const frame = list ? list.getBoundingClientRect() : hostBox;
        if (list && (box.bottom <= frame.top || box.top >= frame.bottom)) continue;
        const bounds = list ? new DOMRect(frame.x, Math.min(box.y, frame.y), frame.width, Math.max(box.height, frame.height) + Math.abs(box.y - frame.y)) : hostBox;
        if (!inside(box, bounds)) problems.push(`${name}: ${el.getAttribute('part') ?? el.localName} overflows (${box.left},${box.right} in ${hostBox.left},${hostBox.right})`);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].box;
          const b = boxes[j].box;
          if (boxes[i].el.contains(boxes[j].el) || boxes[j].el.contains(boxes[i].el)) continue;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) problems.push(`${name}: ${boxes[i].el.getAttribute('part')} overlaps ${boxes[j].el.getAttribute('part')}`);
        }
      }
      const bar = root.querySelector('[part~="bar"]');
      if (bar) barRows.push(new Set([...bar.children].filter((c) => c.checkVisibility()).map((c) => Math.round(c.getBoundingClientRect().top))).size);
    }
    return { problems, barRows };
  });
}

const SETTINGS = [
  { width: 1280, scheme: 'light', dir: 'ltr' },
  { width: 1280, scheme: 'dark', dir: 'ltr' },
  { width: 375, scheme: 'light', dir: 'ltr' },
  { width: 375, scheme: 'dark', dir: 'ltr' },
  { width: 1280, scheme: 'light', dir: 'rtl' },
  { width: 375, scheme: 'dark', dir: 'rtl' },
] as const;

async function shoot(person: Person, state: string): Promise<void> {
  const page = person.page;
  for (const { width, scheme, dir } of SETTINGS) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate((d) => (document.documentElement.dir = d), dir);
    // Two frames: the resize observer and the element's update.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const name = `${state}-${width}-${scheme}-${dir}`;
    await screenshot(page, name);
    const { problems, barRows } = await layout(page);
    assert.deepEqual(problems, [], name);
    if (width === 375) for (const rows of barRows) assert.ok(rows <= 2, `${name}: the bar takes ${rows} rows`);
  }
}

describe('screenshots and layout', () => {
  before(async () => {
    demo = await startDemo();
  });
  after(async () => {
    for (const person of people) await person.context.close().catch(() => {});
    await demo?.close();
  });

  it('every element in its main states, light and dark, 1280 and 375 px, LTR and RTL', async () => {
    const owner = await join('demo-private', { owner: 'Ada Lovelace' });
    await owner.page.locator('#tiles .tile', { hasText: 'Ada' }).waitFor();
    const guest = await join('demo-private', { name: 'Grace Hopper' });
    await guest.page.locator('#lobby-room [part~="knock"]').click();
    await owner.page.locator('#waiting [part~="admit"]').click();
    await guest.page.locator('#controls [part~="leave"]').waitFor();
    const knocker = await join('demo-private', { name: 'Katherine Johnson' });
    await knocker.page.locator('#lobby-room [part~="name-input"]').waitFor();
    // The lobby's form, then a host with a knocker waiting, a row menu open, a guest, and the lobby waiting.
    await shoot(knocker, 'lobby-form');
    await knocker.page.locator('#lobby-room [part~="knock"]').click();
    await owner.page.locator('#waiting [part~="waiting-participant"]').waitFor();
    await owner.page.locator('#controls [part~="mic"]').click();
    await shoot(owner, 'host');
    await shoot(guest, 'guest');
    await shoot(knocker, 'lobby-waiting');
    await owner.page.locator('#waiting [part~="deny"]').click();
    await knocker.page.locator('#lobby-room [part~="lobby"][data-state="denied"]').waitFor();
    await shoot(knocker, 'lobby-denied');
    await owner.page.locator('#panel [part~="participant"]', { hasText: 'Grace' }).locator('[part~="more"]').click();
    await owner.page.locator('#panel [part~="menu"]').waitFor();
    await screenshot(owner.page, 'host-row-menu');
  });
});
