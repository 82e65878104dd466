/**
 * The SQLite schema is versioned (`PRAGMA user_version`): a database written
 * by an older server is brought up to date with its data kept, and one written
 * by a newer server is refused with a clear error instead of being misread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createServer, SchemaVersionError, silentLogger } from '../src/index.js';
import { MIGRATIONS, Store } from '../src/store.js';

/** The schema as the server wrote it before versioning (user_version 0), statement for statement. */
const UNVERSIONED = `
CREATE TABLE IF NOT EXISTS rooms (name TEXT PRIMARY KEY, id TEXT NOT NULL, privacy TEXT NOT NULL, properties TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS call_types (name TEXT PRIMARY KEY, grants TEXT NOT NULL, settings TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, room TEXT NOT NULL, actor TEXT NOT NULL, target TEXT, action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_room ON audit_log (room, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** A database as an older server left it: its schema, a room, an audit line and a stored API key. */
function oldDatabase(path: string, schema: string, version: number): void {
  const db = new Database(path);
  db.exec(schema);
  db.pragma(`user_version = ${version}`);
  db.prepare('INSERT INTO rooms VALUES (?, ?, ?, ?, ?)').run('kept', 'id-1', 'private', JSON.stringify({ enable_knocking: true }), 1_700_000_000_000);
  db.prepare('INSERT INTO audit_log (at, room, actor, target, action, detail) VALUES (?, ?, ?, ?, ?, ?)')
    .run(1_700_000_000_001, 'kept', JSON.stringify({ user_id: 'u', name: 'Ada', member_id: 'm' }), null, 'lock', 'null');
  db.prepare('INSERT INTO meta VALUES (?, ?)').run('api_key', 'cc_old_key');
  db.close();
}

const versionOf = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return { version: db.pragma('user_version', { simple: true }), indexes: db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() };
  } finally {
    db.close();
  }
};

describe('schema migrations', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'callcaps-migrate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a new database gets every migration and the latest version', () => {
    const path = join(dir, 'new.db');
    new Store(path).close();
    assert.deepEqual(versionOf(path), { version: MIGRATIONS.length, indexes: ['audit_log_room', 'rooms_created'] });
  });

  it(`a database of version ${MIGRATIONS.length - 1} (the one before this) is migrated, its data kept`, () => {
    const path = join(dir, 'previous.db');
    // Exactly the statements of the migrations before the last, at their version.
    oldDatabase(path, MIGRATIONS.slice(0, -1).join('\n'), MIGRATIONS.length - 1);
    assert.deepEqual(versionOf(path).indexes, ['audit_log_room']);
    const store = new Store(path);
    try {
      assert.deepEqual(store.rooms().map((r) => [r.name, r.privacy, r.properties]), [['kept', 'private', { enable_knocking: true }]]);
      assert.equal(store.auditLog('kept')[0].action, 'lock');
      assert.equal(store.meta('api_key'), 'cc_old_key');
      assert.ok(store.callType('default'), 'the built-in call types are there');
    } finally {
      store.close();
    }
    assert.deepEqual(versionOf(path), { version: MIGRATIONS.length, indexes: ['audit_log_room', 'rooms_created'] });
  });

  it('a database from before versioning (user_version 0, tables present) is adopted and migrated', async () => {
    const path = join(dir, 'unversioned.db');
    oldDatabase(path, UNVERSIONED, 0);
    const server = await createServer({ port: 0, dataPath: path, logger: silentLogger, media: false });
    try {
      assert.equal(server.apiKey, 'cc_old_key', 'the stored API key is kept');
      assert.deepEqual((await server.listRooms()).map((r) => r.name), ['kept']);
    } finally {
      await server.close();
    }
    assert.equal(versionOf(path).version, MIGRATIONS.length);
  });

  it('a database newer than this server is refused with a clear error, and left as it is', async () => {
    const path = join(dir, 'newer.db');
    oldDatabase(path, MIGRATIONS.join('\n'), MIGRATIONS.length + 1);
    assert.throws(() => new Store(path), (error: unknown) => {
      assert.ok(error instanceof SchemaVersionError);
      assert.match(error.message, new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this server's ${MIGRATIONS.length}`));
      assert.match(error.message, /CALLCAPS_DATA/);
      return true;
    });
    await assert.rejects(createServer({ port: 0, dataPath: path, logger: silentLogger, media: false }), SchemaVersionError);
    assert.equal(versionOf(path).version, MIGRATIONS.length + 1);
  });

  it('a failing migration leaves the database at its version, with nothing half applied', () => {
    const path = join(dir, 'conflict.db');
    oldDatabase(path, MIGRATIONS.slice(0, -1).join('\n'), MIGRATIONS.length - 1);
    // Something already holds the name the last migration creates: it fails, and the whole upgrade rolls back.
    const db = new Database(path);
    db.exec('CREATE TABLE rooms_created (x)');
    db.close();
    assert.throws(() => new Store(path), /rooms_created/);
    assert.equal(versionOf(path).version, MIGRATIONS.length - 1);
  });
});
