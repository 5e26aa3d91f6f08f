import { copyStoreToPostgres } from '../../db/copy-to-postgres';
import { importedBattleId, RUNNING_REPORT, type ImportRecord } from '../../db/queries/imports';
import { isPostgres, type Store } from '../../db/store';
import { openTestStore, type TestDialect, type TestStore } from '../../db/testing/stores';

/**
 * Test helpers that write the same rows into either store: raw statements with `?` placeholders
 * (booleans given as booleans become 0/1 on SQLite), and imported battles as
 * db/queries/sqlite/imports.ts insertImportBatch stores them.
 */

type Param = string | number | boolean | null | Buffer;

function forSqlite(params: Param[]): (string | number | null | Buffer)[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** Runs a statement; returns how many rows it changed. */
export async function run(store: Store, text: string, params: Param[] = []): Promise<number> {
  if (isPostgres(store)) return (await store.$client.query(numbered(text), params)).rowCount ?? 0;
  return store.$client.prepare(text).run(...forSqlite(params)).changes;
}

/** The rows of a query (int8 as numbers on both). */
export async function all<T>(store: Store, text: string, params: Param[] = []): Promise<T[]> {
  if (isPostgres(store)) return (await store.$client.query(numbered(text), params)).rows as T[];
  return store.$client.prepare(text).all(...forSqlite(params)) as T[];
}

/** Imported battles (battle, vote, current conversation each) under a new import row; returns its id. */
export async function loadImport(
  store: Store,
  records: ImportRecord[],
  { sha = 'sha-1', importedAt = Date.now() }: { sha?: string; importedAt?: number } = {},
): Promise<number> {
  const [{ id: importId }] = await all<{ id: number }>(
    store,
    `INSERT INTO imports (file_sha256, file_name, format, imported_count, skipped_count, report, created_at)
     VALUES (?, 'f.jsonl', 'jsonl', ?, 0, ?, ?) RETURNING id`,
    [sha, records.length, RUNNING_REPORT, importedAt],
  );
  for (const r of records) {
    const id = importedBattleId(importId, r.recordNo);
    await run(
      store,
      `INSERT INTO battles (id, model_a, model_b, mode, sampling_probability, status, turns, question_id, language,
                            is_code, prompt_chars, tags, source, import_id, judge, anony, style_features, created_at, updated_at)
       VALUES (?, ?, ?, 'imported', NULL, 'voted', ?, ?, ?, ?, ?, ?, 'import', ?, ?, ?, ?, ?, ?)`,
      [
        id,
        r.modelA,
        r.modelB,
        r.turns,
        r.questionId,
        r.language,
        r.isCode,
        r.promptChars,
        r.tags?.length ? JSON.stringify(r.tags) : '[]',
        importId,
        r.judge,
        r.anony,
        r.styleFeatures ?? null,
        r.createdAt,
        r.createdAt,
      ],
    );
    await run(store, `INSERT INTO votes (battle_id, winner, voter_id, excluded_reason, created_at) VALUES (?, ?, NULL, NULL, ?)`, [id, r.winner, r.createdAt]);
    for (const [side, conversation] of [
      ['a', r.conversationA],
      ['b', r.conversationB],
    ] as const) {
      let turn = 0;
      for (const m of conversation ?? []) {
        if (m.role === 'user') turn++;
        await run(
          store,
          `INSERT INTO messages (battle_id, side, turn, role, content, superseded, finish_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [id, side, Math.max(turn, 1), m.role, m.content, false, m.role === 'assistant' ? 'stop' : null, r.createdAt],
        );
      }
    }
  }
  await run(store, `UPDATE imports SET report = '{}' WHERE id = ?`, [importId]);
  return importId;
}

/**
 * A store of `dialect` holding what was written into the SQLite test store `source`: that store
 * itself on SQLite; on Postgres a copy in a fresh database (db/copy-to-postgres.ts), whose close
 * also closes `source`.
 */
export async function sameRowsOn(dialect: TestDialect, source: TestStore): Promise<TestStore> {
  if (dialect === 'sqlite') return source;
  const target = await openTestStore('postgres');
  if (isPostgres(source.db) || !isPostgres(target.db)) throw new Error('expected a SQLite source and a Postgres target');
  const client = await target.db.$client.connect();
  try {
    await copyStoreToPostgres({ source: source.db.$client, target: client });
  } finally {
    client.release();
  }
  return {
    ...target,
    close: async () => {
      await target.close();
      await source.close();
    },
  };
}
