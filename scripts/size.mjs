// Prints the bytes (minified and gzip) of every dist artifact and fails when the
// classic-script bundle, everything included, exceeds its gzip budget. The media
// classic script (media and <call-stage>, loaded after it) is listed on its own.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGETS = { 'callcaps.iife.js': 28 * 1024 };
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

// The media and adapters' classic scripts load beside callcaps.iife.js (the platform SDK is the page's).
const bundles = [
  'callcaps.iife.js', 'callcaps.bundle.js', 'callcaps-media.iife.js',
  'adapters/livekit.iife.js', 'adapters/stream.iife.js', 'adapters/daily.iife.js', 'adapters/signalwire.iife.js',
];
const modules = readdirSync('dist', { recursive: true })
  .filter((file) => file.endsWith('.js') && !file.endsWith('.iife.js') && !bundles.includes(file) && !file.startsWith(join('adapters', 'livekit-server')))
  .map((file) => join('dist', file));

let over = false;
console.log('artifact                      minified        gzip   budget (gzip)');
for (const name of bundles) {
  const bytes = readFileSync(join('dist', name));
  const size = gzip(bytes);
  const budget = BUDGETS[name];
  const verdict = budget ? `${kb(budget)} ${size <= budget ? 'ok' : 'OVER'}` : '-';
  if (budget && size > budget) over = true;
  console.log(`${name.padEnd(26)} ${kb(bytes.length).padStart(11)} ${kb(size).padStart(11)}   ${verdict}`);
}
const esmBytes = modules.reduce((sum, file) => sum + statSync(file).size, 0);
const esmGzip = modules.reduce((sum, file) => sum + gzip(readFileSync(file)), 0);
console.log(`${`ES modules (${modules.length} files)`.padEnd(26)} ${kb(esmBytes).padStart(11)} ${kb(esmGzip).padStart(11)}   - (not minified; app bundlers minify)`);
if (over) {
  console.error('size budget exceeded');
  process.exit(1);
}
