import type { SQL } from 'drizzle-orm';
import type { PgDb } from '../../postgres';

/**
 * What the Postgres query functions run on: the pool, or a transaction opened on it. Functions
 * that change several rows take a `PgExec` so that a caller's transaction can include them.
 */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];
export type PgExec = PgDb | PgTx;

/** The rows of a raw statement. int8 and numeric columns arrive as JS numbers (db/postgres.ts). */
export async function rows<T>(db: PgExec, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return result.rows as T[];
}

/** The first row of a raw statement, or undefined. */
export async function row<T>(db: PgExec, query: SQL): Promise<T | undefined> {
  return (await rows<T>(db, query))[0];
}

/** How many rows a raw statement changed. */
export async function changes(db: PgExec, query: SQL): Promise<number> {
  const result = await db.execute(query);
  return result.rowCount ?? 0;
}
