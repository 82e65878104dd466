/** The embedding examples: plain HTML, an ES module page with its own tag names, and Vue 3. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { axeViolations, startDemo, type Demo } from './harness.js';

describe('embedding examples', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo?.close());

  it('the capability model alone from a classic script: flags in, grants out, malformed input fails closed', async () => {
    const { page, errors } = await demo.open(`${demo.server.url}/embed/capabilities.html`);
    const out = page.locator('#out');
    await out.filter({ hasText: 'lock.on: granted' }).waitFor();
    assert.match(await out.innerText(), /self\.mute\.audio\.off: not granted/);
    await page.getByLabel('Capability flags (JSON array)').fill('["self", "end"]');
    await out.filter({ hasText: 'self.mute.audio.off: granted' }).waitFor();
    await page.getByLabel('Capability flags (JSON array)').fill('not json');
    await out.filter({ hasText: 'end: not granted' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  });

  it('plain HTML: a classic script, capabilities from the page, actions as events', async () => {
    const { page, errors } = await demo.open(`${demo.server.url}/embed/plain.html`);
    const hand = page.locator('call-controls [part~="hand"]');
    await hand.click();
    await page.locator('#last', { hasText: 'raiseHand' }).waitFor();
    // gating="disable": what is not granted shows, disabled, with its reason.
    assert.equal(await page.locator('call-controls [part~="end"]').getAttribute('aria-disabled'), 'true');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  });

  it('ES module: the self-contained bundle, registered under a prefix', async () => {
    const { page, errors } = await demo.open(`${demo.server.url}/embed/module.html`);
    await page.locator('acme-call-controls [part~="hand"]').click();
    await page.locator('#last', { hasText: 'raiseHand' }).waitFor();
    assert.equal(await page.getByText('You may lock the room.').isVisible(), true);
    assert.equal(await page.getByText('You may not lock the room.').isVisible(), false);
    assert.equal(await page.evaluate(() => customElements.get('call-controls')), undefined, 'only the prefixed tags');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  });

  it('Vue 3: properties bound with .prop, events with @, live capability changes', async () => {
    const { page, errors } = await demo.open(`${demo.server.url}/embed/vue.html`);
    await page.locator('call-controls [part~="hand"]').click();
    await page.locator('output', { hasText: 'raiseHand' }).waitFor();
    assert.equal(await page.locator('call-controls [part~="lock"]').count(), 0);
    await page.getByLabel('Moderator').check();
    await page.locator('call-controls [part~="lock"]').click();
    await page.locator('output', { hasText: 'lock' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  });
  it("the README's pinned CDN snippet: Chromium accepts its integrity hashes for the built files", async () => {
    // The same files as on the CDN, served here: a stale hash would block them.
    const pinned = [...readFileSync('README.md', 'utf8').matchAll(/src="https:\/\/cdn\.jsdelivr\.net\/npm\/callcaps@[^/]+\/(dist\/[^"]+)"\s+integrity="([^"]+)"/g)];
    assert.deepEqual(pinned.map(([, file]) => file), ['dist/callcaps.iife.js', 'dist/callcaps.bundle.js']);
    const { page, errors } = await demo.open(`${demo.server.url}/embed/capabilities.html`);
    const loaded = await page.evaluate(
      (scripts) =>
        Promise.all(
          scripts.map(
            ([file, integrity], i) =>
              new Promise<boolean>((resolve) => {
                const script = document.createElement('script');
                if (i === 1) script.type = 'module';
                script.integrity = integrity;
                script.crossOrigin = 'anonymous';
                script.src = `/${file}?sri`;
                script.onload = () => resolve(true);
                script.onerror = () => resolve(false);
                document.head.append(script);
              }),
          ),
        ),
      pinned.map(([, file, integrity]) => [file, integrity] as [string, string]),
    );
    assert.deepEqual(loaded, [true, true]);
    assert.deepEqual(errors, []);
  });
});
