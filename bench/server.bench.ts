/**
 * The reference server under load, on loopback, in its own process (a fresh
 * one for each row); the clients are raw `ws` sockets in this process that
 * join with protocol 2 and never parse a frame (they count and time them).
 *
 * One room of 100, 500, 2,000 and 5,000 members:
 * - joins: all the clients connect and join at once; the wall time until each
 *   has its `call.joined`, and the server process's CPU time meanwhile, per join;
 * - fan-out: a permission update (`call.member.update`) of one member from the
 *   owner until every member has its frame (one `members.changed`; the target
 *   a fresh `call.joined`), beside a bare `ws` broadcast of the same bytes to
 *   the same number of clients, in the same run (p50 and p99 over all clients
 *   and rounds);
 * - heap per member in the server process (after GC, joined minus idle).
 *
 * The webinar: a `livestream` room, 20 presenters (hosts with presence) and
 * 5,000 viewers (an audience by default) who join at once, then come and go
 * (`CHURN` leaves and as many joins a second); the frames each presenter's
 * client gets per second.
 *
 * Figures are printed, never asserted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';

const SIZES = (process.env.BENCH_ROOM_SIZES ?? '100,500,2000,5000').split(',').map(Number);
const WEBINAR = { presenters: 20, viewers: Number(process.env.BENCH_WEBINAR_VIEWERS ?? 5000) };
const CHURN = 200; // viewers leaving and as many joining, per second
const CHURN_SECONDS = 5;

interface Child {
  process: ChildProcess;
  url: string;
  wsUrl: string;
  barePort: number;
}

type Memory = { heapUsed: number; external: number; rss: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(): Promise<Child & { ask<T>(what: string): Promise<T>; rest(path: string, body: unknown): Promise<any>; stop(): Promise<void> }> {
  const child = fork(new URL('./server-child.ts', import.meta.url), { execArgv: ['--conditions=callcaps-source', '--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Omit<Child, 'process'>>((resolve) => child.once('message', (m) => resolve(m as Omit<Child, 'process'>)));
  return {
    ...ready,
    process: child,
    ask: <T>(what: string) => new Promise<T>((resolve) => {
      child.once('message', (m) => resolve((m as Record<string, T>)[what]));
      child.send(what);
    }),
    rest: (path, body) => fetch(ready.url + path, { method: 'POST', headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json()),
    async stop() {
      child.send('exit');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** A raw client: counts its frames and keeps the time of the last one; parses nothing. */
class Raw {
  frames = 0;
  at = 0;
  waiter: (() => void) | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {}); // a reset at teardown is not a result
    ws.on('message', () => {
      this.frames++;
      this.at = performance.now();
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
  }
  /** Resolves at its next frame. */
  next(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }
  send(method: string, params: unknown, id = 1): void {
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Opens `count` sockets (500 at a time, within the listen backlog), then joins them all at once; resolves when each has its first frame (`call.joined`). */
async function joinAll(url: string, count: number, params: (i: number) => Record<string, unknown>): Promise<Raw[]> {
  const clients: Raw[] = [];
  for (let i = 0; i < count; i += 500) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(500, count - i) }, async () => new Raw(await open(url)))));
  }
  await Promise.all(clients.map((c, i) => {
    const first = c.next();
    c.send('call.join', { protocol: 2, ...params(i) });
    return first;
  }));
  return clients;
}

/** Times `rounds` triggers until each client has its next frame (after a quiet moment before each). */
async function fanOut(clients: Raw[], rounds: number, trigger: (round: number) => void): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await pause(30);
    const arrived = clients.map((c) => c.next());
    const start = performance.now();
    trigger(round);
    await Promise.all(arrived);
    for (const c of clients) latencies.push(c.at - start);
  }
  return latencies.sort((a, b) => a - b);
}

interface Row {
  size: number;
  joinWall: number;
  joinCpu: number;
  u50: number;
  u99: number;
  b50: number;
  b99: number;
  heap: number;
  payload: number;
}

async function roomRow(size: number): Promise<Row> {
  const server = await start();
  try {
    await server.rest('/v1/rooms', { name: 'bench' });
    const { token } = await server.rest('/v1/meeting-tokens', { properties: { room_name: 'bench', is_owner: true } });
    const idle = await server.ask<Memory>('memory');
    // The owner first (the target of the updates is then everyone's first page).
    const [owner] = await joinAll(server.wsUrl, 1, () => ({ room: 'bench', token }));
    const target = await open(server.wsUrl);
    const targetId = await new Promise<string>((resolve) => {
      target.on('message', (data) => {
        const text = data.toString();
        if (text.includes('"id":1,')) resolve(JSON.parse(text).result.member_id);
      });
      target.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'bench', user_name: 'target', protocol: 2 } }));
    });

    const cpuBefore = await server.ask<number>('cpu');
    const started = performance.now();
    const clients = await joinAll(server.wsUrl, size - 2, (i) => ({ room: 'bench', user_name: `c${i}` }));
    const joinWall = performance.now() - started;
    const joinCpu = (await server.ask<number>('cpu')) - cpuBefore;
    await pause(300);
    const loaded = await server.ask<Memory>('memory');

    // A sample of the update frame, for the bare broadcast (taken in a first round, not timed).
    let sample = '';
    const sampler = clients[0].ws;
    const take = (data: Buffer) => {
      sample = data.toString();
    };
    sampler.on('message', take);
    const everyone = [...clients, owner];
    await fanOut(everyone, 1, () => owner.send('call.member.update', { member_id: targetId, permissions: { canSend: ['video'] } }, 99));
    sampler.off('message', take);

    // As many bare clients beside them; the rounds alternate (ours, bare, ours…) so that the machine's load falls on both alike.
    const bare: Raw[] = [];
    for (let i = 0; i < everyone.length; i += 500) {
      bare.push(...await Promise.all(Array.from({ length: Math.min(500, everyone.length - i) }, async () => new Raw(await open(`ws://127.0.0.1:${server.barePort}`)))));
    }
    const trigger = await open(`ws://127.0.0.1:${server.barePort}`);
    const rounds = size >= 2000 ? 10 : 20;
    const update: number[] = [];
    const broadcast: number[] = [];
    for (let round = 0; round < rounds; round++) {
      update.push(...await fanOut(everyone, 1, () => owner.send('call.member.update', { member_id: targetId, permissions: { canSend: round % 2 ? true : ['audio'] } }, 100 + round)));
      broadcast.push(...await fanOut(bare, 1, () => trigger.send(sample)));
    }
    update.sort((a, b) => a - b);
    broadcast.sort((a, b) => a - b);
    for (const c of [...everyone, ...bare]) c.ws.terminate();
    target.terminate();
    trigger.terminate();

    return {
      size,
      joinWall,
      joinCpu,
      u50: percentile(update, 0.5),
      u99: percentile(update, 0.99),
      b50: percentile(broadcast, 0.5),
      b99: percentile(broadcast, 0.99),
      heap: (loaded.heapUsed - idle.heapUsed) / size,
      payload: sample.length,
    };
  } finally {
    await server.stop();
  }
}

async function webinar(): Promise<void> {
  const server = await start();
  try {
    await server.rest('/v1/rooms', { name: 'webinar', properties: { call_type: 'livestream' } });
    const tokens = await Promise.all(Array.from({ length: WEBINAR.presenters }, (_, i) =>
      server.rest('/v1/meeting-tokens', { properties: { room_name: 'webinar', user_id: `presenter-${i}`, role: 'host', permissions: { hasPresence: true } } }).then((r) => r.token as string)));
    const presenters = await joinAll(server.wsUrl, WEBINAR.presenters, (i) => ({ room: 'webinar', token: tokens[i] }));
    await pause(300);
    const framesBefore = presenters.map((p) => p.frames);
    const cpuBefore = await server.ask<number>('cpu');
    const started = performance.now();
    const viewers = await joinAll(server.wsUrl, WEBINAR.viewers, (i) => ({ room: 'webinar', user_name: `viewer ${i}` }));
    const joinWall = performance.now() - started;
    const joinCpu = (await server.ask<number>('cpu')) - cpuBefore;
    await pause(500);
    const joinFrames = presenters.map((p, i) => p.frames - framesBefore[i]);

    // Churn: viewers leave and others join, CHURN a second each, for CHURN_SECONDS.
    const churnStart = presenters.map((p) => p.frames);
    const t0 = performance.now();
    let next = WEBINAR.viewers;
    let leaving = 0;
    const joining: Promise<unknown>[] = [];
    for (let tick = 0; tick < CHURN_SECONDS * 10; tick++) {
      for (let k = 0; k < CHURN / 10; k++) {
        viewers[leaving++].ws.close();
        const i = next++;
        joining.push(open(server.wsUrl).then((ws) => {
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'webinar', user_name: `viewer ${i}`, protocol: 2 } }));
          viewers.push(new Raw(ws));
        }));
      }
      await pause(100);
    }
    await Promise.all(joining);
    const seconds = (performance.now() - t0) / 1000;
    const churnRates = presenters.map((p, i) => (p.frames - churnStart[i]) / seconds).sort((a, b) => a - b);
    const joinRates = joinFrames.map((f) => f / (joinWall / 1000)).sort((a, b) => a - b);
    for (const c of [...presenters, ...viewers]) c.ws.terminate();

    console.log(`\n### Webinar: ${WEBINAR.presenters} presenters (hosts with presence) and ${WEBINAR.viewers.toLocaleString('en')} viewers (livestream: an audience by default)`);
    console.log(`  ${WEBINAR.viewers} viewers join at once: ${(joinWall / 1000).toFixed(2)} s wall, server CPU ${(joinCpu / WEBINAR.viewers).toFixed(3)} ms per join`);
    console.log(`  frames per presenter during the joins:   ${Math.max(...joinFrames)} in all, max ${joinRates.at(-1)!.toFixed(1)} per second`);
    console.log(`  frames per presenter while ${CHURN} viewers a second leave and ${CHURN} join (${seconds.toFixed(1)} s): median ${percentile(churnRates, 0.5).toFixed(1)}, max ${churnRates.at(-1)!.toFixed(1)} per second (budget: 10)`);
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(await roomRow(size));
  const f = (n: number, digits = 2) => n.toFixed(digits);
  console.log('\n## Reference server: one room, all members joining at once (loopback, server in a child process, a fresh one per row)');
  console.log('method: raw ws clients joining with protocol 2 (they count frames, never parse); server CPU = user + system of its process during the burst;');
  console.log('fan-out = owner\'s call.member.update of one member until every member has its frame, vs a bare ws broadcast of the same bytes to as many clients, rounds alternating in the same run;');
  console.log('heap = server heap after GC, joined minus idle, per member. Default roster options (threshold 200, page 100).');
  console.log('| members | fill the room | server CPU per join | update fan-out p50 / p99 | bare ws p50 / p99 | ratio p50 / p99 | heap per member |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    console.log(`| ${r.size.toLocaleString('en')} | ${f(r.joinWall / 1000)} s | ${f(r.joinCpu / r.size, 3)} ms | ${f(r.u50)} / ${f(r.u99)} ms | ${f(r.b50)} / ${f(r.b99)} ms | ${f(r.u50 / r.b50)}× / ${f(r.u99 / r.b99)}× | ${f(r.heap / 1024, 1)} KB |`);
  }
  const at = (size: number) => rows.find((r) => r.size === size);
  const a = at(500);
  const b = at(2000);
  if (a && b) console.log(`CPU per join at 2,000 / at 500: ${f(b.joinCpu / b.size / (a.joinCpu / a.size))}× (budget 1.5×); update payload ${rows[0].payload} bytes`);
  await webinar();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
