import { and, desc, eq, sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import { ratingSnapshots } from '../../schema-pg';
import {
  COUNTED_WHERE,
  HISTORY_METHOD,
  historyCategory,
  IDENTITY_SQL,
  isNewer,
  passOf,
  sameParams,
  type CountedBattleTuple,
  type NewSnapshot,
  type SnapshotRow,
  type SnapshotSummary,
} from '../sqlite/leaderboard';
import { row, rows, streamArrays, type PgExec } from './exec';

/**
 * Postgres twin of db/queries/sqlite/leaderboard.ts (whose comments say what each read means).
 * COUNTED_WHERE and IDENTITY_SQL are the same text on both. Neither stream holds a whole result:
 * the counted battles come through a cursor in vote-time order, the arena votes in pages by vote id.
 */

type WithDb = { db?: PgDb };

const COUNTED = sql.raw(COUNTED_WHERE);
const IDENTITY = sql.raw(IDENTITY_SQL);

/** Every snapshot write (boards and histories) holds this lock: a pass reads the newest of a board, then writes. */
const SNAPSHOT_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('pairwise:rating_snapshots'))`;

export async function latestVoteId({ db }: WithDb = {}): Promise<number> {
  const r = await row<{ id: number }>(db!, sql`SELECT coalesce(max(id), 0) AS id FROM votes`);
  return r!.id;
}

/** A side's current answers, as an array (text[]): JSON text is made in JS, the same text SQLite's json_group_array gives. */
const ANSWERS_ARRAY = (side: 'a' | 'b') => `(SELECT array_agg(content ORDER BY turn, id) FROM messages
             WHERE battle_id = b.id AND side = '${side}' AND role = 'assistant' AND superseded = false)`;

export async function* iterateCountedBattles({
  db,
  upToVoteId,
  withAnswers = false,
  batchSize = 5_000,
}: {
  db?: PgDb;
  upToVoteId: number;
  withAnswers?: boolean;
  batchSize?: number;
}): AsyncGenerator<CountedBattleTuple[]> {
  // One statement through a cursor, as the SQLite twin reads them: one snapshot, and one plan for
  // the whole result (a hash join and a sort) instead of an index walk per page.
  const answers = withAnswers ? `, ${ANSWERS_ARRAY('a')}, ${ANSWERS_ARRAY('b')}` : '';
  const text = `SELECT v.id, b.model_a, b.model_b, v.winner, b.language, b.is_code::int, b.prompt_chars, b.turns,
                       CASE WHEN b.tags = '[]' THEN NULL ELSE b.tags END, (b.source = 'import')::int,
                       b.style_features, ${IDENTITY_SQL}, v.created_at, coalesce((i.created_at = v.created_at)::int, 0),
                       coalesce((NOT b.anony)::int, 0), b.vision::int ${answers}
                  FROM votes v
                  JOIN battles b ON b.id = v.battle_id
                  LEFT JOIN imports i ON i.id = b.import_id
                 WHERE ${COUNTED_WHERE} AND v.id <= $1
                 ORDER BY v.created_at, v.id`;
  for await (const page of streamArrays<unknown[]>(db!, text, [upToVoteId], batchSize)) {
    yield page.map((r) => {
      const t = r.slice(0, 16) as unknown as CountedBattleTuple;
      // The answers as the JSON text of an array, as SQLite's json_group_array gives them.
      if (withAnswers) t.push(JSON.stringify(r[16] ?? []), JSON.stringify(r[17] ?? []));
      return t;
    });
  }
}

export type ArenaVote = { identity: string | null; modelA: string; modelB: string };

/** countedArenaVotes of the SQLite twin, in batches by vote id. */
export async function* iterateCountedArenaVotes({
  db,
  upToVoteId,
  batchSize = 50_000,
}: {
  db?: PgDb;
  upToVoteId: number;
  batchSize?: number;
}): AsyncGenerator<Iterable<ArenaVote>> {
  let after = 0;
  for (;;) {
    const page = await rows<ArenaVote & { id: number }>(
      db!,
      sql`SELECT v.id, ${IDENTITY} AS identity, b.model_a AS "modelA", b.model_b AS "modelB"
            FROM votes v
            JOIN battles b ON b.id = v.battle_id
           WHERE b.source = 'arena' AND ${COUNTED} AND v.id > ${after} AND v.id <= ${upToVoteId}
           ORDER BY v.id
           LIMIT ${batchSize}`,
    );
    if (page.length === 0) return;
    after = page[page.length - 1].id;
    yield page.map(({ identity, modelA, modelB }) => ({ identity, modelA, modelB }));
    if (page.length < batchSize) return;
  }
}

export async function hasBothSources({ db }: WithDb = {}): Promise<boolean> {
  const has = async (source: string) =>
    (await row<{ yes: boolean }>(
      db!,
      sql`SELECT EXISTS (SELECT 1 FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.source = ${source} AND ${COUNTED}) AS yes`,
    ))!.yes;
  return (await has('arena')) && (await has('import'));
}

export async function hasStoredAnswers({ db }: WithDb = {}): Promise<boolean> {
  const r = await row<{ yes: boolean }>(db!, sql`SELECT EXISTS (SELECT 1 FROM messages WHERE role = 'assistant') AS yes`);
  return r!.yes;
}

// --- snapshots ---------------------------------------------------------------------------

const SNAPSHOT_COLUMNS = {
  id: ratingSnapshots.id,
  category: ratingSnapshots.category,
  styleControl: ratingSnapshots.styleControl,
  method: ratingSnapshots.method,
  params: ratingSnapshots.params,
  battleCount: ratingSnapshots.battleCount,
  dataHash: ratingSnapshots.dataHash,
  result: ratingSnapshots.result,
  createdAt: ratingSnapshots.createdAt,
};

const newestFirst = [desc(ratingSnapshots.createdAt), desc(ratingSnapshots.id)];

const ofBoard = (category: string, styleControl: boolean) =>
  and(eq(ratingSnapshots.category, category), eq(ratingSnapshots.styleControl, styleControl));

export async function latestSnapshot({ db, category, styleControl }: WithDb & { category: string; styleControl: boolean }): Promise<SnapshotRow | null> {
  const [r] = await db!.select(SNAPSHOT_COLUMNS).from(ratingSnapshots).where(ofBoard(category, styleControl)).orderBy(...newestFirst).limit(1);
  return r ?? null;
}

export async function latestSnapshotHead({
  db,
  category,
  styleControl,
}: WithDb & { category: string; styleControl: boolean }): Promise<{ id: number; params: string; dataHash: string } | null> {
  const [r] = await db!
    .select({ id: ratingSnapshots.id, params: ratingSnapshots.params, dataHash: ratingSnapshots.dataHash })
    .from(ratingSnapshots)
    .where(ofBoard(category, styleControl))
    .orderBy(...newestFirst)
    .limit(1);
  return r ?? null;
}

export async function snapshotById({ db, id }: WithDb & { id: number }): Promise<SnapshotRow | null> {
  const [r] = await db!.select(SNAPSHOT_COLUMNS).from(ratingSnapshots).where(eq(ratingSnapshots.id, id));
  return r ?? null;
}

export async function latestSnapshotSummaries({ db }: WithDb = {}): Promise<SnapshotSummary[]> {
  return rows<SnapshotSummary>(
    db!,
    sql`SELECT id, category, style_control AS "styleControl", battle_count AS "battleCount", params, created_at AS "createdAt"
          FROM (SELECT *, row_number() OVER (PARTITION BY category, style_control ORDER BY created_at DESC, id DESC) AS rn
                  FROM rating_snapshots WHERE method <> ${HISTORY_METHOD}) AS s
         WHERE rn = 1
         ORDER BY battle_count DESC, category`,
  );
}

// --- rating history by vote time ---------------------------------------------------------

export async function saveHistory({
  db,
  category,
  params,
  battleCount,
  dataHash,
  result,
  createdAt,
}: WithDb & {
  category: string;
  params: string;
  battleCount: number;
  dataHash: string;
  result: string;
  createdAt: number;
}): Promise<number> {
  const key = historyCategory(category);
  return db!.transaction(async (tx) => {
    // Two writers at once would both delete, then both insert: one lock, and one row stays.
    await tx.execute(SNAPSHOT_LOCK);
    await tx.execute(sql`DELETE FROM rating_snapshots WHERE category = ${key} AND method = ${HISTORY_METHOD}`);
    const r = await row<{ id: number }>(
      tx,
      sql`INSERT INTO rating_snapshots (category, style_control, method, params, battle_count, data_hash, result, created_at)
          VALUES (${key}, false, ${HISTORY_METHOD}, ${params}, ${battleCount}, ${dataHash}, ${result}, ${createdAt}) RETURNING id`,
    );
    return r!.id;
  });
}

export async function historyHead({ db, category }: WithDb & { category: string }): Promise<{ id: number } | null> {
  const r = await row<{ id: number }>(
    db!,
    sql`SELECT id FROM rating_snapshots WHERE category = ${historyCategory(category)} AND method = ${HISTORY_METHOD} ORDER BY id DESC LIMIT 1`,
  );
  return r ?? null;
}

export async function readHistoryRow({
  db,
  category,
}: WithDb & { category: string }): Promise<{ id: number; params: string; result: string; createdAt: number } | null> {
  const r = await row<{ id: number; params: string; result: string; createdAt: number }>(
    db!,
    sql`SELECT id, params, result, created_at AS "createdAt" FROM rating_snapshots
         WHERE category = ${historyCategory(category)} AND method = ${HISTORY_METHOD} ORDER BY id DESC LIMIT 1`,
  );
  return r ?? null;
}

export async function countedVoteTimeRange({ db, upToVoteId }: WithDb & { upToVoteId: number }): Promise<{ first: number; last: number } | null> {
  const edge = async (dir: 'ASC' | 'DESC') =>
    row<{ at: number }>(
      db!,
      sql`SELECT v.created_at AS at FROM votes v JOIN battles b ON b.id = v.battle_id
           WHERE ${COUNTED} AND v.id <= ${upToVoteId} ORDER BY v.created_at ${sql.raw(dir)} LIMIT 1`,
    );
  const first = await edge('ASC');
  const last = await edge('DESC');
  return first && last ? { first: first.at, last: last.at } : null;
}

export async function saveSnapshot({ db, snapshot }: WithDb & { snapshot: NewSnapshot }): Promise<{ id: number; created: boolean }> {
  const [saved] = await saveSnapshots({ db, snapshots: [snapshot] });
  return saved;
}

/** Without the per-pair tallies and the covariance, in JS: the same text SQLite's json_remove leaves of JSON.stringify's. */
function stripDetail(result: string): string {
  const r = JSON.parse(result) as Record<string, unknown>;
  delete r.pairs;
  delete r.covariance;
  return JSON.stringify(r);
}

async function saveOne(tx: PgExec, s: NewSnapshot): Promise<{ id: number; created: boolean }> {
  const prev = await row<{ id: number; dataHash: string; params: string }>(
    tx,
    sql`SELECT id, data_hash AS "dataHash", params FROM rating_snapshots
         WHERE category = ${s.category} AND style_control = ${s.styleControl} ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  if (prev && (isNewer(prev.params, s.params) || (!s.styleControl && passOf(s.params) === 'full' && passOf(prev.params) === 'counts' && !isNewer(s.params, prev.params)))) {
    return { id: prev.id, created: false };
  }
  if (s.unchanged) {
    if (prev && prev.dataHash === s.dataHash) await tx.execute(sql`UPDATE rating_snapshots SET params = ${s.params} WHERE id = ${prev.id}`);
    return { id: prev?.id ?? 0, created: false };
  }
  if (prev && prev.dataHash === s.dataHash && sameParams(prev.params, s.params)) {
    await tx.execute(sql`UPDATE rating_snapshots SET params = ${s.params} WHERE id = ${prev.id}`);
    return { id: prev.id, created: false };
  }
  const inserted = await row<{ id: number }>(
    tx,
    sql`INSERT INTO rating_snapshots (category, style_control, method, params, battle_count, data_hash, result, created_at)
        VALUES (${s.category}, ${s.styleControl}, ${s.method}, ${s.params}, ${s.battleCount}, ${s.dataHash}, ${s.result}, ${s.createdAt})
        RETURNING id`,
  );
  const id = inserted!.id;
  await tx.execute(sql`DELETE FROM rating_snapshots WHERE id IN (
       SELECT id FROM (
         SELECT id, row_number() OVER (PARTITION BY bucket ORDER BY created_at DESC, id DESC) AS rn
           FROM (SELECT id, created_at,
                        CASE WHEN created_at >= ${s.createdAt - 2 * 86_400_000}::int8 THEN created_at / 3600000 ELSE -(created_at / 86400000) END AS bucket
                   FROM rating_snapshots WHERE category = ${s.category} AND style_control = ${s.styleControl}) AS t) AS ranked
        WHERE rn > 1)`);
  const detailed = await rows<{ id: number; result: string }>(
    tx,
    sql`SELECT id, result FROM rating_snapshots
         WHERE category = ${s.category} AND style_control = ${s.styleControl} AND id <> ${id} 
           AND position('"pairs":' in result) > 0 AND (result::jsonb ? 'pairs')`,
  );
  for (const d of detailed) await tx.execute(sql`UPDATE rating_snapshots SET result = ${stripDetail(d.result)} WHERE id = ${d.id}`);
  return { id, created: true };
}

export async function saveSnapshots({ db, snapshots }: WithDb & { snapshots: NewSnapshot[] }): Promise<{ id: number; created: boolean }[]> {
  return db!.transaction(async (tx) => {
    // SQLite's write transaction holds off every other writer from the first read of the newest
    // board to the last write; here one lock does (another pass saving at the same time waits).
    await tx.execute(SNAPSHOT_LOCK);
    const saved: { id: number; created: boolean }[] = [];
    for (const s of snapshots) saved.push(await saveOne(tx, s));
    return saved;
  });
}
