import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type TestServer } from './helpers.js';

describe('the call protocol', () => {
  let t: TestServer;
  let room = 0;
  /** A fresh room for each test. */
  const makeRoom = async (body: Record<string, unknown> = {}) => {
    const name = `r${++room}`;
    const r = await t.rest('POST', '/v1/rooms', { name, ...body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return name;
  };
  const owner = async (name: string, extra: Record<string, unknown> = {}) =>
    joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_name: 'Owner', user_id: 'owner', ...extra }) });

  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  it('the lifecycle of reference/000: hidden guest, presence on request, canSend granted then revoked', async () => {
    const name = await makeRoom({ properties: { permissions: { hasPresence: false, canSend: false } } });
    const host = await owner(name);
    assert.equal(host.joined.self.owner, true);
    assert.ok(host.joined.capabilities.includes('member.permissions.set'));
    assert.ok(host.joined.capabilities.includes('waiting.admit'));

    // A guest joins locked out: in the call, hidden from the host, able only to ask for presence.
    const guest = await joined(t, name, { user_name: 'Grace' });
    assert.deepEqual(guest.joined.capabilities, ['request.presence']);
    assert.equal(guest.joined.self.permissions.hasPresence, false);
    assert.deepEqual(guest.joined.members.map((m: { id: string }) => m.id).sort(), [host.id, guest.id].sort());
    await settle();
    assert.deepEqual(host.c.fresh().map((n) => n.method), []);
    assert.equal(await guest.c.refused('call.unmute', { channels: ['audio'] }), 4403);
    assert.equal(await guest.c.refused('call.message.send', { data: 'hi' }), 4403);

    // It asks; the host hears it with the name, since the member list hides it.
    await guest.c.request('call.permission.request', { permissions: ['presence'] });
    const asked = await host.c.next('permission.requested');
    assert.deepEqual({ ...asked, requested_at: 0 }, { member_id: guest.id, name: 'Grace', permissions: ['presence'], requested_at: 0 });

    // The host approves: the guest appears and gets a fresh call.joined; the request clears.
    await host.c.request('call.member.update', { member_id: guest.id, permissions: { hasPresence: true } });
    const present = await guest.c.next('call.joined');
    assert.equal(present.self.permissions.hasPresence, true);
    assert.ok(present.capabilities.includes('self.mute.audio.on'));
    assert.ok(!present.capabilities.includes('self.mute.audio.off'));
    assert.ok(present.capabilities.includes('request.audio'));
    assert.ok(!present.capabilities.includes('request.presence'));
    assert.equal((await host.c.next('member.joined')).member.id, guest.id);
    assert.deepEqual((await host.c.next('permission.requested')).permissions, []);
    assert.deepEqual((await guest.c.next('permission.requested')).permissions, ['presence']);
    assert.deepEqual((await guest.c.next('permission.requested')).permissions, []);

    // The host lets it send audio; the guest unmutes.
    await host.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: ['audio'] } });
    const speaking = await guest.c.next('call.joined');
    assert.ok(speaking.capabilities.includes('self.mute.audio.off'));
    assert.ok(!speaking.capabilities.includes('self.mute.video.off'));
    assert.deepEqual((await host.c.next('member.updated')).member.permissions.canSend, ['audio']);
    await guest.c.request('call.unmute', { channels: ['audio'] });
    assert.equal((await host.c.next('member.updated')).member.audio_muted, false);
    assert.equal(await guest.c.refused('call.unmute', { channels: ['video'] }), 4403);

    // The host revokes: a fresh call.joined without the right, and the server mutes.
    await host.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: false } });
    const revoked = await guest.c.next('call.joined');
    assert.ok(!revoked.capabilities.includes('self.mute.audio.off'));
    assert.equal(revoked.self.audio_muted, true);
    const seen = await host.c.next('member.updated');
    assert.equal(seen.member.audio_muted, true);
    assert.equal(seen.member.permissions.canSend, false);

    const audit = (await t.rest('GET', `/v1/audit-log?room=${name}`)).body.data;
    assert.deepEqual(audit.map((e: { action: string }) => e.action), ['member.update', 'member.update', 'member.update']);
    assert.equal(audit[0].actor.user_id, 'owner');
    assert.equal(audit[0].target.member_id, guest.id);
  });

  it('joins a public room and tells the others; leaving tells them too', async () => {
    const name = await makeRoom();
    const a = await joined(t, name, { user_name: 'A' });
    assert.equal(a.joined.room.name, name);
    assert.equal(a.joined.room.call_type, 'default');
    assert.deepEqual(a.joined.room.roles.sort(), ['admin', 'call_member', 'host', 'moderator', 'user']);
    assert.deepEqual(a.joined.access, { level: 'full', awaiting: null });
    assert.equal(a.joined.self.audio_muted, true);
    assert.ok(a.joined.capabilities.includes('self.mute.audio.off'));
    assert.ok(!a.joined.capabilities.includes('member.remove'));
    const b = await joined(t, name, { user_name: 'B' });
    assert.equal(b.joined.members.length, 2);
    assert.equal((await a.c.next('member.joined')).member.name, 'B');
    await b.c.request('call.leave');
    assert.deepEqual(await b.c.next('call.left'), { reason: 'left' });
    const left = await a.c.next('member.left');
    assert.deepEqual([left.member.id, left.reason], [b.id, 'left']);
    // A dropped socket counts as leaving.
    const c = await joined(t, name, { user_name: 'C' });
    await a.c.next('member.joined');
    c.c.close();
    assert.equal((await a.c.next('member.left')).member.id, c.id);
  });

  it('refuses joining twice, a missing room, and requests before joining', async () => {
    const name = await makeRoom();
    const a = await joined(t, name);
    assert.equal(await a.c.refused('call.join', { room: name }), 4409);
    const c = await t.client();
    // Without a token a missing room looks like a private one (4401), so room names cannot be probed.
    assert.equal(await c.refused('call.join', { room: 'missing-room' }), 4401);
    assert.equal(await c.refused('call.mute', { channels: ['audio'] }), 4403);
    assert.equal(await c.refused('call.request_access', { name: 'x' }), 4403);
  });

  it('knocking: waiting.added, admit, deny and a knocker who leaves', async () => {
    const name = await makeRoom({ privacy: 'private', properties: { enable_knocking: true } });
    const host = await owner(name);
    assert.deepEqual(host.joined.waiting, []);

    const k1 = await t.client();
    const r1 = await k1.request('call.join', { room: name });
    assert.deepEqual(r1.access, { level: 'lobby', awaiting: null });
    assert.deepEqual(await k1.next('access.updated'), { level: 'lobby', awaiting: null });
    await k1.request('call.request_access', { name: 'Knocker One' });
    assert.deepEqual(await k1.next('access.updated'), { level: 'lobby', awaiting: 'full' });
    const added = await host.c.next('waiting.added');
    assert.deepEqual([added.participant.id, added.participant.name, added.participant.awaiting], [r1.member_id, 'Knocker One', 'full']);

    // A new name is an update.
    await k1.request('call.request_access', { name: 'Knocker 1' });
    assert.equal((await host.c.next('waiting.updated')).participant.name, 'Knocker 1');

    // Admit: the knocker is in, with the same id.
    await host.c.request('call.waiting.update', { member_id: r1.member_id, grant: true });
    const in1 = await k1.next('call.joined');
    assert.equal(in1.self.id, r1.member_id);
    assert.equal(in1.self.name, 'Knocker 1');
    assert.equal((await host.c.next('waiting.removed')).participant.id, r1.member_id);
    assert.equal((await host.c.next('member.joined')).member.id, r1.member_id);

    // Deny.
    const k2 = await t.client();
    const r2 = await k2.request('call.join', { room: name });
    await k2.request('call.request_access', { name: 'Two' });
    await host.c.next('waiting.added');
    await host.c.request('call.waiting.update', { member_id: r2.member_id, grant: false });
    assert.deepEqual(await k2.next('call.left'), { reason: 'denied' });
    assert.equal((await host.c.next('waiting.removed')).participant.id, r2.member_id);
    assert.equal(await k2.refused('call.request_access', { name: 'Again' }), 4403);

    // A knocker who leaves, and one whose socket drops.
    const k3 = await t.client();
    const r3 = await k3.request('call.join', { room: name });
    await k3.request('call.request_access', { name: 'Three' });
    await host.c.next('waiting.added');
    await k3.request('call.leave');
    assert.equal((await host.c.next('waiting.removed')).participant.id, r3.member_id);
    const k4 = await t.client();
    const r4 = await k4.request('call.join', { room: name });
    await k4.request('call.request_access', { name: 'Four' });
    await host.c.next('waiting.added');
    k4.close();
    assert.equal((await host.c.next('waiting.removed')).participant.id, r4.member_id);

    // Nobody is admitted twice; a member without waiting.admit cannot admit.
    assert.equal(await host.c.refused('call.waiting.update', { member_id: r4.member_id, grant: true }), 4404);
    const k5 = await t.client();
    const r5 = await k5.request('call.join', { room: name });
    await k5.request('call.request_access', { name: 'Five' });
    const guestToken = await t.token({ room_name: name });
    const guest = await joined(t, name, { token: guestToken });
    assert.deepEqual(guest.joined.waiting, []);
    assert.equal(await guest.c.refused('call.waiting.update', { member_id: r5.member_id, grant: true }), 4403);
    // Admit everyone with '*'.
    await host.c.request('call.waiting.update', { member_id: '*', grant: true });
    await k5.next('call.joined');

    const actions = (await t.rest('GET', `/v1/audit-log?room=${name}`)).body.data.map((e: { action: string }) => e.action).reverse();
    assert.deepEqual(actions, ['waiting.admit', 'waiting.deny', 'waiting.admit']);
  });

  it('caps concurrent knocks per room with 4429', async () => {
    const name = await makeRoom({ privacy: 'private', properties: { enable_knocking: true } });
    const small = await (await import('./helpers.js')).startServer({ maxKnocks: 2 });
    try {
      await small.rest('POST', '/v1/rooms', { name, privacy: 'private', properties: { enable_knocking: true } });
      const knock = async () => {
        const c = await small.client();
        await c.request('call.join', { room: name });
        return c.call('call.request_access', { name: 'k' });
      };
      assert.ok((await knock()).result);
      assert.ok((await knock()).result);
      const third = await knock();
      assert.equal(third.error.code, 4429);
      assert.match(third.error.message, /too many people are already knocking/);
    } finally {
      await small.close();
    }
  });

  it('a locked room admits owners only; others knock (or are refused without knocking)', async () => {
    const name = await makeRoom({ properties: { enable_knocking: true } });
    const host = await owner(name);
    const mod = await joined(t, name, { token: await t.token({ room_name: name, role: 'moderator' }) });
    assert.ok(mod.joined.capabilities.includes('waiting.admit'));
    await host.c.request('call.lock');
    assert.equal((await host.c.next('call.updated')).room.locked, true);
    // Locking took waiting.admit from the moderator: a fresh call.joined.
    const modLocked = await mod.c.next('call.joined');
    assert.ok(!modLocked.capabilities.includes('waiting.admit'));
    assert.equal(modLocked.room.locked, true);

    const k = await t.client();
    const r = await k.request('call.join', { room: name });
    assert.equal(r.access.level, 'lobby');
    const second = await owner(name, { user_id: 'owner2' });
    assert.equal(second.joined.room.locked, true);

    const plain = await makeRoom();
    const host2 = await owner(plain);
    await host2.c.request('call.lock');
    const refused = await (await t.client()).call('call.join', { room: plain });
    assert.equal(refused.error.code, 4409);
    assert.match(refused.error.message, /locked/);
    await host2.c.request('call.unlock');
    assert.ok((await (await t.client()).call('call.join', { room: plain })).result);

    await host.c.request('call.unlock');
    assert.ok((await mod.c.next('call.joined')).capabilities.includes('waiting.admit'));
  });

  it('max_participants: the next join gets 4409, and so does admitting past it', async () => {
    const name = await makeRoom({ privacy: 'private', properties: { max_participants: 2, enable_knocking: true } });
    const host = await owner(name);
    await joined(t, name, { token: await t.token({ room_name: name }) });
    const third = await (await t.client()).call('call.join', { room: name, token: await t.token({ room_name: name }) });
    assert.equal(third.error.code, 4409);
    assert.match(third.error.message, /full/);
    const k = await t.client();
    const r = await k.request('call.join', { room: name });
    await k.request('call.request_access', { name: 'late' });
    assert.equal(await host.c.refused('call.waiting.update', { member_id: r.member_id, grant: true }), 4409);
  });

  it('moderation: mute others, only owners unmute, nobody but an owner acts on an owner', async () => {
    const name = await makeRoom();
    const host = await owner(name);
    const mod = await joined(t, name, { token: await t.token({ room_name: name, role: 'moderator', user_name: 'Mod' }) });
    const user = await joined(t, name, { user_name: 'User' });
    await user.c.request('call.unmute', { channels: ['audio', 'video'] });
    await mod.c.request('call.mute', { member_id: user.id, channels: ['audio'] });
    const muted = await user.c.next('member.updated', (p) => p.member.audio_muted);
    assert.equal(muted.member.video_muted, false);
    assert.equal(muted.member.muted_by, mod.id, 'who muted, so that the UI can tell a host\'s mute from its own');
    assert.equal(await mod.c.refused('call.unmute', { member_id: user.id, channels: ['audio'] }), 4403);
    await host.c.request('call.unmute', { member_id: user.id, channels: ['audio'] });
    await user.c.next('member.updated', (p) => !p.member.audio_muted);
    await user.c.request('call.mute', { channels: ['video'] });
    assert.equal((await user.c.next('member.updated', (p) => p.member.video_muted)).member.muted_by, user.id);
    assert.equal(await mod.c.refused('call.mute', { member_id: host.id, channels: ['audio'] }), 4403);
    assert.equal(await mod.c.refused('call.member.remove', { member_id: host.id }), 4403);
    assert.equal(await mod.c.refused('call.member.update', { member_id: host.id, permissions: { hasPresence: false } }), 4403);
    assert.equal(await user.c.refused('call.mute', { member_id: mod.id, channels: ['audio'] }), 4403);
    assert.equal(await mod.c.refused('call.mute', { member_id: 'nobody', channels: ['audio'] }), 4404);
    await mod.c.request('call.lowerhand', { member_id: user.id });
    await user.c.request('call.raisehand');
    assert.equal((await host.c.next('member.updated', (p) => p.member.id === user.id && p.member.handraised)).member.handraised, true);
    await mod.c.request('call.lowerhand', { member_id: user.id });
    await host.c.next('member.updated', (p) => p.member.id === user.id && !p.member.handraised);
    // Unmuting someone who may not send is refused even for an owner.
    await host.c.request('call.member.update', { member_id: user.id, permissions: { canSend: ['video'] } });
    await user.c.next('call.joined');
    assert.equal(await host.c.refused('call.unmute', { member_id: user.id, channels: ['audio'] }), 4403);
    // Remove.
    await mod.c.request('call.member.remove', { member_id: user.id });
    assert.deepEqual(await user.c.next('call.left'), { reason: 'removed' });
    assert.equal((await host.c.next('member.left', (p) => p.member.id === user.id)).reason, 'removed');
  });

  it('a role change reaches the member as a fresh call.joined; unknown roles are refused', async () => {
    const name = await makeRoom();
    const host = await owner(name);
    const user = await joined(t, name);
    assert.ok(!user.joined.capabilities.includes('member.remove'));
    await host.c.request('call.member.update', { member_id: user.id, role: 'moderator' });
    const promoted = await user.c.next('call.joined');
    assert.equal(promoted.self.role, 'moderator');
    assert.ok(promoted.capabilities.includes('member.remove'));
    assert.equal((await host.c.next('member.updated')).member.role, 'moderator');
    assert.equal(await host.c.refused('call.member.update', { member_id: user.id, role: 'emperor' }), -32602);
    // A moderator cannot hand out administration rights it does not hold.
    const other = await joined(t, name);
    assert.equal(await user.c.refused('call.member.update', { member_id: other.id, permissions: { canAdmin: ['participants'] } }), 4403);
    assert.equal((await user.c.request('call.member.update', { member_id: other.id, permissions: { canSend: ['audio'] } })).updated, 1);
  });

  it("'*' updates every member the sender may act on, owners excepted", async () => {
    const name = await makeRoom();
    await owner(name);
    const mod = await joined(t, name, { token: await t.token({ room_name: name, role: 'moderator' }) });
    const a = await joined(t, name);
    const b = await joined(t, name);
    const r = await mod.c.request('call.member.update', { member_id: '*', permissions: { canSend: false } });
    assert.equal(r.updated, 2);
    assert.ok(!(await a.c.next('call.joined')).capabilities.includes('self.mute.audio.off'));
    assert.ok(!(await b.c.next('call.joined')).capabilities.includes('self.mute.audio.off'));
  });

  it('permission requests: audio in an audio_room, cleared by approval or by deny', async () => {
    // Listeners on stage: audio_room users are an audience (no presence) by default since issue 14.
    const name = await makeRoom({ properties: { call_type: 'audio_room', permissions: { hasPresence: true } } });
    const host = await owner(name);
    const listener = await joined(t, name, { user_name: 'Listener' });
    assert.ok(!listener.joined.capabilities.includes('self.mute.audio.off'));
    assert.ok(listener.joined.capabilities.includes('request.audio'));
    assert.ok(!listener.joined.capabilities.includes('request.video'));
    assert.equal(await listener.c.refused('call.permission.request', { permissions: ['video'] }), 4403);
    await listener.c.request('call.permission.request', { permissions: ['audio'] });
    assert.deepEqual((await host.c.next('permission.requested')).permissions, ['audio']);
    await host.c.request('call.permission.deny', { member_id: listener.id });
    assert.deepEqual((await host.c.next('permission.requested')).permissions, []);
    await listener.c.next('permission.requested', (p) => p.permissions.length === 1);
    assert.deepEqual((await listener.c.next('permission.requested')).permissions, []);
    assert.equal(await host.c.refused('call.permission.deny', { member_id: listener.id }), 4404);

    await listener.c.request('call.permission.request', { permissions: ['audio'] });
    await host.c.next('permission.requested', (p) => p.permissions.length === 1);
    // A host who joins later sees the pending request in its call.joined.
    const late = await owner(name, { user_id: 'late' });
    assert.deepEqual(late.joined.requests.map((r: { member_id: string }) => r.member_id), [listener.id]);
    await host.c.request('call.member.update', { member_id: listener.id, permissions: { canSend: ['audio'] } });
    assert.ok((await listener.c.next('call.joined')).capabilities.includes('self.mute.audio.off'));
    assert.deepEqual((await host.c.next('permission.requested')).permissions, []);
    const actions = (await t.rest('GET', `/v1/audit-log?room=${name}`)).body.data.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ['member.update', 'request.deny']);
  });

  it('livestream users only watch and cannot ask', async () => {
    const name = await makeRoom({ properties: { call_type: 'livestream' } });
    const viewer = await joined(t, name);
    const flags: string[] = viewer.joined.capabilities;
    assert.ok(!flags.some((f) => f.startsWith('request.')));
    assert.ok(!flags.includes('self.mute.audio.off'));
    assert.ok(!flags.includes('screenshare'));
    assert.equal(viewer.joined.room.layout, 'spotlight');
  });

  it('editing the call type recomputes everyone in its calls', async () => {
    await t.rest('POST', '/v1/call-types', { name: 'editable', grants: { user: ['join-call'] } });
    const name = await makeRoom({ properties: { call_type: 'editable' } });
    const user = await joined(t, name);
    assert.ok(!user.joined.capabilities.includes('self.mute.audio.off'));
    await t.rest('PUT', '/v1/call-types/editable', { grants: { user: ['join-call', 'send-audio'] } });
    assert.ok((await user.c.next('call.joined')).capabilities.includes('self.mute.audio.off'));
    await t.rest('PUT', '/v1/call-types/editable', { settings: { audio: { enabled: false } } });
    assert.ok(!(await user.c.next('call.joined')).capabilities.includes('self.mute.audio.off'));
    // A role without join-call cannot join.
    await t.rest('PUT', '/v1/call-types/editable', { grants: { user: [] } });
    assert.equal(await (await t.client()).refused('call.join', { room: name }), 4403);
  });

  it('room state: layout, recording, streaming, transcription, screenshare, messages, digits', async () => {
    const name = await makeRoom();
    const host = await owner(name);
    const user = await joined(t, name);
    await host.c.request('call.layout.set', { layout: 'speaker' });
    assert.equal((await user.c.next('call.updated')).room.layout, 'speaker');
    assert.equal(await host.c.refused('call.layout.set', { layout: 'mosaic' }), -32602);
    for (const [start, field] of [['call.record.start', 'recording'], ['call.stream.start', 'streaming'], ['call.transcribe.start', 'transcribing']]) {
      await host.c.request(start);
      assert.equal((await user.c.next('call.updated')).room[field], true);
    }
    await host.c.request('call.record.stop');
    assert.equal((await user.c.next('call.updated')).room.recording, false);
    await user.c.request('call.screenshare.start');
    assert.equal((await host.c.next('member.updated')).member.screenshare, true);
    await user.c.request('call.screenshare.stop');
    assert.equal((await host.c.next('member.updated')).member.screenshare, false);
    await user.c.request('call.message.send', { data: { hello: 1 } });
    assert.deepEqual(await host.c.next('call.message'), { from: user.id, data: { hello: 1 } });
    await host.c.request('call.message.send', { data: 'direct', to: user.id });
    assert.deepEqual(await user.c.next('call.message'), { from: host.id, data: 'direct' });
    assert.equal(await host.c.refused('call.message.send', { data: 'x', to: 'nobody' }), 4404);
    await user.c.request('call.digit.send', { digits: '12#' });
    assert.equal(await user.c.refused('call.digit.send', { digits: 'hello' }), -32602);
  });

  it('call.end: everyone leaves with "ended"; only an owner starts the next call', async () => {
    const name = await makeRoom({ properties: { enable_knocking: true } });
    const host = await owner(name);
    const user = await joined(t, name);
    await host.c.request('call.end');
    assert.deepEqual(await user.c.next('call.left'), { reason: 'ended' });
    assert.deepEqual(await host.c.next('call.left'), { reason: 'ended' });
    const late = await (await t.client()).call('call.join', { room: name });
    assert.equal(late.error.code, 4409);
    assert.match(late.error.message, /ended/);
    const again = await owner(name);
    assert.equal(again.joined.room.locked, false);
    assert.ok((await (await t.client()).call('call.join', { room: name })).result);
    const audit = (await t.rest('GET', `/v1/audit-log?room=${name}`)).body.data;
    assert.equal(audit[0].action, 'call.end');
  });

  it('deleting a room ends its call', async () => {
    const name = await makeRoom();
    const user = await joined(t, name);
    await t.rest('DELETE', `/v1/rooms/${name}`);
    assert.deepEqual(await user.c.next('call.left'), { reason: 'ended' });
  });
});
