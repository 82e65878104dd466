/**
 * The server side of bench/server.bench.ts, in its own process so that its
 * memory can be measured cleanly: the callcaps server and, beside it, a bare
 * `ws` server that broadcasts whatever payload it is given. Server options
 * beyond the defaults come as JSON in `CALLCAPS_BENCH_OPTIONS`.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { createServer, silentLogger } from '@callcaps/server';

// Every client of the benchmarks comes from loopback: no limit per address. Other options from the parent (JSON).
const server = await createServer({
  port: 0,
  dataPath: ':memory:',
  apiKey: 'bench-key',
  logger: silentLogger,
  rateLimit: { burst: 1e6, perSecond: 1e6 },
  maxConnectionsPerAddress: 0,
  ...JSON.parse(process.env.CALLCAPS_BENCH_OPTIONS ?? '{}'),
});

// The bare baseline: every client's frame is a payload to send to every client.
const bare = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => bare.once('listening', resolve));
bare.on('connection', (ws: WebSocket) => {
  ws.on('message', (data) => {
    const text = data.toString();
    for (const client of bare.clients) client.send(text);
  });
});

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message: string) => {
  if (message === 'memory') {
    for (let i = 0; i < 3; i++) gc?.();
    const { heapUsed, external, rss } = process.memoryUsage();
    process.send!({ memory: { heapUsed, external, rss } });
  } else if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpu: (user + system) / 1000 });
  } else if (message === 'exit') {
    bare.close();
    server.close().then(() => process.exit(0));
  }
});
process.send!({ url: server.url, wsUrl: server.wsUrl, barePort: (bare.address() as { port: number }).port });
