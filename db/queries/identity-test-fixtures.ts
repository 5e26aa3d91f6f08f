import type { SQL } from 'drizzle-orm';
import { isAppError } from '../../lib/errors';
import { openDb, type Db } from '../index';
import { closePostgres, openPostgres, type PgDb } from '../postgres';
import { isPostgres, type Store } from '../store';
import type { TestStore } from '../testing/stores';

/**
 * Helpers for the *.stores.test.ts files of the identity, console and registry queries: raw
 * statements that read the same on both stores, a second client of a test store's database (a
 * second process, as far as the database can tell), and the rows those tests build on.
 */

/** Runs a statement written in SQL both dialects share. */
export async function exec(store: Store, query: SQL): Promise<void> {
  if (isPostgres(store)) await store.execute(query);
  else (store as Db).run(query);
}

/** The rows of a statement written in SQL both dialects share (aliases quoted for camelCase). */
export async function all<T>(store: Store, query: SQL): Promise<T[]> {
  if (isPostgres(store)) return (await store.execute(query)).rows as T[];
  return (store as Db).all<T>(query);
}

/** Another client of the same database: a second pool on Postgres, a second connection on SQLite. */
export async function secondClient(store: TestStore): Promise<{ db: Store; close(): Promise<void> }> {
  if (store.dialect === 'postgres') {
    const db: PgDb = await openPostgres(store.location, { max: 4 });
    return { db, close: () => closePostgres(db) };
  }
  const db = openDb(store.location);
  return { db, close: async () => void db.$client.close() };
}

/** The AppError code a promise rejects with, or null when it resolves. */
export async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}
