/**
 * Large rooms (issue 14): member events batched per turn and netted, the
 * order they keep, audiences nobody but hosts hears of, and paged rosters,
 * frame by frame with raw clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joined, settle, startServer, type RpcClient, type TestServer } from './helpers.js';

/** The member events a client got since its last `drain()`, flattened: `members.changed` batches and `member.*` frames alike. */
function events(c: RpcClient): { type: string; id: string; frame: number; member: any; reason?: string }[] {
  const list: { type: string; id: string; frame: number; member: any; reason?: string }[] = [];
  c.fresh().forEach((n, frame) => {
    if (n.method === 'members.changed') for (const e of n.params.events) list.push({ type: e.type, id: e.member.id, frame, member: e.member, reason: e.reason });
    else if (n.method.startsWith('member.')) list.push({ type: n.method.slice(7), id: n.params.member.id, frame, member: n.params.member, reason: n.params.reason });
  });
  return list;
}

/** Sends requests back to back (from several clients: most often read in one turn, not always) and waits for their answers. */
const together = (...sends: (() => Promise<unknown>)[]) => Promise.all(sends.map((send) => send()));

/** Requests from one client in one write: the server handles them in one turn of its event loop. */
function oneWrite(c: RpcClient, requests: [string, unknown?][]): Promise<unknown[]> {
  const raw = (c.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  raw.cork();
  const replies = requests.map(([method, params]) => c.request(method, params));
  raw.uncork();
  return Promise.all(replies);
}

describe('large rooms: batched member events, audiences, paged rosters', () => {
  let t: TestServer;
  let rooms = 0;
  const room = async (properties: Record<string, unknown> = {}) => {
    const name = `rooms-${++rooms}`;
    await t.rest('POST', '/v1/rooms', { name, properties });
    return name;
  };
  const owner = async (name: string, extra: Record<string, unknown> = {}) =>
    joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_id: `owner-${rooms}` }), protocol: 2, ...extra });

  before(async () => {
    t = await startServer({ roster: { threshold: 5, pageSize: 3, countInterval: 50 }, rateLimit: { burst: 1000, perSecond: 1000 }, maxConnectionsPerAddress: 0 });
  });
  after(() => t.close());

  it('a member who joins and leaves in the same turn produces nothing for the others', async () => {
    const name = await room();
    const host = await owner(name);
    const legacy = await joined(t, name, { user_name: 'Old' });
    host.c.drain();
    legacy.c.drain();
    const c = await t.client();
    // Both frames in one write: the server handles them in one turn.
    await settle(30);
    host.c.drain();
    legacy.c.drain();
    await oneWrite(c, [['call.join', { room: name, user_name: 'Blink', protocol: 2 }], ['call.leave']]);
    await settle(50);
    assert.deepEqual(events(host.c), [], 'protocol 2: nothing');
    assert.deepEqual(events(legacy.c), [], 'protocol 1: nothing either');
  });

  it('an update after a join is never seen before the join; in one turn they are one joined event', async () => {
    const name = await room();
    const host = await owner(name);
    const legacy = await joined(t, name, { user_name: 'Old' });
    const c = await t.client();
    await settle(30);
    host.c.drain();
    legacy.c.drain();
    await oneWrite(c, [['call.join', { room: name, user_name: 'Eager', protocol: 2 }], ['call.raisehand'], ['call.unmute', { channels: ['audio'] }]]);
    await settle(50);
    for (const who of [host.c, legacy.c]) {
      const about = events(who);
      assert.equal(about.length, 1, 'netted into one event');
      assert.equal(about[0].type, 'joined', 'the join, carrying the later changes');
      assert.equal(about[0].member.handraised, true);
      assert.equal(about[0].member.audio_muted, false);
    }
    // The batch is one frame for the host.
    assert.equal(host.c.fresh().filter((n) => n.method === 'members.changed').length, 1);
    // Across turns: joined, then updated, never the other way round.
    const d = await t.client();
    host.c.drain();
    await d.request('call.join', { room: name, user_name: 'Slow', protocol: 2 });
    await d.request('call.raisehand');
    await settle(30);
    assert.deepEqual(events(host.c).map((e) => e.type), ['joined', 'updated']);
  });

  it('a burst of joins reaches each member present as one frame, in order; old clients get member.* in the same order', async () => {
    const name = await room();
    const host = await owner(name);
    const legacy = await joined(t, name, { user_name: 'Old' });
    const clients = await Promise.all(Array.from({ length: 4 }, () => t.client()));
    await settle(30);
    host.c.drain();
    legacy.c.drain();
    await together(...clients.map((c, i) => () => c.request('call.join', { room: name, user_name: `B${i}`, protocol: 2 })));
    await settle(50);
    const batches = host.c.fresh().filter((n) => n.method === 'members.changed');
    assert.ok(batches.length >= 1 && batches.length <= 4);
    const joinedNames = events(host.c).map((e) => e.member.name);
    assert.deepEqual([...joinedNames].sort(), ['B0', 'B1', 'B2', 'B3']);
    assert.deepEqual(events(legacy.c).map((e) => e.member.name), joinedNames, 'the same order for both protocols');
    assert.ok(legacy.c.notifications.every((n) => n.method !== 'members.changed'));
    // Seqs rise in the order of joining.
    const seqs = batches.flatMap((b) => b.params.events.map((e: { seq: number }) => e.seq));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });

  it('the replies come after the events they caused: a host that awaits an update has seen it', async () => {
    const name = await room();
    const host = await owner(name);
    const guest = await joined(t, name, { user_name: 'G', protocol: 2 });
    await settle(30);
    host.c.drain();
    await host.c.request('call.raisehand', { member_id: guest.id });
    const reply = host.c.replies.length;
    assert.ok(reply > 0);
    const batch = host.c.fresh().find((n) => n.method === 'members.changed');
    assert.ok(batch, 'the event arrived with (before) the reply');
    assert.equal(batch.params.events[0].member.handraised, true);
  });

  it('audiences: a hidden member costs the others nothing; hosts get counts and a list', async () => {
    const name = await room({ call_type: 'livestream' });
    const host = await owner(name);
    const legacy = await joined(t, name, { token: await t.token({ room_name: name, user_id: 'presenter', role: 'host', permissions: { hasPresence: true } }) });
    const viewers = await Promise.all(Array.from({ length: 6 }, (_, i) => joined(t, name, { user_name: `Viewer ${i}`, protocol: 2 })));
    assert.equal(viewers[0].joined.self.permissions.hasPresence, false, 'livestream viewers are an audience by default');
    assert.deepEqual(viewers[5].joined.members.map((m: { id: string }) => m.id).sort(), [host.id, legacy.id, viewers[5].id].sort(),
      'a viewer sees the presenters and itself, not the other viewers');
    await viewers[2].c.request('call.leave');
    await settle(120);
    const viewerIds = new Set(viewers.map((v) => v.id));
    for (const who of [host.c, legacy.c, ...viewers.map((v) => v.c)]) {
      assert.ok(!events(who).some((e) => viewerIds.has(e.id)), 'no event about a viewer to anyone');
    }
    const counts = host.c.notifications.filter((n) => n.method === 'members.count');
    assert.ok(counts.length >= 1 && counts.length <= 4, `coalesced: ${counts.length}`);
    assert.deepEqual(counts.at(-1)!.params, { members: 2, audience: 5 });
    assert.ok(!legacy.c.notifications.some((n) => n.method === 'members.count'), 'counts only for protocol 2');
    assert.ok(!viewers[0].c.notifications.some((n) => n.method === 'members.count'), 'viewers with a whole roster get no counts');
    // The list, in pages, with search.
    const page = await host.c.request('call.audience.list', { limit: 2 });
    assert.equal(page.total, 5);
    assert.equal(page.members.length, 2);
    const next = await host.c.request('call.audience.list', { limit: 10, cursor: page.cursor });
    assert.equal(next.members.length, 3);
    assert.equal(next.cursor, null);
    const found = await host.c.request('call.audience.list', { search: 'VIEWER 4' });
    assert.deepEqual(found.members.map((m: { name: string }) => m.name), ['Viewer 4']);
    assert.equal(await viewers[0].c.refused('call.audience.list', {}), 4403);
    // Brought on stage: now everyone hears of it, as a join.
    host.c.drain();
    legacy.c.drain();
    await host.c.request('call.member.update', { member_id: viewers[4].id, permissions: { hasPresence: true } });
    await settle(20);
    assert.deepEqual(events(host.c).map((e) => [e.type, e.id]), [['joined', viewers[4].id]]);
    assert.equal((await viewers[0].c.next('members.changed')).events[0].member.id, viewers[4].id);
  });

  it('above the threshold a newcomer gets the first page and the count; it hears only of the pages it loaded', async () => {
    const name = await room();
    const host = await owner(name);
    const members = [];
    for (let i = 0; i < 7; i++) members.push(await joined(t, name, { user_name: `M${i}`, protocol: 2 }));
    const legacy = await joined(t, name, { user_name: 'Old' });
    assert.equal(legacy.joined.members.length, 9, 'old clients get the whole roster');
    const late = await joined(t, name, { user_name: 'Late', protocol: 2 });
    assert.equal(late.joined.members.length, 3);
    assert.equal(late.joined.present, 10);
    assert.equal(typeof late.joined.cursor, 'number');
    late.c.drain();
    // Changes outside its window are not sent; inside, they are.
    await host.c.request('call.raisehand', { member_id: members[6].id });
    await host.c.request('call.raisehand', { member_id: members[0].id });
    await members[5].c.request('call.leave');
    // The count follows the changes (coalesced over countInterval): once it says 9, everything has arrived.
    const lastCount = () => late.c.notifications.filter((n) => n.method === 'members.count').at(-1)?.params;
    for (const deadline = Date.now() + 5000; lastCount()?.members !== 9 && Date.now() < deadline; ) await settle(20);
    assert.deepEqual(lastCount(), { members: 9 });
    const heard = events(late.c).map((e) => e.id);
    assert.deepEqual(heard, [members[0].id]);
    // Paging to the end: M5 (gone) never appears; afterwards it hears of everyone.
    const ids: string[] = late.joined.members.map((m: { id: string }) => m.id);
    let cursor = late.joined.cursor;
    while (cursor !== null) {
      const page = await late.c.request('call.members.list', { cursor });
      ids.push(...page.members.map((m: { id: string }) => m.id));
      cursor = page.cursor;
    }
    assert.equal(ids.length, 9);
    assert.ok(!ids.includes(members[5].id));
    assert.equal(new Set(ids).size, 9);
    late.c.drain();
    await host.c.request('call.raisehand', { member_id: members[6].id, ...{} }).catch(() => {});
    await host.c.request('call.lowerhand', { member_id: members[6].id });
    await settle(30);
    assert.deepEqual(events(late.c).slice(-1).map((e) => e.id), [members[6].id]);
  });

  it('a host with pages also hears of the raised hands beyond them, until lowered; a host joining late gets them with its page', async () => {
    const name = await room();
    const first = await owner(name);
    const members = [];
    for (let i = 0; i < 7; i++) members.push(await joined(t, name, { user_name: `M${i}`, protocol: 2 }));
    await first.c.request('call.raisehand', { member_id: members[5].id });
    const host = await joined(t, name, { token: await t.token({ room_name: name, is_owner: true, user_id: `cohost-${rooms}` }), protocol: 2 });
    assert.equal(typeof host.joined.cursor, 'number', 'the late host has pages');
    assert.deepEqual(host.joined.members.map((m: { id: string }) => m.id), [first.id, members[0].id, members[1].id, members[5].id],
      'its first page (3), then the raised hand beyond it');
    await settle(30);
    host.c.drain();
    // Beyond its pages: a hand raised and one lowered are heard, a mute is not; so is the raised hand's leaving.
    await first.c.request('call.raisehand', { member_id: members[6].id });
    await first.c.request('call.lowerhand', { member_id: members[5].id });
    await first.c.request('call.mute', { member_id: members[4].id, channels: ['audio'] });
    await first.c.request('call.mute', { member_id: members[5].id, channels: ['audio'] });
    await members[6].c.request('call.leave');
    await settle(50);
    assert.deepEqual(events(host.c).map((e) => [e.type, e.id, e.member.handraised]), [
      ['updated', members[6].id, true],
      ['updated', members[5].id, false],
      ['left', members[6].id, undefined],
    ]);
    // A member who is not a host hears none of it.
    const guest = await joined(t, name, { user_name: 'Late guest', protocol: 2 });
    guest.c.drain();
    host.c.drain();
    await first.c.request('call.raisehand', { member_id: members[4].id });
    await settle(50);
    assert.deepEqual(events(guest.c), []);
    assert.deepEqual(events(host.c).map((e) => [e.type, e.id]), [['updated', members[4].id]]);
  });

  it('a batch over 64 KiB is framed once and read as one frame (the 8-byte length)', async () => {
    const name = await room();
    const observer = await joined(t, name, { user_name: 'Observer', protocol: 2 });
    const legacy = await joined(t, name, { user_name: 'Old' });
    const host = await owner(name);
    for (let i = 0; i < 200; i++) await joined(t, name, { user_name: `Member ${i} ${'x'.repeat(60)}`, protocol: 2 });
    await settle(50);
    observer.c.drain();
    legacy.c.drain();
    // A change that leaves capabilities as they were (a change of them would bring a fresh call.joined, which starts a paged roster over).
    const { updated } = await host.c.request('call.member.update', { member_id: '*', permissions: { canReceive: { base: false } } });
    assert.equal(updated, 202);
    await settle(100);
    const batches = observer.c.fresh().filter((n) => n.method === 'members.changed');
    assert.equal(batches.length, 1);
    assert.equal(batches[0].params.events.length, 201, 'everyone but the observer itself');
    assert.ok(JSON.stringify(batches[0]).length > 65536);
    assert.equal(legacy.c.fresh().filter((n) => n.method === 'member.updated' && n.params.member.id !== legacy.id).length, 201);
  });

  it('search runs on the server, case-insensitive, in pages; its results are kept up to date', async () => {
    const name = await room();
    const host = await owner(name);
    const members = [];
    for (let i = 0; i < 8; i++) members.push(await joined(t, name, { user_name: i % 2 ? `Odd ${i}` : `Even ${i}`, protocol: 2 }));
    const late = await joined(t, name, { user_name: 'Late', protocol: 2 });
    const found = await late.c.request('call.members.list', { search: 'odd', limit: 2 });
    assert.equal(found.total, 4);
    assert.deepEqual(found.members.map((m: { name: string }) => m.name), ['Odd 1', 'Odd 3']);
    const more = await late.c.request('call.members.list', { search: 'ODD', cursor: found.cursor });
    assert.deepEqual(more.members.map((m: { name: string }) => m.name), ['Odd 5', 'Odd 7']);
    assert.equal(more.cursor, null);
    late.c.drain();
    await host.c.request('call.raisehand', { member_id: members[7].id });
    await host.c.request('call.raisehand', { member_id: members[6].id });
    await settle(30);
    assert.deepEqual(events(late.c).map((e) => e.member.name), ['Odd 7'], 'a search result outside the window is heard of; others are not');
  });
});
