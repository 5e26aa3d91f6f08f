import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importBattles } from '../../lib/leaderboard/import-battles';
import { isUniqueViolation } from '../errors';
import { isPostgres, type Store } from '../store';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { deleteImport } from './admin-imports';
import {
  beginImport,
  discardImport,
  findImportBySha256,
  finishImport,
  insertImportBatch,
  listImports,
  RUNNING_REPORT,
  type ImportRecord,
} from './imports';
import { ratingsInputStamp } from './ratings-input';

/** The import queries (db/queries/imports.ts, admin-imports.ts) give the same results on both stores. */

/** A raw statement with `?` placeholders on either store (for checking what was stored). */
async function q<T = Record<string, unknown>>(db: Store, text: string, ...params: unknown[]): Promise<T[]> {
  if (isPostgres(db)) {
    let i = 0;
    return (await db.$client.query(text.replace(/\?/g, () => `$${++i}`), params)).rows as T[];
  }
  const st = db.$client.prepare(text);
  if (st.reader) return st.all(...params) as T[];
  st.run(...params);
  return [];
}

const count = async (db: Store, table: string) => (await q<{ n: number }>(db, `SELECT count(*) AS n FROM ${table}`))[0].n;

const AWKWARD = 'Use reversed().\tOr a\\b slice;\r\n\\N and \\. and \u00e9\ud83d\ude00';

const RECORDS = [
  { model_a: 'alpha', model_b: 'bravo', winner: 'model_a', tstamp: 1_700_000_000.5, judge: 'j1', turn: 1, anony: true, language: 'English', question_id: 'q1' },
  { model_a: 'bravo', model_b: 'charlie', winner: 'model_b', tstamp: 1_700_000_010, judge: 'j2', turn: 2, anony: false, language: 'German', question_id: 7 },
  { model_a: 'alpha', model_b: 'charlie', winner: 'tie', tstamp: 1_700_000_020 },
  {
    model_a: 'charlie',
    model_b: 'alpha',
    winner: 'tie (bothbad)',
    tstamp: 1_700_000_030,
    conversation_a: [
      { role: 'user', content: 'Write a Python function that reverses a list.' },
      { role: 'assistant', content: '```py\nx[::-1]\n```' },
    ],
    conversation_b: [
      { role: 'user', content: 'Write a Python function that reverses a list.' },
      // COPY's separators and escapes, and its NULL marker as text: stored as they are.
      { role: 'assistant', content: AWKWARD },
    ],
  },
];

function record(recordNo: number, conversation = false): ImportRecord {
  const turns = conversation
    ? [
        { role: 'user' as const, content: `question ${recordNo}` },
        { role: 'assistant' as const, content: `answer ${recordNo}` },
      ]
    : null;
  return {
    recordNo,
    modelA: `m${recordNo % 7}`,
    modelB: `n${recordNo % 5}`,
    winner: 'model_a',
    createdAt: 1_700_000_000_000 + recordNo,
    judge: null,
    turns: 1,
    anony: recordNo % 2 === 0,
    language: null,
    questionId: null,
    isCode: null,
    promptChars: null,
    conversationA: turns,
    conversationB: turns,
  };
}

describe.each(STORES)('imports on %s', (dialect) => {
  let store: TestStore;
  let dir: string;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-imports-'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('imports a file as voted battles with their votes and conversations, and the same file again adds nothing', async () => {
    const db = store.db;
    const text = RECORDS.map((r) => JSON.stringify(r)).join('\n');
    const first = await importBattles({ db, file: write('a.jsonl', text), now: () => 5_000 });
    expect(first).toMatchObject({ status: 'imported', imported: 4, skipped: 0, models: 3, withConversations: 1, from: 1_700_000_000_500, to: 1_700_000_030_000 });
    const stored = await q(
      db,
      `SELECT b.id, b.model_a, b.model_b, v.winner, v.created_at, b.judge, b.turns, b.language, b.question_id, b.source, b.import_id, b.mode,
              b.status, b.tags, b.sampling_probability, v.voter_id, v.excluded_reason,
              CASE WHEN b.anony IS NULL THEN NULL WHEN b.anony THEN 1 ELSE 0 END AS anony,
              CASE WHEN b.is_code IS NULL THEN NULL WHEN b.is_code THEN 1 ELSE 0 END AS is_code, b.prompt_chars
         FROM votes v JOIN battles b ON b.id = v.battle_id ORDER BY v.id`,
    );
    const base = { source: 'import', import_id: first.importId, mode: 'imported', status: 'voted', tags: '[]', sampling_probability: null, voter_id: null, excluded_reason: null };
    expect(stored).toEqual([
      { ...base, id: `imp${first.importId}-000000001`, model_a: 'alpha', model_b: 'bravo', winner: 'model_a', created_at: 1_700_000_000_500, judge: 'j1', turns: 1, language: 'English', question_id: 'q1', anony: 1, is_code: null, prompt_chars: null },
      { ...base, id: `imp${first.importId}-000000002`, model_a: 'bravo', model_b: 'charlie', winner: 'model_b', created_at: 1_700_000_010_000, judge: 'j2', turns: 2, language: 'German', question_id: '7', anony: 0, is_code: null, prompt_chars: null },
      { ...base, id: `imp${first.importId}-000000003`, model_a: 'alpha', model_b: 'charlie', winner: 'tie', created_at: 1_700_000_020_000, judge: null, turns: 1, language: null, question_id: null, anony: null, is_code: null, prompt_chars: null },
      { ...base, id: `imp${first.importId}-000000004`, model_a: 'charlie', model_b: 'alpha', winner: 'tie (bothbad)', created_at: 1_700_000_030_000, judge: null, turns: 1, language: 'English', question_id: null, anony: null, is_code: 1, prompt_chars: 45 },
    ]);
    expect(
      await q(db, `SELECT battle_id, side, turn, role, content, finish_reason, created_at, CASE WHEN superseded THEN 1 ELSE 0 END AS superseded FROM messages ORDER BY id`),
    ).toEqual([
      { battle_id: `imp${first.importId}-000000004`, side: 'a', turn: 1, role: 'user', content: 'Write a Python function that reverses a list.', finish_reason: null, created_at: 1_700_000_030_000, superseded: 0 },
      { battle_id: `imp${first.importId}-000000004`, side: 'a', turn: 1, role: 'assistant', content: '```py\nx[::-1]\n```', finish_reason: 'stop', created_at: 1_700_000_030_000, superseded: 0 },
      { battle_id: `imp${first.importId}-000000004`, side: 'b', turn: 1, role: 'user', content: 'Write a Python function that reverses a list.', finish_reason: null, created_at: 1_700_000_030_000, superseded: 0 },
      { battle_id: `imp${first.importId}-000000004`, side: 'b', turn: 1, role: 'assistant', content: AWKWARD, finish_reason: 'stop', created_at: 1_700_000_030_000, superseded: 0 },
    ]);

    // The same bytes under another name: recognised by the sha256, nothing added.
    const again = await importBattles({ db, file: write('copy.jsonl', text) });
    expect(again).toMatchObject({ status: 'already-imported', importId: first.importId, imported: 4, importedAt: 5_000 });
    expect(await count(db, 'battles')).toBe(4);
    // The store itself refuses a second import of the same file.
    const err = await beginImport({ db, sha256: first.sha256, fileName: 'x.jsonl', format: 'jsonl' }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('reads imports back with numbers, and finishes one', async () => {
    const db = store.db;
    const id = await beginImport({ db, sha256: 'abc', fileName: 'a.csv', format: 'csv', now: 1_000 });
    expect(typeof id).toBe('number');
    const running = { id, fileSha256: 'abc', fileName: 'a.csv', format: 'csv', importedCount: 0, skippedCount: 0, report: RUNNING_REPORT, createdAt: 1_000 };
    expect(await findImportBySha256({ db, sha256: 'abc' })).toEqual(running);
    expect(await findImportBySha256({ db, sha256: 'nope' })).toBeNull();
    await finishImport({ db, importId: id, importedCount: 7, skippedCount: 2, report: '{"x":1}' });
    const second = await beginImport({ db, sha256: 'def', fileName: 'b.json', format: 'json', now: 2_000 });
    expect(await listImports({ db })).toEqual([
      { ...running, importedCount: 7, skippedCount: 2, report: '{"x":1}' },
      { id: second, fileSha256: 'def', fileName: 'b.json', format: 'json', importedCount: 0, skippedCount: 0, report: RUNNING_REPORT, createdAt: 2_000 },
    ]);
  });

  it('inserts batches larger than one statement takes, and discards an interrupted import with everything it brought', async () => {
    const db = store.db;
    const keep = await beginImport({ db, sha256: 'keep', fileName: 'keep.jsonl', format: 'jsonl' });
    await insertImportBatch({ db, importId: keep, rows: [record(1, true)] });
    const id = await beginImport({ db, sha256: 'big', fileName: 'big.jsonl', format: 'jsonl' });
    // 6 000 battles of 19 values each and 24 000 messages: more than 65 535 parameters per table.
    const rows = Array.from({ length: 6_000 }, (_, i) => record(i + 1, true));
    await insertImportBatch({ db, importId: id, rows });
    expect(await count(db, 'battles')).toBe(6_001);
    expect(await count(db, 'votes')).toBe(6_001);
    expect(await count(db, 'messages')).toBe(24_004);
    expect(await q(db, `SELECT id, model_a, model_b, created_at FROM battles WHERE import_id = ? ORDER BY id DESC LIMIT 1`, id)).toEqual([
      { id: `imp${id}-000006000`, model_a: 'm1', model_b: 'n0', created_at: 1_700_000_006_000 },
    ]);
    // A batch is one transaction: a clash leaves nothing of it behind.
    await expect(insertImportBatch({ db, importId: id, rows: [record(6_001), record(6_000)] })).rejects.toThrow();
    expect(await count(db, 'battles')).toBe(6_001);

    const before = await ratingsInputStamp({ db });
    expect(await discardImport({ db, importId: id })).toBe(6_000);
    expect(await count(db, 'battles')).toBe(1);
    expect(await count(db, 'votes')).toBe(1);
    expect(await count(db, 'messages')).toBe(4);
    expect((await listImports({ db })).map((i) => i.id)).toEqual([keep]);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);
    // Nothing left to remove: no new rating pass.
    const empty = await beginImport({ db, sha256: 'empty', fileName: 'e.jsonl', format: 'jsonl' });
    expect(await discardImport({ db, importId: empty })).toBe(0);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);
  });

  it('redoes an import that was cut short instead of keeping half of it', async () => {
    const db = store.db;
    const file = write('a.jsonl', RECORDS.map((r) => JSON.stringify(r)).join('\n'));
    const first = await importBattles({ db, file });
    await q(db, 'UPDATE imports SET report = ? WHERE id = ?', RUNNING_REPORT, first.importId);
    const redo = await importBattles({ db, file });
    expect(redo).toMatchObject({ status: 'imported', imported: 4 });
    expect(redo.importId).not.toBe(first.importId);
    expect(await count(db, 'battles')).toBe(4);
    expect(await count(db, 'messages')).toBe(4);
    expect(await count(db, 'imports')).toBe(1);
  });

  it('deletes an import in batches, with its votes and messages, bumps the ratings input and audits it', async () => {
    const db = store.db;
    const other = await beginImport({ db, sha256: 'other', fileName: 'other.jsonl', format: 'jsonl' });
    await insertImportBatch({ db, importId: other, rows: [record(1, true), record(2)] });
    const id = await beginImport({ db, sha256: 'gone', fileName: 'gone.jsonl', format: 'jsonl', now: 10 });
    await insertImportBatch({ db, importId: id, rows: Array.from({ length: 2_500 }, (_, i) => record(i + 1, i % 2 === 0)) });
    await finishImport({ db, importId: id, importedCount: 2_500, skippedCount: 0, report: '{}' });
    const before = await ratingsInputStamp({ db });
    const progress: number[] = [];
    const result = await deleteImport({ db, importId: id, by: 'op-1', now: 99, onProgress: (n) => progress.push(n) });
    expect(result).toEqual({ removedBattles: 2_500 });
    expect(progress).toEqual([1_000, 2_000, 2_500]);
    expect(await count(db, 'battles')).toBe(2);
    expect(await count(db, 'votes')).toBe(2);
    expect(await count(db, 'messages')).toBe(4);
    expect((await listImports({ db })).map((i) => i.id)).toEqual([other]);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);
    expect(await q(db, `SELECT actor_user_id, action, target, before, after, created_at FROM audit_log`)).toEqual([
      {
        actor_user_id: 'op-1',
        action: 'import.delete',
        target: String(id),
        before: JSON.stringify({ id, fileName: 'gone.jsonl', fileSha256: 'gone', importedCount: 2_500 }),
        after: JSON.stringify({ removedBattles: 2_500 }),
        created_at: 99,
      },
    ]);
    await expect(deleteImport({ db, importId: id, by: 'op-1' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('two removals of one import at once remove it once between them', async () => {
    const db = store.db;
    const id = await beginImport({ db, sha256: 'twice', fileName: 'twice.jsonl', format: 'jsonl' });
    await insertImportBatch({ db, importId: id, rows: Array.from({ length: 3_500 }, (_, i) => record(i + 1, true)) });
    const [a, b] = await Promise.all([deleteImport({ db, importId: id, by: 'op-1' }), deleteImport({ db, importId: id, by: 'op-2' })]);
    expect(a.removedBattles + b.removedBattles).toBe(3_500);
    expect(await count(db, 'battles')).toBe(0);
    expect(await count(db, 'messages')).toBe(0);
    expect(await count(db, 'imports')).toBe(0);
  });
});
