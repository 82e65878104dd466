/**
 * The embedded Janus: it starts and answers, stops with the server whatever
 * way the server ends (close(), SIGTERM, SIGKILL of Node), cleans up after a
 * failed start, is restarted when it dies, and its absence leaves the server
 * working without media.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findJanus, janusConfig, JanusProcess, probe } from '../../src/media/janus-process.js';
import { silentLogger } from '../../src/log.js';
import { joined, settle, startServer } from '../helpers.js';
import { HAVE_JANUS, offer, processesMentioning, waitFor } from './fixtures.js';

/** Pids of the live (not zombie) children of `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) === pid && !/^State:\s+Z/m.test(status)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** This process's Janus children, alive. */
const janusChildren = () => childrenOf(process.pid).filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('janus');
  } catch {
    return false;
  }
});

const janusDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('callcaps-janus-'));

describe('embedded Janus (supervisor)', { skip: !HAVE_JANUS && 'no janus binary (install Debian janus or set JANUS_PATH)' }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c().catch(() => {});
  });

  it('writes a loopback-only configuration with only VideoRoom and WebSockets enabled', () => {
    const files = janusConfig({
      dir: '/tmp/x', libDir: '/usr/lib/x86_64-linux-gnu/janus', port: 1234, apiSecret: 'api', adminSecret: 'adm', adminKey: 'key', rtpPorts: [20000, 20099],
    });
    const main = files['janus.jcfg']!;
    assert.match(main, /api_secret = "api"/);
    assert.match(main, /admin_secret = "adm"/);
    assert.match(main, /rtp_port_range = "20000-20099"/);
    assert.doesNotMatch(/plugins: \{[^}]*\}/.exec(main)![0], /libjanus_videoroom\.so/);
    assert.match(/plugins: \{[^}]*\}/.exec(main)![0], /libjanus_echotest\.so/);
    assert.doesNotMatch(/transports: \{[^}]*\}/.exec(main)![0], /libjanus_websockets\.so/);
    assert.match(/transports: \{[^}]*\}/.exec(main)![0], /libjanus_http\.so/);
    assert.match(files['janus.transport.websockets.jcfg']!, /ws_ip = "127.0.0.1"/);
    assert.match(files['janus.transport.websockets.jcfg']!, /admin_ws = false/);
    assert.match(files['janus.plugin.videoroom.jcfg']!, /admin_key = "key"/);
  });

  it("media: 'auto' starts Janus, which answers create → attach, and close() leaves no process and no folder", async () => {
    const t = await startServer({ media: 'auto' });
    const [server] = t.server.media!.servers;
    assert.ok(server?.up && server.pid && server.dir);
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(t.logs.some((l) => /media: Janus .* ready in \d+ ms/.test(l.line)), JSON.stringify(t.logs));
    await probe(server.url, server.apiSecret);
    // Without the API secret Janus refuses everything.
    await assert.rejects(probe(server.url, 'wrong-secret', 1000));
    assert.deepEqual(processesMentioning(server.dir), [server.pid]);
    await t.close();
    assert.deepEqual(processesMentioning(server.dir), []);
    assert.equal(existsSync(server.dir), false);
  });

  it('a Node process killed with SIGKILL leaves no Janus behind (pdeathsig)', async () => {
    const script = `
      import { createServer } from '@callcaps/server';
      const server = await createServer({ port: 0, dataPath: ':memory:', apiKey: 'k', media: 'auto', logger: { info() {}, warn() {}, error() {} } });
      console.log(JSON.stringify(server.media.servers[0]));
    `;
    const child = spawn(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(async () => void child.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      child.once('exit', () => reject(new Error(`the child exited early: ${text}`)));
    });
    const info = JSON.parse(line);
    assert.deepEqual(processesMentioning(info.dir), [info.pid]);
    child.kill('SIGKILL');
    await waitFor(() => processesMentioning(info.dir).length === 0, 5000, 'Janus to die with its parent');
  });

  it('the CLI stops Janus on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', fileURLToPath(new URL('../../src/cli.ts', import.meta.url))], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PORT: '0', CALLCAPS_DATA: ':memory:', CALLCAPS_API_KEY: 'k' },
      });
      cleanup.push(async () => void child.kill('SIGKILL'));
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      await waitFor(() => out.includes('callcaps server on'), 15_000, `the CLI to start: ${out}`);
      const [janus] = childrenOf(child.pid!);
      assert.ok(janus, `the CLI started Janus: ${out}`);
      assert.match(out, /media: Janus/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      assert.equal(await exited, 0, out);
      assert.equal(existsSync(`/proc/${janus}/cmdline`) && !/State:\s+Z/.test(readFileSync(`/proc/${janus}/status`, 'utf8')), false, `Janus ${janus} outlived the CLI (${signal})`);
    }
  });

  it('a failed start (the port is taken) cleans up and reports, and an explicit embedded Janus fails createServer', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dirsBefore = janusDirs();
    try {
      await assert.rejects(
        startServer({ media: { embedded: { port, startTimeout: 4000 } } }),
        (error: Error) => /Janus (exited while starting|did not answer)/.test(error.message),
      );
      assert.deepEqual(janusChildren(), []);
      assert.deepEqual(janusDirs().filter((d) => !dirsBefore.includes(d)), []);
      // The supervisor itself reports Janus' own last lines.
      await assert.rejects(JanusProcess.start(findJanus().path!, { port, startTimeout: 4000 }, silentLogger), /exited while starting \(code \d+\)|did not answer/);
      assert.deepEqual(janusDirs().filter((d) => !dirsBefore.includes(d)), []);
    } finally {
      blocker.close();
    }
  });

  it('a server that cannot listen (its port is taken) stops the Janus it started', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dirsBefore = janusDirs();
    try {
      await assert.rejects(startServer({ port, media: 'auto' }), /EADDRINUSE/);
      await waitFor(() => janusChildren().length === 0, 3000, 'no Janus child');
      assert.deepEqual(janusDirs().filter((d) => !dirsBefore.includes(d)), []);
    } finally {
      blocker.close();
    }
  });

  it('without a janus binary media is off: one log line, the server works, media requests get 4503', async () => {
    const saved = process.env.JANUS_PATH;
    process.env.JANUS_PATH = '/nonexistent/janus';
    let t;
    try {
      t = await startServer({ media: 'auto' });
    } finally {
      if (saved === undefined) delete process.env.JANUS_PATH;
      else process.env.JANUS_PATH = saved;
    }
    try {
      assert.equal(t.server.media, undefined);
      const lines = t.logs.filter((l) => l.line.startsWith('media:'));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.line, /media: off .*JANUS_PATH=\/nonexistent\/janus.*install Debian's `janus`/);
      await t.rest('POST', '/v1/rooms', { name: 'plain', privacy: 'public' });
      const a = await joined(t, 'plain', { user_name: 'A' });
      await a.c.request('call.raisehand');
      assert.equal(await a.c.refused('media.publish', { jsep: offer(['audio']) }), 4503);
      assert.equal(await a.c.refused('media.subscribe', {}), 4503);
    } finally {
      await t.close();
    }
  });

  it('a Janus killed with SIGKILL is reported and restarted; members with media are told to start over', async () => {
    const t = await startServer({ media: 'auto' });
    cleanup.push(() => t.close());
    const media = t.server.media!;
    const first = media.servers[0]!;
    await t.rest('POST', '/v1/rooms', { name: 'crash', privacy: 'public' });
    const a = await joined(t, 'crash', { user_name: 'A' });
    await a.c.request('media.publish', { jsep: offer(['audio']) });
    const events: string[] = [];
    media.on('down', () => events.push('down'));
    const restarted = new Promise<void>((resolve) => media.once('restarted', () => resolve()));
    process.kill(first.pid!, 'SIGKILL');
    await restarted;
    events.push('restarted');
    assert.deepEqual(events, ['down', 'restarted']);
    const now = media.servers[0]!;
    assert.ok(now.up);
    assert.notEqual(now.pid, first.pid);
    assert.deepEqual(processesMentioning(first.dir!), [now.pid]);
    assert.ok(t.logs.some((l) => l.level === 'error' && /Janus \(media\) exited unexpectedly \(signal SIGKILL\)/.test(l.line)));
    assert.deepEqual(await a.c.next('media.reset'), { reason: 'media-server-restarted' });
    // Publishing again works on the new Janus.
    const again = await a.c.request('media.publish', { jsep: offer(['audio']) });
    assert.equal(again.jsep.type, 'answer');
    await settle(20);
    await t.close();
    assert.deepEqual(processesMentioning(first.dir!), []);
  });
});
