// @callcaps/server as people install it: both packages packed and installed
// from their tarballs into a fresh project (the native builds of its
// dependencies are this repository's own where the version is the same), then `npx @callcaps/server` run from the environment, and
// the server mounted on an Express app (Express linked from this repository's
// node_modules) serving REST and the WebSocket on the app's port, joined by the
// Node client of the installed `callcaps/client`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { consumerProject, pack, ROOT, run, write } from './pack.js';

const API_KEY = 'cc_consumer-test-key';
let work: string;
let app: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'callcaps-server-consumer-'));
  app = join(work, 'app');
  consumerProject(app, [pack(work), pack(work, '@callcaps/server')], ['express'], ['--ignore-scripts']);
  // The install scripts are native builds (better-sqlite3, unix-dgram under janode): minutes of compiling that
  // this repository's `npm ci` has just done for the same versions. Reuse those builds; other versions build here.
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { version: string; hasInstallScript?: boolean }>)) {
    if (!entry.hasInstallScript) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const ours = join(ROOT, 'node_modules', name);
    const same = existsSync(join(ours, 'build')) && JSON.parse(readFileSync(join(ours, 'package.json'), 'utf8')).version === entry.version;
    if (same) cpSync(join(ours, 'build'), join(app, path, 'build'), { recursive: true });
    else {
      const rebuilt = run('npm', ['rebuild', name], app);
      assert.equal(rebuilt.status, 0, rebuilt.output);
    }
  }
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs `command` in the consumer until `ready` matches its output; the child and what it printed so far. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  // Its own process group, so that a signal can reach everything it started (npm exec runs the bin under a shell).
  const child = spawn(command, args, { cwd: app, env: { ...process.env, ...env }, detached: true });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((done) => child.on('exit', (code, signal) => done(code ?? signal)));
  const matched = new Promise<RegExpMatchArray>((done, fail) => {
    const look = (chunk: Buffer) => {
      output += chunk;
      const match = output.match(ready);
      if (match) done(match);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then((code) => fail(new Error(`exited ${code} before ${ready}:\n${output}`)));
  });
  return { child, matched, exited, output: () => output };
}

const api = (url: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('the packed @callcaps/server', () => {
  test('npx @callcaps/server starts from the environment, answers REST and stops on SIGTERM', async () => {
    const server = start('npx', ['--no-install', '@callcaps/server', '--media=off'], {
      PORT: '0', CALLCAPS_API_KEY: API_KEY, CALLCAPS_DATA: join(work, 'npx.db'),
    }, /callcaps server on (http:\/\/\S+)/);
    const [, url] = await server.matched;
    const created = await api(url, 'POST', '/v1/rooms', { name: 'standup' });
    assert.equal(created.status, 200, await created.clone().text());
    const listed = await (await api(url, 'GET', '/v1/rooms')).json();
    assert.deepEqual(listed.data.map((room: { name: string }) => room.name), ['standup']);
    assert.equal((await fetch(`${url}/v1/rooms`)).status, 401, 'no key, no rooms');
    // As a terminal's Ctrl-C or a service manager does: the signal goes to the process group (npm exec does not pass
    // a SIGTERM sent to itself alone on to the bin). The bin closes and exits 0; npm itself may end by the signal.
    process.kill(-server.child.pid!, 'SIGTERM');
    assert.ok([0, 'SIGTERM'].includes((await server.exited)!), server.output());
    // The bin may outlive npm by its bounded close; then nothing listens any more.
    const deadline = Date.now() + 15_000;
    while (await fetch(`${url}/v1/rooms`).then(() => true, () => false)) {
      assert.ok(Date.now() < deadline, 'the server still answers after SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('mounted on an Express app: REST and the WebSocket on the app\'s port, the app\'s routes still its own; a Node client joins and leaves', async () => {
    write(app, {
      'express-app.mjs': `
import express from 'express';
import { createServer } from 'node:http';
import { createCallcapsHandler } from '@callcaps/server';
import { connect } from 'callcaps/client';
import { WebSocket } from 'ws';

const callcaps = await createCallcapsHandler({ apiKey: ${JSON.stringify(API_KEY)}, dataPath: ':memory:', media: false });
const app = express();
app.get('/hello', (req, res) => res.send('the app says hello'));
app.use(callcaps.handleRequest);
const http = createServer(app);
http.on('upgrade', (req, socket, head) => callcaps.handleUpgrade(req, socket, head) || socket.destroy());
await new Promise((done) => http.listen(0, '127.0.0.1', done));
const url = 'http://127.0.0.1:' + http.address().port;
const auth = { authorization: 'Bearer ${API_KEY}', 'content-type': 'application/json' };
const room = await fetch(url + '/v1/rooms', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'mounted' }) });
const { token } = await (await fetch(url + '/v1/meeting-tokens', { method: 'POST', headers: auth, body: JSON.stringify({ properties: { room_name: 'mounted', user_name: 'Bot', is_owner: true } }) })).json();
const call = await connect(url, { room: 'mounted', token, WebSocket });
const self = await new Promise((done) => call.self$.subscribe((s) => s && done(s)));
const hello = await (await fetch(url + '/hello')).text();
const rooms = (await callcaps.listRooms()).map((r) => r.name);
await call.leave();
await callcaps.close();
http.close();
console.log('RESULT ' + JSON.stringify({ room: room.status, joined: self.name, owner: self.owner, hello, rooms }));
`,
    });
    const script = start(process.execPath, ['express-app.mjs'], {}, /^RESULT (.*)$/m);
    const [, result] = await script.matched;
    assert.deepEqual(JSON.parse(result), { room: 200, joined: 'Bot', owner: true, hello: 'the app says hello', rooms: ['mounted'] });
    assert.equal(await script.exited, 0, script.output());
  });
});
