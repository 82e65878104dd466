// Fails when custom-elements.json, or a file made from it (the framework
// typings of types/, the editor data, the README's element reference), the
// server's protocol.schema.json or the README's CDN snippet is not what
// `npm run analyze` makes from the current sources: never stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
const GENERATED = [
  'custom-elements.json',
  'vscode.html-custom-data.json',
  'vscode.css-custom-data.json',
  'web-types.json',
  ...new Set([...readdirSync(join(dir, 'types')), ...(existsSync('types') ? readdirSync('types') : [])].map((file) => `types/${file}`)),
];
const stale = GENERATED.filter((file) => {
  const fresh = join(dir, file);
  return !existsSync(fresh) || !existsSync(file) || readFileSync(fresh, 'utf8') !== readFileSync(file, 'utf8');
});
if (stale.length) {
  console.error(`Stale: ${stale.join(', ')}: run "npm run analyze" and commit the result.`);
  process.exit(1);
}
console.log(`current: ${GENERATED.join(', ')}`);

// The README's element reference is generated from the manifest too.
const readme = spawnSync(process.execPath, ['scripts/element-reference.mjs', '--check'], { stdio: 'inherit' });
if (readme.status !== 0) process.exit(1);

// So is its CDN snippet's integrity hash, from the build.
const cdn = spawnSync(process.execPath, ['scripts/readme-cdn.mjs', '--check'], { stdio: 'inherit' });
if (cdn.status !== 0) process.exit(1);

// The server package's JSON Schema of its protocol, from its TypeBox schemas.
const schema = spawnSync(process.execPath, ['--conditions=callcaps-source', '--import', 'tsx', 'packages/server/scripts/protocol-schema.ts', '--check'], { stdio: 'inherit' });
if (schema.status !== 0) process.exit(1);
