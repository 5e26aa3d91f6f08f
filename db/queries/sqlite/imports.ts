import type Database from 'better-sqlite3';
import { getDb, type Db } from '../../index';
import { bumpRatingsInputSync } from './ratings-input';

/**
 * Bulk import of clean_battle records. Rows go in through prepared statements in batched
 * transactions (drizzle's per-row builders are far too slow for millions of battles), and each
 * batch commits on its own so the running app can still write votes in between.
 */

type Client = Database.Database;

export type ImportFormat = 'json' | 'jsonl' | 'csv';

export interface ImportRecord {
  /** 1-based record number in the file (used in battle ids, which keeps file order visible). */
  recordNo: number;
  modelA: string;
  modelB: string;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
  /** Unix ms. */
  createdAt: number;
  judge: string | null;
  turns: number;
  anony: boolean | null;
  language: string | null;
  questionId: string | null;
  isCode: boolean | null;
  promptChars: number | null;
  /** Custom tags (battles.tags); clean_battle files have none unless a tool added them. */
  tags?: string[];
  /** Style features of both sides from conv_metadata (JSON text), or null. */
  styleFeatures?: string | null;
  conversationA: { role: 'user' | 'assistant'; content: string }[] | null;
  conversationB: { role: 'user' | 'assistant'; content: string }[] | null;
}

export interface ImportRow {
  id: number;
  fileSha256: string;
  fileName: string;
  format: ImportFormat;
  importedCount: number;
  skippedCount: number;
  report: string;
  createdAt: number;
}

/** An import whose report still says "running" was cut short (crash, Ctrl-C). */
export const RUNNING_REPORT = '{"state":"running"}';

export async function findImportBySha256({ db = getDb(), sha256 }: { db?: Db; sha256: string }): Promise<ImportRow | null> {
  const row = db.$client
    .prepare(
      `SELECT id, file_sha256 AS fileSha256, file_name AS fileName, format, imported_count AS importedCount,
              skipped_count AS skippedCount, report, created_at AS createdAt
         FROM imports WHERE file_sha256 = ?`,
    )
    .get(sha256) as ImportRow | undefined;
  return row ?? null;
}

export async function listImports({ db = getDb() }: { db?: Db } = {}): Promise<ImportRow[]> {
  return db.$client
    .prepare(
      `SELECT id, file_sha256 AS fileSha256, file_name AS fileName, format, imported_count AS importedCount,
              skipped_count AS skippedCount, report, created_at AS createdAt
         FROM imports ORDER BY id`,
    )
    .all() as ImportRow[];
}

/** Registers the file before its rows go in (battles reference it); marked as running. */
export async function beginImport({
  db = getDb(),
  sha256,
  fileName,
  format,
  now = Date.now(),
}: {
  db?: Db;
  sha256: string;
  fileName: string;
  format: ImportFormat;
  now?: number;
}): Promise<number> {
  const info = db.$client
    .prepare(
      `INSERT INTO imports (file_sha256, file_name, format, imported_count, skipped_count, report, created_at)
       VALUES (?, ?, ?, 0, 0, ?, ?)`,
    )
    .run(sha256, fileName, format, RUNNING_REPORT, now);
  return Number(info.lastInsertRowid);
}

/** Removes everything an interrupted import left behind, so the file can be imported afresh. */
export async function discardImport({ db = getDb(), importId }: { db?: Db; importId: number }): Promise<number> {
  const c = db.$client;
  return c.transaction(() => {
    c.prepare(`DELETE FROM messages WHERE battle_id IN (SELECT id FROM battles WHERE import_id = ?)`).run(importId);
    c.prepare(`DELETE FROM votes WHERE battle_id IN (SELECT id FROM battles WHERE import_id = ?)`).run(importId);
    const removed = c.prepare(`DELETE FROM battles WHERE import_id = ?`).run(importId).changes;
    c.prepare(`DELETE FROM imports WHERE id = ?`).run(importId);
    if (removed > 0) bumpRatingsInputSync(c);
    return removed;
  })();
}

export async function finishImport({
  db = getDb(),
  importId,
  importedCount,
  skippedCount,
  report,
}: {
  db?: Db;
  importId: number;
  importedCount: number;
  skippedCount: number;
  report: string;
}): Promise<void> {
  db.$client
    .prepare(`UPDATE imports SET imported_count = ?, skipped_count = ?, report = ? WHERE id = ?`)
    .run(importedCount, skippedCount, report, importId);
}

/** Battle ids of an import sort in file order: "imp<import>-<record number, zero-padded>". */
export function importedBattleId(importId: number, recordNo: number): string {
  return `${importedBattleIdPrefix(importId)}${String(recordNo).padStart(9, '0')}`;
}

/** What every battle id of an import starts with (and no other import's). */
export function importedBattleIdPrefix(importId: number): string {
  return `imp${importId}-`;
}

interface Inserters {
  battle: Database.Statement;
  vote: Database.Statement;
  message: Database.Statement;
  batch: Database.Transaction<(importId: number, rows: ImportRecord[]) => void>;
}
const inserters = new WeakMap<Client, Inserters>();

function inserterFor(c: Client): Inserters {
  const hit = inserters.get(c);
  if (hit) return hit;
  const battle = c.prepare(
    `INSERT INTO battles (id, model_a, model_b, mode, sampling_probability, status, turns, question_id, language,
                          is_code, prompt_chars, tags, source, import_id, judge, anony, style_features, created_at, updated_at)
     VALUES (?, ?, ?, 'imported', NULL, 'voted', ?, ?, ?, ?, ?, ?, 'import', ?, ?, ?, ?, ?, ?)`,
  );
  const vote = c.prepare(
    `INSERT INTO votes (battle_id, winner, voter_id, excluded_reason, created_at) VALUES (?, ?, NULL, NULL, ?)`,
  );
  const message = c.prepare(
    // An imported answer is complete: finish_reason 'stop' (null would mean "still streaming").
    `INSERT INTO messages (battle_id, side, turn, role, content, superseded, finish_reason, created_at)
     VALUES (?, ?, ?, ?, ?, 0, CASE WHEN ? = 'assistant' THEN 'stop' END, ?)`,
  );
  const batch = c.transaction((importId: number, rows: ImportRecord[]) => {
    for (const r of rows) {
      const id = importedBattleId(importId, r.recordNo);
      battle.run(
        id,
        r.modelA,
        r.modelB,
        r.turns,
        r.questionId,
        r.language,
        r.isCode == null ? null : r.isCode ? 1 : 0,
        r.promptChars,
        r.tags?.length ? JSON.stringify(r.tags) : '[]',
        importId,
        r.judge,
        r.anony == null ? null : r.anony ? 1 : 0,
        r.styleFeatures ?? null,
        r.createdAt,
        r.createdAt,
      );
      vote.run(id, r.winner, r.createdAt);
      if (r.conversationA) insertConversation(message, id, 'a', r.conversationA, r.createdAt);
      if (r.conversationB) insertConversation(message, id, 'b', r.conversationB, r.createdAt);
    }
  });
  const made = { battle, vote, message, batch };
  inserters.set(c, made);
  return made;
}

function insertConversation(
  message: Database.Statement,
  battleId: string,
  side: 'a' | 'b',
  conversation: { role: 'user' | 'assistant'; content: string }[],
  createdAt: number,
): void {
  let turn = 0;
  for (const m of conversation) {
    if (m.role === 'user') turn++;
    message.run(battleId, side, Math.max(turn, 1), m.role, m.content, m.role, createdAt);
  }
}

/** Inserts one batch of records (battle + vote + conversation messages each) in one transaction. */
export async function insertImportBatch({
  db = getDb(),
  importId,
  rows,
}: {
  db?: Db;
  importId: number;
  rows: ImportRecord[];
}): Promise<void> {
  inserterFor(db.$client).batch.immediate(importId, rows);
}

/**
 * Writes an import's batches, in file order: `write` resolves when the next batch may be given,
 * `onWritten` hears of each batch once it is stored, `finish` waits for every batch (and throws
 * the first failure), `settle` waits for what is in flight whatever its outcome (before the
 * partial import is removed). Here each batch is one transaction, written at once.
 */
export interface ImportWriter {
  /** Records per batch: few enough that a batch holds the store's write lock briefly (live votes wait for it on SQLite), enough that each one's fixed cost is small. */
  batchSize: number;
  write(records: ImportRecord[]): Promise<void>;
  finish(): Promise<void>;
  settle(): Promise<void>;
}

export function openImportWriter({ db = getDb(), importId, onWritten }: { db?: Db; importId: number; onWritten?: (records: number) => void }): ImportWriter {
  return {
    batchSize: 5_000,
    async write(records) {
      await insertImportBatch({ db, importId, rows: records });
      onWritten?.(records.length);
    },
    async finish() {},
    async settle() {},
  };
}
