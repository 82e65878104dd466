#!/usr/bin/env node
/**
 * Starts the reference server from flags and the environment (see
 * `--help`, and cli-options.ts). Logs are JSON lines on stdout; SIGINT or
 * SIGTERM closes every connection with 1001 and exits.
 */
import { cliOptions, USAGE, UsageError } from './cli-options.js';
import { createServer } from './index.js';

let options;
try {
  options = cliOptions(process.argv.slice(2), process.env);
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`${(error as Error).message}${usage ? '\n\n' + USAGE : ''}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const server = await createServer(options);
// Before anything is printed, so that Ctrl-C right after the first line still closes cleanly.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
console.log(`callcaps server on ${server.url} (WebSocket ${server.wsUrl})`);
if (server.apiKeyGenerated) console.log(`API key (set CALLCAPS_API_KEY to choose one): ${server.apiKey}`);
