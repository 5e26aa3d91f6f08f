import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBattle } from '../../db/queries/battles';
import { beginImport, finishImport, insertImportBatch } from '../../db/queries/imports';
import { clearPairCounts, loadPairCountState, readCursorText, readPairCountCursor } from '../../db/queries/pair-counts';
import { ratingsInputStamp } from '../../db/queries/ratings-input';
import { createVoter } from '../../db/queries/voters';
import { castVote } from '../../db/queries/votes';
import type { Store } from '../../db/store';
import { importRecord } from '../../db/testing/import-records';
import { openTestStore, STORES, type TestStore } from '../../db/testing/stores';
import { DEFAULT_INFLUENCE_CAPS } from '../integrity/influence';
import { Rng } from '../rating/random';
import { foldPairCounts } from './count-boards';
import { importBattles } from './import-battles';
import { ImportCounts } from './import-counts';

/**
 * An import folds its votes into the board's counts once it has written them (import-counts.ts): the
 * counts it leaves are exactly those a fold reading every vote back from the store would build,
 * and where that cannot hold (past battles, other votes in the store) it leaves the counts alone.
 */

const MODELS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const WINNERS = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
/** Unix seconds of the first imported battle. */
const T0 = 1_700_000_000;
const IMPORTED_AT = 1_800_000_000_000;

/**
 * clean_battle records out of time order (each pair's battles spread over the same span, as
 * the bench file has them), with equal tstamps, untimed ones, named battles, languages, and
 * conversations with code and long prompts: every category the counts keep.
 */
function records(n: number, seed: number, from = T0): Record<string, unknown>[] {
  const rng = new Rng(seed);
  const int = (k: number) => Math.floor(rng.nextDouble() * k);
  return Array.from({ length: n }, (_, k) => {
    const a = int(MODELS.length);
    const b = (a + 1 + int(MODELS.length - 1)) % MODELS.length;
    const code = rng.nextDouble() < 0.2;
    const prompt = code ? 'Write a Python function that sorts a list of tuples by their second item.' : rng.nextDouble() < 0.1 ? 'Explain. '.repeat(400) : `Question ${k}?`;
    const r: Record<string, unknown> = {
      model_a: MODELS[a],
      model_b: MODELS[b],
      winner: WINNERS[int(4)],
      language: ['English', 'German', 'Chinese'][int(3)],
      anony: rng.nextDouble() < 0.9,
    };
    // A few hundred distinct tstamps for thousands of battles: many ties, in no order.
    if (rng.nextDouble() < 0.95) r.tstamp = from + int(300) * 60;
    if (rng.nextDouble() < 0.3) {
      r.conversation_a = [{ role: 'user', content: prompt }, { role: 'assistant', content: 'One answer.' }];
      r.conversation_b = [{ role: 'user', content: prompt }, { role: 'assistant', content: 'Another answer.' }];
    }
    return r;
  });
}

/** The stored counts as plain, sorted data: the cursor, and every category's cells and models. */
async function digest(db: Store) {
  const { version } = await ratingsInputStamp({ db });
  const state = await loadPairCountState({ db, expect: { version, caps: DEFAULT_INFLUENCE_CAPS } });
  expect(state, 'counts stored under the current version and caps').not.toBeNull();
  const byKey = <T>(m: Map<string, T>) => [...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    cursor: state!.cursor,
    categories: byKey(state!.categories).map(([cat, cc]) => ({ cat, cells: byKey(cc.cells), models: byKey(cc.models) })),
  };
}

/** The counts rebuilt from nothing by the fold that reads every counted vote from the store. */
async function rebuiltFromStore(db: Store) {
  await clearPairCounts({ db });
  const { summary } = await foldPairCounts({ db });
  expect(summary.rebuilt).toBe(true);
  return digest(db);
}

describe.each(STORES)('an import folded into the counts as it is written, on %s', (dialect) => {
  let store: TestStore;
  let dir: string;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-import-counts-'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, list: Record<string, unknown>[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(list));
    return file;
  };
  const liveVote = async (db: Store, id: string, now: number) => {
    await createVoter({ db, id: 'voter-1', network: null, now });
    await createBattle({ db, id, modelA: 'alpha', modelB: 'bravo', mode: 'live', samplingProbability: 0.1, voterId: 'voter-1', now });
    await castVote({ db, battleId: id, winner: 'model_a', voterId: 'voter-1', leakReason: null, now });
  };

  it('leaves a fresh store the counts that reading every vote back would build, over several batches', async () => {
    const db = store.db;
    // Several batches, so (on Postgres) batches are written while the next is read.
    const report = await importBattles({ db, file: write('battles.json', records(7_300, 1)), now: () => IMPORTED_AT, batchSize: 2_000 });
    expect(report.imported).toBe(7_300);
    const cursor = await readPairCountCursor({ db });
    expect(cursor?.voteId).toBe((await ratingsInputStamp({ db })).voteId);
    const folded = await digest(db);
    expect(folded.cursor.untimed.overall, 'untimed battles counted').toBeGreaterThan(0);
    expect(folded.categories.map((c) => c.cat)).toEqual(expect.arrayContaining(['overall', 'coding', 'named', 'source:import']));

    // The next counts pass finds nothing to read: the votes are in already.
    const next = await foldPairCounts({ db });
    expect(next.summary).toMatchObject({ rebuilt: false, folded: 0 });
    expect(await rebuiltFromStore(db)).toEqual(folded);
  });

  it('adds a later import to the counts of the arena so far', async () => {
    const db = store.db;
    await liveVote(db, 'live-1', T0 * 1000 - 60_000);
    await foldPairCounts({ db });
    const before = await readPairCountCursor({ db });
    await importBattles({ db, file: write('later.json', records(400, 2)), now: () => IMPORTED_AT });
    const after = await readPairCountCursor({ db });
    expect(after!.voteId).toBeGreaterThan(before!.voteId);
    const folded = await digest(db);
    expect(await rebuiltFromStore(db)).toEqual(folded);
  });

  it('leaves the counts alone for an import of past battles, which the next fold rebuilds from', async () => {
    const db = store.db;
    await liveVote(db, 'live-1', (T0 + 86_400) * 1000);
    await foldPairCounts({ db });
    const before = await readCursorText({ db });
    await importBattles({ db, file: write('past.json', records(300, 3)), now: () => IMPORTED_AT });
    expect(await readCursorText({ db })).toBe(before);
    const { summary } = await foldPairCounts({ db });
    expect(summary).toMatchObject({ rebuilt: true, folded: 301 });
  });

  it('leaves the counts alone when the store has votes it has not counted', async () => {
    const db = store.db;
    await liveVote(db, 'live-1', T0 * 1000 - 60_000);
    await importBattles({ db, file: write('battles.json', records(200, 4)), now: () => IMPORTED_AT });
    expect(await readCursorText({ db })).toBeNull();
  });

  it('counts every vote once when a rating pass folds the batches as they are written', async () => {
    const db = store.db;
    let done = false;
    const list = records(6_000, 5);
    const importing = importBattles({ db, file: write('battles.json', list), now: () => IMPORTED_AT, batchSize: 1_000 }).finally(() => {
      done = true;
    });
    // The app's counts pass, running beside the import.
    let passes = 0;
    while (!done) {
      await foldPairCounts({ db });
      passes++;
      await new Promise((r) => setTimeout(r, 5));
    }
    await importing;
    await foldPairCounts({ db });
    expect(passes).toBeGreaterThan(0);
    const { voteId } = await ratingsInputStamp({ db });
    expect((await readPairCountCursor({ db }))?.voteId).toBe(voteId);
    const counted = await digest(db);
    // Every anonymous battle once on the overall board (a named one counts on its own board only).
    const overall = counted.categories.find((c) => c.cat === 'overall')!.cells.reduce((n, [, c]) => n + c[0] + c[1] + c[2] + c[3], 0);
    expect(overall).toBe(list.filter((r) => r.anony !== false).length);
    expect(await rebuiltFromStore(db)).toEqual(counted);
  });

  it('writes nothing when another vote came in while the import was written', async () => {
    const db = store.db;
    const counts = await ImportCounts.open({ db, importedAt: IMPORTED_AT });
    expect(counts).not.toBeNull();
    const importId = await beginImport({ db, sha256: 'sha-1', fileName: 'f.json', format: 'json' });
    const rows = [1, 2, 3].map((recordNo) => importRecord(recordNo, { modelB: 'charlie', winner: 'model_b', createdAt: T0 * 1000 + recordNo }));
    await insertImportBatch({ db, importId, rows: rows.slice(0, 2) });
    await liveVote(db, 'live-1', T0 * 1000);
    await insertImportBatch({ db, importId, rows: rows.slice(2) });
    for (const r of rows) counts!.add(r);
    await finishImport({ db, importId, importedCount: 3, skippedCount: 0, report: '{}' });
    expect(await counts!.fold({ db, importId })).toBeNull();
    expect(await readCursorText({ db })).toBeNull();
    expect((await foldPairCounts({ db })).summary).toMatchObject({ rebuilt: true, folded: 4 });
  });
});
