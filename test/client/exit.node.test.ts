/**
 * `callcaps/client` in Node never keeps the process alive once the call is
 * over: a bot (test/client/bot.ts, a child process using `ws`) joins a real
 * reference server and, whether it leaves, leaves while reconnecting, gives up
 * reconnecting or has its call ended, exits by itself with code 0. The bot
 * never calls `process.exit`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import { startProxy, type Proxy } from './proxy.js';
import { startServer, type TestServer } from '../../packages/server/test/helpers.js';

/** Generous: a loaded machine starts tsx slowly. The bot's own waits are far shorter. */
const EXIT_BOUND = 30_000;

interface Bot {
  /** Every line the bot printed so far. */
  lines: string[];
  /** Resolves once the bot printed `line`. */
  said(line: string): Promise<void>;
  /** The exit code, or 'still running' when the process was still alive after EXIT_BOUND ms (it is then killed). */
  exited: Promise<number | null | 'still running'>;
  stderr(): string;
  /** Writes a line to the bot's stdin. */
  tell(line: string): void;
}

function runBot(url: string, room: string, mode: string): Bot {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/client/bot.ts', url, room, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let errors = '';
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | null | 'still running'>((resolve) => {
    const timer = setTimeout(() => {
      resolve('still running');
      child.kill('SIGKILL');
    }, EXIT_BOUND);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    lines,
    exited,
    stderr: () => errors,
    tell: (line) => child.stdin.write(`${line}\n`),
    async said(line) {
      while (!lines.includes(line)) {
        if (child.exitCode !== null) throw new Error(`the bot exited before saying "${line}": ${lines.join(' | ')}\n${errors}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

describe('callcaps/client in Node: the process exits by itself once the call is over', () => {
  let t: TestServer | null = null;
  let proxy: Proxy | null = null;
  const start = async () => {
    t = await startServer();
    await t.rest('POST', '/v1/rooms', { name: 'bots' });
    return t;
  };
  afterEach(async () => {
    await proxy?.close();
    await t?.close();
    proxy = t = null;
  });

  it('joins, raises a hand, leaves: exit code 0', async () => {
    const server = await start();
    const bot = runBot(server.server.url, 'bots', 'leave');
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.deepEqual(bot.lines.filter((l) => !l.startsWith('connection')), ['joined', 'hand raised', 'left left', 'left']);
  });

  it('leaves while waiting to reconnect to a server that went away', async () => {
    const server = await start();
    const bot = runBot(server.server.url, 'bots', 'leave-reconnecting');
    await bot.said('joined');
    await server.close();
    t = null;
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.ok(bot.lines.includes('connection reconnecting'), bot.lines.join(' | '));
    assert.equal(bot.lines.at(-1), 'left');
  });

  it('leaves while a reconnection attempt hangs on a link that passes nothing', async () => {
    const server = await start();
    proxy = await startProxy(server.server.port);
    const bot = runBot(proxy.url, 'bots', 'leave-connecting');
    await bot.said('joined');
    proxy.stall('both');
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.ok(bot.lines.includes('connection reconnecting'), bot.lines.join(' | '));
    assert.ok(proxy.accepted >= 2, `a reconnection attempt reached the proxy (${proxy.accepted} connections)`);
    assert.equal(bot.lines.at(-1), 'left');
  });

  it('leaves over a link that silently passes nothing: the unanswered call.leave does not hold the process', async () => {
    const server = await start();
    proxy = await startProxy(server.server.port);
    const bot = runBot(proxy.url, 'bots', 'leave-stalled');
    await bot.said('joined');
    proxy.stall('both');
    bot.tell('stalled');
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.equal(bot.lines.at(-1), 'left');
  });

  it('gives up reconnecting (closed, unreachable) and exits without leaving', async () => {
    const server = await start();
    const bot = runBot(server.server.url, 'bots', 'give-up');
    await bot.said('joined');
    await server.close();
    t = null;
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.ok(bot.lines.includes('closed ConnectionError unreachable'), bot.lines.join(' | '));
    assert.equal(bot.lines.at(-1), 'connection closed');
  });

  it('exits once an owner ends the call', async () => {
    const server = await start();
    const bot = runBot(server.server.url, 'bots', 'ended');
    await bot.said('joined');
    const owner = await server.client();
    await owner.request('call.join', { room: 'bots', token: await server.token({ room_name: 'bots', is_owner: true }) });
    await owner.request('call.end');
    assert.equal(await bot.exited, 0, bot.stderr());
    assert.ok(bot.lines.includes('left ended'), bot.lines.join(' | '));
  });
});
