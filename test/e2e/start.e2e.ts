/** `npm start`: the demo server with its rooms, stopped by Ctrl-C, reusing the rooms on a second start. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'callcaps-start-'));

/** Runs scripts/start.mjs until it has printed its links; returns them and a stop function. */
async function start() {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: '0', CALLCAPS_DATA: join(dir, 'callcaps.db'), CALLCAPS_API_KEY: 'start-test-key' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no links in time:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  return { output, stop };
}

describe('npm start', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the demo rooms, prints an owner and a participant link for each, and stops on Ctrl-C', async () => {
    const { output, stop } = await start();
    for (const room of ['demo-public', 'demo-private', 'demo-stage']) {
      assert.match(output, new RegExp(`${room}, created`));
      assert.match(output, new RegExp(`participant: http://localhost:\\d+/\\?room=${room}\\n`));
    }
    // The token is in the fragment (never sent to a server), not in the query.
    const owner = output.match(/owner: +(http:\/\/\S+\?room=demo-stage#t=\S+)/)![1];
    assert.doesNotMatch(output, /[?&]t=/);
    const page = await fetch(owner);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<call-controls/);
    const bundle = await fetch(new URL('/dist/callcaps.iife.js', owner));
    assert.equal(bundle.status, 200);
    assert.equal(await stop(), 0);
  });

  it('reuses the rooms on a second start', async () => {
    const { output, stop } = await start();
    for (const room of ['demo-public', 'demo-private', 'demo-stage']) assert.match(output, new RegExp(`${room}, reused`));
    assert.equal(await stop(), 0);
  });
});
