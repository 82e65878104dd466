/**
 * Test helpers for the server suites: a server on an ephemeral loopback port
 * with its SQLite file in a temporary folder, a REST helper, and a raw
 * JSON-RPC client that records every notification.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import { createServer, jsonLogger, type CallcapsServer, type ServerOptions, type TokenProperties } from '../src/index.js';

export const API_KEY = 'test-api-key-0123456789';

export interface Logged {
  level: 'info' | 'warn' | 'error';
  /** The message and then the other fields as JSON: `refused call.join code=4401 {"method":"call.join",…}`. */
  line: string;
  /** The record as written. */
  record: Record<string, unknown>;
}

export interface TestServer {
  server: CallcapsServer;
  dir: string;
  dataPath: string;
  logs: Logged[];
  /** What the server's logger wrote, exactly: one JSON object per line. */
  output: string[];
  options: ServerOptions;
  rest<T = any>(method: string, path: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: T }>;
  token(properties: TokenProperties): Promise<string>;
  client(): Promise<RpcClient>;
  /** Closes the server and starts it again on the same port and data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'callcaps-'));
  const dataPath = join(dir, 'callcaps.db');
  const logs: Logged[] = [];
  const output: string[] = [];
  // The server's own JSON logger, writing here: every record is parsed back.
  const logger = jsonLogger({
    write(chunk: string) {
      output.push(chunk);
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        const record = JSON.parse(text);
        const { level, time: _time, msg, ...fields } = record;
        const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
        logs.push({ level, line: `${msg}${rest}`, record });
      }
    },
  });
  const all: ServerOptions = { port: 0, dataPath, apiKey: API_KEY, logger, ...options };
  const clients: RpcClient[] = [];
  const t: TestServer = {
    server: await createServer(all),
    dir,
    dataPath,
    logs,
    output,
    options: all,
    async rest(method, path, body, auth = API_KEY) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth !== null) headers.authorization = `Bearer ${auth}`;
      const response = await fetch(t.server.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    token: (properties) => t.server.createToken(properties),
    async client() {
      const c = await RpcClient.open(t.server.wsUrl);
      clients.push(c);
      return c;
    },
    async restart() {
      const port = t.server.port;
      await t.server.close();
      t.server = await createServer({ ...all, port });
    },
    async close() {
      for (const c of clients) c.close();
      await t.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Notification {
  method: string;
  params: any;
}

export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** A bare JSON-RPC client over `ws`, for driving the server frame by frame. */
export class RpcClient {
  readonly notifications: Notification[] = [];
  readonly replies: any[] = [];
  #consumed = new Set<Notification>();
  #waiters: (() => void)[] = [];
  #pending = new Map<number | string, (reply: any) => void>();
  #id = 0;
  closeEvent: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if ('id' in message) {
        this.replies.push(message);
        const resolve = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        resolve?.(message);
      } else {
        this.notifications.push(message);
      }
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString() };
        for (const resolvePending of this.#pending.values()) resolvePending({ error: { code, message: 'closed' } });
        this.#pending.clear();
        resolve(this.closeEvent);
        this.#wake();
      });
    });
  }

  static open(url: string, options?: ClientOptions): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new RpcClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Sends a request and resolves with its whole reply (`result` or `error`). */
  call(method: string, params?: unknown): Promise<any> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Sends a request; resolves with its result, rejects with an RpcError. */
  async request(method: string, params?: unknown): Promise<any> {
    const reply = await this.call(method, params);
    if (reply.error) throw new RpcError(reply.error.code, reply.error.message);
    return reply.result;
  }

  /** Resolves with the code of the refusal (fails the test if it was accepted). */
  async refused(method: string, params?: unknown): Promise<number> {
    const reply = await this.call(method, params);
    if (!reply.error) throw new Error(`${method} was accepted: ${JSON.stringify(reply.result)}`);
    return reply.error.code;
  }

  /** The next notification of `method` (matching `match`) not yet taken, waiting for it. */
  async next(method: string, match: (params: any) => boolean = () => true, timeout = 2000): Promise<any> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.notifications.find((n) => !this.#consumed.has(n) && n.method === method && match(n.params));
      if (found) {
        this.#consumed.add(found);
        return found.params;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${method} within ${timeout} ms; got: ${this.notifications.filter((n) => !this.#consumed.has(n)).map((n) => n.method).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Marks every notification so far as taken. */
  drain(): void {
    for (const n of this.notifications) this.#consumed.add(n);
  }

  /** Notifications not yet taken. */
  fresh(): Notification[] {
    return this.notifications.filter((n) => !this.#consumed.has(n));
  }

  send(raw: string | Buffer): void {
    this.ws.send(raw);
  }

  close(): void {
    if (this.ws.readyState <= 1) this.ws.close();
  }
}

/** Opens a client and joins; returns it with its `call.joined`. */
export async function joined(t: TestServer, room: string, params: Record<string, unknown> = {}): Promise<{ c: RpcClient; joined: any; id: string }> {
  const c = await t.client();
  const result = await c.request('call.join', { room, ...params });
  const j = await c.next('call.joined');
  return { c, joined: j, id: result.member_id };
}

/**
 * A member as cheap as can be, for rooms of thousands: a socket that joins
 * (protocol 2) and reads nothing but its join's answer. `send` fires a request
 * and forgets it.
 */
export async function rawMember(wsUrl: string, room: string, params: Record<string, unknown>): Promise<{ ws: WebSocket; id: string; send(method: string, params?: unknown): void }> {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const id = await new Promise<string>((resolve, reject) => {
    const on = (data: Buffer) => {
      const text = data.toString();
      if (!text.includes('"id":1,')) return;
      ws.off('message', on);
      const reply = JSON.parse(text);
      if (reply.error) reject(new Error(reply.error.message));
      else resolve(reply.result.member_id);
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room, protocol: 2, ...params } }));
  });
  let next = 1;
  return { ws, id, send: (method, params = {}) => ws.send(JSON.stringify({ jsonrpc: '2.0', id: ++next, method, params })) };
}

/** `count` raw members joining `room`, `batch` at a time (a burst each), named by `name(i)`. */
export async function rawMembers(wsUrl: string, room: string, count: number, name: (i: number) => string, batch = 250): Promise<Awaited<ReturnType<typeof rawMember>>[]> {
  const members: Awaited<ReturnType<typeof rawMember>>[] = [];
  for (let i = 0; i < count; i += batch) {
    members.push(...await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, k) => rawMember(wsUrl, room, { user_name: name(i + k) }))));
  }
  return members;
}

/** Waits until no new notification arrived for `ms`. */
export const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
