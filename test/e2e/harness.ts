/**
 * End-to-end harness: the reference server on a free port with a temporary
 * store, serving the demo and the built bundles as `npm start` does, and
 * Debian's Chromium driven by playwright-core with fake media devices.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { DEMO_ROOMS } from '../../scripts/demo-rooms.mjs';
import { createServer, silentLogger, type CallcapsServer, type ServerOptions } from '@callcaps/server';

const SCREENSHOTS = join('test-output', 'screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Demo {
  server: CallcapsServer;
  browser: Browser;
  /** The live page URL for a room, with an optional name and token (in the fragment, as `npm start` prints it). */
  link(room: string, options?: { token?: string; name?: string }): string;
  ownerToken(room: string, name?: string): Promise<string>;
  /** Opens a page in a fresh browser context (a separate person); records its console errors. `init` runs in the page before its scripts. */
  open(url: string, init?: (() => void) | string): Promise<Person>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export interface Person {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen on the page. */
  errors: string[];
  /** Every request the page made: its URL and its Referer, as `URL (referer: …)`. */
  requests: string[];
}

/** `media: 'auto'` starts the embedded Janus, as `npm start` does (the media suite); `server` adds server options. */
export async function startDemo(options: { media?: 'auto'; server?: ServerOptions } = {}): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'callcaps-e2e-'));
  const server = await createServer({
    ...options.server,
    port: 0,
    media: options.media,
    dataPath: join(dir, 'callcaps.db'),
    apiKey: 'e2e-api-key',
    logger: silentLogger,
    static: [
      { path: '/dist', dir: 'dist' },
      { path: '/vendor/vue', dir: 'node_modules/vue/dist' },
      { path: '/', dir: 'demo' },
    ],
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };
  for (const { title: _title, ...room } of DEMO_ROOMS) {
    const created = await api('POST', '/v1/rooms', room);
    if (created.status !== 200) throw new Error(`could not create ${room.name}: ${JSON.stringify(created.json)}`);
  }

  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    // Fake camera and microphone (a test pattern and a beep), allowed without a prompt; remote audio plays without a gesture.
    args: [...chromiumArgs(), '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  const contexts: BrowserContext[] = [];

  return {
    server,
    browser,
    api,
    link(room, { token, name } = {}) {
      const query = new URLSearchParams({ room });
      if (name) query.set('name', name);
      return `${server.url}/?${query}${token ? `#${new URLSearchParams({ t: token })}` : ''}`;
    },
    ownerToken: (room, name = 'Owner') => server.createToken({ room_name: room, is_owner: true, user_name: name }),
    async open(url, init) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      if (init) await context.addInitScript(init);
      await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('request', (request) => requests.push(`${request.url()} (referer: ${request.headers().referer ?? 'none'})`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url);
      return { page, context, errors, requests };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The axe violations of the page as it is now (shadow roots included). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, not an inline <script>: the pages' CSP allows only their own inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(
      (v: { id: string; help: string; nodes: { target: unknown }[] }) =>
        `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`,
    );
  });
  return violations as string[];
}

/** Writes a full-page screenshot to test-output/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A participant's row in the demo's permissions panel. */
export const row = (page: Page, name: string) => page.locator('#panel [part~="participant"]', { hasText: name });

/** Chooses an item of a participant's row menu in the permissions panel (the menu opens from the row's `more`). */
export async function fromRowMenu(page: Page, name: string, part: string, hasText?: string): Promise<void> {
  await row(page, name).locator('[part~="more"]').click();
  await page.locator(`#panel [part~="menu"] [part~="${part}"]`, { hasText }).click();
}

/** Every page of `people`: no console errors (but those `ignore` matches), and axe-clean as it is now. */
export async function expectCleanPages(people: readonly Person[], ignore?: RegExp): Promise<void> {
  for (const person of people) {
    if (person.page.isClosed()) continue;
    const errors = ignore ? person.errors.filter((e) => !ignore.test(e)) : person.errors;
    assert.deepEqual(errors, [], `console errors on ${person.page.url()}`);
    assert.deepEqual(await axeViolations(person.page), [], `axe violations on ${person.page.url()}`);
  }
}
