/** `npm run bench`: every benchmark, with the machine it ran on. */
import { machine } from './harness.js';
import * as capabilities from './capabilities.bench.js';
import * as server from './server.bench.js';
import * as budgets from './budgets.bench.js';
import * as elements from './elements.bench.js';
import * as roster from './roster-browser.bench.js';
import * as media from './media.bench.js';
import * as mediaBrowser from './media-browser.bench.js';

console.log(`# callcaps benchmarks\nmachine: ${machine()}\ndate: ${new Date().toISOString()}`);
const benches: { run(): void | Promise<void> }[] = [capabilities, server, budgets, elements, roster, media, mediaBrowser];
for (const bench of benches) await bench.run();
