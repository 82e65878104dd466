import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, screenshot, startDemo, type Demo, type Person } from './harness.js';

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

  /** Waits until the page shows its own tile with the owner badge. */
  const isOwner = (person: Person) => person.page.locator('.tile.self .badge', { hasText: 'Owner' }).waitFor();

  it('an owner link carries the token in the fragment: the owner joins, and no request or Referer carries the token', async () => {
    const token = await demo.ownerToken('demo-public', 'Fragment');
    const link = demo.link('demo-public', { token });
    assert.match(link, /\?room=demo-public#t=/);
    const owner = await demo.open(link);
    await isOwner(owner);
    assert.equal(await owner.page.evaluate(() => new URLSearchParams(location.search).has('t')), false);
    assert.ok(owner.requests.length > 1);
    assert.deepEqual(owner.requests.filter((r) => r.includes(token)), []);
    assert.deepEqual(owner.errors, []);
  });

  it('an old link with ?t= still works; the token leaves the query for the fragment, so a reload stays the owner', async () => {
    const token = await demo.ownerToken('demo-public', 'Legacy');
    const owner = await demo.open(`${demo.server.url}/?room=demo-public&t=${token}`);
    await isOwner(owner);
    const where = await owner.page.evaluate(() => ({ search: location.search, hash: location.hash }));
    assert.deepEqual(where, { search: '?room=demo-public', hash: `#t=${token}` });
    assert.deepEqual(owner.errors, []);
    const seen = owner.requests.length;
    await owner.page.reload();
    await isOwner(owner);
    assert.deepEqual(owner.requests.slice(seen).filter((r) => r.includes(token)), [], 'after the first load, no request carries the token');
  });
});
