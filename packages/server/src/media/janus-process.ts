/**
 * The embedded Janus: finds the binary, writes a configuration of our own to a
 * temporary folder (loopback only, random secrets, only the VideoRoom plugin and
 * the WebSocket transport, a bounded RTP port range), starts it as a child
 * process and waits until it answers (create → attach).
 *
 * Janus never outlives the server: `stop()` ends it (SIGTERM, then SIGKILL);
 * it runs under `setpriv --pdeathsig SIGKILL`, so the kernel kills it when the
 * Node process dies, even by SIGKILL; it is started in its own process group so
 * that a terminal's Ctrl-C reaches only Node, which then stops it in order. A
 * Janus that exits on its own is reported and started again (`restarted`), or,
 * after too many failures in a row, given up (`failed`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import Janode from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import type { Logger } from '../log.js';

/** How to start the embedded Janus. Every field is optional. */
export interface EmbeddedJanusOptions {
  /** The `janus` binary. Default `JANUS_PATH`, else the first `janus` on `PATH`. */
  path?: string;
  /** The folder holding Janus' `plugins/`, `transports/`… Default: found beside the binary or in the usual places. */
  libDir?: string;
  /** The WebSocket port of Janus' API (on 127.0.0.1). Default a free one. */
  port?: number;
  /** The UDP ports Janus may use for ICE/RTP, inclusive. Default `[20000, 29999]`. */
  rtpPorts?: readonly [number, number];
  /**
   * The network interfaces (or address prefixes) ICE may use: Janus' `ice_enforce_list`.
   * Default: every interface. (libnice never gathers loopback addresses, so `"lo"` does not
   * confine ICE to loopback; it only stops nothing. The WebSocket API is on 127.0.0.1 whatever this says.)
   */
  iceInterfaces?: string;
  /** How long Janus may take to answer after it started, in ms. Default 10000. */
  startTimeout?: number;
  /** How many times in a row a Janus that died is started again before giving up. Default 5. */
  maxRestarts?: number;
}

/** Where an embedded Janus answers, and the secrets that only the server knows. */
export interface JanusEndpoint {
  readonly url: string;
  readonly apiSecret: string;
  readonly adminKey: string;
}

const PREFIX = 'callcaps-janus-';
const PLUGIN = 'libjanus_videoroom.so';
const TRANSPORT = 'libjanus_websockets.so';

/** The `janus` binary to start: `JANUS_PATH` when set (even if it is wrong: that is reported), else `PATH`. */
export function findJanus(env: NodeJS.ProcessEnv = process.env): { path: string | null; reason: string } {
  const explicit = env.JANUS_PATH;
  if (explicit) {
    return executable(explicit)
      ? { path: explicit, reason: `JANUS_PATH=${explicit}` }
      : { path: null, reason: `JANUS_PATH=${explicit} is not an executable file` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'janus');
    if (executable(candidate)) return { path: candidate, reason: `found on PATH` };
  }
  return { path: null, reason: 'no `janus` on PATH and JANUS_PATH is not set' };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Janus' module folder (with `plugins/` and `transports/`). */
export function findLibDir(binary: string): string | null {
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const prefix = dirname(dirname(binary));
  const candidates = [
    process.env.JANUS_LIB_DIR,
    join(prefix, 'lib', `${arch}-linux-gnu`, 'janus'),
    join(prefix, 'lib', 'janus'),
    join(prefix, 'lib64', 'janus'),
    `/usr/lib/${arch}-linux-gnu/janus`,
    '/usr/lib/janus',
    '/usr/local/lib/janus',
    '/opt/janus/lib/janus',
  ];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'plugins', PLUGIN))) return dir;
  return null;
}

const list = (dir: string, keep: string) => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.so') && f !== keep).join(',');
  } catch {
    return '';
  }
};

/** The three configuration files, as text. Pure, for tests. */
export function janusConfig(o: {
  dir: string; libDir: string; port: number; apiSecret: string; adminSecret: string; adminKey: string;
  rtpPorts: readonly [number, number]; iceInterfaces?: string;
}): Record<string, string> {
  const q = JSON.stringify;
  return {
    'janus.jcfg': `general: {
  configs_folder = ${q(o.dir)}
  plugins_folder = ${q(join(o.libDir, 'plugins'))}
  transports_folder = ${q(join(o.libDir, 'transports'))}
  events_folder = ${q(join(o.libDir, 'events'))}
  loggers_folder = ${q(join(o.libDir, 'loggers'))}
  debug_level = 4
  server_name = "callcaps"
  api_secret = ${q(o.apiSecret)}
  admin_secret = ${q(o.adminSecret)}
  session_timeout = 60
  protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var" ]
}
media: {
  rtp_port_range = "${o.rtpPorts[0]}-${o.rtpPorts[1]}"
}
nat: {
${o.iceInterfaces ? `  ice_enforce_list = ${q(o.iceInterfaces)}
` : ''}  ignore_mdns = true
}
plugins: {
  disable = ${q(list(join(o.libDir, 'plugins'), PLUGIN))}
}
transports: {
  disable = ${q(list(join(o.libDir, 'transports'), TRANSPORT))}
}
events: {
  broadcast = false
  disable = ${q(list(join(o.libDir, 'events'), ''))}
}
loggers: {
  disable = ${q(list(join(o.libDir, 'loggers'), ''))}
}
`,
    'janus.transport.websockets.jcfg': `general: {
  json = "compact"
  ws = true
  ws_port = ${o.port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
  admin_key = ${q(o.adminKey)}
  lock_rtp_forward = true
}
`,
  };
}

/** A free TCP port on 127.0.0.1 (free now: Janus may still lose a race for it, which a retry covers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const secret = () => randomBytes(24).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asks a Janus whether it serves the VideoRoom: connect → create a session → attach → detach. */
export async function probe(url: string, apiSecret: string | undefined, timeout = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const connection = await Promise.race([
    Janode.connect({ address: { url, apisecret: apiSecret }, max_retries: 0, retry_time_secs: 1 }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${url} within ${timeout} ms`)), timeout);
    }),
  ]).finally(() => clearTimeout(timer));
  try {
    const session = await connection.create();
    const handle = await session.attach(VideoRoomPlugin);
    await handle.detach();
    await session.destroy();
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Removes the folders of embedded Janus instances whose server process is gone (after a crash of Node). */
function sweepStale(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (owner && alive(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Not ours or not readable: leave it.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find(executable);

/**
 * A supervised Janus child process.
 *
 * Events: `exit` ({ code, signal, output }) when it died on its own; `restarted`
 * (the endpoint, which keeps its URL when the port is still free) once a new one
 * answers; `failed` (an Error) when restarting gave up.
 */
export class JanusProcess extends EventEmitter {
  #child: ChildProcess | null = null;
  #stopping = false;
  #output: string[] = [];
  #restarts = 0;
  #endpoint!: JanusEndpoint;
  /** The folder holding the configuration (the test for orphans looks for it in `/proc/<pid>/cmdline`). */
  readonly dir: string;

  private constructor(
    readonly binary: string,
    readonly libDir: string,
    private readonly options: EmbeddedJanusOptions,
    private readonly log: Logger,
  ) {
    super();
    this.dir = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(this.dir, 'owner.pid'), String(process.pid));
  }

  get endpoint(): JanusEndpoint {
    return this.#endpoint;
  }

  /** The pid of the running Janus, if any. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The last lines Janus printed (for error reports). */
  get output(): readonly string[] {
    return this.#output;
  }

  /**
   * Starts Janus and resolves once it answers. On failure nothing is left
   * behind (no process, no folder) and the promise rejects with Janus' last lines.
   */
  static async start(binary: string, options: EmbeddedJanusOptions, log: Logger): Promise<JanusProcess> {
    const libDir = options.libDir ?? findLibDir(binary);
    if (!libDir) throw new Error(`cannot find Janus' plugins folder for ${binary} (set JANUS_LIB_DIR)`);
    sweepStale();
    const janus = new JanusProcess(binary, libDir, options, log);
    try {
      await janus.#launch(options.port);
      return janus;
    } catch (error) {
      await janus.stop();
      throw error;
    }
  }

  /** Starts a Janus and waits for it to answer; tries other ports when the chosen one was taken meanwhile. */
  async #launch(port?: number): Promise<void> {
    const attempts = this.options.port ? 1 : 3;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const wsPort = attempt === 0 && port ? port : await freePort();
      const endpoint = { url: `ws://127.0.0.1:${wsPort}`, apiSecret: secret(), adminKey: secret() };
      const files = janusConfig({
        dir: this.dir, libDir: this.libDir, port: wsPort, apiSecret: endpoint.apiSecret, adminSecret: secret(), adminKey: endpoint.adminKey,
        rtpPorts: this.options.rtpPorts ?? [20000, 29999], iceInterfaces: this.options.iceInterfaces,
      });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, name), text, { mode: 0o600 });
      try {
        await this.#spawnAndWait(endpoint);
        this.#endpoint = endpoint;
        return;
      } catch (error) {
        lastError = error as Error;
        await this.#kill();
        if (this.#stopping) break;
      }
    }
    throw lastError ?? new Error('Janus did not start');
  }

  async #spawnAndWait(endpoint: JanusEndpoint): Promise<void> {
    const args = ['-F', this.dir, '-C', join(this.dir, 'janus.jcfg'), '-o'];
    const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', this.binary, ...args]] : [this.binary, args];
    this.#output = [];
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    const remember = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.#output.push(line);
      if (this.#output.length > 40) this.#output.splice(0, this.#output.length - 40);
    };
    child.stdout!.on('data', remember);
    child.stderr!.on('data', remember);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const exit = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        this.#output.push(String(error));
        exited ??= { code: -1, signal: null };
        resolve();
      });
      child.once('exit', (code, signal) => {
        exited ??= { code, signal };
        resolve();
      });
    });
    const deadline = Date.now() + (this.options.startTimeout ?? 10_000);
    for (;;) {
      if (exited) throw new Error(`Janus exited while starting (${describeExit(exited)}): ${this.#output.slice(-6).join(' | ')}`);
      try {
        await Promise.race([probe(endpoint.url, endpoint.apiSecret, 1000), exit.then(() => Promise.reject(new Error('exited')))]);
        break;
      } catch {
        if (exited) continue;
        if (Date.now() > deadline) throw new Error(`Janus did not answer on ${endpoint.url} within ${this.options.startTimeout ?? 10_000} ms: ${this.#output.slice(-6).join(' | ')}`);
        await sleep(50);
      }
    }
    child.once('exit', (code, signal) => {
      if (this.#child !== child || this.#stopping) return;
      this.#child = null;
      this.#onDeath({ code, signal });
    });
  }

  /** An unexpected exit: report, start again (with backoff), or give up. */
  #onDeath(how: { code: number | null; signal: NodeJS.Signals | null }): void {
    const output = this.#output.slice(-6);
    this.log.error(`Janus (media) exited unexpectedly (${describeExit(how)}); restarting. Last output: ${output.join(' | ')}`);
    this.emit('exit', { ...how, output });
    const max = this.options.maxRestarts ?? 5;
    const retry = async () => {
      while (!this.#stopping) {
        if (this.#restarts >= max) {
          const error = new Error(`Janus died ${this.#restarts} times in a row; media is off until the server restarts`);
          this.log.error(error.message);
          this.emit('failed', error);
          return;
        }
        await sleep(Math.min(250 * 2 ** this.#restarts++, 4000));
        if (this.#stopping) return;
        try {
          const port = Number(new URL(this.#endpoint.url).port);
          await this.#launch(port);
          this.log.info(`Janus (media) restarted on ${this.#endpoint.url}`);
          // A Janus that then stays up for a minute resets the count.
          const child = this.#child;
          setTimeout(() => {
            if (this.#child === child) this.#restarts = 0;
          }, 60_000).unref();
          this.emit('restarted', this.#endpoint);
          return;
        } catch (error) {
          this.log.error(`Janus (media) restart failed: ${(error as Error).message}`);
        }
      }
    };
    void retry();
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  /** Stops Janus (SIGTERM, then SIGKILL after 3 s) and removes its folder. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function describeExit(how: { code: number | null; signal: NodeJS.Signals | null }): string {
  return how.signal ? `signal ${how.signal}` : `code ${how.code}`;
}
