import type { Db } from '../index';
import { dialect } from '../store';
import * as pg from './pg/leaderboard';
import * as sqlite from './sqlite/leaderboard';

export * from './sqlite/leaderboard';
export type { ArenaVote } from './pg/leaderboard';

/**
 * The SQLite side of iterateCountedArenaVotes: its one streaming statement, handed on in batches
 * (a per-row await would cost more than the read at millions of votes).
 */
async function* countedArenaVoteBatches({
  db,
  upToVoteId,
  batchSize = 20_000,
}: {
  db?: Db;
  upToVoteId: number;
  batchSize?: number;
}): AsyncGenerator<pg.ArenaVote[]> {
  let batch: pg.ArenaVote[] = [];
  for (const r of sqlite.countedArenaVotes({ db, upToVoteId })) {
    batch.push(r);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export const latestVoteId = dialect(sqlite.latestVoteId, pg.latestVoteId);
export const iterateCountedBattles = dialect(sqlite.iterateCountedBattles, pg.iterateCountedBattles);
/** Identity and models of every counted vote cast here up to a vote id (countedArenaVotes), in batches, on either store. */
export const iterateCountedArenaVotes = dialect(countedArenaVoteBatches, pg.iterateCountedArenaVotes);
export const hasBothSources = dialect(sqlite.hasBothSources, pg.hasBothSources);
export const hasStoredAnswers = dialect(sqlite.hasStoredAnswers, pg.hasStoredAnswers);
export const latestSnapshot = dialect(sqlite.latestSnapshot, pg.latestSnapshot);
export const latestSnapshotHead = dialect(sqlite.latestSnapshotHead, pg.latestSnapshotHead);
export const snapshotById = dialect(sqlite.snapshotById, pg.snapshotById);
export const latestSnapshotSummaries = dialect(sqlite.latestSnapshotSummaries, pg.latestSnapshotSummaries);
export const saveHistory = dialect(sqlite.saveHistory, pg.saveHistory);
export const historyHead = dialect(sqlite.historyHead, pg.historyHead);
export const readHistoryRow = dialect(sqlite.readHistoryRow, pg.readHistoryRow);
export const countedVoteTimeRange = dialect(sqlite.countedVoteTimeRange, pg.countedVoteTimeRange);
export const saveSnapshot = dialect(sqlite.saveSnapshot, pg.saveSnapshot);
export const saveSnapshots = dialect(sqlite.saveSnapshots, pg.saveSnapshots);
