/**
 * Reconnecting in a browser follows the network and the page: the built
 * client (window.Callcaps.connect, from dist/callcaps.iife.js) in Chromium,
 * talking to the reference server through a TCP proxy that the test can make
 * pass nothing. While the browser is offline (playwright's network emulation:
 * `navigator.onLine` false, `offline`/`online` events) no attempt is spent;
 * `online` retries at once; so does the page becoming visible again, however
 * long the backoff. Each page counts the sockets it opens through the
 * `WebSocket` option (a subclass of the browser's own).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startProxy, type Proxy } from '../client/proxy.js';
import { startDemo, type Demo, type Person } from './harness.js';

const HEARTBEAT = 300;

interface Probe {
  states: string[];
  sockets: number;
  id: string;
}

/** Opens a page (through the proxy, so that its WebSocket is same-origin for the CSP) and joins demo-public in it. */
async function join(demo: Demo, proxy: Proxy, reconnect: { min: number; max: number; attempts?: number }): Promise<Person> {
  const person = await demo.open(`${proxy.url}/`);
  await person.page.evaluate(async ({ url, heartbeat, reconnect }) => {
    const w = window as any;
    w.probe = { states: [], sockets: 0, id: '' };
    // The browser's own WebSocket, counted (a Proxy, not a class: tsx would name a class with a helper the page lacks).
    const Counted = new Proxy(WebSocket, {
      construct(target, args: [string]) {
        w.probe.sockets++;
        return new target(...args);
      },
    });
    const call = await w.Callcaps.connect(url, { room: 'demo-public', userName: 'Roamer', WebSocket: Counted, heartbeat, requestTimeout: 1000, reconnect });
    w.call = call;
    call.connection$.subscribe((state: string) => w.probe.states.push(state));
    call.self$.subscribe((self: { id: string } | null) => (w.probe.id ||= self?.id ?? ''));
  }, { url: proxy.url, heartbeat: HEARTBEAT, reconnect });
  return person;
}

const probe = (person: Person): Promise<Probe> => person.page.evaluate(() => ({ ...(window as any).probe }));

/** Waits until the page's call is in `state` (its latest), within a bound far below any backoff the tests rely on. */
async function reaches(person: Person, state: string): Promise<void> {
  await person.page.waitForFunction((state) => (window as any).probe.states.at(-1) === state, state, { timeout: 8000 });
}

/** The page's member id now (a resumed member keeps it). */
const selfId = (person: Person): Promise<string | undefined> =>
  person.page.evaluate(() => {
    let id: string | undefined;
    (window as any).call.self$.subscribe((self: { id: string } | null) => (id = self?.id)).unsubscribe();
    return id;
  });

/** Emulates the page going to the background or coming back: the state the document reports, and the event that the browser fires. */
const setVisibility = (person: Person, state: 'hidden' | 'visible') =>
  person.page.evaluate((state) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, value: state });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, state);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reconnecting in the browser: offline, online, visible', () => {
  let demo: Demo;
  let proxy: Proxy;
  before(async () => {
    demo = await startDemo();
    proxy = await startProxy(demo.server.port);
  });
  after(async () => {
    await proxy?.close();
    await demo?.close();
  });

  it('spends no attempt while offline, and retries as soon as the browser is online', async () => {
    // Two attempts, 20 to 50 ms apart: spent in well under a second if the client tried while offline.
    const person = await join(demo, proxy, { min: 20, max: 50, attempts: 2 });
    const id = (await probe(person)).id;
    await person.context.setOffline(true);
    proxy.stall('both'); // the link dies, whatever the emulation does to open sockets
    await reaches(person, 'reconnecting');
    const before = (await probe(person)).sockets;
    await pause(3000);
    const offline = await probe(person);
    assert.equal(offline.sockets, before, 'no socket opened while offline');
    assert.equal(offline.states.at(-1), 'reconnecting', 'not given up');

    proxy.resume();
    await person.context.setOffline(false);
    await reaches(person, 'connected');
    const back = await probe(person);
    assert.equal(back.sockets, before + 1, 'one attempt, at `online`');
    assert.deepEqual(back.states, ['connected', 'reconnecting', 'connected']);
    assert.equal(await selfId(person), id, 'the same member, resumed');
    assert.deepEqual(person.errors, []);
    await person.context.close();
  });

  it('going offline during a long backoff: `online` retries at once', async () => {
    const person = await join(demo, proxy, { min: 60_000, max: 60_000 });
    proxy.stall('both');
    await reaches(person, 'reconnecting');
    const before = (await probe(person)).sockets;
    proxy.resume();
    await person.context.setOffline(true);
    await pause(300);
    await person.context.setOffline(false);
    await reaches(person, 'connected');
    assert.equal((await probe(person)).sockets, before + 1);
    assert.deepEqual(person.errors, []);
    await person.context.close();
  });

  it('the page becoming visible retries at once, the backoff reset; hiding it does nothing', async () => {
    const person = await join(demo, proxy, { min: 60_000, max: 60_000 });
    const id = (await probe(person)).id;
    await setVisibility(person, 'hidden');
    proxy.stall('both');
    await reaches(person, 'reconnecting');
    const before = (await probe(person)).sockets;
    proxy.resume();
    // Hidden, and a minute of backoff ahead: nothing happens.
    await setVisibility(person, 'hidden');
    await pause(1000);
    assert.deepEqual(await probe(person).then((p) => [p.sockets, p.states.at(-1)]), [before, 'reconnecting']);

    await setVisibility(person, 'visible');
    await reaches(person, 'connected');
    assert.equal((await probe(person)).sockets, before + 1, 'one attempt, at `visibilitychange`');
    assert.equal(await selfId(person), id, 'the same member, resumed');
    assert.deepEqual(person.errors, []);
    await person.context.close();
  });
});
