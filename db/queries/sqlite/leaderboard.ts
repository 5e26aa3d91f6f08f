import type Database from 'better-sqlite3';
import { getDb, type Db } from '../../index';

/**
 * Reads that feed the rating computation and the stored leaderboard snapshots. The hot paths use
 * better-sqlite3 prepared statements directly: a rating pass streams every counted battle once.
 */

type Client = Database.Database;

/**
 * A battle counts for ratings when it was voted and its vote was not excluded (identity leak,
 * failed side, ...), and it is not a study's judgment (studies are rated on their own). This
 * predicate is the single definition of "counted".
 */
export const COUNTED_WHERE = `b.status = 'voted' AND v.excluded_reason IS NULL AND b.study_id IS NULL`;

/**
 * Who cast a vote, for bounded influence (lib/integrity/influence.ts): the account, else the
 * browser, of a battle fought here; null for an imported one. The one definition: the weights
 * count and apply to the same votes.
 */
export const IDENTITY_SQL = `CASE WHEN b.source = 'arena' THEN coalesce('user:' || b.user_id, 'voter:' || v.voter_id) END`;

/**
 * One counted battle as the rating pass reads it: a plain array (better-sqlite3's raw mode), which
 * costs far less per row than an object when millions of rows stream by.
 */
export type CountedBattleTuple = [
  voteId: number,
  modelA: string,
  modelB: string,
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)',
  language: string | null,
  isCode: number | null,
  promptChars: number | null,
  turns: number,
  /** JSON array of tags; null when there are none. */
  tags: string | null,
  /** 1 for an imported battle, 0 for one fought here. */
  imported: number,
  /** Imported style features (battles.style_features), or null. */
  styleFeatures: string | null,
  /** Who voted (`user:<id>` / `voter:<id>`) for battles fought here; null for imported ones. */
  identity: string | null,
  /** Vote time (unix ms): the clean_battle tstamp of an imported battle, else when the vote was cast. */
  voteAt: number,
  /** 1 for an imported battle whose record had no tstamp (it carries its import's time and keeps file order). */
  untimed: number,
  /** 1 for a battle that was not anonymous (battles.anony = 0: side by side here, or an import's anony false). */
  named: number,
  /** 1 for a battle whose prompt carried an image. */
  vision: number,
  /** With `withAnswers`: JSON arrays of the two sides' current answers ("[]" when none). */
  answersA?: string,
  answersB?: string,
];

/** Highest vote id: votes are append-only, so it tells whether anything arrived since a snapshot. */
export async function latestVoteId({ db = getDb() }: { db?: Db } = {}): Promise<number> {
  const row = db.$client.prepare('SELECT coalesce(max(id), 0) AS id FROM votes').get() as { id: number };
  return row.id;
}

function answersJson(side: 'a' | 'b'): string {
  return `(SELECT json_group_array(content) FROM (SELECT content FROM messages
             WHERE battle_id = b.id AND side = '${side}' AND role = 'assistant' AND superseded = 0
             ORDER BY turn, id))`;
}

/**
 * Every counted battle with a vote id up to `upToVoteId`, in vote-time order (ties by vote id, so
 * an imported file keeps its order), in batches. One streaming query: memory stays flat however
 * many battles there are. An imported record without a tstamp was stored with its import's time
 * (lib/leaderboard/import-battles.ts), which is how `untimed` recognises it. With `withAnswers`, each row carries its sides' current answers (for
 * style features), built inside the same query because an iterating connection cannot run
 * another statement.
 */
export async function* iterateCountedBattles({
  db = getDb(),
  upToVoteId,
  withAnswers = false,
  batchSize = 5_000,
}: {
  db?: Db;
  upToVoteId: number;
  withAnswers?: boolean;
  batchSize?: number;
}): AsyncGenerator<CountedBattleTuple[]> {
  const s = db.$client.prepare(`SELECT v.id, b.model_a, b.model_b, v.winner, b.language, b.is_code, b.prompt_chars, b.turns,
            CASE WHEN b.tags = '[]' THEN NULL ELSE b.tags END, b.source = 'import', b.style_features,
            ${IDENTITY_SQL},
            v.created_at, coalesce(i.created_at = v.created_at, 0), coalesce(b.anony = 0, 0), b.vision
            ${withAnswers ? `, ${answersJson('a')}, ${answersJson('b')}` : ''}
       FROM votes v INDEXED BY votes_created_idx
       JOIN battles b ON b.id = v.battle_id
       LEFT JOIN imports i ON i.id = b.import_id
      WHERE ${COUNTED_WHERE} AND v.id <= ?
      ORDER BY v.created_at, v.id`,
  );
  let batch: CountedBattleTuple[] = [];
  for (const row of s.raw(true).iterate(upToVoteId) as IterableIterator<CountedBattleTuple>) {
    batch.push(row);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Identity and models of every counted vote cast here (not imported) up to a vote id: what
 * bounded influence counts (lib/integrity/influence.ts). Read through the index of battles fought
 * here, so a store of imported battles costs nothing here.
 */
export function* countedArenaVotes({ db = getDb(), upToVoteId }: { db?: Db; upToVoteId: number }): Generator<{ identity: string | null; modelA: string; modelB: string }> {
  yield* db.$client.prepare(`SELECT ${IDENTITY_SQL} AS identity, b.model_a AS modelA, b.model_b AS modelB
       FROM battles b INDEXED BY battles_arena_idx
       JOIN votes v ON v.battle_id = b.id
      WHERE b.source = 'arena' AND ${COUNTED_WHERE} AND v.id <= ?`,
  ).iterate(upToVoteId) as IterableIterator<{ identity: string | null; modelA: string; modelB: string }>;
}

/** Whether the counted battles come from both sources (then each gets a board of its own). */
export async function hasBothSources({ db = getDb() }: { db?: Db } = {}): Promise<boolean> {
  const has = (source: string) =>
    (
      db.$client.prepare(`SELECT EXISTS (SELECT 1 FROM battles b JOIN votes v ON v.battle_id = b.id WHERE b.source = ? AND ${COUNTED_WHERE}) AS yes`,
      ).get(source) as { yes: number }
    ).yes === 1;
  return has('arena') && has('import');
}

/** Whether any battle has stored messages (style features need them). */
export async function hasStoredAnswers({ db = getDb() }: { db?: Db } = {}): Promise<boolean> {
  const row = db.$client.prepare(`SELECT EXISTS (SELECT 1 FROM messages WHERE role = 'assistant') AS yes`).get() as { yes: number };
  return row.yes === 1;
}

// --- snapshots ---------------------------------------------------------------------------

export interface SnapshotRow extends NewSnapshot {
  id: number;
}

const SNAPSHOT_COLUMNS = `id, category, style_control AS styleControl, method, params, battle_count AS battleCount,
  data_hash AS dataHash, result, created_at AS createdAt`;

function toSnapshot(row: (Omit<SnapshotRow, 'styleControl'> & { styleControl: number }) | undefined): SnapshotRow | null {
  return row ? { ...row, styleControl: row.styleControl === 1 } : null;
}

/** The newest snapshot of one board, or null. */
export async function latestSnapshot({
  db = getDb(),
  category,
  styleControl,
}: {
  db?: Db;
  category: string;
  styleControl: boolean;
}): Promise<SnapshotRow | null> {
  return toSnapshot(
    db.$client.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM rating_snapshots
        WHERE category = ? AND style_control = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
    ).get(category, styleControl ? 1 : 0) as never,
  );
}

/** Id and parameters of the newest snapshot of one board (cheap: lets callers reuse a parsed copy). */
export async function latestSnapshotHead({
  db = getDb(),
  category,
  styleControl,
}: {
  db?: Db;
  category: string;
  styleControl: boolean;
}): Promise<{ id: number; params: string; dataHash: string } | null> {
  const row = db.$client.prepare(`SELECT id, params, data_hash AS dataHash FROM rating_snapshots WHERE category = ? AND style_control = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(category, styleControl ? 1 : 0) as { id: number; params: string; dataHash: string } | undefined;
  return row ?? null;
}

export async function snapshotById({ db = getDb(), id }: { db?: Db; id: number }): Promise<SnapshotRow | null> {
  return toSnapshot(db.$client.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM rating_snapshots WHERE id = ?`).get(id) as never);
}

export interface SnapshotSummary {
  id: number;
  category: string;
  styleControl: boolean;
  battleCount: number;
  params: string;
  createdAt: number;
}

/** The newest snapshot of every board, without results: what the category selector lists. */
export async function latestSnapshotSummaries({ db = getDb() }: { db?: Db } = {}): Promise<SnapshotSummary[]> {
  const rows = db.$client.prepare(`SELECT id, category, style_control AS styleControl, battle_count AS battleCount, params, created_at AS createdAt
       FROM (SELECT *, row_number() OVER (PARTITION BY category, style_control ORDER BY created_at DESC, id DESC) AS rn
               FROM rating_snapshots WHERE method <> '${HISTORY_METHOD}')
      WHERE rn = 1
      ORDER BY battle_count DESC, category`,
  ).all() as (Omit<SnapshotSummary, 'styleControl'> & { styleControl: number })[];
  return rows.map((r) => ({ ...r, styleControl: r.styleControl === 1 }));
}

// --- rating history by vote time ---------------------------------------------------------

/**
 * A board's rating history (the board as of each day, lib/leaderboard/history.ts) is stored as
 * one row of rating_snapshots with this method and the category `history:<board category>`, so
 * that it needs no table of its own; only the newest row of each is kept, and the board queries
 * above never see these rows (no board category starts with "history:").
 */
export const HISTORY_METHOD = 'history';

export function historyCategory(category: string): string {
  return `history:${category}`;
}

/** Replaces the stored history of a board. */
export async function saveHistory({
  db = getDb(),
  category,
  params,
  battleCount,
  dataHash,
  result,
  createdAt,
}: {
  db?: Db;
  category: string;
  params: string;
  battleCount: number;
  dataHash: string;
  result: string;
  createdAt: number;
}): Promise<number> {
  const client = db.$client;
  const key = historyCategory(category);
  return client.transaction(() => {
    client.prepare(`DELETE FROM rating_snapshots WHERE category = ? AND method = '${HISTORY_METHOD}'`).run(key);
    const info = client.prepare(`INSERT INTO rating_snapshots (category, style_control, method, params, battle_count, data_hash, result, created_at)
       VALUES (?, 0, '${HISTORY_METHOD}', ?, ?, ?, ?, ?)`,
    ).run(key, params, battleCount, dataHash, result, createdAt);
    return Number(info.lastInsertRowid);
  }).immediate();
}

/** Id of the stored history of a board (cheap: lets readers reuse a parsed copy), or null. */
export async function historyHead({ db = getDb(), category }: { db?: Db; category: string }): Promise<{ id: number } | null> {
  const row = db.$client.prepare(`SELECT id FROM rating_snapshots WHERE category = ? AND method = '${HISTORY_METHOD}' ORDER BY id DESC LIMIT 1`).get(
    historyCategory(category),
  ) as { id: number } | undefined;
  return row ?? null;
}

/** The stored history of a board: its parameters and result (JSON), or null. */
export async function readHistoryRow({ db = getDb(), category }: { db?: Db; category: string }): Promise<{ id: number; params: string; result: string; createdAt: number } | null> {
  const row = db.$client.prepare(`SELECT id, params, result, created_at AS createdAt FROM rating_snapshots WHERE category = ? AND method = '${HISTORY_METHOD}' ORDER BY id DESC LIMIT 1`,
  ).get(historyCategory(category)) as { id: number; params: string; result: string; createdAt: number } | undefined;
  return row ?? null;
}

/** First and last vote time (unix ms) of the counted battles up to a vote id; null without any. */
export async function countedVoteTimeRange({ db = getDb(), upToVoteId }: { db?: Db; upToVoteId: number }): Promise<{ first: number; last: number } | null> {
  // Walks the vote-time index from either end to the first counted battle: no full scan.
  const edge = (dir: 'ASC' | 'DESC') =>
    db.$client.prepare(`SELECT v.created_at AS at FROM votes v INDEXED BY votes_created_idx JOIN battles b ON b.id = v.battle_id
        WHERE ${COUNTED_WHERE} AND v.id <= ? ORDER BY v.created_at ${dir} LIMIT 1`,
    ).get(upToVoteId) as { at: number } | undefined;
  const first = edge('ASC');
  const last = edge('DESC');
  return first && last ? { first: first.at, last: last.at } : null;
}

export interface NewSnapshot {
  category: string;
  styleControl: boolean;
  method: string;
  params: string;
  battleCount: number;
  dataHash: string;
  result: string;
  createdAt: number;
  /**
   * The board's data did not change since its newest snapshot (same data hash): store nothing new,
   * only move that snapshot's cut-off to these params. `result` is then not read.
   */
  unchanged?: boolean;
}

/**
 * Stores a snapshot unless the board's newest one already has the same data and parameters
 * (then that one is kept and only its data cut-off, params.upToVoteId, moves forward). Older snapshots are thinned so history stays small:
 * one per hour for the last two days, one per day before that; only the newest keeps the
 * per-pair tallies and the rating covariance (the heatmaps and the model page need them).
 */
export async function saveSnapshot({ db = getDb(), snapshot }: { db?: Db; snapshot: NewSnapshot }): Promise<{ id: number; created: boolean }> {
  const [saved] = await saveSnapshots({ db, snapshots: [snapshot] });
  return saved;
}

/**
 * Stores the boards of one rating pass in one transaction, so a reader never sees a pass half
 * written: every board of the newest pass shares its data cut-off, and a board left out of it
 * (its language or tag fell out of the most voted) keeps an older one.
 */
export async function saveSnapshots({ db = getDb(), snapshots }: { db?: Db; snapshots: NewSnapshot[] }): Promise<{ id: number; created: boolean }[]> {
  const client = db.$client;
  const saveOne = (s: NewSnapshot): { id: number; created: boolean } => {
    const style = s.styleControl ? 1 : 0;
    const prev = client.prepare(`SELECT id, data_hash AS dataHash, params FROM rating_snapshots
        WHERE category = ? AND style_control = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
    ).get(s.category, style) as { id: number; dataHash: string; params: string } | undefined;
    // Two passes may store the same board (the fast one from the counts, the full one over every
    // battle, which started earlier): a board never replaces one that counted more, and a plain
    // board from the counts is not replaced by the full pass's of the same input (the same board,
    // up to the last bits of sums in another order).
    if (prev && (isNewer(prev.params, s.params) || (!s.styleControl && passOf(s.params) === 'full' && passOf(prev.params) === 'counts' && !isNewer(s.params, prev.params)))) {
      return { id: prev.id, created: false };
    }
    if (s.unchanged) {
      // A board whose counts did not change: only its cut-off moves (unless another pass stored a different one meanwhile).
      if (prev && prev.dataHash === s.dataHash) client.prepare('UPDATE rating_snapshots SET params = ? WHERE id = ?').run(s.params, prev.id);
      return { id: prev?.id ?? 0, created: false };
    }
    if (prev && prev.dataHash === s.dataHash && sameParams(prev.params, s.params)) {
      // Same counted data: the stored result stands, now known to be current through a later vote.
      client.prepare('UPDATE rating_snapshots SET params = ? WHERE id = ?').run(s.params, prev.id);
      return { id: prev.id, created: false };
    }

    const info = client.prepare(`INSERT INTO rating_snapshots (category, style_control, method, params, battle_count, data_hash, result, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.category, style, s.method, s.params, s.battleCount, s.dataHash, s.result, s.createdAt);
    const id = Number(info.lastInsertRowid);

    client.prepare(`DELETE FROM rating_snapshots WHERE id IN (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY bucket ORDER BY created_at DESC, id DESC) AS rn
             FROM (SELECT id, created_at,
                          CASE WHEN created_at >= ? THEN created_at / 3600000 ELSE -(created_at / 86400000) END AS bucket
                     FROM rating_snapshots WHERE category = ? AND style_control = ?))
          WHERE rn > 1)`,
    ).run(s.createdAt - 2 * 86_400_000, s.category, style);
    client.prepare(`UPDATE rating_snapshots SET result = json_remove(result, '$.pairs', '$.covariance')
        WHERE category = ? AND style_control = ? AND id <> ? AND json_type(result, '$.pairs') IS NOT NULL`,
    ).run(s.category, style, id);
    return { id, created: true };
  };
  return client.transaction((list: NewSnapshot[]) => list.map(saveOne)).immediate(snapshots);
}

export function passOf(params: string): string | null {
  try {
    return (JSON.parse(params) as { pass?: string }).pass ?? null;
  } catch {
    return null;
  }
}

/** Whether the stored parameters `a` record a later input (version, then vote id) than `b`. */
export function isNewer(a: string, b: string): boolean {
  try {
    const x = JSON.parse(a) as { upToVoteId?: number; inputVersion?: number };
    const y = JSON.parse(b) as { upToVoteId?: number; inputVersion?: number };
    const vx = x.inputVersion ?? 0;
    const vy = y.inputVersion ?? 0;
    return vx > vy || (vx === vy && (x.upToVoteId ?? 0) > (y.upToVoteId ?? 0));
  } catch {
    return false;
  }
}

/** Parameters compared without the data cut-off and input version, which move with every vote. */
export function sameParams(a: string, b: string): boolean {
  const strip = (t: string) => {
    try {
      const { upToVoteId: _cutOff, inputVersion: _version, pass: _pass, ...rest } = JSON.parse(t) as Record<string, unknown>;
      return JSON.stringify(rest);
    } catch {
      return t;
    }
  };
  return strip(a) === strip(b);
}
