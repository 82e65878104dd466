/**
 * Liveness in a browser, whose WebSocket never shows protocol pings to JS:
 * the built client (window.Callcaps.connect) talks to the reference server
 * through a TCP proxy that at some point passes nothing without closing. The
 * page notices within 2 × heartbeat, rejects the pending request, and resumes
 * its member once the network works again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startProxy, type Proxy } from '../client/proxy.js';
import { startDemo, type Demo } from './harness.js';

const HEARTBEAT = 300;

describe('liveness in the browser', () => {
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

  it('a silently dead link: reconnecting within 2 × heartbeat, the pending request rejected with ConnectionError, then the same member back', async () => {
    // The page without a room only asks for a name: it has the bundle and no call of its own. It is
    // loaded through the proxy too, as over a real network, so that its WebSocket is same-origin (the CSP).
    const person = await demo.open(`${proxy.url}/`);
    const page = person.page;
    await page.evaluate(async ({ url, heartbeat }) => {
      const { connect } = (window as any).Callcaps;
      const call = await connect(url, { room: 'demo-public', userName: 'Probe', heartbeat, requestTimeout: 1000, reconnect: { min: 20, max: 100 } });
      const w = window as any;
      w.probe = { call, states: [] as string[], known: [] as boolean[] };
      call.connection$.subscribe((state: string) => w.probe.states.push(state));
      call.capabilities.known$.subscribe((known: boolean) => w.probe.known.push(known));
      call.self$.subscribe((self: { id: string } | null) => (w.probe.id ??= self?.id));
    }, { url: proxy.url, heartbeat: HEARTBEAT });

    proxy.stall('both');
    const outcome = await page.evaluate(async () => {
      const { call } = (window as any).probe;
      const started = performance.now();
      const pending = call.raiseHand().then(
        () => ({ answered: true }),
        (error: { name: string; code: string }) => ({ name: error.name, code: error.code, after: performance.now() - started }),
      );
      await new Promise<void>((resolve) => {
        const sub = call.connection$.subscribe((state: string) => state === 'reconnecting' && (resolve(), queueMicrotask(() => sub.unsubscribe())));
      });
      return { noticed: performance.now() - started, known: call.capabilities.known, request: await pending };
    });
    assert.ok(outcome.noticed <= 2 * HEARTBEAT + 400, `noticed after ${Math.round(outcome.noticed)} ms`);
    assert.equal(outcome.known, false);
    assert.deepEqual({ ...outcome.request, after: undefined }, { name: 'ConnectionError', code: 'disconnected', after: undefined });

    proxy.resume();
    const back = await page.waitForFunction(() => {
      const { call, id } = (window as any).probe;
      let self = null as { id: string } | null;
      call.self$.subscribe((s: { id: string } | null) => (self = s)).unsubscribe();
      return call.capabilities.known && self && { same: self.id === id };
    }, undefined, { timeout: 8000 });
    assert.deepEqual(await back.jsonValue(), { same: true });
    const { states, known } = await page.evaluate(() => (window as any).probe);
    assert.deepEqual(states.slice(0, 3), ['connected', 'reconnecting', 'connected']);
    assert.deepEqual(known.slice(0, 3), [true, false, true]);
    assert.deepEqual(person.errors, []);
  });
});
