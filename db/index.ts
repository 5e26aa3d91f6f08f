import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { AppError } from '../lib/errors';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_PATH = path.join('data', 'pairwise.db');

export function databasePath(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
}

/** PAIRWISE_SQLITE_SYNC: "normal" (default) or "full"; lib/env.ts validates it at start-up. */
function syncMode(value: string | undefined): 'NORMAL' | 'FULL' {
  return value?.trim().toLowerCase() === 'full' ? 'FULL' : 'NORMAL';
}

/** Migrations live beside this file in the repository; the CLI and the server both run from its root. */
function migrationsFolder(): string {
  return path.resolve(process.env.PAIRWISE_ROOT ?? process.cwd(), 'db', 'migrations');
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode and brings its schema up to date.
 * Exposed for tests and the CLI, which open files of their own; the app uses `getDb()`.
 */
export function openDb(file: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL (default): a commit survives a crash of the process, not necessarily a power cut or an
  // OS crash; FULL also syncs the log on every commit (PAIRWISE_SQLITE_SYNC=full). See the README.
  sqlite.pragma(`synchronous = ${options.synchronous ?? syncMode(process.env.PAIRWISE_SQLITE_SYNC)}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Keeps the client's compiled statements, keyed by their SQL text. drizzle and the raw queries
 * in db/queries ask the client to prepare every statement on every call; compiling SQL was about
 * a tenth of the server's CPU time under a vote load (the vote's exclusion update alone is a
 * large statement). A statement taken from the cache has its result modes reset (drizzle turns
 * `raw` on for the queries it maps itself); one still busy (an iteration in progress) is not
 * shared: the caller gets a fresh one.
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      if (hit.reader) hit.raw(false).pluck(false).expand(false);
      // Most recently used last, so the oldest is the one dropped.
      cache.delete(source);
      cache.set(source, hit);
      return hit;
    }
    const statement = prepare(source);
    if (!hit) {
      cache.set(source, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

// One client per process. Kept on globalThis so Next's dev-mode module reloads do not open more.
const globalForDb = globalThis as unknown as { __pairwiseDb?: Db; __pairwiseClosed?: boolean };

export function getDb(): Db {
  if (globalForDb.__pairwiseClosed) throw new AppError('unavailable', 'The server is shutting down. Try again in a moment.');
  if (!globalForDb.__pairwiseDb) globalForDb.__pairwiseDb = openDb(databasePath());
  return globalForDb.__pairwiseDb;
}

/**
 * Closes the process's client (an orderly shutdown). Closing the last connection checkpoints the
 * write-ahead log into the database file. A request that needs the store afterwards gets 503.
 */
export function closeDb(): void {
  const db = globalForDb.__pairwiseDb;
  globalForDb.__pairwiseClosed = true;
  globalForDb.__pairwiseDb = undefined;
  if (db?.$client.open) db.$client.close();
}
