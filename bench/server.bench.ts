/**
 * The reference server under load, on loopback: 500 clients in one room.
 * - joins: the time for 500 clients to connect and each receive `call.joined`,
 *   and the server process's CPU time meanwhile (steadier than the wall time
 *   on a busy machine);
 * - fan-out: one permission update (`call.member.update`) from the owner until
 *   each of the 500 has its notification, beside a bare `ws` broadcast of the
 *   same payload to 500 clients, measured in the same run;
 * - memory per connected participant in the server process (heap and RSS
 *   after GC, with the 500 joined minus before any connected, / 500).
 * Figures are printed, never asserted.
 */
import { fork } from 'node:child_process';
import { WebSocket } from 'ws';

const CLIENTS = 500;
const ROUNDS = 30;

interface Child {
  url: string;
  wsUrl: string;
  barePort: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const ms = (n: number) => `${n.toFixed(2)} ms`;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves with the next frame of `ws` that passes `test`. */
function frame(ws: WebSocket, test: (message: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const on = (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (test(message)) {
        ws.off('message', on);
        resolve(message);
      }
    };
    ws.on('message', on);
  });
}

/** Sends a trigger `ROUNDS` times and records, per client, the time until its frame arrived. */
async function fanOut(clients: WebSocket[], trigger: (round: number) => void, arrived: (message: any, round: number) => boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let start = 0;
    await Promise.all([
      ...clients.map((ws) => frame(ws, (m) => arrived(m, round)).then(() => latencies.push(performance.now() - start))),
      Promise.resolve().then(() => {
        start = performance.now();
        trigger(round);
      }),
    ]);
  }
  return latencies.sort((a, b) => a - b);
}

export async function run(): Promise<void> {
  const child = fork(new URL('./server-child.ts', import.meta.url), { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Child>((resolve) => child.once('message', (m) => resolve(m as Child)));
  type Memory = { heapUsed: number; external: number; rss: number };
  const memory = () => new Promise<Memory>((resolve) => {
    child.once('message', (m) => resolve((m as { memory: Memory }).memory));
    child.send('memory');
  });
  /** The server process's CPU time so far (user + system), in ms. */
  const cpu = () => new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { cpu: number }).cpu));
    child.send('cpu');
  });
  const rest = (path: string, body: unknown) =>
    fetch(ready.url + path, { method: 'POST', headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

  try {
    await rest('/v1/rooms', { name: 'bench' });
    const { token } = await rest('/v1/meeting-tokens', { properties: { room_name: 'bench', is_owner: true } });
    const idle = await memory();

    // 500 joins.
    const cpuBefore = await cpu();
    const started = performance.now();
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
      const ws = await open(ready.wsUrl);
      const joined = frame(ws, (m) => m.method === 'call.joined');
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'bench', user_name: `c${i}` } }));
      const { params } = await joined;
      return { ws, id: params.self.id as string };
    }));
    const joinTime = performance.now() - started;
    const joinCpu = (await cpu()) - cpuBefore;
    const owner = await open(ready.wsUrl);
    const ownerJoined = frame(owner, (m) => m.method === 'call.joined');
    owner.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call.join', params: { room: 'bench', token } }));
    await ownerJoined;
    await new Promise((r) => setTimeout(r, 300));
    const loaded = await memory();

    // One permission update reaching all 500: the target gets call.joined, the others member.updated.
    const target = clients[0].id;
    let sample = '';
    const update = await fanOut(clients.map((c) => c.ws), (round) => {
      owner.send(JSON.stringify({ jsonrpc: '2.0', id: 100 + round, method: 'call.member.update', params: { member_id: target, permissions: { canSend: round % 2 ? true : ['audio'] } } }));
    }, (m) => {
      const ok = (m.method === 'member.updated' && m.params.member.id === target) || m.method === 'call.joined';
      if (ok && m.method === 'member.updated') sample ||= JSON.stringify(m);
      return ok;
    });
    for (const { ws } of clients) ws.close();
    owner.close();

    // The same payload through a bare ws broadcast to 500 clients.
    const bare = await Promise.all(Array.from({ length: CLIENTS }, () => open(`ws://127.0.0.1:${ready.barePort}`)));
    const trigger = await open(`ws://127.0.0.1:${ready.barePort}`);
    const payloads = Array.from({ length: ROUNDS }, (_, round) => sample.replace('"jsonrpc"', `"round":${round},"jsonrpc"`));
    const broadcast = await fanOut(bare, (round) => trigger.send(payloads[round]), (m, round) => m.round === round);
    for (const ws of [...bare, trigger]) ws.close();

    const p = (list: number[]) => [percentile(list, 0.5), percentile(list, 0.99)];
    const [u50, u99] = p(update);
    const [b50, b99] = p(broadcast);
    console.log(`\n## Reference server, ${CLIENTS} clients in one room (loopback, server in a child process)`);
    console.log(`method: ${ROUNDS} rounds, latency from the send to each client's frame (${update.length} samples); memory after GC, joined minus idle`);
    console.log(`  ${CLIENTS} joins, total                           ${ms(joinTime).padStart(12)}  (${(joinTime / CLIENTS).toFixed(2)} ms per join, each told to everyone present)`);
    console.log(`  server CPU for the ${CLIENTS} joins                ${ms(joinCpu).padStart(12)}  (${(joinCpu / CLIENTS).toFixed(2)} ms per join, user + system)`);
    console.log(`  permission update fan-out                   p50 ${ms(u50).padStart(10)}  p99 ${ms(u99).padStart(10)}`);
    console.log(`  bare ws broadcast, same payload (baseline)  p50 ${ms(b50).padStart(10)}  p99 ${ms(b99).padStart(10)}`);
    console.log(`  ratio update / bare                         p50 ${(u50 / b50).toFixed(2).padStart(7)}×    p99 ${(u99 / b99).toFixed(2).padStart(7)}×`);
    const perClient = (key: keyof Memory) => `${((loaded[key] - idle[key]) / CLIENTS / 1024).toFixed(1)} KB`;
    console.log(`  memory per participant                      heap ${perClient('heapUsed')}  external ${perClient('external')}  rss ${perClient('rss')}  (payload ${sample.length} bytes)`);
    console.log('  (heap and external are what the server holds per participant; rss also keeps the allocator\'s high-water mark from the join burst)');
  } finally {
    child.send('exit');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
