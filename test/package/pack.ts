// Packing this repository's packages and installing them into throwaway
// consumer projects, as users would from npm (for test/package/*).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** `npm pack` of the root package, or of a workspace (`-w name`), into `dir`; the tarball's path. */
export function pack(dir: string, workspace?: string): string {
  const packed = run('npm', ['pack', '--json', '--pack-destination', dir, ...(workspace ? ['-w', workspace] : [])], ROOT);
  assert.equal(packed.status, 0, packed.output);
  const [{ filename }] = JSON.parse(packed.output.slice(packed.output.indexOf('[')));
  return join(dir, filename);
}

/**
 * A consumer project in `dir` with the tarballs installed from the npm cache
 * where it can (`npm ci` of this repository filled it), and `linked` packages
 * of this repository's node_modules linked in (tooling, not under test).
 */
export function consumerProject(dir: string, tarballs: string[], linked: string[] = [], installFlags: string[] = []): void {
  write(dir, { 'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module' }) });
  const installed = run('npm', ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund', ...installFlags], dir);
  assert.equal(installed.status, 0, installed.output);
  for (const pkg of linked) {
    mkdirSync(dirname(join(dir, 'node_modules', pkg)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg), 'dir');
  }
}
