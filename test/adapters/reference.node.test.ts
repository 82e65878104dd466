/**
 * The Call conformance suite against the reference client (`connect()`) and
 * a real reference server: what every adapter is held to, the reference
 * client is held to as well. `sent()` is what the client wrote on its
 * WebSocket (the JSON-RPC methods), recorded by a subclass of `ws`'s WebSocket.
 */
import { after, before } from 'node:test';
import { WebSocket } from 'ws';
import { connect, type Call } from '../../src/core.js';
import { joined, startServer, type TestServer } from '../../packages/server/test/helpers.js';
import { until } from '../client/observe.js';
import { conformance, type Fixture } from './conformance.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(() => t.close());

/** A WebSocket that records the methods the client sends (not its joins and pings). */
function recording(sent: string[], sockets: WebSocket[]) {
  return class extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
    override send(data: string): void {
      const { method } = JSON.parse(data) as { method: string };
      if (method !== 'call.ping' && method !== 'call.join') sent.push(method);
      super.send(data);
    }
  };
}

let rooms = 0;

async function fixture(asOwner: boolean): Promise<Fixture> {
  const room = `conformance-${++rooms}`;
  await t.rest('POST', '/v1/rooms', { name: room });
  const owner = await joined(t, room, { token: await t.token({ room_name: room, is_owner: true }) });
  const other = await joined(t, room);
  const sent: string[] = [];
  const sockets: WebSocket[] = [];
  const token = asOwner ? await t.token({ room_name: room, is_owner: true }) : undefined;
  const call: Call = await connect(t.server.url, { room, token, WebSocket: recording(sent, sockets), reconnect: { attempts: 0 } });
  const selfId = (await until(call.self$, (m) => m !== null))!.id;
  await until(call.participants$, (list) => list.length >= 3);
  const role = async (name: string, test: () => boolean) => {
    await owner.c.request('call.member.update', { member_id: selfId, role: name });
    await until(call.capabilities.state$, test);
  };
  return {
    call,
    otherId: other.id,
    promote: () => role('host', () => call.capabilities.lock.on),
    demote: () => role('user', () => !call.capabilities.lock.on),
    repeat: async () => {
      const current = (await until(call.self$, () => true))!.role;
      await owner.c.request('call.member.update', { member_id: selfId, role: current });
    },
    sent: () => sent,
    listeners: () => sockets.filter((ws) => ws.readyState < 2).length,
    close: async () => {
      await call.leave().catch(() => {});
      owner.c.close();
      other.c.close();
    },
  };
}

conformance({
  name: 'reference client (connect) on a reference server',
  guest: () => fixture(false),
  host: () => fixture(true),
  pending: async () => {
    const room = `conformance-${++rooms}`;
    await t.rest('POST', '/v1/rooms', { name: room, privacy: 'private', properties: { enable_knocking: true } });
    const owner = await joined(t, room, { token: await t.token({ room_name: room, is_owner: true }) });
    const call = await connect(t.server.url, { room, WebSocket, reconnect: { attempts: 0 } });
    return {
      call,
      join: async () => {
        await call.requestAccess('Knocker');
        const knock = await owner.c.next('waiting.added');
        await owner.c.request('call.waiting.update', { member_id: knock.participant.id, grant: true });
        await until(call.capabilities.known$, (known) => known);
      },
      close: async () => {
        await call.leave().catch(() => {});
        owner.c.close();
      },
    };
  },
  expected: {
    'mute self audio': 'call.mute',
    'unmute self audio': 'call.unmute',
    'mute self video': 'call.mute',
    'unmute self video': 'call.unmute',
    'raise hand': 'call.raisehand',
    'lower hand': 'call.lowerhand',
    'deafen self': 'call.deaf',
    screenshare: 'call.screenshare.start',
    'mute member audio': 'call.mute',
    'unmute member audio': 'call.unmute',
    'mute member video': 'call.mute',
    'deafen member': 'call.deaf',
    'lower member hand': 'call.lowerhand',
    'update member permissions': 'call.member.update',
    'update everyone': 'call.member.update',
    'change role': 'call.member.update',
    'deny request': 'call.permission.deny',
    lock: 'call.lock',
    unlock: 'call.unlock',
    layout: 'call.layout.set',
    digits: 'call.digit.send',
    admit: 'call.waiting.update',
    'request audio': 'call.permission.request',
    'start recording': 'call.record.start',
    'stop recording': 'call.record.stop',
    'start streaming': 'call.stream.start',
    'stop streaming': 'call.stream.stop',
    'start transcription': 'call.transcribe.start',
    'stop transcription': 'call.transcribe.stop',
    'remove member': 'call.member.remove',
    end: 'call.end',
  },
  hostFlags: ['member.remove', 'member.permissions.set', 'member.mute.audio.on', 'lock.on', 'end'],
});
