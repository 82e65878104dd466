import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { record, until } from './observe.js';
import { WebSocket } from 'ws';
import { CapabilityError, ServerError, connect, type Call, type ConnectOptions } from '../../src/core.js';
import { joined, startServer, type TestServer } from '../../packages/server/test/helpers.js';

const options = (room: string, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
  room, WebSocket, reconnect: { min: 20, max: 200 }, ...extra,
});

describe('connect()', () => {
  let t: TestServer;
  const calls: Call[] = [];
  const open = async (room: string, extra: Partial<ConnectOptions> = {}) => {
    const call = await connect(t.server.url, options(room, extra));
    calls.push(call);
    return call;
  };

  before(async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'public' });
    await t.rest('POST', '/v1/rooms', { name: 'private', privacy: 'private', properties: { enable_knocking: true } });
    await t.rest('POST', '/v1/rooms', { name: 'closed', privacy: 'private' });
    await t.rest('POST', '/v1/rooms', { name: 'tiny', properties: { max_participants: 1 } });
    await t.rest('POST', '/v1/rooms', { name: 'restart' });
  });
  after(async () => {
    for (const call of calls) await call.leave().catch(() => {});
    await t.close();
  });

  it('resolves once joined, with every observable replaying its current value', async () => {
    const call = await open('public', { userName: 'Ada' });
    assert.equal(call.capabilities.known, true);
    assert.equal(call.capabilities.self.muteAudio.off, true);
    const self = await firstValueFrom(call.self$);
    assert.equal(self?.name, 'Ada');
    assert.deepEqual((await firstValueFrom(call.participants$)).map((m) => m.id), [self!.id]);
    assert.deepEqual(await firstValueFrom(call.access$), { level: 'full', awaiting: null });
    assert.equal((await firstValueFrom(call.room$))?.name, 'public');
    assert.equal(await firstValueFrom(call.connection$), 'connected');
    assert.equal(await firstValueFrom(call.left$), null);
    assert.deepEqual(await firstValueFrom(call.waiting$), []);
    assert.deepEqual(await firstValueFrom(call.requests$), []);
  });

  it('de-duplicates: an update that changes nothing emits nothing', async () => {
    const call = await open('public');
    const other = await joined(t, 'public');
    const rooms = record(call.room$);
    const participants = record(call.participants$);
    const waiting = record(call.waiting$);
    const access = record(call.access$);
    await until(call.participants$, (list) => list.length >= 3);
    const afterJoin = participants.length;
    // The same layout again changes nothing; a new one emits once.
    const host = await joined(t, 'public', { token: await t.token({ room_name: 'public', is_owner: true }) });
    await host.c.request('call.layout.set', { layout: 'grid' });
    await host.c.request('call.layout.set', { layout: 'speaker' });
    await until(call.room$, (room) => room?.layout === 'speaker');
    assert.deepEqual(rooms.map((r) => r?.layout), ['grid', 'speaker']);
    // Lower a hand that is not raised: no change, no emission.
    await other.c.request('call.lowerhand');
    await other.c.request('call.raisehand');
    await until(call.participants$, (list) => list.some((m) => m.handraised));
    assert.equal(participants.length, afterJoin + 2); // the host joined, then the hand went up
    // Every notification rebuilt the lists; those that did not change never emitted again.
    assert.deepEqual(waiting, [[]]);
    assert.equal(access.length, 1);
  });

  it('rejects with a ServerError for a private room, a missing room, a full room, a bad token', async () => {
    const refusals: [ConnectOptions, number, RegExp][] = [
      [options('closed'), 4401, /private/],
      // Without a token, a missing room looks like a private one (server hardening, issue 12).
      [options('nowhere'), 4401, /no public room "nowhere"/],
      [options('public', { token: 'garbage' }), 4401, /invalid token/],
    ];
    await open('tiny');
    refusals.push([options('tiny'), 4409, /full/]);
    for (const [opts, code, message] of refusals) {
      const error = await connect(t.server.url, opts).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ServerError, `${opts.room}: ${error}`);
      assert.equal(error.code, code);
      assert.match(error.message, message);
    }
  });

  it('rejects with an Error when the server cannot be reached', async () => {
    const error = await connect('http://127.0.0.1:1', options('public')).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.match((error as Error).message, /closed/);
  });

  it('rejects with a CapabilityError before sending anything', async () => {
    const call = await open('public');
    const logged = t.logs.length;
    for (const attempt of [() => call.lock(), () => call.end(), () => call.removeMember('someone'), () => call.updateWaiting('*', true),
      () => call.unmute(['audio'], 'someone'), () => call.denyRequest('someone'), () => call.startRecording(), () => call.requestPermissions(['presence'])]) {
      const error = await attempt().then(() => null, (e: unknown) => e);
      assert.ok(error instanceof CapabilityError, String(error));
      assert.ok(error.capability.length > 0);
    }
    const error = await call.lock().catch((e: CapabilityError) => e);
    assert.equal((error as CapabilityError).capability, 'lock.on');
    assert.equal(t.logs.length, logged, 'the server saw no request');
  });

  it('rejects with a ServerError carrying the code when the server refuses', async () => {
    const call = await open('public', { token: await t.token({ room_name: 'public', is_owner: true }) });
    const badLayout = await call.setLayout('mosaic').catch((e: ServerError) => e);
    assert.ok(badLayout instanceof ServerError);
    assert.equal(badLayout.code, -32602);
    const missing = await call.removeMember('nobody').catch((e: ServerError) => e);
    assert.equal((missing as ServerError).code, 4404);
  });

  it('the lobby: resolves in the lobby, knocks, and is admitted', async () => {
    const host = await open('private', { token: await t.token({ room_name: 'private', is_owner: true }) });
    const guest = await open('private');
    assert.deepEqual(await firstValueFrom(guest.access$), { level: 'lobby', awaiting: null });
    assert.equal(guest.capabilities.known, false);
    await guest.requestAccess('Knocky');
    assert.deepEqual(await until(guest.access$, (a) => a.awaiting !== null), { level: 'lobby', awaiting: 'full' });
    const [knocker] = await until(host.waiting$, (w) => w.length === 1);
    assert.equal(knocker.name, 'Knocky');
    await host.updateWaiting(knocker.id, true);
    assert.equal((await until(guest.access$, (a) => a.level === 'full')).level, 'full');
    assert.equal((await firstValueFrom(guest.self$))?.name, 'Knocky');
    assert.deepEqual(await until(host.waiting$, (w) => w.length === 0), []);
  });

  it('hosts see requests; approve and deny; the requester sees its own', async () => {
    await t.rest('POST', '/v1/rooms', { name: 'asks', properties: { permissions: { hasPresence: false } } });
    const host = await open('asks', { token: await t.token({ room_name: 'asks', is_owner: true }) });
    const guest = await open('asks', { userName: 'Shy' });
    assert.deepEqual((await firstValueFrom(host.participants$)).length, 1);
    await guest.requestPermissions(['presence']);
    const [request] = await until(host.requests$, (r) => r.length === 1);
    assert.deepEqual([request.name, request.permissions], ['Shy', ['presence']]);
    await host.denyRequest(request.member_id);
    await until(host.requests$, (r) => r.length === 0);
    await until(guest.requests$, (r) => r.length === 0);
    await guest.requestPermissions(['presence']);
    await until(host.requests$, (r) => r.length === 1);
    await host.updateMember(request.member_id, { permissions: { hasPresence: true } });
    await until(host.participants$, (list) => list.length === 2);
    await until(host.requests$, (r) => r.length === 0);
    await until(guest.capabilities.request$, (r) => !r.presence);
    assert.equal(guest.capabilities.self.raisehand.on, true);
    const received = until(host.messages$, () => true);
    await guest.sendMessage({ hi: true });
    assert.deepEqual((await received).data, { hi: true });
  });

  it('reconnects after the server drops the socket: capabilities unknown meanwhile, then restored', async () => {
    const token = await t.token({ room_name: 'restart', is_owner: true, user_name: 'Owner' });
    const call = await open('restart', { token });
    const states = record(call.connection$);
    const known = record(call.capabilities.known$);
    const firstId = (await firstValueFrom(call.self$))!.id;
    assert.equal(call.capabilities.lock.on, true);

    await t.restart();
    await until(call.connection$, (c) => c === 'connected' && states.includes('reconnecting'), 5000);
    assert.deepEqual(states, ['connected', 'reconnecting', 'connected']);
    assert.deepEqual(known, [true, false, true]);
    assert.equal(call.capabilities.lock.on, true);
    const self = (await firstValueFrom(call.self$))!;
    assert.notEqual(self.id, firstId);
    assert.equal(self.owner, true);
    assert.equal(await call.lock().then(() => 'ok'), 'ok');
  });

  it('leave(): left$ says why, nothing is known, the connection is closed', async () => {
    const call = await open('public');
    await call.leave();
    assert.equal(await firstValueFrom(call.left$), 'left');
    assert.equal(await firstValueFrom(call.connection$), 'closed');
    assert.equal(call.capabilities.known, false);
    assert.equal(await firstValueFrom(call.self$), null);
  });

  it('is removed: left$ "removed", no reconnect', async () => {
    const host = await open('public', { token: await t.token({ room_name: 'public', is_owner: true }) });
    const call = await open('public');
    const id = (await firstValueFrom(call.self$))!.id;
    await host.removeMember(id);
    assert.equal(await until(call.left$, (r) => r !== null), 'removed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await firstValueFrom(call.connection$), 'closed');
  });
});
