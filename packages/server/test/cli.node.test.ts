/** The command line: every production option as a flag or an environment variable; bad input exits 2. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { cliOptions, UsageError } from '../src/cli-options.js';
import type { ServerOptions } from '../src/index.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('cli options', () => {
  it('reads every option from flags', () => {
    assert.deepEqual(
      cliOptions(
        [
          '--port=0', '--host=0.0.0.0', '--data=/tmp/x.db', '--heartbeat-interval=15000', '--reconnect-grace=0',
          '--rate-limit-burst=20', '--rate-limit-per-second=10', '--max-knocks=5', '--max-buffered-bytes=1048576',
          '--max-connections-per-address=0', '--join-timeout=5000', '--knock-timeout=30000', '--shutdown-timeout=500',
          '--static=/=demo', '--static=/dist=dist',
        ],
        {},
      ),
      {
        port: 0, host: '0.0.0.0', dataPath: '/tmp/x.db', heartbeatInterval: 15000, reconnectGrace: 0,
        rateLimit: { burst: 20, perSecond: 10 }, maxKnocks: 5, maxBufferedBytes: 1048576,
        maxConnectionsPerAddress: 0, joinTimeout: 5000, knockTimeout: 30000, shutdownTimeout: 500,
        static: [{ path: '/', dir: 'demo' }, { path: '/dist', dir: 'dist' }], media: 'auto',
      },
    );
  });

  it('reads the environment; a flag wins', () => {
    const env = { PORT: '9000', CALLCAPS_HEARTBEAT_INTERVAL: '1000', CALLCAPS_RECONNECT_GRACE: '2000', CALLCAPS_API_KEY: 'k', CALLCAPS_STATIC: '/=demo,/dist=dist' };
    assert.deepEqual(cliOptions(['--heartbeat-interval=500'], env), {
      port: 9000, heartbeatInterval: 500, reconnectGrace: 2000, apiKey: 'k',
      static: [{ path: '/', dir: 'demo' }, { path: '/dist', dir: 'dist' }], media: 'auto',
    });
    assert.deepEqual(cliOptions([], {}), { media: 'auto' });
  });

  const mediaOf = (argv: string[], env: Record<string, string> = {}) => (cliOptions(argv, env) as ServerOptions).media;

  it('media: auto by default, off, or running Janus instances with their secrets from the environment', () => {
    assert.equal(mediaOf(['--media=off']), false);
    assert.equal(mediaOf([], { CALLCAPS_MEDIA: 'off' }), false);
    assert.deepEqual(mediaOf(['--media=ws://127.0.0.1:8188,ws://10.0.0.2:8188'], { CALLCAPS_JANUS_API_SECRET: 's', CALLCAPS_JANUS_ADMIN_KEY: 'k' }), {
      servers: [{ url: 'ws://127.0.0.1:8188', apiSecret: 's', adminKey: 'k' }, { url: 'ws://10.0.0.2:8188', apiSecret: 's', adminKey: 'k' }],
    });
    assert.throws(() => cliOptions(['--media=janus'], {}), UsageError);
  });

  it('refuses what is not a number ≥ 0, unknown flags and bad mounts', () => {
    assert.throws(() => cliOptions(['--heartbeat-interval=soon'], {}), UsageError);
    assert.throws(() => cliOptions(['--join-timeout=-1'], {}), UsageError);
    assert.throws(() => cliOptions([], { CALLCAPS_RECONNECT_GRACE: '1e999' }), UsageError);
    assert.throws(() => cliOptions(['--port=70000'], {}), UsageError);
    assert.throws(() => cliOptions(['--heartbeat-interval=3000000000'], {}), UsageError);
    assert.throws(() => cliOptions(['--rate-limit-burst=0'], {}), UsageError);
    assert.throws(() => cliOptions(['--static=demo'], {}), UsageError);
    assert.throws(() => cliOptions(['--heartbeat=1'], {}), /Unknown option/);
    assert.equal(cliOptions(['--help'], {}), 'help');
  });

  it('starts with the flags, and stops on SIGTERM with exit code 0', async () => {
    const child = spawn(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', CLI, '--port=0', '--data=:memory:', '--heartbeat-interval=100', '--join-timeout=200', '--media=off'], {
      env: { ...process.env, CALLCAPS_API_KEY: 'cli-test-key' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('callcaps server on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const child = spawn(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', CLI, '--reconnect-grace=later'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--reconnect-grace.*expected a number/);
    assert.match(err, /CALLCAPS_RECONNECT_GRACE/);
  });
});
