#!/usr/bin/env node
/**
 * Starts the reference server from the environment: `PORT` (default 8787),
 * `HOST` (default 127.0.0.1), `CALLCAPS_DATA` (the SQLite file),
 * `CALLCAPS_API_KEY` (generated, stored and printed when unset) and
 * `CALLCAPS_MEDIA` (`off` to run without Janus; by default media is `auto`).
 */
import { createServer } from './index.js';

const server = await createServer({
  port: process.env.PORT ? Number(process.env.PORT) : 8787,
  host: process.env.HOST || undefined,
  apiKey: process.env.CALLCAPS_API_KEY || undefined,
  media: process.env.CALLCAPS_MEDIA === 'off' ? false : 'auto',
});
// Before anything is printed, so that Ctrl-C right after the first line still closes cleanly.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
console.log(`callcaps server on ${server.url} (WebSocket ${server.wsUrl})`);
if (server.apiKeyGenerated) console.log(`API key (set CALLCAPS_API_KEY to choose one): ${server.apiKey}`);

