import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/index';
import { beginImport, finishImport, insertImportBatch, type ImportRecord } from '../../db/queries/imports';
import { latestSnapshot as latest } from '../../db/queries/leaderboard';
import { BattleAggregator, computeRatings } from '../rating';
import type { BoardResult, SnapshotParams } from './board-types';
import { computeSnapshots } from './compute-snapshots';
import { listBoards } from './read-board';
import { runInWorker } from './refresher';

const latestSnapshot = (d: Db, category: string, styleControl: boolean) => latest({ db: d, category, styleControl });
const listSnapshotsForTest = async (d: Db, category: string, styleControl: boolean) =>
  d.$client.prepare('SELECT id FROM rating_snapshots WHERE category = ? AND style_control = ?').all(category, styleControl ? 1 : 0);

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-snapshots-'));
  db = openDb(path.join(dir, 'store.db'));
});

afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const MODELS = ['alpha', 'bravo', 'charlie', 'delta'];

/** Deterministic battles: a stronger model (higher index) wins more often. */
function battles(n: number, start = 1): ImportRecord[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const out: ImportRecord[] = [];
  for (let k = start; k < start + n; k++) {
    const a = Math.floor(rnd() * 4);
    let b = Math.floor(rnd() * 3);
    if (b >= a) b++;
    const r = rnd();
    const winner = r < 0.12 ? 'tie' : r < 0.2 ? 'tie (bothbad)' : rnd() < 0.5 + (a - b) * 0.12 ? 'model_a' : 'model_b';
    const styled = k % 2 === 0;
    out.push({
      recordNo: k,
      modelA: MODELS[a],
      modelB: MODELS[b],
      winner,
      createdAt: 1_700_000_000_000 + k * 1000,
      judge: null,
      turns: k % 5 === 0 ? 2 : 1,
      anony: true,
      language: k % 3 === 0 ? 'German' : 'English',
      questionId: null,
      isCode: k % 4 === 0,
      promptChars: k % 6 === 0 ? 2500 : 120,
      tags: k % 10 === 0 ? ['math'] : undefined,
      conversationA: styled ? [{ role: 'user', content: 'q' }, { role: 'assistant', content: '# H\n- x\n- y\n**b** '.repeat(a + 1) }] : null,
      conversationB: styled ? [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'plain words '.repeat(b + 2) }] : null,
    });
  }
  return out;
}

async function load(records: ImportRecord[], sha = 'sha-1') {
  const importId = await beginImport({ db, sha256: sha, fileName: 'f.jsonl', format: 'jsonl' });
  await insertImportBatch({ db, importId, rows: records });
  await finishImport({ db, importId, importedCount: records.length, skippedCount: 0, report: '{}' });
}

describe('computeSnapshots', () => {
  it('stores one board per category and style setting, equal to a direct fit of the same battles', async () => {
    const records = battles(600);
    await load(records);
    const summary = await computeSnapshots({ db });
    expect(summary.battles).toBe(600);

    const boards = summary.boards.map((b) => `${b.category}|${b.styleControl}`);
    expect(boards.slice(0, 2)).toEqual(['overall|false', 'overall|true']);
    for (const c of ['coding', 'long-prompt', 'multi-turn', 'language:English', 'language:German', 'tag:math']) {
      expect(boards).toContain(`${c}|false`);
    }

    // One source only: no per-source boards (they would repeat the overall one).
    expect(boards.some((b) => b.startsWith('source:'))).toBe(false);

    // The overall board is exactly what the rating engine gives for the same battles in order.
    const agg = new BattleAggregator();
    for (const r of records) agg.add(r.modelA, r.modelB, r.winner);
    const direct = computeRatings(agg, { matrices: false });
    const snap = await latestSnapshot(db, 'overall', false);
    const result = JSON.parse(snap!.result) as BoardResult;
    expect(result.battles).toBe(600);
    expect(result.models).toEqual(direct.models);
    expect(snap!.method).toBe('bradley-terry');
    const params = JSON.parse(snap!.params) as SnapshotParams;
    expect(params).toMatchObject({ ci: 'sandwich', bootstrap: 0, seed: 42, upToVoteId: 600, styleBattles: 300 });
    expect(snap!.dataHash).toMatch(/^[0-9a-f]{64}$/);

    // Categories are refits of their own subsets.
    const coding = JSON.parse((await latestSnapshot(db, 'coding', false))!.result) as BoardResult;
    expect(coding.battles).toBe(records.filter((r) => r.isCode).length);
    const multi = JSON.parse((await latestSnapshot(db, 'multi-turn', false))!.result) as BoardResult;
    expect(multi.battles).toBe(records.filter((r) => r.turns > 1).length);
    const long = JSON.parse((await latestSnapshot(db, 'long-prompt', false))!.result) as BoardResult;
    expect(long.battles).toBe(records.filter((r) => (r.promptChars ?? 0) > 2000).length);

    // Style control fits only the battles whose answers are stored.
    const styled = JSON.parse((await latestSnapshot(db, 'overall', true))!.result) as BoardResult;
    expect(styled.style?.coefficients.tokens).toBeTypeOf('number');
    expect(styled.diagnostics?.battlesUsed).toBe(300);

    // Pair tallies add up to the battles.
    const total = result.pairs!.rows.reduce((s, [, , wi, wj, t, tb]) => s + wi + wj + t + tb, 0);
    expect(total).toBe(600);
  });

  it('gives votes cast here and imported votes a board each when a store has both', async () => {
    await load(battles(120));
    const ins = db.$client.prepare(
      `INSERT INTO battles (id, model_a, model_b, mode, status, turns, source, judge, created_at, updated_at)
       VALUES (?, ?, ?, 'live', 'voted', 1, 'arena', 'voter', ?, ?)`,
    );
    const vote = db.$client.prepare(`INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (?, 'model_a', 'voter', ?)`);
    for (let k = 0; k < 30; k++) {
      ins.run(`live-${k}`, MODELS[k % 4], MODELS[(k + 1) % 4], 1_800_000_000_000 + k, 1_800_000_000_000 + k);
      vote.run(`live-${k}`, 1_800_000_000_000 + k);
    }
    const summary = await computeSnapshots({ db });
    const count = (c: string) => summary.boards.find((b) => b.category === c && !b.styleControl)?.battles;
    expect(count('overall')).toBe(150);
    expect(count('source:arena')).toBe(30);
    expect(count('source:import')).toBe(120);
  });

  it('bounds the weight of one voter who votes a model up again and again', async () => {
    await load(battles(200));
    const ins = db.$client.prepare(
      `INSERT INTO battles (id, model_a, model_b, mode, status, turns, source, voter_id, created_at, updated_at)
       VALUES (?, ?, ?, 'live', 'voted', 1, 'arena', 'one-voter', ?, ?)`,
    );
    const vote = db.$client.prepare(`INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (?, 'model_a', 'one-voter', ?)`);
    for (let k = 0; k < 150; k++) {
      ins.run(`pump-${k}`, MODELS[3], MODELS[k % 3], 1_800_000_000_000 + k, 1_800_000_000_000 + k);
      vote.run(`pump-${k}`, 1_800_000_000_000 + k);
    }
    const rating = async (influence: { perVoter: number | null; perVoterModel: number | null }) => {
      await computeSnapshots({ db, influence });
      const board = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      return board.models.find((m) => m.model === MODELS[3])!;
    };
    const free = await rating({ perVoter: null, perVoterModel: null });
    const capped = await rating({ perVoter: 1000, perVoterModel: 30 });
    expect(capped.rating).toBeLessThan(free.rating - 50);
    // The counts shown are the votes cast, whatever their weight.
    expect(capped.votes).toBe(free.votes);
  });

  it('leaves out excluded votes and battles that are not voted', async () => {
    const records = battles(100);
    await load(records);
    db.$client.prepare(`UPDATE votes SET excluded_reason = 'identity leak' WHERE id <= 10`).run();
    db.$client.prepare(`UPDATE battles SET status = 'failed' WHERE id IN (SELECT battle_id FROM votes WHERE id BETWEEN 11 AND 15)`).run();
    const summary = await computeSnapshots({ db });
    expect(summary.battles).toBe(85);
    const overall = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
    expect(overall.battles).toBe(85);
  });

  it('adds no snapshot when the counted data did not change, and one when it did', async () => {
    await load(battles(200));
    await computeSnapshots({ db });
    const again = await computeSnapshots({ db });
    expect(again.boards.every((b) => !b.created)).toBe(true);

    // An excluded vote moves the cut-off but changes no board.
    await load(battles(1, 201), 'sha-2');
    db.$client.prepare(`UPDATE votes SET excluded_reason = 'identity leak' WHERE id = 201`).run();
    const excluded = await computeSnapshots({ db });
    expect(excluded.boards.every((b) => !b.created)).toBe(true);
    const params = JSON.parse((await latestSnapshot(db, 'overall', false))!.params) as SnapshotParams;
    expect(params.upToVoteId).toBe(201);

    await load(battles(5, 300), 'sha-3');
    const more = await computeSnapshots({ db });
    expect(more.boards.find((b) => b.category === 'overall' && !b.styleControl)?.created).toBe(true);
    expect(more.battles).toBe(205);
    expect((await listSnapshotsForTest(db, 'overall', false)).length).toBe(1); // same hour: thinned to one
  });

  it('runs in a worker thread with the same result', async () => {
    await load(battles(300));
    const file = db.$client.name;
    const summary = await runInWorker(file);
    expect(summary.battles).toBe(300);
    expect(summary.boards[0]).toMatchObject({ category: 'overall', styleControl: false, created: true });
    const fromWorker = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
    const inline = await computeSnapshots({ db });
    expect(inline.boards.every((b) => !b.created)).toBe(true);
    expect(fromWorker.models.length).toBe(4);
  });

  it('retires a language board that falls out of the most voted: it is no longer listed', async () => {
    const inLanguage = (records: ImportRecord[], language: string) => records.map((r) => ({ ...r, language }));
    const first = Array.from({ length: 12 }, (_, i) => inLanguage(battles(2, 1 + 2 * i), `L${String(i + 1).padStart(2, '0')}`)).flat();
    await load(first);
    await computeSnapshots({ db });
    const languages = async () => (await listBoards({ db })).filter((b) => b.category.startsWith('language:') && !b.styleControl).map((b) => b.category);
    expect(await languages()).toHaveLength(12);
    expect(await languages()).toContain('language:L12');

    // A thirteenth, more voted language pushes the last of the twelve (fewest votes, then name) out.
    await load(inLanguage(battles(5, 100), 'L13'), 'sha-2');
    await computeSnapshots({ db });
    const now = await languages();
    expect(now).toHaveLength(12);
    expect(now).toContain('language:L13');
    expect(now).not.toContain('language:L12');
    // Its old snapshot is still stored, only no longer offered.
    expect(await listSnapshotsForTest(db, 'language:L12', false)).toHaveLength(1);
  });
});
