/**
 * The WebSocket that `connect()` takes: `ws`'s class and the DOM's both fit
 * `ConnectOptions['WebSocket']` (checked by the type check), a frame `ws`
 * delivers as a Buffer (binary) is read as well as text, and where no
 * WebSocket exists (Node 20 without the option) `connect()` rejects with an
 * error that names the option.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, type ConnectOptions, type WebSocketLike } from '../../src/client.js';

// Types: both implementations fit without casts; a class whose events do not carry what the client reads does not.
const fromWs: ConnectOptions['WebSocket'] = WebSocket;
const fromDom: ConnectOptions['WebSocket'] = globalThis.WebSocket;
class WrongClose {
  readyState = 0;
  send(_data: string): void {}
  close(): void {}
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
}
// @ts-expect-error onclose would read a string code
const wrong: ConnectOptions['WebSocket'] = WrongClose;
void [fromWs, fromDom, wrong];

const MEMBER = {
  id: 'm1', user_id: 'u1', name: 'Binary', owner: false, role: 'user',
  permissions: { hasPresence: true, canSend: true, canReceive: { base: true }, canAdmin: false },
  audio_muted: true, video_muted: true, deaf: false, handraised: false, screenshare: false, joined_at: 0,
};

describe('connect(): the WebSocket implementation', () => {
  it('reads frames that ws delivers as Buffers (binary) as well as text', async () => {
    // A stand-in server that answers the join with the notification in a binary frame and the result in a text frame.
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const kinds: boolean[] = [];
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const { id, method } = JSON.parse(String(data));
        if (method === 'call.join') {
          const joined = { jsonrpc: '2.0', method: 'call.joined', params: { self: MEMBER, members: [MEMBER], room: null, capabilities: ['self'] } };
          socket.send(Buffer.from(JSON.stringify(joined)), { binary: true });
          socket.send(JSON.stringify({ jsonrpc: '2.0', id, result: { access: { level: 'full', awaiting: null } } }));
        } else {
          socket.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: {} })), { binary: true });
        }
      });
    });
    const seen = (socket: WebSocketLike) => {
      const read = socket.onmessage!;
      socket.onmessage = (event) => {
        kinds.push(Buffer.isBuffer(event.data));
        read(event);
      };
    };
    // ws's own class, watched: which frames arrive as Buffers.
    class Watched extends WebSocket {
      constructor(url: string) {
        super(url);
        queueMicrotask(() => seen(this));
      }
    }
    try {
      const { port } = server.address() as AddressInfo;
      const call = await connect(`http://127.0.0.1:${port}`, { room: 'any', WebSocket: Watched, heartbeat: 0 });
      assert.equal(call.capabilities.known, true);
      assert.equal(call.capabilities.self.muteAudio.off, true);
      await call.raiseHand(); // answered in a binary frame
      assert.deepEqual(kinds, [true, false, true], 'one binary frame, one text frame, one binary frame');
      await call.leave();
      assert.equal(await new Promise((resolve) => call.connection$.subscribe(resolve)), 'closed');
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without options.WebSocket where there is no global one (Node 20), rejects with a TypeError naming the option', async (t) => {
    const global = globalThis as { WebSocket?: unknown };
    const original = Object.getOwnPropertyDescriptor(global, 'WebSocket');
    // Node 22 has a global WebSocket: take it away for this test.
    delete global.WebSocket;
    t.after(() => original && Object.defineProperty(global, 'WebSocket', original));
    const error = await connect('http://127.0.0.1:9', { room: 'any' }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TypeError, String(error));
    assert.match(error.message, /options\.WebSocket/);
    assert.match(error.message, /Node 20/);
  });
});
