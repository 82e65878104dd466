// `npm start`: builds when the sources are newer than dist/, starts the reference
// server with the demo at http://localhost:8787 (PORT to change), creates the
// demo rooms (or reuses them) and prints an owner and a participant link for each.
// An owner link carries its token in the fragment (#t=), which browsers never
// send to a server, so it reaches no server log and no Referer.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (dir) =>
  readdirSync(dir, { recursive: true }).reduce((max, file) => Math.max(max, statSync(join(dir, file)).mtimeMs), 0);

// callcaps (src/ → dist/) and the server package (packages/server/src/ → packages/server/dist/).
const outputs = ['packages/server/dist/index.js', 'dist/callcaps.iife.js'];
const built = outputs.every(existsSync) && Math.min(...outputs.map((file) => statSync(file).mtimeMs)) >= Math.max(newest('src'), newest('packages/server/src'));
if (!built) {
  console.log('Building (the sources are newer than dist/)…');
  if (spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

// The server package through its workspace link (node_modules/@callcaps/server), as a user imports it.
const { createServer } = await import('@callcaps/server');
const { DEMO_ROOMS } = await import('./demo-rooms.mjs');

const server = await createServer({
  port: process.env.PORT ? Number(process.env.PORT) : 8787,
  host: process.env.HOST || undefined,
  apiKey: process.env.CALLCAPS_API_KEY || undefined,
  // Real audio and video when a `janus` binary is found (JANUS_PATH, else PATH); CALLCAPS_MEDIA=off to skip.
  media: process.env.CALLCAPS_MEDIA === 'off' ? false : 'auto',
  static: [
    { path: '/dist', dir: 'dist' },
    // For the Vue embedding example (demo/embed/vue.html).
    { path: '/vendor/vue', dir: 'node_modules/vue/dist' },
    { path: '/', dir: 'demo' },
  ],
});

// Before anything is printed: whoever reads a link may press Ctrl-C at once.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.log('\nStopping…');
    server.close().then(() => process.exit(0));
  });
}

const base = `http://localhost:${server.port}/`;
console.log(`\ncallcaps demo on ${base}  (playground: ${base}playground.html)`);
if (server.apiKeyGenerated) console.log(`API key (set CALLCAPS_API_KEY to choose one): ${server.apiKey}`);

// Through the server's JS API (the same code as REST's POST /v1/rooms).
const existing = new Set((await server.listRooms()).map((room) => room.name));
for (const room of DEMO_ROOMS) {
  const { title, ...definition } = room;
  if (!existing.has(room.name)) await server.createRoom(definition);
  const owner = await server.createToken({ room_name: room.name, is_owner: true, user_name: 'Owner' });
  console.log(`\n${title} (${room.name}${existing.has(room.name) ? ', reused' : ', created'})`);
  console.log(`  owner:       ${base}?room=${room.name}#t=${owner}`);
  console.log(`  participant: ${base}?room=${room.name}`);
}
console.log('\nOpen the owner link in one window and the participant link in another. Ctrl-C stops.');

