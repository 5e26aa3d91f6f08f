import type { Db } from '../index';
import { dialect } from '../store';
import * as pg from './pg/leaderboard';
import * as sqlite from './sqlite/leaderboard';

export * from './sqlite/leaderboard';
export type { ArenaVote } from './pg/leaderboard';

/**
 * The SQLite side of iterateCountedArenaVotes: one part, its single statement streamed as the
 * caller iterates it, so that counting 1.67 M votes costs what the sync generator costs (no
 * batches to merge, no await per row).
 */
async function* countedArenaVoteParts({ db, upToVoteId }: { db?: Db; upToVoteId: number; batchSize?: number }): AsyncGenerator<Iterable<pg.ArenaVote>> {
  yield sqlite.countedArenaVotes({ db, upToVoteId });
}

export const latestVoteId = dialect(sqlite.latestVoteId, pg.latestVoteId);
export const iterateCountedBattles = dialect(sqlite.iterateCountedBattles, pg.iterateCountedBattles);
/**
 * Identity and models of every counted vote cast here up to a vote id (countedArenaVotes), on
 * either store, in parts: Postgres reads a page per part, SQLite streams them all as one. Iterate
 * each part before asking for the next.
 */
export const iterateCountedArenaVotes = dialect(countedArenaVoteParts, pg.iterateCountedArenaVotes);
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
