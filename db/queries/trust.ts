import type { Db } from '../index';
import { dialect } from '../store';
import * as pg from './pg/trust';
import * as sqlite from './sqlite/trust';

export * from './sqlite/trust';

/*
 * The SQLite side of the functions lib/ awaits: the synchronous ones of ./sqlite/trust.ts. The
 * histories stream from one statement and come in batches (an await per batch, not per row).
 */
type WithDb = { db?: Db };

async function* sqliteHistories({ db, batchSize = 10_000 }: WithDb & { batchSize?: number } = {}): AsyncGenerator<sqlite.VoteHistoryRow[]> {
  let batch: sqlite.VoteHistoryRow[] = [];
  for (const r of sqlite.iterateVoteHistories(db!)) {
    batch.push(r);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
const sqliteStored = async ({ db }: WithDb = {}) => sqlite.storedTrustFlags(db!);
const sqliteWrite = async ({ db, updates, flagChanged }: WithDb & { updates: { voterId: string; trust: number; flag: string | null }[]; flagChanged: Set<string> }) =>
  sqlite.writeTrust(db!, updates, flagChanged);

export const iterateVoteHistories = dialect(sqliteHistories, pg.iterateVoteHistories);
export const storedTrustFlags = dialect(sqliteStored, pg.storedTrustFlags);
export const writeTrust = dialect(sqliteWrite, pg.writeTrust);
