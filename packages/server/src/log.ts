/**
 * The server's log: structured, one JSON object per line (pino). A message is
 * a fixed text chosen by the server; whatever came from a client (a method
 * name, a member id, a room name) goes in a field, where JSON escaping keeps
 * a newline or a quote from starting a line of its own. Tests pass
 * `silentLogger`, or a `jsonLogger` writing to a stream of their own.
 */
import { pino, type DestinationStream } from 'pino';

/** Fields of one log record; values that came from a client are clipped (see `clip`). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type { DestinationStream } from 'pino';

/**
 * A logger writing one JSON object per line to `destination` (default: stdout,
 * synchronously): `{"level":"info","time":"…","msg":"…", …fields}`.
 */
export function jsonLogger(destination?: DestinationStream): Logger {
  const p = pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return {
    info: (msg, fields) => (fields ? p.info(fields, msg) : p.info(msg)),
    warn: (msg, fields) => (fields ? p.warn(fields, msg) : p.warn(msg)),
    error: (msg, fields) => (fields ? p.error(fields, msg) : p.error(msg)),
  };
}

/** JSON lines on stdout. */
export const consoleLogger: Logger = jsonLogger();

/** Writes nothing. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A value from outside, cut to `max` characters so that one record stays small. */
export function clip(value: unknown, max = 200): unknown {
  if (typeof value !== 'string') return value;
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
}

/**
 * Samples a flood of like records from one source (one connection's
 * refusals): in every `interval` ms the first `burst` are written; the rest
 * are counted, and one summary with the count is written when the next
 * interval starts or when `flush()` is called (the connection closed).
 */
export class Sampler {
  #windowStart = 0;
  #written = 0;
  #skipped = 0;

  constructor(
    readonly log: Logger,
    readonly summary: string,
    readonly fields: () => LogFields,
    readonly burst = 100,
    readonly interval = 60_000,
  ) {}

  info(msg: string, fields: LogFields): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.interval) {
      this.flush();
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written < this.burst) {
      this.#written++;
      this.log.info(msg, fields);
    } else this.#skipped++;
  }

  /** Writes the summary of what was not written, if anything was not. */
  flush(): void {
    if (this.#skipped === 0) return;
    this.log.info(this.summary, { ...this.fields(), skipped: this.#skipped, since: new Date(this.#windowStart).toISOString() });
    this.#skipped = 0;
  }
}
