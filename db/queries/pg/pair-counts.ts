import { sql } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import type { PgDb } from '../../postgres';
import {
  PairCountState,
  cellKey,
  pairKey,
  splitKey,
  type CountedVote,
  type PairCountCursor,
} from '../../../lib/leaderboard/pair-counts';
import type { InfluenceCaps } from '../../../lib/integrity/influence';
import type { OutcomeCode } from '../../../lib/rating';
import type { RatingsInputStamp } from '../sqlite/ratings-input';
import { COUNTED_WHERE, IDENTITY_SQL } from '../sqlite/leaderboard';
import { countedVote, parsePairCountCursor, type VoteTuple } from '../sqlite/pair-counts';
import { changes, row, rows, streamArrays, type PgExec } from './exec';

/**
 * Postgres twin of db/queries/sqlite/pair-counts.ts (the stored counts of
 * lib/leaderboard/pair-counts.ts and their cursor in settings). The save is one transaction under
 * an advisory lock that checks the stored cursor is still the one the fold started from, so two
 * folds at once never mix their counts: the second finds the cursor moved and writes nothing.
 */

const STATE_KEY = 'pair_counts.state';
/** pg_advisory_xact_lock key of the stored counts (any fixed int8: "pair_cnt" in ASCII). */
const LOCK_KEY = 0x706169725f636e74n;
/** Rows per multi-row write (unnest of one array per column: a handful of parameters whatever the rows). */
const WRITE_BATCH = 20_000;

type WithDb = { db?: PgDb };

async function cursorTextIn(db: PgExec): Promise<string | null> {
  const r = await row<{ value: string }>(db, sql`SELECT value FROM settings WHERE key = ${STATE_KEY}`);
  return r?.value ?? null;
}

/** The stored cursor as text (compared on write: someone else may have folded meanwhile), or null. */
export async function readCursorText({ db }: WithDb = {}): Promise<string | null> {
  return cursorTextIn(db!);
}

export async function readPairCountCursor({ db }: WithDb = {}): Promise<PairCountCursor | null> {
  return parsePairCountCursor(await cursorTextIn(db!));
}

/**
 * The stamp a fold counts up to: ratings.input's, once every vote with an id up to it is in (or
 * out) for good. Postgres hands out ids when a row is inserted, not when it commits, so a vote
 * with a lower id than the highest one seen may still be on its way; it would fall behind the
 * cursor and never be folded. So the transactions in progress at the reading are waited for (at
 * most `waitMs`; they are short, a vote's or an import batch's) before the stamp is used.
 */
export async function countsInputStamp({ db, waitMs = 5_000 }: WithDb & { waitMs?: number } = {}): Promise<RatingsInputStamp> {
  const r = (await row<RatingsInputStamp & { xip: string[] }>(
    db!,
    sql`SELECT (SELECT coalesce(max(id), 0) FROM votes) AS "voteId",
               coalesce((SELECT value::int8 FROM settings WHERE key = 'ratings.input'), 0) AS version,
               array(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) x) AS xip`,
  ))!;
  const deadline = Date.now() + waitMs;
  while (r.xip.length > 0 && Date.now() < deadline) {
    const open = await rows<{ x: string }>(
      db!,
      sql`SELECT x FROM unnest(${sql.param(r.xip)}::text[]) x WHERE pg_xact_status(x::xid8) = 'in progress'`,
    );
    if (open.length === 0) break;
    r.xip = open.map((o) => o.x);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { voteId: r.voteId, version: r.version };
}

type IdentityRow = [identity: string, category: string, a: string, b: string, outcome: OutcomeCode, votes: number, weight: number];

function addIdentityRows(state: PairCountState, list: IdentityRow[]): void {
  for (const [identity, category, a, b, outcome, votes, weight] of list) {
    let cells = state.identityCells.get(identity);
    if (!cells) state.identityCells.set(identity, (cells = new Map()));
    const ck = cellKey(category, a, b);
    let cell = cells.get(ck);
    if (!cell) cells.set(ck, (cell = { votes: [0, 0, 0, 0], weight: [0, 0, 0, 0] }));
    cell.votes[outcome] = votes;
    cell.weight[outcome] = weight;
  }
}

/** Rows as arrays (cheaper than objects over thousands of rows), on one pooled connection. */
async function arrays<T extends unknown[]>(client: PoolClient, text: string, values: unknown[] = []): Promise<T[]> {
  return (await client.query({ text, values, rowMode: 'array' })).rows as T[];
}

/**
 * Loads the stored counts (see the SQLite twin): in one read-only snapshot, so that counts, models
 * and identities are those of one save.
 */
export async function loadPairCountState({ db, expect }: WithDb & { expect: { version: number; caps: InfluenceCaps } }): Promise<PairCountState | null> {
  return inSnapshot(db!, async (client) => {
    const [text] = await arrays<[string]>(client, 'SELECT value FROM settings WHERE key = $1', [STATE_KEY]);
    const cursor = parsePairCountCursor(text?.[0] ?? null);
    if (!cursor || cursor.version !== expect.version || JSON.stringify(cursor.caps) !== JSON.stringify(expect.caps)) return null;
    const state = new PairCountState(cursor);
    for (const [category, a, b, outcome, votes] of await arrays<[string, string, string, OutcomeCode, number]>(
      client,
      'SELECT category, model_a, model_b, outcome, votes FROM pair_counts',
    )) {
      const byPair = state.category(category).cells;
      const key = pairKey(a, b);
      let c = byPair.get(key);
      if (!c) byPair.set(key, (c = [0, 0, 0, 0]));
      c[outcome] = votes;
    }
    for (const [category, model, elo, firstVoteAt] of await arrays<[string, string, number, number | null]>(
      client,
      'SELECT category, model, elo, first_vote_at FROM pair_count_models',
    )) {
      state.category(category).models.set(model, { elo, firstVoteAt });
    }
    addIdentityRows(
      state,
      await arrays<IdentityRow>(client, 'SELECT identity, category, model_a, model_b, outcome, votes, weight FROM pair_count_identities WHERE weight <> votes'),
    );
    return state;
  });
}

/** Loads every cell of these identities (before a fold recomputes their weights). */
export async function loadIdentities({ db, state, identities }: WithDb & { state: PairCountState; identities: readonly string[] }): Promise<void> {
  if (identities.length === 0) return;
  const client = await db!.$client.connect();
  try {
    for (let i = 0; i < identities.length; i += WRITE_BATCH) {
      const some = identities.slice(i, i + WRITE_BATCH);
      for (const identity of some) state.identityCells.delete(identity);
      addIdentityRows(
        state,
        await arrays<IdentityRow>(
          client,
          'SELECT identity, category, model_a, model_b, outcome, votes, weight FROM pair_count_identities WHERE identity = ANY($1::text[])',
          [some],
        ),
      );
    }
  } finally {
    client.release();
  }
}

/** Runs `read` on one connection in a read-only REPEATABLE READ transaction (one snapshot). */
async function inSnapshot<T>(db: PgDb, read: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.$client.connect();
  let ok = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const out = await read(client);
    await client.query('COMMIT');
    ok = true;
    return out;
  } finally {
    if (!ok) await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

// The SQLite twin's columns, its 0/1 integers included (booleans cast to int).
const voteColumns = `v.id, b.model_a, b.model_b, v.winner, b.language, b.is_code::int, b.prompt_chars, b.turns,
  CASE WHEN b.tags = '[]' THEN NULL ELSE b.tags END, (b.source = 'import')::int, ${IDENTITY_SQL}, v.created_at,
  coalesce((i.created_at = v.created_at)::int, 0), coalesce((b.anony = false)::int, 0), b.vision::int`;

/** Counted votes with afterVoteId < id <= upToVoteId in vote-time order (ties by id), in batches. */
export async function* iterateCountedVotes({
  db,
  afterVoteId,
  upToVoteId,
  batchSize = 10_000,
}: WithDb & { afterVoteId: number; upToVoteId: number; batchSize?: number }): AsyncGenerator<CountedVote[]> {
  const text = `SELECT ${voteColumns}
       FROM votes v
       JOIN battles b ON b.id = v.battle_id
       LEFT JOIN imports i ON i.id = b.import_id
      WHERE ${COUNTED_WHERE} AND v.id > $1 AND v.id <= $2
      ORDER BY v.created_at, v.id`;
  for await (const tuples of streamArrays<VoteTuple>(db!, text, [afterVoteId, upToVoteId], batchSize)) {
    const batch: CountedVote[] = [];
    for (const tuple of tuples) {
      const vote = countedVote(tuple);
      if (vote) batch.push(vote);
    }
    if (batch.length) yield batch;
  }
}

async function lockCounts(tx: PgExec): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY.toString()}::int8)`);
}

/** Writes rows of columns in batches: `insert(arrays)` gets one array per column. */
async function inBatches<R extends unknown[]>(list: R[], columns: number, insert: (cols: unknown[][]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < list.length; i += WRITE_BATCH) {
    const cols: unknown[][] = Array.from({ length: columns }, () => []);
    for (const r of list.slice(i, i + WRITE_BATCH)) for (let k = 0; k < columns; k++) cols[k].push(r[k]);
    await insert(cols);
  }
}

/**
 * Writes what the fold changed, unless the stored cursor is no longer the one the state was loaded
 * with (another fold saved meanwhile: its counts stand, and this one is dropped). One transaction,
 * under the counts' advisory lock: of two saves from the same cursor, one writes. Returns whether
 * it was written.
 */
export async function savePairCountState({
  db,
  state,
  loadedCursorText,
}: WithDb & { state: PairCountState; loadedCursorText: string | null }): Promise<boolean> {
  return db!.transaction(async (tx) => {
    await lockCounts(tx);
    if ((await cursorTextIn(tx)) !== loadedCursorText) return false;
    if (state.rebuilt) {
      await tx.execute(sql`DELETE FROM pair_counts`);
      await tx.execute(sql`DELETE FROM pair_count_identities`);
      await tx.execute(sql`DELETE FROM pair_count_models`);
    }
    const cells: [string, string, string, number, number][] = [];
    const models: [string, string, number, number | null][] = [];
    for (const [category, cc] of state.categories) {
      for (const key of state.rebuilt ? cc.cells.keys() : cc.dirtyCells) {
        const [a, b] = splitKey(key);
        const c = cc.cells.get(key)!;
        for (let o = 0; o < 4; o++) if (c[o] > 0) cells.push([category, a, b, o, c[o]]);
      }
      for (const name of state.rebuilt ? cc.models.keys() : cc.dirtyModels) {
        const m = cc.models.get(name)!;
        models.push([category, name, m.elo, m.firstVoteAt]);
      }
    }
    await inBatches(cells, 5, (c) =>
      tx.execute(sql`INSERT INTO pair_counts (category, model_a, model_b, outcome, votes)
        SELECT * FROM unnest(${sql.param(c[0])}::text[], ${sql.param(c[1])}::text[], ${sql.param(c[2])}::text[], ${sql.param(c[3])}::int8[], ${sql.param(c[4])}::int8[])
        ON CONFLICT (category, model_a, model_b, outcome) DO UPDATE SET votes = excluded.votes`),
    );
    await inBatches(models, 4, (c) =>
      tx.execute(sql`INSERT INTO pair_count_models (category, model, elo, first_vote_at)
        SELECT * FROM unnest(${sql.param(c[0])}::text[], ${sql.param(c[1])}::text[], ${sql.param(c[2])}::float8[], ${sql.param(c[3])}::int8[])
        ON CONFLICT (category, model) DO UPDATE SET elo = excluded.elo, first_vote_at = excluded.first_vote_at`),
    );
    const dirty = [...state.dirtyIdentities];
    if (!state.rebuilt) {
      for (let i = 0; i < dirty.length; i += WRITE_BATCH) {
        await tx.execute(sql`DELETE FROM pair_count_identities WHERE identity = ANY(${sql.param(dirty.slice(i, i + WRITE_BATCH))}::text[])`);
      }
    }
    const identityRows: [string, string, string, string, number, number, number][] = [];
    for (const identity of dirty) {
      for (const [ck, cell] of state.identityCells.get(identity)!) {
        const [category, a, b] = splitKey(ck);
        for (let o = 0; o < 4; o++) if (cell.votes[o] > 0) identityRows.push([identity, category, a, b, o, cell.votes[o], cell.weight[o]]);
      }
    }
    await inBatches(identityRows, 7, (c) =>
      tx.execute(sql`INSERT INTO pair_count_identities (identity, category, model_a, model_b, outcome, votes, weight)
        SELECT * FROM unnest(${sql.param(c[0])}::text[], ${sql.param(c[1])}::text[], ${sql.param(c[2])}::text[], ${sql.param(c[3])}::text[],
                             ${sql.param(c[4])}::int8[], ${sql.param(c[5])}::int8[], ${sql.param(c[6])}::float8[])`),
    );
    await tx.execute(sql`INSERT INTO settings (key, value, updated_at) VALUES (${STATE_KEY}, ${JSON.stringify(state.cursor)}, ${Date.now()})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    return true;
  });
}

/** See the SQLite twin: votes in an id range, in all and on battles whose id has the prefix. */
export async function countVotesInRange({
  db,
  afterVoteId,
  upToVoteId,
  battleIdPrefix,
}: WithDb & { afterVoteId: number; upToVoteId: number; battleIdPrefix: string }): Promise<{ all: number; matching: number }> {
  return (await row<{ all: number; matching: number }>(
    db!,
    sql`SELECT count(*) AS "all", count(*) FILTER (WHERE left(battle_id, ${battleIdPrefix.length}) = ${battleIdPrefix}) AS matching
          FROM votes WHERE id > ${afterVoteId} AND id <= ${upToVoteId}`,
  ))!;
}

/** Drops the stored counts (the next fold rebuilds them). */
export async function clearPairCounts({ db }: WithDb = {}): Promise<void> {
  await db!.transaction(async (tx) => {
    await lockCounts(tx);
    await tx.execute(sql`DELETE FROM pair_counts`);
    await tx.execute(sql`DELETE FROM pair_count_identities`);
    await tx.execute(sql`DELETE FROM pair_count_models`);
    await changes(tx, sql`DELETE FROM settings WHERE key = ${STATE_KEY}`);
  });
}
