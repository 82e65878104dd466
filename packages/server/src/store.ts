/**
 * Durable state in SQLite (better-sqlite3): rooms, call types, the audit log,
 * and the generated API key. Live call state is not here; it lives in memory.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { builtInCallTypes, type CallType, type CallTypeSettings, type Permission } from './call-types.js';
import type { RoomProperties } from './validate.js';

export interface Room {
  id: string;
  name: string;
  privacy: 'public' | 'private';
  properties: RoomProperties;
  /** Milliseconds since the epoch. */
  created_at: number;
}

/** One line of the audit log: who did what to whom, and when. */
export interface AuditEntry {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  room: string;
  /** The acting member: its user id, name and session id. */
  actor: { user_id: string; name: string; member_id: string };
  /** The member acted on, when there is one. */
  target: { user_id: string; name: string; member_id: string } | null;
  action: string;
  detail: unknown;
}

/**
 * The schema's history, in order: migration N (1-based) takes a database from
 * `PRAGMA user_version` N-1 to N. A migration that shipped is never edited;
 * a change is a new one at the end. Opening a database applies those it lacks,
 * all in one transaction; a database from a newer server is refused.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the tables. `IF NOT EXISTS` only here: databases from before versioning
  // (user_version 0, tables present) are adopted as they are.
  `
  CREATE TABLE IF NOT EXISTS rooms (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    privacy TEXT NOT NULL,
    properties TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS call_types (
    name TEXT PRIMARY KEY,
    grants TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    room TEXT NOT NULL,
    actor TEXT NOT NULL,
    target TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_log_room ON audit_log (room, id);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: GET /v1/rooms lists by creation: an index instead of a sort of every room.
  `CREATE INDEX rooms_created ON rooms (created_at, name);`,
];

/** The database was written by a newer server (its schema version is past {@link MIGRATIONS}). */
export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/** Brings the database to the latest schema version, in one transaction that no other process can interleave with. */
function migrate(db: Database.Database, path: string): void {
  const apply = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new SchemaVersionError(
        `the database ${path} has schema version ${version}, newer than this server's ${MIGRATIONS.length}: ` +
        'it was written by a newer @callcaps/server; run that version, or point CALLCAPS_DATA at another file',
      );
    }
    for (let next = version; next < MIGRATIONS.length; next++) db.exec(MIGRATIONS[next]);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  apply.immediate();
}

interface RoomRow { name: string; id: string; privacy: string; properties: string; created_at: number }
interface CallTypeRow { name: string; grants: string; settings: string }
interface AuditRow { id: number; at: number; room: string; actor: string; target: string | null; action: string; detail: string }

export class Store {
  readonly #db: Database.Database;
  readonly #statements;

  /**
   * Opens (creating when needed) the database at `path`; `:memory:` keeps nothing.
   *
   * Durability: WAL with `synchronous = FULL`, so that every commit is synced
   * to disk before the call that made it returns, and so before the write is
   * acknowledged (REST answer, JSON-RPC reply). With `NORMAL` a WAL commit is
   * synced only at checkpoints: it survives a crash of the process, not a
   * power loss. `synchronous` exists for the benchmark that measures the cost.
   */
  constructor(path: string, { synchronous = 'FULL' }: { synchronous?: 'FULL' | 'NORMAL' } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    try {
      migrate(this.#db, path);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const db = this.#db;
    this.#statements = {
      room: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE name = ?'),
      rooms: db.prepare<[], RoomRow>('SELECT * FROM rooms ORDER BY created_at, name'),
      putRoom: db.prepare('INSERT OR REPLACE INTO rooms (name, id, privacy, properties, created_at) VALUES (@name, @id, @privacy, @properties, @created_at)'),
      deleteRoom: db.prepare('DELETE FROM rooms WHERE name = ?'),
      callType: db.prepare<[string], CallTypeRow>('SELECT * FROM call_types WHERE name = ?'),
      callTypes: db.prepare<[], CallTypeRow>('SELECT * FROM call_types ORDER BY created_at, name'),
      insertCallType: db.prepare('INSERT OR IGNORE INTO call_types (name, grants, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
      updateCallType: db.prepare('UPDATE call_types SET grants = ?, settings = ?, updated_at = ? WHERE name = ?'),
      audit: db.prepare('INSERT INTO audit_log (at, room, actor, target, action, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      auditOf: db.prepare<[string, number], AuditRow>('SELECT * FROM audit_log WHERE room = ? ORDER BY id DESC LIMIT ?'),
      auditAll: db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      putMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
    const now = Date.now();
    for (const type of builtInCallTypes()) this.#statements.insertCallType.run(type.name, JSON.stringify(type.grants), JSON.stringify(type.settings), now, now);
  }

  room(name: string): Room | undefined {
    const row = this.#statements.room.get(name);
    return row && toRoom(row);
  }

  rooms(): Room[] {
    return this.#statements.rooms.all().map(toRoom);
  }

  putRoom(room: Room): void {
    this.#statements.putRoom.run({ ...room, properties: JSON.stringify(room.properties) });
  }

  deleteRoom(name: string): boolean {
    return this.#statements.deleteRoom.run(name).changes > 0;
  }

  callType(name: string): CallType | undefined {
    const row = this.#statements.callType.get(name);
    return row && toCallType(row);
  }

  callTypes(): CallType[] {
    return this.#statements.callTypes.all().map(toCallType);
  }

  /** Creates a call type; false when one of that name exists. */
  createCallType(type: CallType): boolean {
    const now = Date.now();
    return this.#statements.insertCallType.run(type.name, JSON.stringify(type.grants), JSON.stringify(type.settings), now, now).changes > 0;
  }

  updateCallType(type: CallType): void {
    this.#statements.updateCallType.run(JSON.stringify(type.grants), JSON.stringify(type.settings), Date.now(), type.name);
  }

  audit(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.#statements.audit.run(Date.now(), entry.room, JSON.stringify(entry.actor), entry.target && JSON.stringify(entry.target), entry.action, JSON.stringify(entry.detail ?? null));
  }

  /** The newest entries first, for one room or all. */
  auditLog(room?: string, limit = 100): AuditEntry[] {
    const rows = room === undefined ? this.#statements.auditAll.all(limit) : this.#statements.auditOf.all(room, limit);
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      room: row.room,
      actor: JSON.parse(row.actor),
      target: row.target === null ? null : JSON.parse(row.target),
      action: row.action,
      detail: JSON.parse(row.detail),
    }));
  }

  meta(key: string): string | undefined {
    return this.#statements.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#statements.putMeta.run(key, value);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function toRoom(row: RoomRow): Room {
  return { id: row.id, name: row.name, privacy: row.privacy as Room['privacy'], properties: JSON.parse(row.properties), created_at: row.created_at };
}

function toCallType(row: CallTypeRow): CallType {
  // Roles are names from outside: their maps get a null prototype, so no role is ever a property of Object.prototype.
  const settings = JSON.parse(row.settings) as CallTypeSettings;
  settings.default_permissions = dictionary(settings.default_permissions);
  return { name: row.name, grants: dictionary(JSON.parse(row.grants) as Record<string, Permission[]>), settings };
}

const dictionary = <T>(entries: Record<string, T> | undefined): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, entries);
