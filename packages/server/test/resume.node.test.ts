/**
 * Resuming a member after a dropped connection: within the grace period a new
 * connection presenting the member's current resume key gets the same member
 * back (id, permissions, role, hand, mute state, joined_at); the others see it
 * as reconnecting, never as leaving. Any other key is ignored (a plain join).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { CLOSE_LINK_LOST } from 'callcaps/client';
import { API_KEY, joined, RpcClient, settle, startServer, type TestServer } from './helpers.js';

const GRACE = 1000;
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(API_KEY));

/** Cuts a client's TCP connection without a close frame: the server sees code 1006, as on a network blip. */
async function drop(c: RpcClient): Promise<void> {
  c.ws.terminate();
  await c.closed;
}

/** The frames of `c` about member `id` so far (not yet taken). */
const about = (c: RpcClient, id: string) => c.fresh().filter((n) => n.params?.member?.id === id);

describe('resuming a member after a dropped connection', () => {
  let t: TestServer;
  let room = 0;
  /** A room (audio_room: users join with canSend false; with presence, not as an audience) with an owner in it. */
  const call = async (properties: Record<string, unknown> = {}) => {
    const name = `resume-${++room}`;
    await t.rest('POST', '/v1/rooms', { name, properties: { call_type: 'audio_room', permissions: { hasPresence: true }, ...properties } });
    const host = await joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_id: 'host' }) });
    return { name, host };
  };
  /** A guest whom the host let speak and made a moderator, with its hand up. */
  const promoted = async (name: string, host: { c: RpcClient }, params: Record<string, unknown> = { user_name: 'Guest' }) => {
    const guest = await joined(t, name, params);
    assert.equal(guest.joined.self.permissions.canSend, false);
    await host.c.request('call.member.update', { member_id: guest.id, permissions: { canSend: ['audio'] }, role: 'moderator' });
    await guest.c.next('call.joined');
    await guest.c.request('call.raisehand');
    await guest.c.request('call.unmute', { channels: ['audio'] });
    const self = (await guest.c.next('member.updated', (p) => p.member.audio_muted === false)).member;
    assert.deepEqual([self.permissions.canSend, self.role, self.handraised], [['audio'], 'moderator', true]);
    // The others hear of it at the end of the turn (batched since issue 14), after the guest's own frame.
    await host.c.next('member.updated', (p) => p.member.id === guest.id && p.member.audio_muted === false);
    host.c.drain();
    return { ...guest, key: guest.joined.resume as string, self };
  };
  const resume = async (name: string, key: string, params: Record<string, unknown> = {}) => {
    const c = await t.client();
    const reply = await c.call('call.join', { room: name, resume: key, ...params });
    return { c, reply, joined: reply.error ? undefined : await c.next('call.joined') };
  };

  before(async () => {
    t = await startServer({ reconnectGrace: GRACE });
  });
  after(() => t.close());

  it('call.joined carries a resume key, only to its member', async () => {
    const { name, host } = await call();
    const guest = await joined(t, name, { user_name: 'Guest' });
    assert.match(guest.joined.resume, /^[\w-]+\.[\w-]{32}$/);
    assert.ok(guest.joined.resume.startsWith(`${guest.id}.`));
    assert.notEqual(host.joined.resume, guest.joined.resume);
    await settle();
    // Nothing any other participant gets carries it.
    assert.ok(!JSON.stringify(host.c.notifications).includes(guest.joined.resume));
  });

  it('within the grace period: the same member, its permissions, role, hand and mute state; the others see no leave', async () => {
    const { name, host } = await call();
    const guest = await promoted(name, host);
    await drop(guest.c);
    const away = await host.c.next('member.updated', (p) => p.member.id === guest.id);
    assert.equal(away.member.reconnecting, true);
    assert.deepEqual({ ...away.member, reconnecting: undefined }, { ...guest.self, reconnecting: undefined });

    const back = await resume(name, guest.key);
    assert.deepEqual(back.reply.result, { member_id: guest.id, access: { level: 'full', awaiting: null }, resumed: true });
    const self = back.joined.self;
    assert.deepEqual(self, guest.self);
    assert.equal(self.reconnecting, undefined);
    assert.ok(back.joined.capabilities.includes('self.mute.audio.off'));
    assert.ok(back.joined.capabilities.includes('member.mute.audio.on'), 'the moderator role came back');
    assert.notEqual(back.joined.resume, guest.key, 'the key is rotated');
    assert.deepEqual(back.joined.members.map((m: { id: string }) => m.id).sort(), [host.id, guest.id].sort());
    const returned = await host.c.next('member.updated', (p) => p.member.id === guest.id);
    assert.deepEqual(returned.member, guest.self);
    await settle(GRACE + 100);
    assert.deepEqual(about(host.c, guest.id), [], 'no member.left nor member.joined');
    // And it acts as itself.
    await back.c.request('call.lowerhand');
    assert.equal((await host.c.next('member.updated', (p) => p.member.id === guest.id)).member.handraised, false);
  });

  it('after the grace period: member.left for the others, and the key only gets a fresh member', async () => {
    const { name, host } = await call();
    const guest = await promoted(name, host);
    await drop(guest.c);
    await host.c.next('member.updated', (p) => p.member.id === guest.id);
    const left = await host.c.next('member.left', (p) => p.member.id === guest.id, GRACE + 1000);
    assert.equal(left.reason, 'left');
    const late = await resume(name, guest.key, { user_name: 'Late' });
    assert.equal(late.reply.result.resumed, undefined);
    assert.notEqual(late.joined.self.id, guest.id);
    assert.equal(late.joined.self.name, 'Late');
    assert.deepEqual([late.joined.self.permissions.canSend, late.joined.self.role, late.joined.self.handraised], [false, 'user', false]);
    assert.equal((await host.c.next('member.joined')).member.id, late.joined.self.id);
  });

  it('a closed connection (with a close frame) still leaves at once', async () => {
    const { name, host } = await call();
    const guest = await joined(t, name);
    guest.c.close();
    assert.equal((await host.c.next('member.left', (p) => p.member.id === guest.id, GRACE / 2)).reason, 'left');
  });

  it('a client that let go of a dead link (close code CLOSE_LINK_LOST) keeps its place, as on a drop', async () => {
    const { name, host } = await call();
    const guest = await promoted(name, host);
    guest.c.ws.close(CLOSE_LINK_LOST, 'link lost');
    await guest.c.closed;
    assert.equal((await host.c.next('member.updated', (p) => p.member.id === guest.id)).member.reconnecting, true);
    const back = await resume(name, guest.key);
    assert.equal(back.reply.result.resumed, true);
    assert.equal(back.joined.self.id, guest.id);
  });

  it('forged, replayed and other rooms\' keys are ignored: a fresh join, nothing carried over', async () => {
    const { name, host } = await call();
    const guest = await promoted(name, host);
    await drop(guest.c);
    const forged = [
      `${guest.id}.${'A'.repeat(32)}`,
      `${guest.id}.${guest.key.slice(guest.id.length + 1, -1)}`,
      guest.key.slice(guest.id.length),
      `${host.id}.${guest.key.slice(guest.id.length + 1)}`,
      'garbage',
      '',
    ];
    for (const key of forged) {
      const fresh = await resume(name, key);
      assert.equal(fresh.reply.result.resumed, undefined, key);
      assert.notEqual(fresh.joined.self.id, guest.id);
      assert.deepEqual([fresh.joined.self.permissions.canSend, fresh.joined.self.role], [false, 'user']);
      await fresh.c.request('call.leave');
    }
    // Another room: the key is bound to its room.
    const other = await call();
    const elsewhere = await resume(other.name, guest.key);
    assert.equal(elsewhere.reply.result.resumed, undefined);
    assert.notEqual(elsewhere.joined.self.id, guest.id);
    // Failed attempts do not use the key up; a success does.
    const back = await resume(name, guest.key);
    assert.equal(back.reply.result.resumed, true);
    const replayed = await resume(name, guest.key);
    assert.equal(replayed.reply.result.resumed, undefined);
    assert.notEqual(replayed.joined.self.id, guest.id);
    assert.deepEqual([replayed.joined.self.permissions.canSend, replayed.joined.self.role], [false, 'user']);
    // The member that resumed is untouched by all this.
    assert.equal(back.c.closeEvent, null);
    await settle();
    assert.deepEqual(about(host.c, guest.id).map((n) => n.method), ['member.updated', 'member.updated']);
  });

  it('a token member resumes only with a valid token of the same holder; an expired one is refused as on any join', async () => {
    const { name, host } = await call({});
    await t.rest('POST', `/v1/rooms/${name}`, { privacy: 'private' });
    const ann = (claims: Record<string, unknown> = {}) => sign({ room_name: name, user_id: 'ann', user_name: 'Ann', ...claims });
    const guest = await promoted(name, host, { token: await ann({ exp: now() + 600 }) });
    await drop(guest.c);
    // Without a token: a plain join, which a private room refuses.
    assert.equal((await resume(name, guest.key)).reply.error.code, 4401);
    // Another holder's token, or an owner's: a plain join as that holder.
    for (const token of [await sign({ room_name: name, user_id: 'bob' }), await sign({ room_name: name, user_id: 'ann', is_owner: true })]) {
      const other = await resume(name, guest.key, { token });
      assert.equal(other.reply.result.resumed, undefined);
      assert.notEqual(other.joined.self.id, guest.id);
      await other.c.request('call.leave');
    }
    // Ann's token, expired: refused as today.
    const expired = await resume(name, guest.key, { token: await ann({ exp: now() - 10 }) });
    assert.equal(expired.reply.error.code, 4401);
    assert.match(expired.reply.error.message, /expired/);
    // Ann's token (a fresh one works too): the same member, and the token's permissions do not add to it.
    const back = await resume(name, guest.key, { token: await ann({ permissions: { canSend: true, canAdmin: true } }) });
    assert.equal(back.reply.result.resumed, true);
    assert.deepEqual(back.joined.self, guest.self);
    assert.ok(!back.joined.capabilities.includes('record.on'), 'canAdmin from the new token is not applied');
  });

  it('keeps the place through a lock and a full room; takes over a connection the server still thinks open', async () => {
    const { name, host } = await call({ max_participants: 2, enable_knocking: true });
    const guest = await promoted(name, host);
    await drop(guest.c);
    await host.c.request('call.lock');
    const back = await resume(name, guest.key);
    assert.equal(back.reply.result.resumed, true);
    assert.equal(back.joined.self.id, guest.id);
    // A second connection with the current key (the first one never noticed it was cut): the old one is closed.
    const again = await resume(name, back.joined.resume);
    assert.equal(again.reply.result.resumed, true);
    assert.equal(again.joined.self.id, guest.id);
    assert.equal((await back.c.closed).code, 4409);
    await settle();
    // The record did not change, so the host heard nothing about the takeover.
    assert.deepEqual(about(host.c, guest.id).map((n) => n.method), ['member.updated', 'member.updated']);
    assert.equal(host.c.fresh().filter((n) => n.method === 'member.left').length, 0);
  });

  it('moderation reaches a reconnecting member; removal ends its place', async () => {
    const { name, host } = await call();
    const guest = await promoted(name, host);
    await drop(guest.c);
    await host.c.next('member.updated', (p) => p.member.id === guest.id);
    await host.c.request('call.mute', { member_id: guest.id, channels: ['audio'] });
    const muted = await host.c.next('member.updated', (p) => p.member.id === guest.id);
    assert.deepEqual([muted.member.audio_muted, muted.member.reconnecting], [true, true]);
    const back = await resume(name, guest.key);
    assert.equal(back.joined.self.audio_muted, true);
    const key = back.joined.resume;
    await drop(back.c);
    await host.c.next('member.updated', (p) => p.member.id === guest.id && p.member.reconnecting);
    await host.c.request('call.member.remove', { member_id: guest.id });
    assert.equal((await host.c.next('member.left', (p) => p.member.id === guest.id)).reason, 'removed');
    const gone = await resume(name, key);
    assert.notEqual(gone.joined.self.id, guest.id);
  });
});

describe('resuming turned off (reconnectGrace: 0)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ reconnectGrace: 0 });
    await t.rest('POST', '/v1/rooms', { name: 'plain' });
  });
  after(() => t.close());

  it('no key is handed out and a dropped member leaves at once', async () => {
    const a = await joined(t, 'plain');
    const b = await joined(t, 'plain');
    assert.equal(b.joined.resume, undefined);
    b.c.ws.terminate();
    assert.equal((await a.c.next('member.left', (p) => p.member.id === b.id)).reason, 'left');
  });
});

describe('resuming and eject_at_token_exp', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ reconnectGrace: 10_000 });
    await t.rest('POST', '/v1/rooms', { name: 'brief' });
  });
  after(() => t.close());

  it('a reconnecting member is still ejected at its token\'s exp', async () => {
    const host = await joined(t, 'brief', { token: await t.token({ room_name: 'brief', is_owner: true }) });
    // exp is in whole seconds: 3 s ahead leaves 2–3 s for the join and the drop on a loaded machine, and
    // the ejection still comes well before the end of the grace period.
    const guest = await joined(t, 'brief', { token: await sign({ room_name: 'brief', exp: now() + 3, eject_at_token_exp: true }) });
    await drop(guest.c);
    assert.equal((await host.c.next('member.updated', (p) => p.member.id === guest.id)).member.reconnecting, true);
    const left = await host.c.next('member.left', (p) => p.member.id === guest.id, 5000);
    assert.equal(left.reason, 'expired');
  });
});
