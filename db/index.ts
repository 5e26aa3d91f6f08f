import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_PATH = path.join('data', 'pairwise.db');

export function databasePath(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
}

/** Migrations live beside this file in the repository; the CLI and the server both run from its root. */
function migrationsFolder(): string {
  return path.resolve(process.env.PAIRWISE_ROOT ?? process.cwd(), 'db', 'migrations');
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode and brings its schema up to date.
 * Exposed for tests and the CLI, which open files of their own; the app uses `getDb()`.
 */
export function openDb(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

// One client per process. Kept on globalThis so Next's dev-mode module reloads do not open more.
const globalForDb = globalThis as unknown as { __pairwiseDb?: Db };

export function getDb(): Db {
  if (!globalForDb.__pairwiseDb) globalForDb.__pairwiseDb = openDb(databasePath());
  return globalForDb.__pairwiseDb;
}
