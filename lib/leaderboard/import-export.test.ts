import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/index';
import { latestSnapshot } from '../../db/queries/leaderboard';
import { RUNNING_REPORT } from '../../db/queries/imports';
import type { Store } from '../../db/store';
import { execSql } from '../../db/testing/raw-sql';
import { openTestStore, STORES, type TestDialect, type TestStore } from '../../db/testing/stores';
import { BattleAggregator, computeRatings } from '../rating';
import { readCleanBattles } from '../export';
import type { BoardResult } from './board-types';
import { computeSnapshots } from './compute-snapshots';
import { battleExportStream, writeBattleExport } from './export-battles';
import { importBattles } from './import-battles';

let dir: string;
const dbs: Db[] = [];

function freshDb(name = `db-${dbs.length}.db`): Db {
  const db = openDb(path.join(dir, name));
  dbs.push(db);
  return db;
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-import-'));
});

const stores: TestStore[] = [];

async function freshStore(dialect: TestDialect): Promise<Store> {
  const store = await openTestStore(dialect);
  stores.push(store);
  return store.db;
}

afterEach(async () => {
  for (const db of dbs.splice(0)) db.$client.close();
  for (const store of stores.splice(0)) await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const RECORDS = [
  { model_a: 'alpha', model_b: 'bravo', winner: 'model_a', tstamp: 1_700_000_000.5, judge: 'j1', turn: 1, anony: true, language: 'English', question_id: 'q1' },
  { model_a: 'bravo', model_b: 'charlie', winner: 'model_b', tstamp: 1_700_000_010, judge: 'j2', turn: 2, anony: false, language: 'German', question_id: 7 },
  { model_a: 'alpha', model_b: 'charlie', winner: 'tie', tstamp: 1_700_000_020 },
  { model_a: 'alpha', model_b: 'charlie', winner: 'tie', tstamp: 1_700_000_020 },
  { model_a: 'charlie', model_b: 'alpha', winner: 'tie (bothbad)', tstamp: 1_700_000_030 },
];

const CSV = [
  'model_a,model_b,winner,tstamp,judge,turn,anony,language,question_id',
  'alpha,bravo,model_a,1700000000.5,j1,1,true,English,q1',
  'bravo,charlie,model_b,1700000010,j2,2,false,German,7',
  'alpha,charlie,tie,1700000020,,,,,',
  'alpha,charlie,tie,1700000020,,,,,',
  'charlie,alpha,tie (bothbad),1700000030,,,,,',
].join('\n');

function rows(db: Db) {
  return db.$client
    .prepare(
      `SELECT b.model_a, b.model_b, v.winner, v.created_at, b.judge, b.turns, b.anony, b.language, b.question_id, b.source, b.import_id, b.mode, b.status, v.voter_id
         FROM votes v JOIN battles b ON b.id = v.battle_id ORDER BY v.id`,
    )
    .all() as Record<string, unknown>[];
}

describe('importBattles', () => {
  it.each([
    ['JSON array', 'battles.json', JSON.stringify(RECORDS, null, 1)],
    ['JSONL', 'battles.jsonl', RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n'],
    ['CSV', 'battles.csv', CSV + '\n'],
  ])('imports a %s file with every field, identical rows as separate battles', async (_label, name, text) => {
    const db = freshDb();
    const report = await importBattles({ db, file: write(name, text) });
    expect(report).toMatchObject({ status: 'imported', imported: 5, skipped: 0, models: 3, format: name.split('.')[1] === 'json' ? 'json' : name.split('.')[1] });
    expect(report.from).toBe(1_700_000_000_500);
    expect(report.to).toBe(1_700_000_030_000);
    const stored = rows(db);
    expect(stored).toHaveLength(5);
    expect(stored[0]).toMatchObject({
      model_a: 'alpha',
      model_b: 'bravo',
      winner: 'model_a',
      created_at: 1_700_000_000_500,
      judge: 'j1',
      turns: 1,
      anony: 1,
      language: 'English',
      question_id: 'q1',
      source: 'import',
      import_id: report.importId,
      mode: 'imported',
      status: 'voted',
      voter_id: null,
    });
    expect(stored[1]).toMatchObject({ judge: 'j2', turns: 2, anony: 0, language: 'German', question_id: '7' });
    expect(stored[2]).toMatchObject({ judge: null, turns: 1, anony: null, language: null, question_id: null });
    // The two identical rows are two battles.
    expect(stored.filter((r) => r.winner === 'tie')).toHaveLength(2);
  });

  it('skips malformed records, says which and why, and imports the rest', async () => {
    const db = freshDb();
    const lines = [
      JSON.stringify(RECORDS[0]),
      '{"model_a": "alpha", "model_b": "alpha", "winner": "tie"}',
      'this is not json',
      '{"model_a": "alpha", "model_b": "bravo", "winner": "draw"}',
      '{"model_b": "bravo", "winner": "model_a"}',
      JSON.stringify(RECORDS[1]),
    ];
    const report = await importBattles({ db, file: write('mixed.jsonl', lines.join('\n')) });
    expect(report.imported).toBe(2);
    expect(report.skipped).toBe(4);
    expect(report.examples.map((e) => e.record)).toEqual([2, 3, 4, 5]);
    expect(report.examples.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(report.examples[0].reason).toMatch(/different models/);
    expect(report.examples[2].reason).toMatch(/winner/);
    expect(report.examples[3].reason).toMatch(/model_a/);
    expect(Object.values(report.reasons).reduce((a, b) => a + b, 0)).toBe(4);
    expect(rows(db)).toHaveLength(2);
    const stored = db.$client.prepare('SELECT imported_count, skipped_count, report FROM imports').get() as Record<string, string | number>;
    expect(stored).toMatchObject({ imported_count: 2, skipped_count: 4 });
    expect(JSON.parse(stored.report as string).examples).toHaveLength(4);
  });

  it('skips malformed CSV rows with their line numbers', async () => {
    const db = freshDb();
    const csv = ['model_a,model_b,winner,tstamp', 'alpha,bravo,model_a,1', 'alpha,bravo,nobody,2', 'alpha,,model_b,3', 'bravo,alpha,model_b,4'].join('\n');
    const report = await importBattles({ db, file: write('b.csv', csv) });
    expect(report.imported).toBe(2);
    expect(report.examples.map((e) => [e.record, e.line])).toEqual([
      [2, 3],
      [3, 4],
    ]);
  });

  it('adds nothing when the same file comes again, under any name', async () => {
    const db = freshDb();
    const text = RECORDS.map((r) => JSON.stringify(r)).join('\n');
    const first = await importBattles({ db, file: write('a.jsonl', text) });
    const again = await importBattles({ db, file: write('a.jsonl', text) });
    const renamed = await importBattles({ db, file: write('copy-of-a.jsonl', text) });
    expect(first.status).toBe('imported');
    for (const r of [again, renamed]) {
      expect(r).toMatchObject({ status: 'already-imported', importId: first.importId, imported: 5 });
    }
    expect(rows(db)).toHaveLength(5);
    // A different file with the same rows plus one is a new import.
    const more = await importBattles({ db, file: write('b.jsonl', `${text}\n${JSON.stringify(RECORDS[0])}`) });
    expect(more).toMatchObject({ status: 'imported', imported: 6 });
    expect(rows(db)).toHaveLength(11);
  });

  it('redoes an import that was cut short instead of leaving half of it', async () => {
    const db = freshDb();
    const file = write('a.jsonl', RECORDS.map((r) => JSON.stringify(r)).join('\n'));
    const first = await importBattles({ db, file });
    // Simulate a crash mid-way: the import row still says running, some rows are missing.
    db.$client.prepare('UPDATE imports SET report = ? WHERE id = ?').run(RUNNING_REPORT, first.importId);
    db.$client.prepare(`DELETE FROM votes WHERE battle_id IN (SELECT id FROM battles WHERE import_id = ? LIMIT 2)`).run(first.importId);
    const redo = await importBattles({ db, file });
    expect(redo.status).toBe('imported');
    expect(rows(db)).toHaveLength(5);
    expect(db.$client.prepare('SELECT count(*) AS n FROM battles').get()).toEqual({ n: 5 });
  });

  it('imports nothing from a JSON array whose syntax breaks, and says where', async () => {
    const db = freshDb();
    const file = write('broken.json', `[${JSON.stringify(RECORDS[0])}, ${JSON.stringify(RECORDS[1])}, {"model_a": "x" `);
    await expect(importBattles({ db, file })).rejects.toThrow(/record 3.*Nothing was imported/);
    expect(rows(db)).toHaveLength(0);
    expect(db.$client.prepare('SELECT count(*) AS n FROM imports').get()).toEqual({ n: 0 });
  });

  it('derives prompt facts and stores conversations', async () => {
    const db = freshDb();
    const conv = (answer: string) => [
      { role: 'system', content: 'be nice' },
      { role: 'user', content: 'Write a Python function that reverses a list.' },
      { role: 'assistant', content: answer },
      { role: 'user', content: 'And in place?' },
      { role: 'assistant', content: answer + ' (in place)' },
    ];
    const rec = { model_a: 'alpha', model_b: 'bravo', winner: 'model_a', conversation_a: conv('```py\nx[::-1]\n```'), conversation_b: conv('Use reversed().') };
    await importBattles({ db, file: write('c.jsonl', JSON.stringify(rec)) });
    const b = db.$client.prepare('SELECT turns, language, is_code, prompt_chars FROM battles').get();
    expect(b).toEqual({ turns: 2, language: 'English', is_code: 1, prompt_chars: 45 });
    const msgs = db.$client.prepare(`SELECT side, turn, role, finish_reason FROM messages ORDER BY id`).all();
    expect(msgs).toHaveLength(8); // the system prompt is not part of a battle
    expect(msgs[1]).toEqual({ side: 'a', turn: 1, role: 'assistant', finish_reason: 'stop' });
    expect(msgs[3]).toEqual({ side: 'a', turn: 2, role: 'assistant', finish_reason: 'stop' });
  });
});

/** A store with battles of both sources: imported ones, and ones fought here with voter ids. */
async function mixedStore(dialect: TestDialect): Promise<Store> {
  const db = await freshStore(dialect);
  let seed = 3;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const models = ['m-one', 'm-two', 'm-three', 'm-four', 'm-five'];
  const recs = [];
  for (let k = 0; k < 400; k++) {
    const a = Math.floor(rnd() * 5);
    let b = Math.floor(rnd() * 4);
    if (b >= a) b++;
    const r = rnd();
    recs.push({
      model_a: models[a],
      model_b: models[b],
      winner: r < 0.15 ? 'tie' : r < 0.2 ? 'tie (bothbad)' : rnd() < 0.5 + (a - b) / 10 ? 'model_a' : 'model_b',
      tstamp: 1_690_000_000 + k * 60,
      judge: `expert-${k % 3}`,
      language: k % 4 ? 'English' : 'French',
      // Chatbot Arena's answer statistics on some records (style control reads them).
      ...(k % 5 === 0
        ? {
            conv_metadata: {
              sum_assistant_a_tokens: 100 + a * 40 + (k % 7),
              header_count_a: { h1: a % 2, h2: 1 },
              list_count_a: { ordered: 0, unordered: a },
              bold_count_a: { '**': b, __: 0 },
              sum_assistant_b_tokens: 120 + b * 30,
              header_count_b: { h1: 0, h2: b % 3 },
              list_count_b: { ordered: 1, unordered: 0 },
              bold_count_b: { '**': a % 2, __: 0 },
            },
          }
        : {}),
    });
  }
  await importBattles({ db, file: write('seed.jsonl', recs.map((r) => JSON.stringify(r)).join('\n')) });

  // Battles fought here: the judge column and the vote hold the voter id, which must not leave.
  const message = (id: string, side: 'a' | 'b', role: 'user' | 'assistant', content: string, superseded: boolean, t: number) =>
    execSql(
      db,
      sql`INSERT INTO messages (battle_id, side, turn, role, content, superseded, finish_reason, created_at)
          VALUES (${id}, ${side}, 1, ${role}, ${content}, ${superseded ? sql`TRUE` : sql`FALSE`}, 'stop', ${t})`,
    );
  for (let k = 0; k < 60; k++) {
    const id = `arena-battle-${k}`;
    const t = 1_690_000_000_000 + k * 600_000 + 30_000;
    const status = k === 5 ? 'failed' : 'voted';
    await execSql(
      db,
      sql`INSERT INTO battles (id, model_a, model_b, mode, status, turns, language, is_code, prompt_chars, source, judge, sampling_probability, created_at, updated_at)
          VALUES (${id}, ${models[k % 5]}, ${models[(k + 2) % 5]}, 'live', ${status}, 1, 'English', FALSE, 30, 'arena', ${`voter-secret-${k}`}, ${0.05 + (k % 5) * 0.05}, ${t}, ${t})`,
    );
    await execSql(
      db,
      sql`INSERT INTO votes (battle_id, winner, voter_id, excluded_reason, created_at)
          VALUES (${id}, ${k % 3 ? 'model_a' : 'model_b'}, ${`voter-secret-${k}`}, ${k === 7 ? 'identity leak' : null}, ${t + 5000})`,
    );
    await message(id, 'a', 'user', 'Hello there', false, t);
    await message(id, 'a', 'assistant', 'old answer', true, t);
    await message(id, 'a', 'assistant', `## Answer ${k}\n- point`, false, t);
    await message(id, 'b', 'user', 'Hello there', false, t);
    await message(id, 'b', 'assistant', 'Plain answer.', false, t);
  }
  return db;
}

async function exportText(db: Store, format: 'json' | 'jsonl' | 'csv'): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeBattleExport({ db, format, out });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe.each(STORES)('export from %s', (dialect) => {
  it('writes every counted battle in vote order, without voter identity', async () => {
    const db = await mixedStore(dialect);
    const text = await exportText(db, 'jsonl');
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(400 + 58); // one failed battle and one excluded vote left out
    expect(text).not.toMatch(/voter-secret/);
    const tstamps = records.map((r) => r.tstamp as number);
    expect([...tstamps].sort((a, b) => a - b)).toEqual(tstamps);
    const arena = records.filter((r) => r.judge === 'arena_user');
    expect(arena).toHaveLength(58);
    expect(arena[0]).toMatchObject({ anony: true, turn: 1, language: 'English' });
    expect(arena[0].question_id).toMatch(/^arena-battle-/);
    // Current answers only: the superseded one is not exported.
    expect(arena[0].conversation_a).toEqual([
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: expect.stringMatching(/^## Answer/) },
    ]);
    expect(text).not.toMatch(/old answer/);
    const imported = records.filter((r) => r.judge !== 'arena_user');
    expect(imported[0]).toMatchObject({ judge: 'expert-0', tstamp: 1_690_000_000 });
    // The probability the arena drew each pair with goes along (for --weight-by-probability); imports have none.
    expect(arena.map((r) => r.sampling_probability)).toEqual(arena.map((r) => 0.05 + (Number(String(r.question_id).split('-').pop()) % 5) * 0.05));
    expect(imported.some((r) => 'sampling_probability' in r)).toBe(false);
  });

  it('streams the same bytes for HTTP as for the command line', async () => {
    const db = await mixedStore(dialect);
    for (const format of ['json', 'jsonl', 'csv'] as const) {
      const viaStream = await new Response(battleExportStream({ db, format })).text();
      expect(viaStream).toBe(await exportText(db, format));
    }
    const empty = await freshStore(dialect);
    expect(await new Response(battleExportStream({ db: empty, format: 'json' })).text()).toBe('[]\n');
  });

  it.each(['json', 'jsonl', 'csv'] as const)('%s export, imported into an empty store, gives the same ratings', async (format) => {
    const source = await mixedStore(dialect);
    await computeSnapshots({ db: source });
    const file = write(`export.${format}`, await exportText(source, format));

    // The exported file also parses with the clean_battle readers, record for record.
    let n = 0;
    for await (const _ of readCleanBattles(file, { format })) n++;
    expect(n).toBe(458);

    const target = await freshStore(dialect);
    const report = await importBattles({ db: target, file });
    expect(report).toMatchObject({ imported: 458, skipped: 0 });
    await computeSnapshots({ db: target });

    const before = JSON.parse((await latestSnapshot({ db: source, category: 'overall', styleControl: false }))!.result) as BoardResult;
    const after = JSON.parse((await latestSnapshot({ db: target, category: 'overall', styleControl: false }))!.result) as BoardResult;
    expect(after.battles).toBe(before.battles);
    expect(after.models).toEqual(before.models); // ratings, intervals, ranks, online Elo, counts

    // Style control comes back where the format carries it (conversations, conv_metadata).
    if (format !== 'csv') {
      const styled = async (db: Store) => JSON.parse((await latestSnapshot({ db, category: 'overall', styleControl: true }))!.result) as BoardResult;
      expect((await styled(target)).models).toEqual((await styled(source)).models);
    }

    // Categories that travel in the file (language) come back too.
    const fr = async (db: Store) => JSON.parse((await latestSnapshot({ db, category: 'language:French', styleControl: false }))!.result) as BoardResult;
    expect((await fr(target)).models).toEqual((await fr(source)).models);

    // And the engine, fed the file directly, agrees.
    const agg = new BattleAggregator();
    for await (const { record } of readCleanBattles(file, { format })) agg.add(record.model_a, record.model_b, record.winner);
    expect(computeRatings(agg, { matrices: false }).models).toEqual(after.models);
  });

  it('stores the same boards as `pairwise ratings` computes from the exported file (plain and style control)', async () => {
    const db = await mixedStore(dialect);
    await computeSnapshots({ db });
    const file = write('export.json', await exportText(db, 'json'));
    const cli = (...flags: string[]) =>
      JSON.parse(
        execFileSync(process.execPath, [path.resolve('bin/pairwise.mjs'), 'ratings', '--input', file, '--format', 'json', ...flags], {
          encoding: 'utf8',
        }),
      ) as { battles: number; models: unknown[] };
    const board = async (styleControl: boolean) =>
      JSON.parse((await latestSnapshot({ db, category: 'overall', styleControl }))!.result) as BoardResult;

    const plain = cli();
    expect({ battles: plain.battles, models: plain.models }).toEqual({ battles: 458, models: (await board(false)).models });
    // Style control: the 58 battles fought here have answers, 80 imported ones conv_metadata.
    const styled = cli('--style-control');
    const stored = await board(true);
    expect(stored.diagnostics?.battlesUsed).toBe(138);
    expect(styled.models).toEqual(stored.models);
  });
});
