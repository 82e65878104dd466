/**
 * Budgets of issue 12, measured:
 * - a stalled reader: one member stops reading while 20 others send it
 *   direct messages as fast as the default rate limit lets them (a burst of
 *   60, then 30 a second each, 60 KB each: the most a frame carries). The
 *   server's memory (heap + external, after GC, sampled every 250 ms) with
 *   the default send-buffer cap, beside the same traffic with no cap;
 * - durability: acknowledged writes per second (one INSERT, committed, then
 *   returned) with SQLite's `synchronous = NORMAL` and `FULL`, WAL, on the
 *   disk of the temporary folder, alternating in the same run.
 * Figures are printed, never asserted.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Store } from '../packages/server/src/store.js';

const SENDERS = 20;
const SECONDS = 5;
const DATA = 'x'.repeat(60 * 1024);
const CAP = 8 * 1024 * 1024;

type Memory = { heapUsed: number; external: number; rss: number };
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
/** A change of memory, signed. */
const delta = (n: number) => `${n < 0 ? '−' : '+'}${MiB(Math.abs(n))}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function joinRoom(url: string, name: string): Promise<{ ws: WebSocket; id: string }> {
  const ws = await open(url);
  const joined = new Promise<string>((resolve) => {
    const on = (data: Buffer) => {
      const m = JSON.parse(data.toString());
      if (m.method === 'call.joined') {
        ws.off('message', on);
        resolve(m.params.self.id);
      }
    };
    ws.on('message', on);
  });
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'stall', user_name: name } }));
  return { ws, id: await joined };
}

/** One run against a fresh server child: the memory series and when the stalled member dropped. */
async function stalled(options: Record<string, unknown>): Promise<{ base: number; series: { at: number; used: number }[]; cutAt: number | null; sent: number }> {
  const child = fork(new URL('./server-child.ts', import.meta.url), {
    execArgv: ['--conditions=callcaps-source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, CALLCAPS_BENCH_OPTIONS: JSON.stringify({ rateLimit: { burst: 60, perSecond: 30 }, ...options }) },
  });
  const ready = await new Promise<{ url: string; wsUrl: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string; wsUrl: string })));
  const memory = () => new Promise<number>((resolve) => {
    child.once('message', (m) => {
      const { heapUsed, external } = (m as { memory: Memory }).memory;
      resolve(heapUsed + external);
    });
    child.send('memory');
  });
  try {
    await fetch(`${ready.url}/v1/rooms`, { method: 'POST', headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'stall' }) });
    const target = await joinRoom(ready.wsUrl, 'stalled');
    const watcher = await joinRoom(ready.wsUrl, 'watcher');
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => joinRoom(ready.wsUrl, `s${i}`)));
    await sleep(200);
    const base = await memory();
    (target.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = performance.now();
    let cutAt: number | null = null;
    watcher.ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString());
      if (cutAt === null && m.method === 'member.updated' && m.params.member.id === target.id && m.params.member.reconnecting) cutAt = performance.now() - started;
    });
    let sent = 0;
    const frame = (i: number) => JSON.stringify({ jsonrpc: '2.0', id: i, method: 'call.message.send', params: { to: target.id, data: DATA } });
    // The burst, then 3 frames every 100 ms (30 a second): just within the limit.
    for (const s of senders) for (let i = 0; i < 60; i++) s.ws.send(frame(sent++));
    const pace = setInterval(() => {
      for (const s of senders) for (let i = 0; i < 3; i++) s.ws.send(frame(sent++));
    }, 100);
    const series: { at: number; used: number }[] = [];
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      await sleep(250);
      series.push({ at: performance.now() - started, used: (await memory()) - base });
    }
    clearInterval(pace);
    for (const ws of [target.ws, watcher.ws, ...senders.map((s) => s.ws)]) ws.terminate();
    return { base, series, cutAt, sent };
  } finally {
    child.send('exit');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** Acknowledged writes per second and their latency, for each `synchronous` mode, alternating rounds. */
function durability(): { mode: string; perSecond: number; p50: number; p99: number }[] {
  const dir = mkdtempSync(join(tmpdir(), 'callcaps-durability-'));
  try {
    const stores = { NORMAL: new Store(join(dir, 'normal.db'), { synchronous: 'NORMAL' }), FULL: new Store(join(dir, 'full.db'), { synchronous: 'FULL' }) };
    const latencies: Record<string, number[]> = { NORMAL: [], FULL: [] };
    const time: Record<string, number> = { NORMAL: 0, FULL: 0 };
    const entry = { room: 'bench', actor: { user_id: 'u', name: 'n', member_id: 'm' }, target: null, action: 'call.mute', detail: { channels: ['audio'] } };
    for (let round = 0; round < 6; round++) {
      for (const mode of round % 2 ? (['FULL', 'NORMAL'] as const) : (['NORMAL', 'FULL'] as const)) {
        const roundStart = performance.now();
        // 1 s of writes per round and mode, one committed INSERT each (as the server does).
        while (performance.now() - roundStart < 1000) {
          const start = performance.now();
          stores[mode].audit(entry);
          latencies[mode].push(performance.now() - start);
        }
        time[mode] += performance.now() - roundStart;
      }
    }
    for (const store of Object.values(stores)) store.close();
    const p = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.floor(q * (list.length - 1))];
    return (['NORMAL', 'FULL'] as const).map((mode) => ({
      mode,
      perSecond: latencies[mode].length / (time[mode] / 1000),
      p50: p(latencies[mode], 0.5),
      p99: p(latencies[mode], 0.99),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`\n## A stalled reader: ${SENDERS} members send it direct messages at the rate limit (server in a child process)`);
  console.log(`method: each sender a burst of 60 then 30 frames/s of ${DATA.length / 1024} KB; the stalled client's socket paused; server heap + external after GC every 250 ms for ${SECONDS} s, minus before`);
  for (const [label, options] of [
    [`cap ${MiB(CAP)} (default)`, {}],
    ['no cap (as before issue 12)', { maxBufferedBytes: 1e15 }],
  ] as const) {
    const { series, cutAt, sent } = await stalled(options);
    const peak = Math.max(...series.map((p) => p.used));
    const last = series[series.length - 1].used;
    // About one sample a second.
    const every = series.filter((p, i) => i === 0 || Math.floor(p.at / 1000) > Math.floor(series[i - 1].at / 1000)).map((p) => `${(p.at / 1000).toFixed(1)} s ${delta(p.used)}`).join(', ');
    console.log(`  ${label.padEnd(30)} peak ${delta(peak).padStart(11)}  at the end ${delta(last).padStart(11)}  cut after ${cutAt === null ? `—  (still in after ${SECONDS} s)` : `${cutAt.toFixed(0)} ms`}`);
    console.log(`  ${''.padEnd(30)} ${every}  (${sent} frames sent, ${MiB(sent * DATA.length)} offered)`);
  }

  console.log('\n## Durability: acknowledged writes (one committed INSERT each), SQLite WAL');
  console.log(`method: audit-log INSERTs on the disk of ${tmpdir()}, 6 alternating rounds of 1 s per mode, same run`);
  const figures = durability();
  for (const f of figures) {
    console.log(`  synchronous = ${f.mode.padEnd(7)} ${Math.round(f.perSecond).toLocaleString('en').padStart(9)} writes/s   p50 ${f.p50.toFixed(3).padStart(8)} ms   p99 ${f.p99.toFixed(3).padStart(8)} ms`);
  }
  console.log(`  FULL / NORMAL: ${(figures[1].perSecond / figures[0].perSecond).toFixed(2)}× the writes per second`);
}
