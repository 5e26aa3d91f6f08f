import type { SQL } from 'drizzle-orm';
import { isPostgres, type Store } from '../store';

/**
 * Raw statements for tests that set up or inspect rows no query function covers, on either
 * store. Keep them to SQL both dialects read alike (no booleans as 0/1, no json_extract).
 */
export async function execSql(db: Store, query: SQL): Promise<void> {
  if (isPostgres(db)) await db.execute(query);
  else db.run(query);
}

export async function allSql<T>(db: Store, query: SQL): Promise<T[]> {
  return isPostgres(db) ? ((await db.execute(query)).rows as T[]) : db.all<T>(query);
}

export async function getSql<T>(db: Store, query: SQL): Promise<T | undefined> {
  return (await allSql<T>(db, query))[0];
}
