import { sql, type SQL } from 'drizzle-orm';
import { copyRows } from '../../pg-copy';
import type { PoolClient } from 'pg';
import type { PgDb } from '../../postgres';
import { importedBattleId, RUNNING_REPORT, type ImportFormat, type ImportRecord, type ImportRow, type ImportWriter } from '../sqlite/imports';
import { changes, row, rows, type PgExec } from './exec';
import { bumpRatingsInputIn } from './ratings-input';

/**
 * Postgres twin of db/queries/sqlite/imports.ts. A batch goes in with one COPY per table in one
 * transaction, on one of the pool's connections: a statement per row would make a million-battle
 * file take hours, and even multi-row INSERTs (parameters built and bound for every value) cost
 * several times what COPY does.
 */

/** Postgres refuses a statement with more bind parameters than this. */
export const MAX_PARAMS = 65_535;

const IMPORT_COLUMNS = sql.raw(`id, file_sha256 AS "fileSha256", file_name AS "fileName", format, imported_count AS "importedCount",
  skipped_count AS "skippedCount", report, created_at AS "createdAt"`);

export async function findImportBySha256({ db, sha256 }: { db?: PgDb; sha256: string }): Promise<ImportRow | null> {
  return (await row<ImportRow>(db!, sql`SELECT ${IMPORT_COLUMNS} FROM imports WHERE file_sha256 = ${sha256}`)) ?? null;
}

export async function listImports({ db }: { db?: PgDb } = {}): Promise<ImportRow[]> {
  return rows<ImportRow>(db!, sql`SELECT ${IMPORT_COLUMNS} FROM imports ORDER BY id`);
}

export async function beginImport({
  db,
  sha256,
  fileName,
  format,
  now = Date.now(),
}: {
  db?: PgDb;
  sha256: string;
  fileName: string;
  format: ImportFormat;
  now?: number;
}): Promise<number> {
  const r = await row<{ id: number }>(
    db!,
    sql`INSERT INTO imports (file_sha256, file_name, format, imported_count, skipped_count, report, created_at)
        VALUES (${sha256}, ${fileName}, ${format}, 0, 0, ${RUNNING_REPORT}, ${now}) RETURNING id`,
  );
  return r!.id;
}

export async function discardImport({ db, importId }: { db?: PgDb; importId: number }): Promise<number> {
  return db!.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM messages WHERE battle_id IN (SELECT id FROM battles WHERE import_id = ${importId})`);
    await tx.execute(sql`DELETE FROM votes WHERE battle_id IN (SELECT id FROM battles WHERE import_id = ${importId})`);
    const removed = await changes(tx, sql`DELETE FROM battles WHERE import_id = ${importId}`);
    await tx.execute(sql`DELETE FROM imports WHERE id = ${importId}`);
    if (removed > 0) await bumpRatingsInputIn(tx);
    return removed;
  });
}

export async function finishImport({
  db,
  importId,
  importedCount,
  skippedCount,
  report,
}: {
  db?: PgDb;
  importId: number;
  importedCount: number;
  skippedCount: number;
  report: string;
}): Promise<void> {
  await db!.execute(
    sql`UPDATE imports SET imported_count = ${importedCount}, skipped_count = ${skippedCount}, report = ${report} WHERE id = ${importId}`,
  );
  // Fresh statistics after a bulk load (as pg_restore leaves them): the rating passes that read
  // every vote next would otherwise be planned on an empty table's (index walks, not hash joins).
  if (importedCount > 0) await db!.execute(sql`ANALYZE battles, votes, messages`);
}

export type Value = string | number | boolean | null;

/**
 * `INSERT INTO <head> VALUES (…), (…)` for the rows, as few statements as the parameter limit
 * allows. Each row is an array of its values in the order of the columns in `head`.
 */
export async function insertRows(db: PgExec, head: SQL, values: Value[][]): Promise<void> {
  if (values.length === 0) return;
  const perRow = values[0].length;
  const chunk = Math.max(1, Math.floor(MAX_PARAMS / perRow));
  for (let i = 0; i < values.length; i += chunk) {
    const tuples = values.slice(i, i + chunk).map((v) => sql`${v}`); // an array becomes "($1, $2, …)"
    await db.execute(sql`INSERT INTO ${head} VALUES ${sql.join(tuples, sql.raw(', '))}`);
  }
}

const BATTLE_HEAD = `battles (id, model_a, model_b, mode, sampling_probability, status, turns, question_id, language,
  is_code, prompt_chars, tags, source, import_id, judge, anony, style_features, created_at, updated_at)`;
const VOTE_HEAD = `votes (battle_id, winner, voter_id, excluded_reason, created_at)`;
const MESSAGE_HEAD = `messages (battle_id, side, turn, role, content, superseded, finish_reason, created_at)`;

function conversationRows(
  out: Value[][],
  battleId: string,
  side: 'a' | 'b',
  conversation: { role: 'user' | 'assistant'; content: string }[],
  createdAt: number,
): void {
  let turn = 0;
  for (const m of conversation) {
    if (m.role === 'user') turn++;
    // An imported answer is complete: finish_reason 'stop' (null would mean "still streaming").
    out.push([battleId, side, Math.max(turn, 1), m.role, m.content, false, m.role === 'assistant' ? 'stop' : null, createdAt]);
  }
}

interface ImportRows {
  battles: Value[][];
  votes: Value[][];
  messages: Value[][];
}

/** The rows of a batch of records, per table. */
function importRows(importId: number, records: ImportRecord[]): ImportRows {
  const out: ImportRows = { battles: [], votes: [], messages: [] };
  for (const r of records) {
    const id = importedBattleId(importId, r.recordNo);
    out.battles.push([
      id,
      r.modelA,
      r.modelB,
      'imported',
      null,
      'voted',
      r.turns,
      r.questionId,
      r.language,
      r.isCode ?? null,
      r.promptChars,
      r.tags?.length ? JSON.stringify(r.tags) : '[]',
      'import',
      importId,
      r.judge,
      r.anony ?? null,
      r.styleFeatures ?? null,
      r.createdAt,
      r.createdAt,
    ]);
    out.votes.push([id, r.winner, null, null, r.createdAt]);
    if (r.conversationA) conversationRows(out.messages, id, 'a', r.conversationA, r.createdAt);
    if (r.conversationB) conversationRows(out.messages, id, 'b', r.conversationB, r.createdAt);
  }
  return out;
}

/** Runs `fn` in a transaction on one of the pool's connections. */
async function onConnection(db: PgDb, fn: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await db.$client.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    // A connection that cannot even roll back is not handed back to the pool.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Inserts one batch of records (battle + vote + conversation messages each) in one transaction. */
export async function insertImportBatch({ db, importId, rows: records }: { db?: PgDb; importId: number; rows: ImportRecord[] }): Promise<void> {
  const rows = importRows(importId, records);
  await onConnection(db!, async (client) => {
    await copyRows(client, BATTLE_HEAD, rows.battles);
    await copyRows(client, VOTE_HEAD, rows.votes);
    if (rows.messages.length) await copyRows(client, MESSAGE_HEAD, rows.messages);
  });
}

/**
 * An import's batches in file order, on two connections at once: the battles of a batch go in on
 * one while the votes and messages of the batch before go in on another, so the server works on
 * two cores (a COPY is one backend's work, and the battles' dozen indexes are most of it). Each
 * table's batches go in one after the other, so vote ids follow file order. A batch's battles
 * commit before its votes, which refer to them: a run cut short in between leaves battles without
 * a vote, which count nowhere (a counted battle is one with a vote) and are removed with the rest
 * of the partial import when the file is imported again.
 */
export function openImportWriter({ db, importId, onWritten }: { db?: PgDb; importId: number; onWritten?: (records: number) => void }): ImportWriter {
  let battles: Promise<void> = Promise.resolve();
  let rest: Promise<void> = Promise.resolve();
  let restBefore: Promise<void> = Promise.resolve();
  return {
    batchSize: 20_000,
    async write(records) {
      // At most one batch of each table in flight; a failure of either is thrown here.
      await battles;
      await restBefore;
      const rows = importRows(importId, records);
      const theseBattles = onConnection(db!, (client) => copyRows(client, BATTLE_HEAD, rows.battles));
      const theseVotes = Promise.all([theseBattles, rest]).then(() =>
        onConnection(db!, async (client) => {
          await copyRows(client, VOTE_HEAD, rows.votes);
          if (rows.messages.length) await copyRows(client, MESSAGE_HEAD, rows.messages);
        }),
      );
      // Heard of once stored; a failure here (or of the listener) is thrown by the next write or
      // by finish, and until then is not unhandled.
      const written = theseVotes.then(() => onWritten?.(records.length));
      theseBattles.catch(() => {});
      written.catch(() => {});
      restBefore = rest;
      battles = theseBattles;
      rest = written;
    },
    async finish() {
      await battles;
      await rest;
    },
    async settle() {
      await Promise.allSettled([battles, rest, restBefore]);
    },
  };
}
