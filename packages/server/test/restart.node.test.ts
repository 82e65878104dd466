import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, startServer, type TestServer } from './helpers.js';

describe('restart', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  it('keeps rooms, call types and the audit log; clients rejoin and resync', async () => {
    await t.rest('POST', '/v1/rooms', { name: 'durable', privacy: 'private', properties: { call_type: 'townhall', max_participants: 9 } })
      .then((r) => assert.equal(r.status, 400)); // the call type does not exist yet
    await t.rest('POST', '/v1/call-types', { name: 'townhall', grants: { user: ['join-call', 'send-audio'], host: ['join-call', 'end-call'] } });
    await t.rest('PUT', '/v1/call-types/default', { settings: { layout: { options: ['grid', 'speaker', 'spotlight', 'tiles'] } } });
    const room = (await t.rest('POST', '/v1/rooms', { name: 'durable', privacy: 'private', properties: { call_type: 'townhall', max_participants: 9 } })).body;
    const ownerToken = await t.token({ room_name: 'durable', is_owner: true, user_id: 'boss' });
    const userToken = await t.token({ room_name: 'durable', user_id: 'pat' });
    const host = await joined(t, 'durable', { token: ownerToken });
    const user = await joined(t, 'durable', { token: userToken });
    await host.c.request('call.member.update', { member_id: user.id, permissions: { canSend: false } });
    await host.c.request('call.lock');
    const audit = (await t.rest('GET', '/v1/audit-log')).body.data;
    assert.equal(audit.length, 2);
    const callTypes = (await t.rest('GET', '/v1/call-types')).body;

    await t.restart();
    assert.equal((await host.c.closed).code, 1001);
    assert.equal((await user.c.closed).code, 1001);

    assert.deepEqual((await t.rest('GET', '/v1/rooms/durable')).body, room);
    assert.deepEqual((await t.rest('GET', '/v1/call-types')).body, callTypes);
    assert.deepEqual((await t.rest('GET', '/v1/audit-log')).body.data, audit);

    // The live call did not survive: rejoining with the same tokens starts a fresh one.
    const host2 = await joined(t, 'durable', { token: ownerToken });
    assert.equal(host2.joined.self.user_id, 'boss');
    assert.equal(host2.joined.room.call_type, 'townhall');
    assert.equal(host2.joined.room.locked, false);
    assert.deepEqual(host2.joined.room.roles, ['user', 'host']);
    const user2 = await joined(t, 'durable', { token: userToken });
    assert.equal(user2.joined.members.length, 2);
    assert.ok(user2.joined.capabilities.includes('self.mute.audio.off'));
    assert.equal((await host2.c.next('member.joined')).member.user_id, 'pat');
    // The same API key (given) still signs; tokens made before the restart still verify.
    assert.equal((await t.rest('GET', '/v1/rooms')).status, 200);
  });

  it('keeps a generated API key across restarts', async () => {
    const other = await startServer({ apiKey: undefined });
    try {
      assert.equal(other.server.apiKeyGenerated, true);
      const key = other.server.apiKey;
      assert.match(key, /^cc_[A-Za-z0-9_-]{20,}$/);
      await other.restart();
      assert.equal(other.server.apiKey, key);
      assert.equal((await other.rest('GET', '/v1/rooms', undefined, key)).status, 200);
    } finally {
      await other.close();
    }
  });
});
