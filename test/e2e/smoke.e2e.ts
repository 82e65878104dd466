import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, screenshot, startDemo, type Demo } from './harness.js';

describe('the live call page', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo?.close());

  it('asks for a name when none is given, and joins with it', async () => {
    const guest = await demo.open(demo.link('demo-public'));
    await guest.page.getByLabel('Your name').fill('Grace <b>Hopper</b>');
    await guest.page.getByRole('button', { name: 'Join' }).click();
    await guest.page.locator('.tile').first().waitFor();
    assert.equal(await guest.page.locator('.tile .name').first().textContent(), 'Grace <b>Hopper</b> (you)');
    assert.deepEqual(await axeViolations(guest.page), []);
    assert.deepEqual(guest.errors, []);
  });

  it('shows owner and guest to each other', async () => {
    const owner = await demo.open(demo.link('demo-public', { token: await demo.ownerToken('demo-public', 'Ada') }));
    const guest = await demo.open(demo.link('demo-public', { name: 'Linus' }));
    await owner.page.locator('.tile', { hasText: 'Linus' }).waitFor();
    await guest.page.locator('.tile', { hasText: 'Ada' }).waitFor();
    assert.equal(await guest.page.locator('.tile', { hasText: 'Ada' }).locator('.badge', { hasText: 'Owner' }).count(), 1);
    await screenshot(owner.page, 'smoke-owner');
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(guest.errors, []);
  });
});
