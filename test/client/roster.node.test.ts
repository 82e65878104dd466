/**
 * Large rooms through the client (issue 14): a batch of member events is one
 * emission of `participants$`; the audience's count and list for hosts; the
 * paged roster in twelve pages (server in-process, cheap raw member
 * sockets): search on the server finds a member on a later page, paging
 * reaches the last member, and a member who leaves from a page not yet loaded
 * never appears.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import { CapabilityError, connect, hasRoster, type Member, type RosterState } from '../../src/core.js';
import type { CallClient } from '../../src/client/connect.js';
import { joined, rawMember, rawMembers, settle, startServer, type TestServer } from '../../packages/server/test/helpers.js';
import { record, until } from './observe.js';

/** Twelve pages of 100: enough for paging, search and leaves beyond the loaded pages (the Chromium suite runs 5,000). */
const MEMBERS = 1200;
/** How long to wait for a change on a machine shared with other work. */
const SLOW = 20_000;
const name = (i: number) => `member-${String(i).padStart(4, '0')}`;

/** A WebSocket that counts the `members.changed` frames it gets. */
let batches = 0;
class CountingWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    this.on('message', (data) => {
      if (String(data).includes('"method":"members.changed"')) batches++;
    });
  }
}

describe('large rooms through the client', () => {
  let t: TestServer;
  const sockets: WebSocket[] = [];
  const calls: CallClient[] = [];
  before(async () => {
    t = await startServer({ maxConnectionsPerAddress: 0, roster: { threshold: 10, pageSize: 100 } });
    await t.rest('POST', '/v1/rooms', { name: 'small' });
    await t.rest('POST', '/v1/rooms', { name: 'big' });
  });
  after(async () => {
    for (const call of calls) await call.leave().catch(() => {});
    for (const ws of sockets) ws.terminate();
    await t.close();
  });

  it('a batch of member events is one emission of participants$', async () => {
    const call = await connect(t.server.url, { room: 'small', userName: 'Watcher', WebSocket: CountingWebSocket });
    calls.push(call);
    assert.ok(hasRoster(call));
    const emissions = record(call.participants$);
    const host = await joined(t, 'small', { token: await t.token({ room_name: 'small', is_owner: true }), protocol: 2 });
    const others = await Promise.all(Array.from({ length: 5 }, (_, i) => rawMember(t.server.wsUrl, 'small', { user_name: `S${i}` })));
    sockets.push(...others.map((o) => o.ws));
    await until(call.participants$, (list) => list.length === 7);
    await settle(30);
    batches = 0;
    const before = emissions.length;
    // Five hands raised by the host in one write (one turn of the server): one frame, one emission.
    const raw = (host.c.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    raw.cork();
    const done = others.map((o) => host.c.request('call.raisehand', { member_id: o.id }));
    raw.uncork();
    await Promise.all(done);
    await until(call.participants$, (list) => list.filter((m) => m.handraised).length === 5);
    await settle(30);
    assert.equal(batches, 1, 'one members.changed frame');
    assert.equal(emissions.length - before, 1, 'one emission for the batch');
  });

  it("the audience: hosts follow its count and list it; others are refused before anything is sent", async () => {
    await t.rest('POST', '/v1/rooms', { name: 'stage', properties: { call_type: 'livestream' } });
    const host = await connect(t.server.url, { room: 'stage', token: await t.token({ room_name: 'stage', is_owner: true }), WebSocket });
    calls.push(host);
    assert.equal(await firstValueFrom(host.audience.count$), 0);
    const viewer = await connect(t.server.url, { room: 'stage', userName: 'Viewer 0', WebSocket });
    calls.push(viewer);
    const others = await Promise.all(Array.from({ length: 3 }, (_, i) => rawMember(t.server.wsUrl, 'stage', { user_name: `Viewer ${i + 1}` })));
    sockets.push(...others.map((o) => o.ws));
    await until(host.audience.count$, (n) => n === 4, SLOW);
    const hostName = (await firstValueFrom(host.self$))!.name;
    assert.deepEqual((await firstValueFrom(host.participants$)).map((m) => m.name), [hostName], 'viewers are not participants');
    const page = await host.audience.list({ limit: 3 });
    assert.deepEqual([page.members.length, page.total], [3, 4]);
    const rest = await host.audience.list({ cursor: page.cursor! });
    assert.deepEqual([rest.members.map((m) => m.name), rest.cursor], [['Viewer 3'], null]);
    assert.equal(await firstValueFrom(viewer.audience.count$), null, 'a viewer is not told the count');
    await assert.rejects(viewer.audience.list(), CapabilityError);
    // The viewer lists itself, and counts itself in the roster's total.
    const state = await firstValueFrom(viewer.roster.state$);
    assert.deepEqual([state.members.map((m) => m.name).sort(), state.total, state.complete], [[hostName, 'Viewer 0'].sort(), 2, true]);
  });

  it('a host with pages lists the raised hands beyond them while raised, and no one else does', async () => {
    await t.rest('POST', '/v1/rooms', { name: 'hands' });
    const crowd = await rawMembers(t.server.wsUrl, 'hands', 150, name);
    sockets.push(...crowd.map((m) => m.ws));
    const host = await connect(t.server.url, { room: 'hands', token: await t.token({ room_name: 'hands', is_owner: true }), WebSocket });
    const guest = await connect(t.server.url, { room: 'hands', userName: 'Guest', WebSocket });
    calls.push(host, guest);
    const listed = (call: CallClient, who: string) => firstValueFrom(call.roster.state$).then((s) => s.members.some((m) => m.name === who));
    assert.equal((await firstValueFrom(host.roster.state$)).complete, false);
    crowd[120].send('call.raisehand');
    const state = await until(host.roster.state$, (s) => s.members.some((m) => m.name === name(120) && m.handraised), SLOW);
    assert.equal(state.members.length, 101, 'the first page, and the raised hand beyond it');
    assert.equal(await listed(guest, name(120)), false, 'a guest is not told');
    crowd[120].send('call.lowerhand');
    await until(host.roster.state$, (s) => !s.members.some((m) => m.name === name(120)), SLOW);
  });

  it(`the paged roster with ${MEMBERS.toLocaleString('en')} members: search, paging to the end, a leave from a page not yet loaded`, { timeout: 120_000 }, async () => {
    const started = Date.now();
    const members = await rawMembers(t.server.wsUrl, 'big', MEMBERS - 1, name);
    sockets.push(...members.map((m) => m.ws));
    console.log(`# ${MEMBERS - 1} raw members joined in ${Date.now() - started} ms`);

    const call = await connect(t.server.url, { room: 'big', userName: 'Observer', WebSocket });
    calls.push(call);
    const states = record(call.roster.state$);
    const seen = new Set<string>();
    call.participants$.subscribe((list) => {
      for (const m of list) seen.add(m.id);
    });
    let state = await firstValueFrom(call.roster.state$);
    assert.equal(state.members.length, 100, 'the first page');
    assert.equal(state.total, MEMBERS);
    assert.equal(state.complete, false);
    assert.equal(state.members[0].name, name(0));

    // A member on a page not yet loaded leaves; another changes: neither is sent.
    const gone = members[900];
    gone.send('call.leave');
    members[1000].send('call.raisehand');
    state = await until(call.roster.state$, (s) => s.total === MEMBERS - 1, SLOW);

    // Search on the server finds a member on a later page, and keeps it up to date.
    await call.roster.search('MEMBER-1111');
    state = await firstValueFrom(call.roster.state$);
    assert.deepEqual(state.members.map((m) => m.name), [name(1111)]);
    assert.deepEqual([state.total, state.complete, state.search], [1, true, 'MEMBER-1111']);
    members[1111].send('call.raisehand');
    await until(call.roster.state$, (s) => s.members[0]?.handraised === true, SLOW);
    await call.roster.search('');
    assert.equal((await firstValueFrom(call.roster.state$)).members.length, 100);

    // Paging to the end reaches the last member.
    let pages = 0;
    while (!(await firstValueFrom(call.roster.state$)).complete) {
      await call.roster.loadMore();
      pages++;
    }
    state = await firstValueFrom(call.roster.state$);
    const participants: readonly Member[] = await firstValueFrom(call.participants$);
    assert.equal(pages, Math.ceil((MEMBERS - 1 - 100) / 100), 'the pages after the first (one member left)');
    assert.equal(state.members.length, MEMBERS - 1);
    assert.equal(state.total, MEMBERS - 1);
    assert.equal(participants.length, MEMBERS - 1, 'participants$ holds the whole roster once loaded');
    assert.equal(state.members.at(-2)!.name, name(MEMBERS - 2), 'the last raw member');
    assert.equal(state.members.at(-1)!.name, 'Observer');
    assert.ok(!seen.has(gone.id), 'the member who left before its page was loaded never appeared');
    assert.ok(!states.some((s: RosterState) => s.members.some((m) => m.id === gone.id)));
    assert.equal(state.members.find((m) => m.name === name(1000))!.handraised, true, 'its page brought the change');
    // Complete now: changes anywhere are heard.
    members[MEMBERS - 11].send('call.raisehand');
    await until(call.participants$, (list) => list.find((m) => m.name === name(MEMBERS - 11))?.handraised === true, SLOW);
    console.log(`# paged roster test: ${Date.now() - started} ms`);
  });
});
