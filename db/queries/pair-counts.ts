import type { Db } from '../index';
import { dialect } from '../store';
import type { CountedVote, PairCountState } from '../../lib/leaderboard/pair-counts';
import type { InfluenceCaps } from '../../lib/integrity/influence';
import * as pg from './pg/pair-counts';
import { ratingsInputStamp } from './sqlite/ratings-input';
import * as sqlite from './sqlite/pair-counts';

export * from './sqlite/pair-counts';

/*
 * The SQLite side of the functions lib/ awaits: the synchronous ones of ./sqlite/pair-counts.ts
 * over the connection. The votes come in the SQLite twin's batches (one statement walks them).
 */
type WithDb = { db?: Db };
const client = (db: Db | undefined) => db!.$client;

const sqliteCursorText = async ({ db }: WithDb = {}) => sqlite.readCursorText(client(db));
const sqliteCursor = async ({ db }: WithDb = {}) => sqlite.readPairCountCursor({ db });
const sqliteLoad = async ({ db, expect }: WithDb & { expect: { version: number; caps: InfluenceCaps } }) => sqlite.loadPairCountState(client(db), expect);
const sqliteLoadIdentities = async ({ db, state, identities }: WithDb & { state: PairCountState; identities: readonly string[] }) =>
  sqlite.loadIdentities(client(db), state, identities);
async function* sqliteIterate(params: WithDb & { afterVoteId: number; upToVoteId: number; batchSize?: number }): AsyncGenerator<CountedVote[]> {
  yield* sqlite.iterateCountedVotes(params);
}
const sqliteSave = async ({ db, state, loadedCursorText }: WithDb & { state: PairCountState; loadedCursorText: string | null }) =>
  sqlite.savePairCountState(client(db), state, loadedCursorText);
const sqliteCountRange = async ({ db, ...range }: WithDb & { afterVoteId: number; upToVoteId: number; battleIdPrefix: string }) =>
  sqlite.countVotesInRange(client(db), range);
const sqliteClear = async ({ db }: WithDb = {}) => sqlite.clearPairCounts({ db });
// SQLite hands out vote ids in commit order: its stamp is settled as read.
const sqliteStamp = async ({ db }: WithDb & { waitMs?: number } = {}) => ratingsInputStamp({ db });

export const readCursorText = dialect(sqliteCursorText, pg.readCursorText);
export const readPairCountCursor = dialect(sqliteCursor, pg.readPairCountCursor);
export const countsInputStamp = dialect(sqliteStamp, pg.countsInputStamp);
export const loadPairCountState = dialect(sqliteLoad, pg.loadPairCountState);
export const loadIdentities = dialect(sqliteLoadIdentities, pg.loadIdentities);
export const iterateCountedVotes = dialect(sqliteIterate, pg.iterateCountedVotes);
export const savePairCountState = dialect(sqliteSave, pg.savePairCountState);
export const countVotesInRange = dialect(sqliteCountRange, pg.countVotesInRange);
export const clearPairCounts = dialect(sqliteClear, pg.clearPairCounts);
