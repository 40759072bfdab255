import Database from 'better-sqlite3';
import { accessSync, chmodSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BatonError } from '../errors.js';
import { describeStoreFault } from './faults.js';
import { MIGRATIONS } from './schema.js';

export type Db = Database.Database;

export interface OpenedDatabase {
  db: Db;
  /** Set when the store could not be written: the database is open read-only, and why. */
  readOnly: string | null;
  /** Removes what opening left behind (a read-only snapshot). */
  cleanup(): void;
}

const STORE_FILES = ['', '-wal', '-shm'];

/** Opens (creating if needed) the store and brings its schema up to date; read-only when it cannot be written. */
export function openDatabase(path: string): Db {
  return openStoreDatabase(path).db;
}

export function openStoreDatabase(path: string): OpenedDatabase {
  const readOnly = unwritable(path);
  if (readOnly) return { ...openReadOnly(path), readOnly };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Prompts live in this file: it is the user's alone even when BATON_HOME is a 0755 directory.
    // SQLite gives the -wal and -shm files the mode of the database file.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Several Baton processes (supervisors, CLI calls) share the file; wait for each other instead of failing.
    db.pragma('busy_timeout = 10000');
    migrate(db);
    tightenModes(path);
    return { db, readOnly: null, cleanup: () => undefined };
  } catch (error) {
    throw describeStoreFault(error, path);
  }
}

/** Why the store cannot be written (a read-only mount, no write permission), or null when it can. */
function unwritable(path: string): string | null {
  const dir = dirname(path);
  if (!existsSync(path)) return null;
  for (const target of [dir, path]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'EROFS' ? `${target} is on a read-only file system` : `${target} is not writable (${code})`;
    }
  }
  return null;
}

/** Stores written by older Baton versions have 0644 files; the owner can tighten them, anyone else leaves them be. */
function tightenModes(path: string): void {
  for (const suffix of STORE_FILES) {
    try {
      const file = `${path}${suffix}`;
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      // Not there (yet), or not ours to change.
    }
  }
}

/**
 * A WAL store needs its -shm file even to be read; on a read-only file system without one SQLite
 * cannot open it at all. Then the store (and its -wal, which may hold the latest writes) is copied to a
 * private temporary directory and read from there: nobody can write the original meanwhile.
 */
function openReadOnly(path: string): Omit<OpenedDatabase, 'readOnly'> {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('user_version');
    return { db: checkVersion(db, path), cleanup: () => undefined };
  } catch (error) {
    if (!/^SQLITE_CANTOPEN/.test((error as { code?: string }).code ?? '')) throw describeStoreFault(error, path);
  }
  const copyDir = mkdtempSync(join(tmpdir(), 'baton-readonly-store-'));
  const cleanup = () => rmSync(copyDir, { recursive: true, force: true });
  try {
    const copy = join(copyDir, 'baton.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    return { db: checkVersion(db, path), cleanup };
  } catch (error) {
    cleanup();
    throw describeStoreFault(error, path);
  }
}

function checkVersion(db: Db, path: string): Db {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current !== MIGRATIONS.length) {
    db.close();
    throw new BatonError('runtime', `the Baton store at ${path} has schema version ${current} and this Baton needs ${MIGRATIONS.length}; it is read-only, so it cannot be upgraded here`);
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new BatonError(
      'runtime',
      `the Baton store at ${db.name} has schema version ${current}, newer than this Baton knows (${MIGRATIONS.length}); upgrade Baton`,
    );
  }
  if (current === MIGRATIONS.length) return;
  db.transaction(() => {
    // Re-read inside the write transaction: another process may have migrated meanwhile.
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
