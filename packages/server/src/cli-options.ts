/**
 * The server's command line: every option that matters in production, as a
 * flag (`--heartbeat-interval=15000`) or an environment variable
 * (`CALLCAPS_HEARTBEAT_INTERVAL=15000`); a flag wins over the environment.
 * The API key is read from the environment only (a flag would show in `ps`).
 */
import { parseArgs } from 'node:util';
import type { MediaOption, ServerOptions, StaticMount } from './index.js';

interface Numeric {
  flag: string;
  env: string;
  help: string;
  set(options: ServerOptions, value: number): void;
}

const rate = (options: ServerOptions) => (options.rateLimit ??= { burst: 60, perSecond: 30 });

/** Numeric options: non-negative numbers (milliseconds, counts, bytes). */
const NUMERIC: readonly Numeric[] = [
  { flag: 'port', env: 'PORT', help: 'port to listen on (0: any free one); default 8787', set: (o, v) => (o.port = v) },
  { flag: 'heartbeat-interval', env: 'CALLCAPS_HEARTBEAT_INTERVAL', help: 'ms between pings; a connection that missed one is cut (0: off); default 30000', set: (o, v) => (o.heartbeatInterval = v) },
  { flag: 'reconnect-grace', env: 'CALLCAPS_RECONNECT_GRACE', help: 'ms a dropped member keeps its place to resume (0: no resuming); default 30000', set: (o, v) => (o.reconnectGrace = v) },
  { flag: 'rate-limit-burst', env: 'CALLCAPS_RATE_LIMIT_BURST', help: 'frames a connection may send at once; default 60', set: (o, v) => (rate(o).burst = v) },
  { flag: 'rate-limit-per-second', env: 'CALLCAPS_RATE_LIMIT_PER_SECOND', help: 'frames a second a connection may send on average; default 30', set: (o, v) => (rate(o).perSecond = v) },
  { flag: 'max-knocks', env: 'CALLCAPS_MAX_KNOCKS', help: 'people knocking at one room at once; default 50', set: (o, v) => (o.maxKnocks = v) },
  { flag: 'max-buffered-bytes', env: 'CALLCAPS_MAX_BUFFERED_BYTES', help: 'bytes queued for one connection before it is cut (4507); default 8388608', set: (o, v) => (o.maxBufferedBytes = v) },
  { flag: 'max-connections-per-address', env: 'CALLCAPS_MAX_CONNECTIONS_PER_ADDRESS', help: 'WebSocket connections per client address, more get HTTP 429 (0: no limit); default 64', set: (o, v) => (o.maxConnectionsPerAddress = v) },
  { flag: 'join-timeout', env: 'CALLCAPS_JOIN_TIMEOUT', help: 'ms a connection may stay in no call before it is closed (4408; 0: never); default 10000', set: (o, v) => (o.joinTimeout = v) },
  { flag: 'knock-timeout', env: 'CALLCAPS_KNOCK_TIMEOUT', help: 'ms a lobby session may wait without knocking (4408; 0: never); default 60000', set: (o, v) => (o.knockTimeout = v) },
  { flag: 'shutdown-timeout', env: 'CALLCAPS_SHUTDOWN_TIMEOUT', help: 'ms to wait for clients to answer the 1001 close on shutdown; default 2000', set: (o, v) => (o.shutdownTimeout = v) },
];

const line = (flag: string, env: string, help: string) => `  ${flag.padEnd(34)}${env}\n      ${help}`;
export const USAGE = [
  'Usage: callcaps-server [options]',
  '',
  'Every option is also read from the environment variable shown; a flag wins. Times are in ms.',
  line('--host=ADDRESS', 'HOST', 'interface to listen on; default 127.0.0.1'),
  line('--data=FILE', 'CALLCAPS_DATA', 'the SQLite file (":memory:" keeps nothing); default ./.callcaps/callcaps.db'),
  line('--static=PATH=DIR', 'CALLCAPS_STATIC', 'serve DIR at URL PATH (repeatable; comma-separated in the variable)'),
  ...NUMERIC.map((n) => line(`--${n.flag}=N`, n.env, n.help)),
  line('', 'CALLCAPS_API_KEY', 'the API key (environment only); generated, stored and printed when unset'),
  line('--media=auto|off|URL,…', 'CALLCAPS_MEDIA', 'auto: an embedded Janus when the janus binary is found (JANUS_PATH, else PATH); off: no media; ws:// URLs: Janus instances already running (their secrets from CALLCAPS_JANUS_API_SECRET and CALLCAPS_JANUS_ADMIN_KEY); default auto'),
  line('--help', '', 'this text'),
].join('\n');

export class UsageError extends Error {}

/** `--media`: `auto`, `off`, or the comma-separated WebSocket URLs of running Janus instances. */
function media(value: string, env: Readonly<Record<string, string | undefined>>): MediaOption {
  if (value === 'auto') return 'auto';
  if (value === 'off') return false;
  const urls = value.split(',').map((url) => url.trim());
  if (!urls.every((url) => /^wss?:\/\/\S+$/.test(url))) throw new UsageError(`--media: expected auto, off or ws:// URLs, got "${value}"`);
  const secrets = { apiSecret: env.CALLCAPS_JANUS_API_SECRET || undefined, adminKey: env.CALLCAPS_JANUS_ADMIN_KEY || undefined };
  return { servers: urls.map((url) => ({ url, ...secrets })) };
}

/** The server options from `argv` (without node and the script) and `env`. */
export function cliOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean' },
      host: { type: 'string' },
      data: { type: 'string' },
      static: { type: 'string', multiple: true },
      media: { type: 'string' },
      ...Object.fromEntries(NUMERIC.map((n) => [n.flag, { type: 'string' as const }])),
    },
  });
  if (values.help) return 'help';
  const text = (flag: string, name: string): string | undefined => {
    const value = (values as Record<string, unknown>)[flag] ?? env[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const options: ServerOptions = {};
  const host = text('host', 'HOST');
  if (host) options.host = host;
  const data = text('data', 'CALLCAPS_DATA');
  if (data) options.dataPath = data;
  if (env.CALLCAPS_API_KEY) options.apiKey = env.CALLCAPS_API_KEY;
  const mounts = values.static ?? (env.CALLCAPS_STATIC ? env.CALLCAPS_STATIC.split(',') : []);
  if (mounts.length) {
    options.static = mounts.map((mount): StaticMount => {
      const eq = mount.indexOf('=');
      if (eq <= 0 || !mount.startsWith('/') || eq === mount.length - 1) throw new UsageError(`--static: expected PATH=DIR with PATH starting with /, got "${mount}"`);
      return { path: mount.slice(0, eq), dir: mount.slice(eq + 1) };
    });
  }
  options.media = media(text('media', 'CALLCAPS_MEDIA') ?? 'auto', env);
  for (const n of NUMERIC) {
    const raw = text(n.flag, n.env);
    if (raw === undefined) continue;
    const value = Number(raw);
    // Timers take at most 2^31 - 1 ms (beyond, Node fires them at once).
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value <= 2 ** 31 - 1)) throw new UsageError(`--${n.flag} (${n.env}): expected a number from 0 to 2147483647, got "${raw}"`);
    n.set(options, value);
  }
  if (options.rateLimit && (options.rateLimit.burst < 1 || options.rateLimit.perSecond <= 0)) throw new UsageError('the rate limit needs a burst of at least 1 and a positive rate');
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port > 65535)) throw new UsageError(`--port: expected 0 to 65535, got ${options.port}`);
  return options;
}
