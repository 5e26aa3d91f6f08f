import type Database from 'better-sqlite3';
import { getDb, type Db } from '../../index';
import {
  emptyCursor,
  PairCountState,
  cellKey,
  pairKey,
  splitKey,
  type CountedVote,
  type Counts4,
  type PairCountCursor,
} from '../../../lib/leaderboard/pair-counts';
import type { InfluenceCaps } from '../../../lib/integrity/influence';
import type { OutcomeCode } from '../../../lib/rating';
import { COUNTED_WHERE, IDENTITY_SQL } from './leaderboard';

/**
 * The stored counts of lib/leaderboard/pair-counts.ts: tables pair_counts, pair_count_identities,
 * pair_count_models, and their cursor in settings (`pair_counts.state`). Synchronous: the fold
 * reads in one transaction (a consistent view of votes and counts) and writes in another.
 */

const STATE_KEY = 'pair_counts.state';

type Client = Database.Database;

/** The stored cursor as text (compared on write: someone else may have folded meanwhile), or null. */
export function readCursorText(client: Client): string | null {
  const row = client.prepare('SELECT value FROM settings WHERE key = ?').get(STATE_KEY) as { value: string } | undefined;
  return row?.value ?? null;
}

/** The cursor from its stored text (both stores keep the same JSON), or null. */
export function parsePairCountCursor(text: string | null): PairCountCursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(text) as PairCountCursor & { lastVoteAt: number | null };
    return { ...c, lastVoteAt: c.lastVoteAt ?? Number.NEGATIVE_INFINITY };
  } catch {
    return null;
  }
}

/** The cursor as stored (null before the first fold). */
export function readPairCountCursor({ db = getDb() }: { db?: Db } = {}): PairCountCursor | null {
  return parsePairCountCursor(readCursorText(db.$client));
}

/**
 * Loads the stored counts: every category's cells and models, and the cells of identities whose
 * weight differs from their votes (the capped ones: what the fit needs of them). Null when nothing
 * is stored, or it was stored under another version or other caps (then the counts must be rebuilt).
 */
export function loadPairCountState(client: Client, expect: { version: number; caps: InfluenceCaps }): PairCountState | null {
  const cursor = parsePairCountCursor(readCursorText(client));
  if (!cursor || cursor.version !== expect.version || JSON.stringify(cursor.caps) !== JSON.stringify(expect.caps)) return null;
  const state = new PairCountState(cursor);
  for (const [category, a, b, outcome, votes] of client.prepare('SELECT category, model_a, model_b, outcome, votes FROM pair_counts').raw(true).iterate() as IterableIterator<
    [string, string, string, OutcomeCode, number]
  >) {
    const byPair = state.category(category).cells;
    const key = pairKey(a, b);
    let c = byPair.get(key);
    if (!c) byPair.set(key, (c = [0, 0, 0, 0]));
    c[outcome] = votes;
  }
  for (const [category, model, elo, firstVoteAt] of client.prepare('SELECT category, model, elo, first_vote_at FROM pair_count_models').raw(true).iterate() as IterableIterator<
    [string, string, number, number | null]
  >) {
    state.category(category).models.set(model, { elo, firstVoteAt });
  }
  addIdentityRows(
    state,
    client.prepare(`SELECT identity, category, model_a, model_b, outcome, votes, weight FROM pair_count_identities INDEXED BY pair_count_identities_capped_idx
        WHERE weight <> votes`,
    ).raw(true).all() as IdentityRow[],
  );
  return state;
}

type IdentityRow = [identity: string, category: string, a: string, b: string, outcome: OutcomeCode, votes: number, weight: number];

function addIdentityRows(state: PairCountState, rows: IdentityRow[]): void {
  for (const [identity, category, a, b, outcome, votes, weight] of rows) {
    let cells = state.identityCells.get(identity);
    if (!cells) state.identityCells.set(identity, (cells = new Map()));
    const ck = cellKey(category, a, b);
    let cell = cells.get(ck);
    if (!cell) cells.set(ck, (cell = { votes: [0, 0, 0, 0], weight: [0, 0, 0, 0] }));
    cell.votes[outcome] = votes;
    cell.weight[outcome] = weight;
  }
}

/** Loads every cell of these identities (before a fold recomputes their weights). */
export function loadIdentities(client: Client, state: PairCountState, identities: readonly string[]): void {
  const s = client.prepare('SELECT identity, category, model_a, model_b, outcome, votes, weight FROM pair_count_identities WHERE identity = ?');
  for (const identity of identities) {
    state.identityCells.delete(identity);
    addIdentityRows(state, s.raw(true).all(identity) as IdentityRow[]);
  }
}

/** A counted vote as both stores' queries select it (voteColumns). */
export type VoteTuple = [
  voteId: number,
  modelA: string,
  modelB: string,
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)',
  language: string | null,
  isCode: number | null,
  promptChars: number | null,
  turns: number,
  tags: string | null,
  imported: number,
  identity: string | null,
  voteAt: number,
  untimed: number,
  named: number,
  vision: number | null,
];

const WINNER_CODE = { model_a: 0, model_b: 1, tie: 2, 'tie (bothbad)': 3 } as const;

/** The vote the fold counts, or null for a winner it does not know. */
export function countedVote([, modelA, modelB, winner, language, isCode, promptChars, turns, tags, imported, identity, voteAt, untimed, named, vision]: VoteTuple): CountedVote | null {
  const outcome = WINNER_CODE[winner];
  if (outcome === undefined) return null;
  return {
    modelA,
    modelB,
    outcome,
    facts: { language, isCode, promptChars, turns, tags, named, vision },
    imported: imported === 1,
    identity,
    voteAt,
    untimed: untimed === 1,
  };
}

const voteColumns = `v.id, b.model_a, b.model_b, v.winner, b.language, b.is_code, b.prompt_chars, b.turns,
  CASE WHEN b.tags = '[]' THEN NULL ELSE b.tags END, b.source = 'import', ${IDENTITY_SQL}, v.created_at,
  coalesce(i.created_at = v.created_at, 0), coalesce(b.anony = 0, 0), b.vision`;

/**
 * Counted votes with afterVoteId < id <= upToVoteId in vote-time order (ties by id), in batches.
 * From the start (afterVoteId 0) the vote-time index is walked, as the full pass does; a few new
 * votes are found by their ids (a range of the primary key: the planner must not walk the
 * vote-time index for the ORDER BY, which would visit every vote) and sorted.
 */
export function* iterateCountedVotes({
  db = getDb(),
  afterVoteId,
  upToVoteId,
  batchSize = 10_000,
}: {
  db?: Db;
  afterVoteId: number;
  upToVoteId: number;
  batchSize?: number;
}): Generator<CountedVote[]> {
  const s = db.$client.prepare(`SELECT ${voteColumns}
       FROM votes v ${afterVoteId === 0 ? 'INDEXED BY votes_created_idx' : 'NOT INDEXED'}
       JOIN battles b ON b.id = v.battle_id
       LEFT JOIN imports i ON i.id = b.import_id
      WHERE ${COUNTED_WHERE} AND v.id > ? AND v.id <= ?
      ORDER BY v.created_at, v.id`,
  );
  let batch: CountedVote[] = [];
  for (const tuple of s.raw(true).iterate(afterVoteId, upToVoteId) as IterableIterator<VoteTuple>) {
    const vote = countedVote(tuple);
    if (vote) batch.push(vote);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Writes what the fold changed, unless the stored cursor is no longer the one the state was loaded
 * with (another process folded meanwhile: its counts stand, and this fold is dropped). A rebuilt
 * state replaces everything. Returns whether it was written.
 */
export function savePairCountState(client: Client, state: PairCountState, loadedCursorText: string | null): boolean {
  return client
    .transaction(() => {
      if (readCursorText(client) !== loadedCursorText) return false;
      if (state.rebuilt) {
        client.prepare('DELETE FROM pair_counts').run();
        client.prepare('DELETE FROM pair_count_identities').run();
        client.prepare('DELETE FROM pair_count_models').run();
      }
      const putModel = client.prepare(`INSERT INTO pair_count_models (category, model, elo, first_vote_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (category, model) DO UPDATE SET elo = excluded.elo, first_vote_at = excluded.first_vote_at`,
      );
      const putCell = client.prepare(`INSERT INTO pair_counts (category, model_a, model_b, outcome, votes) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (category, model_a, model_b, outcome) DO UPDATE SET votes = excluded.votes`,
      );
      for (const [category, cc] of state.categories) {
        for (const key of state.rebuilt ? cc.cells.keys() : cc.dirtyCells) {
          const [a, b] = splitKey(key);
          const c: Counts4 = cc.cells.get(key)!;
          for (let o = 0; o < 4; o++) if (c[o] > 0) putCell.run(category, a, b, o, c[o]);
        }
        for (const name of state.rebuilt ? cc.models.keys() : cc.dirtyModels) {
          const m = cc.models.get(name)!;
          putModel.run(category, name, m.elo, m.firstVoteAt);
        }
      }
      const dropIdentity = client.prepare('DELETE FROM pair_count_identities WHERE identity = ?');
      const putIdentity = client.prepare(`INSERT INTO pair_count_identities (identity, category, model_a, model_b, outcome, votes, weight) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const identity of state.dirtyIdentities) {
        if (!state.rebuilt) dropIdentity.run(identity);
        for (const [ck, cell] of state.identityCells.get(identity)!) {
          const [category, a, b] = splitKey(ck);
          for (let o = 0; o < 4; o++) if (cell.votes[o] > 0) putIdentity.run(identity, category, a, b, o, cell.votes[o], cell.weight[o]);
        }
      }
      client.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ).run(STATE_KEY, JSON.stringify(state.cursor), Date.now());
      return true;
    })
    .immediate();
}

/**
 * Votes with afterVoteId < id <= upToVoteId: how many in all, and how many on battles whose id
 * starts with `battleIdPrefix` (an import's battles). Read by the primary key alone, no join.
 */
export function countVotesInRange(
  client: Client,
  { afterVoteId, upToVoteId, battleIdPrefix }: { afterVoteId: number; upToVoteId: number; battleIdPrefix: string },
): { all: number; matching: number } {
  return client
    .prepare(`SELECT count(*) AS "all", coalesce(sum(substr(battle_id, 1, ?) = ?), 0) AS matching FROM votes WHERE id > ? AND id <= ?`)
    .get(battleIdPrefix.length, battleIdPrefix, afterVoteId, upToVoteId) as { all: number; matching: number };
}

/** Drops the stored counts (the next fold rebuilds them). */
export function clearPairCounts({ db = getDb() }: { db?: Db } = {}): void {
  const c = db.$client;
  c.transaction(() => {
    c.prepare('DELETE FROM pair_counts').run();
    c.prepare('DELETE FROM pair_count_identities').run();
    c.prepare('DELETE FROM pair_count_models').run();
    c.prepare('DELETE FROM settings WHERE key = ?').run(STATE_KEY);
  })();
}

export { emptyCursor };
