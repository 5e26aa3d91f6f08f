import fs from 'node:fs';
import { databasePath, openDb, type Db } from '../db/index';
import { openPostgres, postgresTarget } from '../db/postgres';
import { databaseUrl, type Store } from '../db/store';
import { env } from '../lib/env';

/**
 * The store a command works on, named on standard error so the operator sees which file it is.
 * A file that does not exist is not created unless asked: a mistyped DATABASE_PATH would
 * otherwise import into (or export from) a new, empty store without a word.
 */
export function openSqliteStore({ create = false, createFlag }: { create?: boolean; createFlag?: string } = {}): Db {
  const file = databasePath();
  const from = env().DATABASE_PATH ? 'DATABASE_PATH' : 'the default path; set DATABASE_PATH for another';
  const exists = fs.existsSync(file);
  if (!exists && !create) {
    const how = createFlag ? `, or pass ${createFlag} to start a new one there` : '; `npm start` creates it on its first start';
    throw new Error(`no database at ${file} (${from}). Check the path${how}.`);
  }
  console.error(`Database: ${file}${exists ? '' : ' (new)'}`);
  return openDb(file);
}

/**
 * The store a command works on, as the app would: the Postgres database of DATABASE_URL when it
 * is set (named by host, port and database, never the password), else the SQLite file.
 */
export async function openStore(options: { create?: boolean; createFlag?: string } = {}): Promise<Store> {
  const url = databaseUrl();
  if (!url) return openSqliteStore(options);
  const target = postgresTarget(url);
  console.error(`Database: Postgres "${target.database}" at ${target.server}`);
  return openPostgres(url, { max: 4 });
}
