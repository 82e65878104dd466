// The one test command (`npm test`): type check, build, every suite, the size
// budget and the manifest check. Prints the counts per suite and, last,
// "N passed, N failed"; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'test-output';
rmSync(join(OUT, 'browser-counts.json'), { force: true });
rmSync(join(OUT, 'node-counts.json'), { force: true });
rmSync(join(OUT, 'e2e-counts.json'), { force: true });
rmSync(join(OUT, 'adapters-browser-counts.json'), { force: true });
mkdirSync(OUT, { recursive: true });

const rows = [];

function run(command, args) {
  console.log(`\n> ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } }).status === 0;
}

/** A check that is one pass or one failure. */
function check(name, command, args) {
  const ok = run(command, args);
  rows.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
  return ok;
}

/** A suite whose runner writes its counts to a JSON file. */
function suite(name, command, args, countsFile) {
  const ok = run(command, args);
  const counts = existsSync(countsFile) ? JSON.parse(readFileSync(countsFile, 'utf8')) : null;
  const passed = counts?.passed ?? 0;
  // A runner that failed without counting a failed test still fails its suite.
  const failed = (counts?.failed ?? 0) + (counts?.fileErrors ?? 0) + (!ok && !counts?.failed && !counts?.fileErrors ? 1 : 0);
  rows.push({ name, passed, failed });
}

// The tests of callcaps (test/) and of the server package (packages/server/test/).
const TEST_DIRS = ['test', join('packages', 'server', 'test')];
const testFiles = (suffix) =>
  TEST_DIRS.flatMap((dir) => readdirSync(dir, { recursive: true }).map((file) => join(dir, file)))
    .filter((file) => file.endsWith(suffix))
    .sort();

check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.test.json']);
const built = check('build', 'npm', ['run', '--silent', 'build']);

/** Node's test runner over some files, counted into OUT/NAME-counts.json. */
const nodeSuite = (name, files) =>
  suite(name, process.execPath, [
    // callcaps/client and @callcaps/server resolve to their TypeScript sources (package.json "exports").
    '--conditions=callcaps-source', '--import', 'tsx',
    '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/node-counting-reporter.mjs', `--test-reporter-destination=${OUT}/${name}-counts.json`,
    ...files,
  ], `${OUT}/${name}-counts.json`);

nodeSuite('node', testFiles('.node.test.ts'));

suite('browser', 'npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs'], `${OUT}/browser-counts.json`);
// The elements bound to each platform adapter over the SDKs' real objects (the SDKs bundled for the browser).
suite('adapters (browser)', 'npx', ['web-test-runner', '--config', 'test/adapters/web-test-runner.config.mjs'], `${OUT}/adapters-browser-counts.json`);

// End to end: the server, the demo pages and the built bundles in several browser contexts.
if (built) nodeSuite('e2e', testFiles('.e2e.ts'));
else rows.push({ name: 'e2e (needs the build)', passed: 0, failed: 1 });
if (built) check('size budget', 'npm', ['run', '--silent', 'size']);
check('manifest is current', process.execPath, ['scripts/check-manifest.mjs']);

console.log('\nsuite                 passed  failed');
for (const { name, passed, failed } of rows) {
  console.log(`${name.padEnd(20)} ${String(passed).padStart(7)} ${String(failed).padStart(7)}`);
}
const passed = rows.reduce((sum, row) => sum + row.passed, 0);
const failed = rows.reduce((sum, row) => sum + row.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
