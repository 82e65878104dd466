import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type RpcClient, type TestServer } from './helpers.js';

/** Requests that act on others or on the call: refused for a plain member. */
const onOthers = (other: string, knocker: string): [string, Record<string, unknown>][] => [
  ['call.mute', { member_id: other, channels: ['audio'] }],
  ['call.mute', { member_id: other, channels: ['video'] }],
  ['call.unmute', { member_id: other, channels: ['audio'] }],
  ['call.unmute', { member_id: other, channels: ['audio', 'video'] }],
  ['call.deaf', { member_id: other }],
  ['call.undeaf', { member_id: other }],
  ['call.raisehand', { member_id: other }],
  ['call.lowerhand', { member_id: other }],
  ['call.lock', {}],
  ['call.unlock', {}],
  ['call.end', {}],
  ['call.layout.set', { layout: 'speaker' }],
  ['call.member.remove', { member_id: other }],
  ['call.member.update', { member_id: other, permissions: { canSend: false } }],
  ['call.member.update', { member_id: other, role: 'user' }],
  ['call.member.update', { member_id: '*', permissions: { hasPresence: false } }],
  ['call.member.update', { member_id: '*', role: 'admin' }],
  ['call.waiting.update', { member_id: knocker, grant: true }],
  ['call.waiting.update', { member_id: '*', grant: false }],
  ['call.permission.deny', { member_id: other }],
  ['call.record.start', {}],
  ['call.record.stop', {}],
  ['call.stream.start', {}],
  ['call.stream.stop', {}],
  ['call.transcribe.start', {}],
  ['call.transcribe.stop', {}],
];

/** Requests on oneself: refused for a member without presence. */
const onSelf = (self: string): [string, Record<string, unknown>][] => [
  ['call.mute', { channels: ['audio'] }],
  ['call.unmute', { channels: ['audio', 'video'] }],
  ['call.deaf', {}],
  ['call.undeaf', {}],
  ['call.raisehand', {}],
  ['call.lowerhand', { member_id: self }],
  ['call.screenshare.start', {}],
  ['call.screenshare.stop', {}],
  ['call.digit.send', { digits: '1' }],
  ['call.member.update', { member_id: self, permissions: { hasPresence: true, canSend: true } }],
  ['call.member.update', { member_id: self, role: 'host' }],
  ['call.member.remove', { member_id: self }],
  ['call.permission.request', { permissions: ['audio'] }],
  ['call.message.send', { data: 'let me in' }],
];

describe('enforcement: requests without the capability', () => {
  let t: TestServer;
  let host: { c: RpcClient; id: string };
  let observer: { c: RpcClient; id: string; joined: any };
  let knocker: string;
  const room = 'guarded';

  before(async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: room, properties: { enable_knocking: true } });
    host = await joined(t, room, { token: await t.token({ room_name: room, is_owner: true, user_id: 'host' }) });
    observer = await joined(t, room, { user_name: 'Observer' });
    await host.c.request('call.lock');
    const k = await t.client();
    knocker = (await k.request('call.join', { room })).member_id;
    await k.request('call.request_access', { name: 'Knocker' });
    await host.c.next('waiting.added');
    await host.c.request('call.unlock');
    await settle();
    host.c.drain();
    observer.c.drain();
  });
  after(() => t.close());

  const snapshot = async () => {
    const probe = await joined(t, room, { token: await t.token({ room_name: room, is_owner: true, user_id: 'probe' }) });
    const { call_id: _id, self: _self, capabilities: _caps, resume: _resume, ...state } = probe.joined;
    await probe.c.request('call.leave');
    await settle();
    host.c.drain();
    observer.c.drain();
    return { ...state, members: state.members.filter((m: { id: string }) => m.id !== probe.id) };
  };

  async function refusedAll(c: RpcClient, requests: [string, Record<string, unknown>][]) {
    const audit = (await t.rest('GET', '/v1/audit-log')).body.data;
    const state = await snapshot();
    const logged = t.logs.filter((l) => l.line.startsWith('refused')).length;
    for (const [method, params] of requests) {
      const code = await c.refused(method, params);
      assert.equal(code, 4403, `${method} ${JSON.stringify(params)} → ${code}`);
    }
    await settle();
    // Nothing changed: the others heard nothing, the call is the same, the audit log too.
    assert.deepEqual(observer.c.fresh(), []);
    assert.deepEqual(host.c.fresh(), []);
    assert.deepEqual(await snapshot(), state);
    assert.deepEqual((await t.rest('GET', '/v1/audit-log')).body.data, audit);
    // One log line per refusal, with its code.
    const lines = t.logs.filter((l) => l.line.startsWith('refused')).slice(logged);
    assert.equal(lines.length, requests.length);
    for (const l of lines) assert.match(l.line, /code=4403/);
  }

  it('a member without presence: every request → 4403, nothing changes', async () => {
    await t.rest('POST', `/v1/rooms/${room}`, { properties: { permissions: { hasPresence: false } } });
    const hidden = await joined(t, room, { user_name: 'Hidden' });
    assert.deepEqual(hidden.joined.capabilities, ['request.presence']);
    await t.rest('POST', `/v1/rooms/${room}`, { properties: { permissions: null } });
    await refusedAll(hidden.c, [...onOthers(observer.id, knocker), ...onSelf(hidden.id)]);
  });

  it('a plain member: every request on others or the call → 4403, nothing changes', async () => {
    const plain = await joined(t, room, { user_name: 'Plain' });
    await settle();
    host.c.drain();
    observer.c.drain();
    await refusedAll(plain.c, [...onOthers(observer.id, knocker), ...onOthers(host.id, knocker)]);
  });

  it('a moderator: whatever touches an owner or needs an owner → 4403, nothing changes', async () => {
    const mod = await joined(t, room, { token: await t.token({ room_name: room, role: 'moderator' }) });
    await settle();
    host.c.drain();
    observer.c.drain();
    await refusedAll(mod.c, [
      ['call.mute', { member_id: host.id, channels: ['audio'] }],
      ['call.unmute', { member_id: observer.id, channels: ['audio'] }],
      ['call.undeaf', { member_id: observer.id }],
      ['call.raisehand', { member_id: observer.id }],
      ['call.member.remove', { member_id: host.id }],
      ['call.member.update', { member_id: host.id, permissions: { canSend: false } }],
      ['call.member.update', { member_id: observer.id, role: 'host' }],
      ['call.member.update', { member_id: observer.id, permissions: { canAdmin: ['streaming'] } }],
      ['call.lock', {}],
      ['call.end', {}],
      ['call.record.start', {}],
    ]);
  });
});
