import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allSql, execSql } from '../testing/raw-sql';
import { beginImport, finishImport, insertImportBatch, type ImportRecord } from './imports';
import { iterateExportBattles } from './exports';
import {
  countedVoteTimeRange,
  hasBothSources,
  hasStoredAnswers,
  historyHead,
  iterateCountedArenaVotes,
  iterateCountedBattles,
  latestSnapshot,
  latestSnapshotHead,
  latestSnapshotSummaries,
  latestVoteId,
  readHistoryRow,
  saveHistory,
  saveSnapshots,
  snapshotById,
  type NewSnapshot,
} from './leaderboard';
import { importRecord } from '../testing/import-records';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import type { Store } from '../store';

/** The leaderboard and export reads, and the snapshot writes, with the same assertions on both stores. */

const T0 = 1_700_000_000_000;

const rec = (recordNo: number, r: Partial<ImportRecord>) => importRecord(recordNo, { createdAt: T0, ...r });

const bool = (b: boolean) => (b ? sql`TRUE` : sql`FALSE`);

async function loadImport(db: Store, records: ImportRecord[], { sha = 'sha-1', importedAt = Date.now() }: { sha?: string; importedAt?: number } = {}) {
  const importId = await beginImport({ db, sha256: sha, fileName: 'f.jsonl', format: 'jsonl', now: importedAt });
  await insertImportBatch({ db, importId, rows: records });
  await finishImport({ db, importId, importedCount: records.length, skippedCount: 0, report: '{}' });
}

async function arenaBattle(
  db: Store,
  id: string,
  o: { a: string; b: string; voter: string; user?: string; at: number; status?: string; excluded?: string; vision?: boolean; study?: string; p?: number },
) {
  await execSql(
    db,
    sql`INSERT INTO battles (id, model_a, model_b, mode, status, turns, source, voter_id, user_id, vision, study_id, sampling_probability, created_at, updated_at)
        VALUES (${id}, ${o.a}, ${o.b}, 'live', ${o.status ?? 'voted'}, 1, 'arena', ${o.voter}, ${o.user ?? null}, ${bool(o.vision ?? false)},
                ${o.study ?? null}, ${o.p ?? null}, ${o.at - 100}, ${o.at - 100})`,
  );
  await execSql(
    db,
    sql`INSERT INTO votes (battle_id, winner, voter_id, excluded_reason, created_at) VALUES (${id}, 'model_a', ${o.voter}, ${o.excluded ?? null}, ${o.at})`,
  );
}

async function message(db: Store, battleId: string, side: 'a' | 'b', role: 'user' | 'assistant', content: string, superseded = false) {
  await execSql(
    db,
    sql`INSERT INTO messages (battle_id, side, turn, role, content, superseded, finish_reason, created_at)
        VALUES (${battleId}, ${side}, 1, ${role}, ${content}, ${bool(superseded)}, 'stop', ${T0})`,
  );
}

/**
 * Vote ids 1-3: one import (1 at T0+3000; 2 and 3 both at T0+1000, named, untyped); 4: an import
 * without tstamps (its import's time); 5-8 fought here: 5 (T0+500, an account, an image, answers),
 * 6 (T0+4000), 7 excluded, 8 failed; 9 a study's judgment.
 */
async function seed(db: Store) {
  await loadImport(
    db,
    [
      rec(1, {
        createdAt: T0 + 3000,
        language: 'English',
        isCode: true,
        promptChars: 120,
        tags: ['math'],
        judge: 'j1',
        questionId: 'q1',
        styleFeatures: '{"a":1}',
        conversationA: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'ans a' },
        ],
        conversationB: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'ans "b"\nend' },
        ],
      }),
      rec(2, { modelA: 'bravo', modelB: 'charlie', winner: 'tie', createdAt: T0 + 1000, anony: false, turns: 2 }),
      rec(3, { modelA: 'alpha', modelB: 'charlie', winner: 'model_b', createdAt: T0 + 1000, anony: null }),
    ],
    { importedAt: 1000 },
  );
  await loadImport(db, [rec(1, { modelA: 'charlie', modelB: 'alpha', winner: 'tie (bothbad)', createdAt: T0 + 2000 })], { sha: 'sha-2', importedAt: T0 + 2000 });
  await arenaBattle(db, 'live-1', { a: 'alpha', b: 'delta', voter: 'v1', user: 'u1', at: T0 + 500, vision: true, p: 0.25 });
  await arenaBattle(db, 'live-2', { a: 'delta', b: 'bravo', voter: 'v2', at: T0 + 4000 });
  await arenaBattle(db, 'live-3', { a: 'delta', b: 'bravo', voter: 'v3', at: T0 + 600, excluded: 'banned' });
  await arenaBattle(db, 'live-4', { a: 'delta', b: 'bravo', voter: 'v4', at: T0 + 700, status: 'failed' });
  await arenaBattle(db, 'study-1', { a: 'delta', b: 'bravo', voter: 'v5', at: T0 + 800, study: 's1' });
  await message(db, 'live-1', 'a', 'user', 'hi');
  await message(db, 'live-1', 'a', 'assistant', 'old', true);
  await message(db, 'live-1', 'a', 'assistant', 'new a');
  await message(db, 'live-1', 'b', 'user', 'hi');
  await message(db, 'live-1', 'b', 'assistant', 'new b');
  await execSql(
    db,
    sql`INSERT INTO battle_images (battle_id, turn, media_type, data, bytes, sha256, created_at) VALUES ('live-1', 1, 'image/png', ${Buffer.from([1, 2, 3])}, 3, 'abc', ${T0})`,
  );
}

async function collect<T>(batches: AsyncIterable<Iterable<T>>): Promise<{ rows: T[]; sizes: number[] }> {
  const rows: T[] = [];
  const sizes: number[] = [];
  for await (const b of batches) {
    const part = [...b];
    rows.push(...part);
    sizes.push(part.length);
  }
  return { rows, sizes };
}

function snapshot(o: Partial<NewSnapshot> & { upTo?: number; version?: number; pass?: string }): NewSnapshot {
  const { upTo = 10, version = 0, pass = 'full', ...rest } = o;
  return {
    category: 'overall',
    styleControl: false,
    method: 'bradley-terry',
    params: JSON.stringify({ ci: 'profile', upToVoteId: upTo, inputVersion: version, pass }),
    battleCount: 5,
    dataHash: 'h1',
    result: JSON.stringify({ battles: 5, models: [{ model: 'alpha', rating: 1000.5 }], pairs: { models: ['a'], rows: [] }, covariance: [1] }),
    createdAt: T0,
    ...rest,
  };
}

describe.each(STORES)('leaderboard queries on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  it('latestVoteId, hasStoredAnswers, hasBothSources and countedVoteTimeRange on an empty store, then a seeded one', async () => {
    expect(await latestVoteId({ db })).toBe(0);
    expect(await hasStoredAnswers({ db })).toBe(false);
    expect(await hasBothSources({ db })).toBe(false);
    expect(await countedVoteTimeRange({ db, upToVoteId: 100 })).toBeNull();

    await loadImport(db, [rec(1, { createdAt: T0 + 50 })]);
    expect(await hasBothSources({ db })).toBe(false);
    // An excluded vote fought here does not make a second source.
    await arenaBattle(db, 'x', { a: 'alpha', b: 'bravo', voter: 'v', at: T0 + 10, excluded: 'banned' });
    expect(await hasBothSources({ db })).toBe(false);
    await arenaBattle(db, 'y', { a: 'alpha', b: 'bravo', voter: 'v', at: T0 + 20 });
    expect(await hasBothSources({ db })).toBe(true);
    expect(await latestVoteId({ db })).toBe(3);
    expect(await countedVoteTimeRange({ db, upToVoteId: 3 })).toEqual({ first: T0 + 20, last: T0 + 50 });
    expect(await countedVoteTimeRange({ db, upToVoteId: 1 })).toEqual({ first: T0 + 50, last: T0 + 50 });
    expect(await hasStoredAnswers({ db })).toBe(false);
    await message(db, 'y', 'a', 'assistant', 'answer');
    expect(await hasStoredAnswers({ db })).toBe(true);
  });

  it('iterateCountedBattles: counted battles in vote-time order (ties by vote id), the same tuples in pages of any size', async () => {
    await seed(db);
    const { rows, sizes } = await collect(iterateCountedBattles({ db, upToVoteId: 100 }));
    expect(sizes).toEqual([6]);
    expect(rows).toEqual([
      [5, 'alpha', 'delta', 'model_a', null, null, null, 1, null, 0, null, 'user:u1', T0 + 500, 0, 0, 1],
      [2, 'bravo', 'charlie', 'tie', null, null, null, 2, null, 1, null, null, T0 + 1000, 0, 1, 0],
      [3, 'alpha', 'charlie', 'model_b', null, null, null, 1, null, 1, null, null, T0 + 1000, 0, 0, 0],
      [4, 'charlie', 'alpha', 'tie (bothbad)', null, null, null, 1, null, 1, null, null, T0 + 2000, 1, 0, 0],
      [1, 'alpha', 'bravo', 'model_a', 'English', 1, 120, 1, '["math"]', 1, '{"a":1}', null, T0 + 3000, 0, 0, 0],
      [6, 'delta', 'bravo', 'model_a', null, null, null, 1, null, 0, null, 'voter:v2', T0 + 4000, 0, 0, 0],
    ]);
    // Pages of two split the two battles voted at the same time: nothing lost, nothing twice.
    const paged = await collect(iterateCountedBattles({ db, upToVoteId: 100, batchSize: 2 }));
    expect(paged.sizes).toEqual([2, 2, 2]);
    expect(paged.rows).toEqual(rows);
    expect((await collect(iterateCountedBattles({ db, upToVoteId: 4, batchSize: 4 }))).rows.map((r) => r[0])).toEqual([2, 3, 4, 1]);

    const withAnswers = await collect(iterateCountedBattles({ db, upToVoteId: 100, withAnswers: true, batchSize: 4 }));
    expect(withAnswers.rows.map((r) => [r[0], r[16], r[17]])).toEqual([
      [5, '["new a"]', '["new b"]'],
      [2, '[]', '[]'],
      [3, '[]', '[]'],
      [4, '[]', '[]'],
      [1, '["ans a"]', '["ans \\"b\\"\\nend"]'],
      [6, '[]', '[]'],
    ]);
  });

  it('iterateCountedArenaVotes: who voted here, in parts', async () => {
    await seed(db);
    const { rows, sizes } = await collect(iterateCountedArenaVotes({ db, upToVoteId: 100, batchSize: 1 }));
    // Postgres reads a page per part; SQLite streams one statement as one part.
    expect(sizes).toEqual(dialect === 'postgres' ? [1, 1] : [2]);
    expect(rows).toEqual([
      { identity: 'user:u1', modelA: 'alpha', modelB: 'delta' },
      { identity: 'voter:v2', modelA: 'delta', modelB: 'bravo' },
    ]);
    expect((await collect(iterateCountedArenaVotes({ db, upToVoteId: 5 }))).rows).toHaveLength(1);
    expect((await collect(iterateCountedArenaVotes({ db, upToVoteId: 4 }))).rows).toEqual([]);
  });

  it('iterateExportBattles: the export rows, conversations as the same JSON text', async () => {
    await seed(db);
    const { rows } = await collect(iterateExportBattles({ db, batchSize: 4 }));
    expect(rows.map((r) => r.voteId)).toEqual([5, 2, 3, 4, 1, 6]);
    expect(rows[0]).toEqual({
      voteId: 5,
      battleId: 'live-1',
      modelA: 'alpha',
      modelB: 'delta',
      winner: 'model_a',
      votedAt: T0 + 500,
      importedJudge: null,
      turns: 1,
      anony: null,
      language: null,
      questionId: null,
      source: 'arena',
      styleFeatures: null,
      samplingProbability: 0.25,
      identity: 'user:u1',
      conversationA: '[{"role":"user","content":"hi\\n\\n[image image/png 3 bytes sha256:abc]"},{"role":"assistant","content":"new a"}]',
      conversationB: '[{"role":"user","content":"hi\\n\\n[image image/png 3 bytes sha256:abc]"},{"role":"assistant","content":"new b"}]',
    });
    expect(rows[1]).toMatchObject({ battleId: 'imp1-000000002', anony: 0, importedJudge: null, turns: 2, conversationA: null, conversationB: null, identity: null });
    expect(rows[2]).toMatchObject({ anony: null });
    expect(rows[4]).toMatchObject({
      battleId: 'imp1-000000001',
      anony: 1,
      importedJudge: 'j1',
      questionId: 'q1',
      language: 'English',
      source: 'import',
      styleFeatures: '{"a":1}',
      samplingProbability: null,
      conversationA: '[{"role":"user","content":"q"},{"role":"assistant","content":"ans a"}]',
      conversationB: '[{"role":"user","content":"q"},{"role":"assistant","content":"ans \\"b\\"\\nend"}]',
    });
    expect(rows[5]).toMatchObject({ identity: 'voter:v2', conversationA: null });
    // The same rows in one batch.
    expect((await collect(iterateExportBattles({ db }))).rows).toEqual(rows);
  });

  it('saveSnapshots stores a board, keeps it for the same data, and moves only its cut-off', async () => {
    const [first] = await saveSnapshots({ db, snapshots: [snapshot({})] });
    expect(first).toEqual({ id: expect.any(Number), created: true });
    const stored = await latestSnapshot({ db, category: 'overall', styleControl: false });
    expect(stored).toEqual({
      id: first.id,
      category: 'overall',
      styleControl: false,
      method: 'bradley-terry',
      params: snapshot({}).params,
      battleCount: 5,
      dataHash: 'h1',
      result: snapshot({}).result,
      createdAt: T0,
    });
    expect(await snapshotById({ db, id: first.id })).toEqual(stored);
    expect(await snapshotById({ db, id: first.id + 100 })).toBeNull();
    expect(await latestSnapshot({ db, category: 'overall', styleControl: true })).toBeNull();
    expect(await latestSnapshotHead({ db, category: 'overall', styleControl: false })).toEqual({ id: first.id, params: stored!.params, dataHash: 'h1' });
    expect(await latestSnapshotHead({ db, category: 'coding', styleControl: false })).toBeNull();

    // Same data, later cut-off: the stored one stands with the new params.
    const later = snapshot({ upTo: 12, createdAt: T0 + 1000 });
    expect(await saveSnapshots({ db, snapshots: [later] })).toEqual([{ id: first.id, created: false }]);
    expect((await latestSnapshotHead({ db, category: 'overall', styleControl: false }))!.params).toBe(later.params);
    // An older input never replaces a newer one.
    expect(await saveSnapshots({ db, snapshots: [snapshot({ upTo: 11, dataHash: 'h0' })] })).toEqual([{ id: first.id, created: false }]);
    // A board of unchanged counts moves the cut-off of the one with its hash only.
    const unchanged = snapshot({ upTo: 13, unchanged: true });
    expect(await saveSnapshots({ db, snapshots: [unchanged] })).toEqual([{ id: first.id, created: false }]);
    expect((await latestSnapshotHead({ db, category: 'overall', styleControl: false }))!.params).toBe(unchanged.params);
    expect(await saveSnapshots({ db, snapshots: [snapshot({ upTo: 14, unchanged: true, dataHash: 'other' })] })).toEqual([{ id: first.id, created: false }]);
    expect((await latestSnapshotHead({ db, category: 'overall', styleControl: false }))!.params).toBe(unchanged.params);
    // The full pass does not replace the counts pass's plain board of the same input.
    await saveSnapshots({ db, snapshots: [snapshot({ category: 'coding', upTo: 20, pass: 'counts', dataHash: 'c1' })] });
    const coding = (await latestSnapshotHead({ db, category: 'coding', styleControl: false }))!;
    expect(await saveSnapshots({ db, snapshots: [snapshot({ category: 'coding', upTo: 20, pass: 'full', dataHash: 'c2' })] })).toEqual([
      { id: coding.id, created: false },
    ]);
  });

  it('saveSnapshots thins older snapshots (one per hour, then per day) and strips their pairs and covariance', async () => {
    const hour = 3_600_000;
    const day = 86_400_000;
    const now = T0 + 10 * day;
    const saved: number[] = [];
    // Two in the same old day, two in one recent hour, one in another recent hour, then the newest.
    for (const [k, at] of [now - 5 * day, now - 5 * day + hour, now - 3 * hour, now - 3 * hour + 60_000, now - hour, now].entries()) {
      const [s] = await saveSnapshots({ db, snapshots: [snapshot({ upTo: 10 + k, dataHash: `h${k}`, createdAt: at })] });
      expect(s.created).toBe(true);
      saved.push(s.id);
    }
    const left = await allSql<{ id: number; result: string }>(db, sql`SELECT id, result FROM rating_snapshots ORDER BY id`);
    expect(left.map((r) => r.id)).toEqual([saved[1], saved[3], saved[4], saved[5]]);
    // Only the newest keeps the per-pair tallies and the covariance; the rest of the text is untouched.
    expect(left.slice(0, 3).map((r) => r.result)).toEqual(Array(3).fill('{"battles":5,"models":[{"model":"alpha","rating":1000.5}]}'));
    expect(left[3].result).toBe(snapshot({}).result);
    // Another board is left alone.
    await saveSnapshots({ db, snapshots: [snapshot({ styleControl: true, method: 'bt-style', createdAt: now + 1 })] });
    expect((await snapshotById({ db, id: saved[5] }))!.result).toBe(snapshot({}).result);
  });

  it('latestSnapshotSummaries lists the newest of every board, most battles first, without histories', async () => {
    await saveSnapshots({
      db,
      snapshots: [
        snapshot({ battleCount: 50 }),
        snapshot({ styleControl: true, battleCount: 20, method: 'bt-style' }),
        snapshot({ category: 'coding', battleCount: 20, createdAt: T0 - 10 }),
      ],
    });
    await saveSnapshots({ db, snapshots: [snapshot({ category: 'coding', battleCount: 30, dataHash: 'new', upTo: 11, createdAt: T0 + 5 })] });
    await saveHistory({ db, category: 'overall', params: '{}', battleCount: 99, dataHash: 'x', result: '{}', createdAt: T0 });
    const list = await latestSnapshotSummaries({ db });
    expect(list.map((s) => [s.category, s.styleControl, s.battleCount])).toEqual([
      ['overall', false, 50],
      ['coding', false, 30],
      ['overall', true, 20],
    ]);
    expect(list[1]).toEqual({ id: expect.any(Number), category: 'coding', styleControl: false, battleCount: 30, params: expect.any(String), createdAt: T0 + 5 });
  });

  it('saveHistory replaces the stored history; historyHead and readHistoryRow read it', async () => {
    expect(await historyHead({ db, category: 'overall' })).toBeNull();
    expect(await readHistoryRow({ db, category: 'overall' })).toBeNull();
    const first = await saveHistory({ db, category: 'overall', params: '{"a":1}', battleCount: 3, dataHash: 'h', result: '{"points":[]}', createdAt: T0 });
    expect(await historyHead({ db, category: 'overall' })).toEqual({ id: first });
    const second = await saveHistory({ db, category: 'overall', params: '{"a":2}', battleCount: 4, dataHash: 'h2', result: '{"points":[1]}', createdAt: T0 + 1 });
    expect(second).not.toBe(first);
    expect(await readHistoryRow({ db, category: 'overall' })).toEqual({ id: second, params: '{"a":2}', result: '{"points":[1]}', createdAt: T0 + 1 });
    expect(await allSql(db, sql`SELECT category, method, style_control AS sc FROM rating_snapshots`)).toEqual([
      { category: 'history:overall', method: 'history', sc: dialect === 'sqlite' ? 0 : false },
    ]);
    // Not a board.
    expect(await latestSnapshot({ db, category: 'history:overall', styleControl: false })).toMatchObject({ method: 'history' });
    expect(await latestSnapshotSummaries({ db })).toEqual([]);
  });

  it('writes of snapshots at the same time: one history, and one board per hour, whatever the interleaving', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, k) =>
        saveHistory({ db, category: 'overall', params: `{"k":${k}}`, battleCount: k, dataHash: `h${k}`, result: '{}', createdAt: T0 + k }),
      ),
    );
    expect(await allSql(db, sql`SELECT id FROM rating_snapshots WHERE method = 'history'`)).toHaveLength(1);

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, k) => saveSnapshots({ db, snapshots: [snapshot({ dataHash: `d${k}`, upTo: 10, createdAt: T0 + k })] })),
    );
    expect(results.flat().filter((r) => r.created).length).toBeGreaterThanOrEqual(1);
    const boards = await allSql<{ id: number; result: string }>(db, sql`SELECT id, result FROM rating_snapshots WHERE method <> 'history'`);
    expect(boards).toHaveLength(1);
    const head = await latestSnapshotHead({ db, category: 'overall', styleControl: false });
    expect(head!.id).toBe(boards[0].id);
    expect(boards[0].result).toBe(snapshot({}).result);
  });
});
