// Writes schema/protocol.schema.json from the server's schemas (`npm run analyze`);
// with --check, fails when the committed file is not what the sources make.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protocolSchema } from '../src/schemas.js';

const file = fileURLToPath(new URL('../schema/protocol.schema.json', import.meta.url));
const fresh = `${JSON.stringify(protocolSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // Missing: stale.
  }
  if (committed !== fresh) {
    console.error('packages/server/schema/protocol.schema.json is stale: run "npm run analyze" and commit it.');
    process.exit(1);
  }
  console.log('packages/server/schema/protocol.schema.json is current');
} else {
  mkdirSync(fileURLToPath(new URL('../schema/', import.meta.url)), { recursive: true });
  writeFileSync(file, fresh);
}
