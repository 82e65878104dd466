/**
 * The server side of bench/media.bench.ts, in its own process so that its CPU
 * time is its own: the callcaps server with an embedded Janus.
 */
import { createServer, silentLogger } from '@callcaps/server';

const server = await createServer({
  port: 0, dataPath: ':memory:', apiKey: 'bench-key', logger: silentLogger, media: 'auto', rateLimit: { burst: 1e6, perSecond: 1e6 },
});
process.on('message', (message: string) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpu: (user + system) / 1000 });
  } else if (message === 'exit') {
    void server.close().then(() => process.exit(0));
  }
});
process.send!({ url: server.url, wsUrl: server.wsUrl, janus: server.media?.servers[0] ?? null });
