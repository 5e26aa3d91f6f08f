import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginImport, finishImport, insertImportBatch, type ImportRecord } from '../../db/queries/imports';
import { latestSnapshot as latest, readHistoryRow } from '../../db/queries/leaderboard';
import type { Store } from '../../db/store';
import { allSql, execSql } from '../../db/testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../../db/testing/stores';
import { BattleAggregator, computeRatings } from '../rating';
import type { BoardResult, SnapshotParams } from './board-types';
import { computeBoardsFromCounts } from './count-boards';
import { computeSnapshots } from './compute-snapshots';
import { DAY_MS, HISTORY_MAX_POINTS, type StoredHistory } from './history';
import { importBattles } from './import-battles';
import { listBoards, readRatingHistory } from './read-board';
import { runInWorker } from './refresher';

const latestSnapshot = (d: Store, category: string, styleControl: boolean) => latest({ db: d, category, styleControl });
const listSnapshotsForTest = async (d: Store, category: string, styleControl: boolean) =>
  allSql(d, sql`SELECT id FROM rating_snapshots WHERE category = ${category} AND style_control = ${styleControl ? sql`TRUE` : sql`FALSE`}`);


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

describe.each(STORES)('on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  let dir: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-snapshots-'));
    store = await openTestStore(dialect);
    db = store.db;
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(records: ImportRecord[], sha = 'sha-1') {
    const importId = await beginImport({ db, sha256: sha, fileName: 'f.jsonl', format: 'jsonl' });
    await insertImportBatch({ db, importId, rows: records });
    await finishImport({ db, importId, importedCount: records.length, skippedCount: 0, report: '{}' });
  }

  describe('computeSnapshots', () => {
    it('fits every board under the board setting\u2019s provisional threshold, in both passes, and refits when it changes', async () => {
      await load(battles(600));
      const overall = async () => JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      await computeSnapshots({ db, provisionalVotes: 1000 });
      let board = await overall();
      expect(board.diagnostics?.provisional).toEqual({ votes: 1000, models: 4 });
      expect(board.models.every((m) => m.provisional && /fewer than 1000: not ranked/.test(m.provisionalReason ?? ''))).toBe(true);
      expect(JSON.parse((await latestSnapshot(db, 'overall', false))!.params)).toMatchObject({ provisionalVotes: 1000 });
      // The counts pass, no new vote: a board fitted under another threshold is fitted again.
      await computeBoardsFromCounts({ db, provisionalVotes: 0 });
      board = await overall();
      expect(board.diagnostics?.provisional).toEqual({ votes: 0, models: 0 });
      expect(board.models.some((m) => m.provisional)).toBe(false);
      const votes = board.models.map((m) => m.votes).sort((x, y) => x - y);
      const between = Math.floor((votes[1] + votes[2]) / 2) + 1;
      await computeBoardsFromCounts({ db, provisionalVotes: between });
      board = await overall();
      expect(board.models.filter((m) => m.provisional).length).toBe(board.models.filter((m) => m.votes < between).length);
      expect(board.diagnostics?.provisional.votes).toBe(between);
    });

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
      // The parameters say what the board was fitted with: the profile intervals, no bootstrap.
      expect(params).toMatchObject({ ci: 'profile', bootstrap: 0, seed: null, model: 'bradley-terry', provisionalVotes: 30, upToVoteId: 600, styleBattles: 300 });
      expect(result.diagnostics?.ci).toBe('profile');
      expect(JSON.parse((await latestSnapshot(db, 'overall', true))!.params)).toMatchObject({ ci: 'laplace', minBattles: 100 });
      // Vote-time order, no untimed battle; the covariance for the model page; first votes for "new".
      expect(result.diagnostics?.elo.order).toBe('time');
      expect(result.untimedBattles).toBe(0);
      expect(result.covariance?.[0].models).toHaveLength(4);
      expect(result.firstVoteAt?.[records[0].modelA]).toBe(records[0].createdAt);
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
      for (let k = 0; k < 30; k++) {
        const at = 1_800_000_000_000 + k;
        await execSql(
          db,
          sql`INSERT INTO battles (id, model_a, model_b, mode, status, turns, source, judge, created_at, updated_at)
              VALUES (${`live-${k}`}, ${MODELS[k % 4]}, ${MODELS[(k + 1) % 4]}, 'live', 'voted', 1, 'arena', 'voter', ${at}, ${at})`,
        );
        await execSql(db, sql`INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (${`live-${k}`}, 'model_a', 'voter', ${at})`);
      }
      const summary = await computeSnapshots({ db });
      const count = (c: string) => summary.boards.find((b) => b.category === c && !b.styleControl)?.battles;
      expect(count('overall')).toBe(150);
      expect(count('source:arena')).toBe(30);
      expect(count('source:import')).toBe(120);
    });

    it('bounds the weight of one voter who votes a model up again and again', async () => {
      await load(battles(200));
      for (let k = 0; k < 150; k++) {
        const at = 1_800_000_000_000 + k;
        await execSql(
          db,
          sql`INSERT INTO battles (id, model_a, model_b, mode, status, turns, source, voter_id, created_at, updated_at)
              VALUES (${`pump-${k}`}, ${MODELS[3]}, ${MODELS[k % 3]}, 'live', 'voted', 1, 'arena', 'one-voter', ${at}, ${at})`,
        );
        await execSql(db, sql`INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (${`pump-${k}`}, 'model_a', 'one-voter', ${at})`);
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
      await execSql(db, sql`UPDATE votes SET excluded_reason = 'identity leak' WHERE id <= 10`);
      await execSql(db, sql`UPDATE battles SET status = 'failed' WHERE id IN (SELECT battle_id FROM votes WHERE id BETWEEN 11 AND 15)`);
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
      await execSql(db, sql`UPDATE votes SET excluded_reason = 'identity leak' WHERE id = 201`);
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
      const file = store.location;
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

    it('says why a category with too few battles, or style control with too few styled battles, is not fitted', async () => {
      // 40 battles: 20 carry answers (style), 10 are coding battles.
      await load(battles(40));
      await computeSnapshots({ db });
      const coding = JSON.parse((await latestSnapshot(db, 'coding', false))!.result) as BoardResult;
      expect(coding.models).toEqual([]);
      expect(coding.diagnostics?.status).toMatchObject({ code: 'too-few-battles' });
      expect(coding.diagnostics?.status.message).toContain('30');
      const styled = JSON.parse((await latestSnapshot(db, 'overall', true))!.result) as BoardResult;
      expect(styled.models).toEqual([]);
      expect(styled.diagnostics?.status).toMatchObject({ code: 'too-few-style-battles' });
      // The overall board is fitted however few its battles; its models are provisional.
      const overall = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      expect(overall.models).toHaveLength(4);
      expect(overall.models.every((m) => m.provisional && m.provisionalReason)).toBe(true);
    });

    it('takes imported battles without a tstamp in file order, and says so', async () => {
      const file = path.join(dir, 'untimed.csv');
      fs.writeFileSync(file, 'model_a,model_b,winner\n' + Array.from({ length: 20 }, (_, k) => `${MODELS[k % 4]},${MODELS[(k + 1) % 4]},model_a`).join('\n') + '\n');
      await importBattles({ db, file });
      await computeSnapshots({ db });
      const overall = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      expect(overall.untimedBattles).toBe(20);
      expect(overall.diagnostics?.elo.order).toBe('file');
    });
  });

  describe('rating history by vote time', () => {
    /** `perDay` battles on each of `days` days from day `first`. */
    function daily(days: number, perDay: number, firstDay = 19_700, start = 1): ImportRecord[] {
      const out = battles(days * perDay, start);
      return out.map((r, k) => ({ ...r, createdAt: (firstDay + Math.floor(k / perDay)) * DAY_MS + (k % perDay) * 1000 }));
    }
    const stored = async () => JSON.parse((await readHistoryRow({ db, category: 'overall' }))!.result) as StoredHistory;

    it('holds the board as of each day, fitted from the battles up to that day', async () => {
      const records = daily(10, 40);
      await load(records);
      const summary = await computeSnapshots({ db });
      expect(summary.history).toMatchObject({ points: 10, fitted: 10, reused: 0 });
      const history = (await readRatingHistory({ db }))!;
      expect(history.stride).toBe(1);
      expect(history.points.map((p) => p.at)).toEqual(Array.from({ length: 10 }, (_, d) => (19_700 + d) * DAY_MS));
      expect(history.points.map((p) => p.battles)).toEqual(Array.from({ length: 10 }, (_, d) => 40 * (d + 1)));

      // Day 3 is exactly the fit of the first 4 × 40 battles.
      const agg = new BattleAggregator();
      for (const r of records.slice(0, 160)) agg.add(r.modelA, r.modelB, r.winner);
      const direct = computeRatings(agg, { matrices: false });
      for (const m of direct.models) {
        expect(history.points[3].ratings[m.model]).toEqual({
          rating: Math.round(m.rating * 10) / 10,
          lower: Math.round(m.lower * 10) / 10,
          upper: Math.round(m.upper * 10) / 10,
          rank: m.rank,
          votes: m.votes,
          component: m.component,
          provisional: m.provisional,
        });
      }
      // The last day is the board itself.
      const board = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      for (const m of board.models) expect(history.points[9].ratings[m.model].rating).toBe(Math.round(m.rating * 10) / 10);
      // Only the asked-for models.
      expect(Object.keys((await readRatingHistory({ db, models: ['alpha'] }))!.points[9].ratings)).toEqual(['alpha']);
    });

    it('refits only the days whose battles changed', async () => {
      await load(daily(10, 40));
      await computeSnapshots({ db });
      const again = await computeSnapshots({ db });
      expect(again.history).toMatchObject({ points: 10, fitted: 0, reused: 10 });

      // Votes on the last day: that day alone is refitted.
      await load(daily(1, 5, 19_709, 1000), 'sha-2');
      const today = await computeSnapshots({ db });
      expect(today.history).toMatchObject({ points: 10, fitted: 1, reused: 9 });

      // An excluded vote of day 6: days 6 to 9 change.
      const [{ id }] = await allSql<{ id: number }>(db, sql`SELECT v.id FROM votes v WHERE v.created_at >= ${19_706 * DAY_MS} ORDER BY v.id LIMIT 1`);
      await execSql(db, sql`UPDATE votes SET excluded_reason = 'moderated' WHERE id = ${id}`);
      const excluded = await computeSnapshots({ db });
      expect(excluded.history).toMatchObject({ fitted: 4, reused: 6 });
      expect((await stored()).points[6].battles).toBe(6 * 40 + 39);
    });

    it('thins a long range to at most the point budget, keeping first and last day', async () => {
      // 400 days with a battle every other day.
      const records = daily(200, 2).map((r, k) => ({ ...r, createdAt: (19_000 + 2 * Math.floor(k / 2)) * DAY_MS + (k % 2) * 1000 }));
      await load(records);
      const summary = await computeSnapshots({ db });
      const h = await stored();
      expect(h.stride).toBe(4);
      expect(h.points.length).toBeLessThanOrEqual(HISTORY_MAX_POINTS);
      expect(summary.history?.points).toBe(h.points.length);
      expect(h.points[0].day).toBe(19_000);
      expect(h.points.at(-1)!.day).toBe(19_398);
      expect(h.points.slice(1, -1).every((p) => p.day % 4 === 0)).toBe(true);
      // Days without battles repeat the day before (same prefix, fitted once).
      expect(summary.history!.fitted).toBeLessThan(h.points.length + 1);
    });

    it('runs after the boards in the worker, which reports both', async () => {
      await load(daily(3, 30));
      const announced: number[] = [];
      const summary = await runInWorker(store.location, undefined, (s) => announced.push(s.battles));
      expect(announced).toEqual([90]);
      expect(summary.history).toMatchObject({ points: 3, fitted: 3 });
      expect((await readRatingHistory({ db }))!.points).toHaveLength(3);
    });
  });

  describe('battles that were not anonymous, and image battles', () => {
    it('a battle with anony false counts only on the named board; the main board and its categories never see it', async () => {
      const anonymous = battles(200);
      const named = battles(40, 1000).map((r) => ({ ...r, anony: false, modelA: 'echo', modelB: r.modelB }));
      await load([...anonymous, ...named]);
      const summary = await computeSnapshots({ db });
      const count = (category: string) => summary.boards.find((b) => b.category === category && !b.styleControl)?.battles;
      expect(count('overall')).toBe(200);
      expect(count('named')).toBe(40);
      const overall = JSON.parse((await latestSnapshot(db, 'overall', false))!.result) as BoardResult;
      expect(overall.models.map((m) => m.model)).not.toContain('echo');
      // No other board counts them either.
      for (const b of summary.boards.filter((x) => x.category !== 'named')) {
        const result = JSON.parse((await latestSnapshot(db, b.category, b.styleControl))!.result) as BoardResult;
        expect(result.pairs?.models ?? [], b.category).not.toContain('echo');
      }
      const namedBoard = JSON.parse((await latestSnapshot(db, 'named', false))!.result) as BoardResult;
      expect(namedBoard.pairs!.models).toContain('echo');
    });

    it('an image battle counts on the main board and on the vision board', async () => {
      await load(battles(50));
      await execSql(db, sql`UPDATE battles SET vision = TRUE WHERE id IN (SELECT id FROM battles ORDER BY id LIMIT 12)`);
      const summary = await computeSnapshots({ db });
      const count = (category: string) => summary.boards.find((b) => b.category === category && !b.styleControl)?.battles;
      expect(count('overall')).toBe(50);
      expect(count('vision')).toBe(12);
    });
  });
});
