// Fails when custom-elements.json (or the server's protocol.schema.json) is not
// what `npm run analyze` makes from the current sources: never stale.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// The analyzer writes relative to the working directory.
const dir = join('test-output', 'manifest-check');
rmSync(dir, { recursive: true, force: true });
const result = spawnSync('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs'], {
  encoding: 'utf8',
  env: { ...process.env, CEM_OUTDIR: dir },
});
if (result.status !== 0) {
  console.error(result.stdout, result.stderr);
  process.exit(1);
}
const fresh = readFileSync(join(dir, 'custom-elements.json'), 'utf8');
const committed = readFileSync('custom-elements.json', 'utf8');
if (fresh !== committed) {
  console.error('custom-elements.json is stale: run "npm run analyze" and commit it.');
  process.exit(1);
}
console.log('custom-elements.json is current');

// The README's element reference is generated from the manifest too.
const readme = spawnSync(process.execPath, ['scripts/element-reference.mjs', '--check'], { stdio: 'inherit' });
if (readme.status !== 0) process.exit(1);

// The server package's JSON Schema of its protocol, from its TypeBox schemas.
const schema = spawnSync(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', 'packages/server/scripts/protocol-schema.ts', '--check'], { stdio: 'inherit' });
if (schema.status !== 0) process.exit(1);
