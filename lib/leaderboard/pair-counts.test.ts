import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/index';
import type { Store } from '../../db/store';
import { moderateVote } from '../../db/queries/admin-votes';
import { setVoterBan } from '../../db/queries/admin-voters';
import { createBattle } from '../../db/queries/battles';
import { beginImport, discardImport, finishImport, insertImportBatch, type ImportRecord } from '../../db/queries/imports';
import { iterateCountedArenaVotes, iterateCountedBattles, latestSnapshot, type ArenaVote } from '../../db/queries/leaderboard';
import { deleteOwnedBattles } from '../../db/queries/owned-battles';
import {
  countsInputStamp,
  iterateCountedVotes,
  loadIdentities,
  loadPairCountState,
  readCursorText,
  readPairCountCursor,
  savePairCountState,
} from '../../db/queries/pair-counts';
import { ratingsInputStamp } from '../../db/queries/ratings-input';
import type { PgDb } from '../../db/postgres';
import { allSql, execSql, getSql } from '../../db/testing/raw-sql';
import { openTestStore, type TestStore } from '../../db/testing/stores';
import { createVoter } from '../../db/queries/voters';
import { castVote } from '../../db/queries/votes';
import { countIdentityVotes, influenceWeigher, type InfluenceCaps } from '../integrity/influence';
import { BattleAggregator } from '../rating';
import { Rng } from '../rating/random';
import type { BoardResult } from './board-types';
import { categoriesOf } from './categories';
import { computeBoardsFromCounts, foldPairCounts, type CountsCache } from './count-boards';
import { computeSnapshots } from './compute-snapshots';
import { PairCountState, type CountedVote } from './pair-counts';

/**
 * The counts kept as votes arrive against a recount from nothing, after seeded random sequences of
 * votes (some by one voter far beyond small influence caps, some a study's), imports (some of
 * past battles), exclusions, restores, bans and deletions; and the boards fitted from the counts
 * against the boards of the full pass over every battle.
 */

const MODELS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const WINNERS = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
const CAPS: InfluenceCaps = { perVoter: 12, perVoterModel: 6 };
const T0 = 1_700_000_000_000;

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-pair-counts-'));
  db = openDb(path.join(dir, 'store.db'));
});

afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Recount {
  /** category -> "a|b|o" -> [votes, weight] */
  cells: Map<string, Map<string, [number, number]>>;
  elo: Map<string, Map<string, number>>;
}

/**
 * What the full pass counts, recounted from nothing with the full pass's own reads (of the SQLite
 * store unless another is given): every counted battle in vote-time order, its categories, its
 * weight under the caps, online Elo per category.
 */
async function recount(caps: InfluenceCaps, store: Store = db): Promise<Recount> {
  const { voteId } = await ratingsInputStamp({ db: store });
  const arenaVotes: ArenaVote[] = [];
  for await (const part of iterateCountedArenaVotes({ db: store, upToVoteId: voteId })) arenaVotes.push(...part);
  const weigh = influenceWeigher(countIdentityVotes(arenaVotes), caps);
  const cells = new Map<string, Map<string, [number, number]>>();
  const aggs = new Map<string, BattleAggregator>();
  const code = { model_a: 0, model_b: 1, tie: 2, 'tie (bothbad)': 3 } as const;
  for await (const batch of iterateCountedBattles({ db: store, upToVoteId: voteId })) {
    for (const [, a, b, winner, language, isCode, promptChars, turns, tags, imported, , identity] of batch) {
      const w = identity ? weigh(identity, a, b) : 1;
      const cats = [...categoriesOf({ language, isCode, promptChars, turns, tags }), imported ? 'source:import' : 'source:arena'];
      for (const cat of cats) {
        let m = cells.get(cat);
        if (!m) cells.set(cat, (m = new Map()));
        const key = `${a}|${b}|${code[winner]}`;
        const c = m.get(key) ?? [0, 0];
        m.set(key, [c[0] + 1, c[1] + w]);
        let agg = aggs.get(cat);
        if (!agg) aggs.set(cat, (agg = new BattleAggregator()));
        agg.add(a, b, winner);
      }
    }
  }
  const elo = new Map<string, Map<string, number>>();
  for (const [cat, agg] of aggs) {
    const snap = agg.snapshot();
    elo.set(cat, new Map(snap.models.map((m, k) => [m, snap.elo[k]])));
  }
  return { cells, elo };
}

/** The stored counts (read back from the store, SQLite's unless another is given) in the recount's shape. */
async function stored(caps: InfluenceCaps, version: number, store: Store = db): Promise<Recount> {
  const state = await loadPairCountState({ db: store, expect: { version, caps } });
  expect(state, 'counts stored under the current version and caps').not.toBeNull();
  const cells = new Map<string, Map<string, [number, number]>>();
  const elo = new Map<string, Map<string, number>>();
  for (const [cat, cc] of state!.categories) {
    const snap = state!.aggregator(cat).snapshot();
    const m = new Map<string, [number, number]>();
    for (let s = 0; s < snap.pairCount; s++) {
      for (let o = 0; o < 4; o++) {
        const w = snap.counts[4 * s + o];
        if (w === 0) continue;
        m.set(`${snap.models[snap.pairA[s]]}|${snap.models[snap.pairB[s]]}|${o}`, [0, w]);
      }
    }
    for (const [key, c] of cc.cells) {
      const [a, b] = key.split('\u0000');
      c.forEach((n, o) => {
        if (n > 0) m.get(`${a}|${b}|${o}`)![0] = n;
      });
    }
    if (m.size) cells.set(cat, m);
    elo.set(cat, new Map([...cc.models].map(([name, s]) => [name, s.elo])));
  }
  return { cells, elo };
}

function expectSameCounts(got: Recount, want: Recount): void {
  expect([...got.cells.keys()].sort()).toEqual([...want.cells.keys()].sort());
  for (const [cat, m] of want.cells) {
    const g = got.cells.get(cat)!;
    expect([...g.keys()].sort(), cat).toEqual([...m.keys()].sort());
    for (const [key, [n, w]] of m) {
      expect(g.get(key)![0], `${cat} ${key} votes`).toBe(n);
      expect(g.get(key)![1], `${cat} ${key} weight`).toBeCloseTo(w, 9);
    }
    for (const [model, r] of want.elo.get(cat)!) expect(got.elo.get(cat)?.get(model), `${cat} ${model} elo`).toBeCloseTo(r, 9);
  }
}

/**
 * Stores driven by a seeded random sequence of the operations that change what the board counts:
 * each operation is drawn once and made on every store (the SQLite one unless others are given)
 * with the same query-function calls.
 */
class Driver {
  private readonly rng: Rng;
  private t = T0;
  private battles = 0;
  /** Each import's id on every store. */
  private imports: number[][] = [];
  private readonly banned = new Set<string>();
  private readonly voters = ['v-heavy', 'v-1', 'v-2', 'v-3'];

  constructor(
    seed: number,
    private readonly stores: Store[] = [db],
  ) {
    this.rng = new Rng(seed);
  }

  /** The same call on every store, one after the other. */
  private async each<T>(op: (db: Store, k: number) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (const [k, store] of this.stores.entries()) out.push(await op(store, k));
    return out;
  }

  private int(n: number): number {
    return Math.floor(this.rng.nextDouble() * n);
  }

  private pair(): [string, string] {
    const a = this.int(MODELS.length);
    let b = this.int(MODELS.length - 1);
    if (b >= a) b++;
    return [MODELS[a], MODELS[b]];
  }

  async setUp(): Promise<void> {
    for (const id of this.voters) await this.each((db) => createVoter({ db, id, network: null, userId: id === 'v-3' ? 'u-1' : null, now: T0 }));
  }

  /** A vote; `plain`: by the heavy voter, in no category but overall and source:arena. */
  async vote(plain = false): Promise<void> {
    const [a, b] = this.pair();
    // The heavy voter casts half the votes, and favours alpha: the caps bite on it.
    const voter = plain || this.rng.nextDouble() < 0.5 ? 'v-heavy' : this.voters[1 + this.int(3)];
    const heavy = voter === 'v-heavy';
    const id = `arena-${++this.battles}`;
    this.t += 1000 + this.int(5000);
    const now = this.t;
    // Drawn once for every store, in the order the sequence has always drawn them.
    const battle = {
      id,
      modelA: heavy ? 'alpha' : a,
      modelB: heavy ? (b === 'alpha' ? a : b) : b,
      mode: 'live' as const,
      samplingProbability: 0.1,
      language: plain ? null : ['English', 'German', null][this.int(3)],
      isCode: plain ? false : this.rng.nextDouble() < 0.3,
      promptChars: plain || this.rng.nextDouble() >= 0.2 ? 100 : 3000,
      tags: !plain && this.rng.nextDouble() < 0.2 ? ['math'] : [],
      voterId: voter,
      userId: voter === 'v-3' ? 'u-1' : null,
      // A study's judgments never count on the board.
      studyId: !plain && this.rng.nextDouble() < 0.05 ? 'study-1' : null,
      now,
    };
    const turns = !plain && this.rng.nextDouble() < 0.2 ? 2 : 1;
    const winner = heavy ? 'model_a' : WINNERS[this.int(4)];
    const leakReason = !plain && this.rng.nextDouble() < 0.05 ? 'identity_leak: x' : null;
    await this.each(async (db) => {
      await createBattle({ db, ...battle });
      await execSql(db, sql`UPDATE battles SET turns = ${turns} WHERE id = ${id}`);
      await castVote({ db, battleId: id, winner, voterId: voter, leakReason, now });
    });
  }

  async importSome(past: boolean): Promise<void> {
    const rows: ImportRecord[] = [];
    const base = past ? T0 - 86_400_000 : this.t;
    for (let k = 1; k <= 3 + this.int(5); k++) {
      const [a, b] = this.pair();
      rows.push({
        recordNo: k,
        modelA: a,
        modelB: b,
        winner: WINNERS[this.int(4)],
        createdAt: base + k * 10,
        judge: null,
        turns: 1,
        anony: true,
        language: this.rng.nextDouble() < 0.5 ? 'English' : null,
        questionId: null,
        isCode: false,
        promptChars: null,
        conversationA: null,
        conversationB: null,
      });
    }
    if (!past) this.t = base + 1000;
    const sha256 = `sha-${this.imports.length}-${this.battles}`;
    const ids = await this.each(async (db) => {
      const importId = await beginImport({ db, sha256, fileName: 'f.jsonl', format: 'jsonl' });
      await insertImportBatch({ db, importId, rows });
      await finishImport({ db, importId, importedCount: rows.length, skippedCount: 0, report: '{}' });
      return importId;
    });
    this.imports.push(ids);
  }

  async step(): Promise<string> {
    const r = this.rng.nextDouble();
    if (r < 0.72) {
      await this.vote();
      return 'vote';
    }
    if (r < 0.78) {
      await this.importSome(this.rng.nextDouble() < 0.3);
      return 'import';
    }
    if (r < 0.87) {
      // Pick by rank, not by SQL random(): the sequence stays the seed's.
      const [ids, ...others] = await this.each((db) => allSql<{ id: number }>(db, sql`SELECT id FROM votes ORDER BY id`));
      for (const other of others) expect(other, 'the same votes on every store').toEqual(ids);
      if (!ids.length) return 'none';
      const voteId = ids[this.int(ids.length)].id;
      const action = (['exclude', 'restore', 'clear'] as const)[this.int(3)];
      await this.each((db) => moderateVote({ db, voteId, action, note: 'test', by: 'admin' }));
      return action;
    }
    if (r < 0.93) {
      const voter = this.voters[this.int(this.voters.length)];
      const banned = !this.banned.has(voter);
      await this.each((db) => setVoterBan({ db, voterId: voter, banned, reason: null, by: 'admin' }));
      if (banned) this.banned.add(voter);
      else this.banned.delete(voter);
      return banned ? 'ban' : 'unban';
    }
    if (r < 0.97 && this.imports.length) {
      const ids = this.imports.splice(this.int(this.imports.length), 1)[0];
      await this.each((db, k) => discardImport({ db, importId: ids[k] }));
      return 'discard import';
    }
    await this.each((db) => deleteOwnedBattles({ db, userId: 'u-1' }));
    return 'delete account battles';
  }
}

describe('pair counts', () => {
  for (const seed of [1, 2, 3]) {
    it(`equal a recount from nothing after a random sequence of changes (seed ${seed})`, async () => {
      const d = new Driver(seed);
      await d.setUp();
      const seen = new Set<string>();
      let rebuilds = 0;
      let increments = 0;
      for (let k = 0; k < 200; k++) {
        seen.add(await d.step());
        // Fold after some steps only: a fold then takes several changes at once.
        if (k % 2 !== 1) continue;
        const { summary } = await foldPairCounts({ db, caps: CAPS });
        if (summary.rebuilt) rebuilds++;
        else if (summary.folded > 0) increments++;
        const stamp = await ratingsInputStamp({ db });
        expect(summary.input).toEqual(stamp);
        expectSameCounts(await stored(CAPS, stamp.version), await recount(CAPS));
      }
      // The sequence exercised both paths and every kind of change.
      expect(increments).toBeGreaterThan(5);
      expect(rebuilds).toBeGreaterThan(1);
      for (const op of ['vote', 'import', 'exclude', 'restore', 'ban', 'discard import', 'delete account battles']) expect(seen, op).toContain(op);
      // The caps did bite: some identity weighs less than its votes.
      const capped = await getSql<{ n: number }>(db, sql`SELECT count(*) AS n FROM pair_count_identities WHERE weight < votes`);
      expect(capped!.n).toBeGreaterThan(0);
    });
  }

  it('rebuild from nothing when the caps change, and stay equal to the recount', async () => {
    const d = new Driver(9);
    await d.setUp();
    for (let k = 0; k < 40; k++) await d.vote();
    await foldPairCounts({ db, caps: CAPS });
    const other: InfluenceCaps = { perVoter: null, perVoterModel: 3 };
    const { summary } = await foldPairCounts({ db, caps: other });
    expect(summary.rebuilt).toBe(true);
    const { version } = await ratingsInputStamp({ db });
    expectSameCounts(await stored(other, version), await recount(other));
  });
});

/** Boards equal up to the last bits of floating-point sums (weights sum in another order). */
function expectSameBoard(got: BoardResult, want: BoardResult): void {
  const close = (x: unknown, y: unknown, where: string): void => {
    if (typeof y === 'number' && typeof x === 'number') {
      if (Number.isInteger(y) && Number.isInteger(x)) expect(x, where).toBe(y);
      else expect(Math.abs(x - y), where).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(y)));
      return;
    }
    if (Array.isArray(y)) {
      expect(Array.isArray(x), where).toBe(true);
      expect((x as unknown[]).length, where).toBe(y.length);
      y.forEach((v, i) => close((x as unknown[])[i], v, `${where}[${i}]`));
      return;
    }
    if (y && typeof y === 'object') {
      expect(Object.keys(x as object).sort(), where).toEqual(Object.keys(y).sort());
      for (const [k, v] of Object.entries(y)) close((x as Record<string, unknown>)[k], v, `${where}.${k}`);
      return;
    }
    expect(x, where).toEqual(y);
  };
  close(got, want, got.category);
}

/** The newest plain board of every category. */
async function newestBoards(store: Store): Promise<Map<string, BoardResult>> {
  const rows = await allSql<{ category: string; result: string }>(
    store,
    sql`SELECT category, result FROM rating_snapshots WHERE NOT style_control AND method <> 'history'
          AND id IN (SELECT max(id) FROM rating_snapshots GROUP BY category, style_control)`,
  );
  return new Map(rows.map((r) => [r.category, JSON.parse(r.result) as BoardResult]));
}

describe('boards from the counts', () => {
  async function boards(pass: 'counts' | 'full', caps: InfluenceCaps) {
    if (pass === 'full') await computeSnapshots({ db, influence: caps });
    else await computeBoardsFromCounts({ db, influence: caps });
    return await newestBoards(db);
  }

  for (const caps of [CAPS, { perVoter: null, perVoterModel: null }]) {
    it(`equal the full pass's boards, every category (caps ${JSON.stringify(caps)})`, async () => {
      const d = new Driver(5);
      await d.setUp();
      for (let k = 0; k < 150; k++) await d.step();
      for (let k = 0; k < 100; k++) await d.vote();
      await d.importSome(false);
      const full = await boards('full', caps);
      // Some of the counts are folded early, the rest later: the fold's history must not matter.
      const counts = await boards('counts', caps);
      for (let k = 0; k < 20; k++) await d.vote();
      const full2 = await boards('full', caps);
      const counts2 = await boards('counts', caps);
      for (const [f, c] of [
        [full, counts],
        [full2, counts2],
      ]) {
        expect([...c.keys()].sort()).toEqual([...f.keys()].sort());
        expect(c.has('source:arena') && c.has('language:German') && c.has('tag:math')).toBe(true);
        for (const [category, board] of f) expectSameBoard(c.get(category)!, board);
      }
      if (caps.perVoter === null) {
        // Without caps every count is an integer: the boards are equal to the last bit.
        for (const [category, board] of full2) expect(counts2.get(category)).toEqual(board);
      }
      const overall = await latestSnapshot({ db, category: 'overall', styleControl: false });
      expect(JSON.parse(overall!.params)).toMatchObject({ pass: 'counts' });
    });
  }

  it('equal the full pass\'s boards with the counts kept in memory from pass to pass (as the worker keeps them)', async () => {
    const d = new Driver(21);
    await d.setUp();
    const cache: CountsCache = {};
    let cachedPasses = 0;
    for (let k = 0; k < 60; k++) {
      await d.vote();
      // One pass per vote: the heavy voter's every vote reweighs its votes on other boards too.
      const s = await computeBoardsFromCounts({ db, influence: CAPS, cache });
      if (s.fold.cached) cachedPasses++;
    }
    // Last, votes in no category of their own: they reweigh the heavy voter's votes on the others.
    for (let k = 0; k < 2; k++) {
      await d.vote(true);
      expect((await computeBoardsFromCounts({ db, influence: CAPS, cache })).fold.touched.sort()).toEqual(expect.arrayContaining(['overall', 'source:arena', 'language:German']));
    }
    expect(cachedPasses).toBeGreaterThan(50);
    const counts = await newestBoards(db);
    // The full pass on a copy without any board (in this store it would keep the counts' boards of the same input).
    const copy = path.join(dir, 'copy.db');
    db.$client.prepare('VACUUM INTO ?').run(copy);
    const other = openDb(copy);
    try {
      other.$client.prepare('DELETE FROM rating_snapshots').run();
      await computeSnapshots({ db: other, influence: CAPS });
      const full = await newestBoards(other);
      expect([...counts.keys()].sort()).toEqual([...full.keys()].sort());
      for (const [category, board] of full) expectSameBoard(counts.get(category)!, board);
      expect(counts.size).toBeGreaterThan(5);
    } finally {
      other.$client.close();
    }
  });

  it('fits the boards from the counts without reading the old votes again', async () => {
    const d = new Driver(11);
    await d.setUp();
    for (let k = 0; k < 60; k++) await d.vote();
    await computeBoardsFromCounts({ db, influence: CAPS });
    await d.vote();
    const after = await computeBoardsFromCounts({ db, influence: CAPS });
    expect(after.fold.rebuilt).toBe(false);
    expect(after.fold.folded).toBeLessThanOrEqual(1);
    expect(after.input).toEqual(await ratingsInputStamp({ db }));
  });

  it('has nothing to do in a new process when another pass fitted the boards from exactly the stored counts', async () => {
    const d = new Driver(12);
    await d.setUp();
    for (let k = 0; k < 40; k++) await d.vote();
    const first = await computeBoardsFromCounts({ db, influence: CAPS });
    const head = await latestSnapshot({ db, category: 'overall', styleControl: false });
    // A process that starts now (no counts in memory): nothing folded, fitted or stored.
    const fresh = await computeBoardsFromCounts({ db, influence: CAPS, cache: {} });
    expect(fresh).toMatchObject({ fitted: 0, boards: [], input: first.input, fold: { folded: 0, rebuilt: false } });
    expect((await latestSnapshot({ db, category: 'overall', styleControl: false }))?.id).toBe(head?.id);
    // Under other rules, or after another vote, it folds and fits as always.
    expect((await computeBoardsFromCounts({ db, influence: { perVoter: 30, perVoterModel: 10 }, cache: {} })).fitted).toBeGreaterThan(0);
    await computeBoardsFromCounts({ db, influence: CAPS });
    await d.vote(true);
    const next = await computeBoardsFromCounts({ db, influence: CAPS, cache: {} });
    expect(next.fold.folded).toBe(1);
    expect(next.boards.length).toBeGreaterThan(0);
  });
});


/**
 * The same counts on Postgres: the driver makes each change on a SQLite and a Postgres store with
 * the same query-function calls. Both fold; both must hold the recount's counts, and the boards
 * fitted from them must equal each other's and the full pass's.
 */
describe('pair counts on Postgres', () => {
  let pgStore: TestStore;
  beforeEach(async () => {
    pgStore = await openTestStore('postgres');
  });
  afterEach(() => pgStore.close());

  /** The stores the driver changes: SQLite's, then Postgres's. */
  const both = () => [db, pgStore.db];

  it('folds the same counts as SQLite, equal to a recount, through a random sequence of changes', async () => {
    const d = new Driver(4, both());
    await d.setUp();
    let rebuilds = 0;
    let increments = 0;
    for (let k = 0; k < 120; k++) {
      await d.step();
      if (k % 3 !== 2) continue;
      const onSqlite = await foldPairCounts({ db, caps: CAPS });
      const onPg = await foldPairCounts({ db: pgStore.db, caps: CAPS });
      expect(onPg.summary.input).toEqual(await ratingsInputStamp({ db: pgStore.db }));
      expect(onPg.summary.input).toEqual(onSqlite.summary.input);
      expect(onPg.summary.rebuilt).toBe(onSqlite.summary.rebuilt);
      expect(onPg.summary.folded).toBe(onSqlite.summary.folded);
      if (onPg.summary.rebuilt) rebuilds++;
      else if (onPg.summary.folded > 0) increments++;
      const want = await recount(CAPS);
      // Postgres's own reads recount the same.
      expectSameCounts(await recount(CAPS, pgStore.db), want);
      expectSameCounts(await stored(CAPS, onPg.summary.input.version, pgStore.db), want);
      expectSameCounts(await stored(CAPS, onPg.summary.input.version), want);
    }
    expect(increments).toBeGreaterThan(3);
    expect(rebuilds).toBeGreaterThan(1);
  });

  for (const caps of [CAPS, { perVoter: null, perVoterModel: null }]) {
    it(`fits the same boards as SQLite's counts and as the full pass (caps ${JSON.stringify(caps)})`, async () => {
      const d = new Driver(5, both());
      await d.setUp();
      for (let k = 0; k < 150; k++) await d.step();
      for (let k = 0; k < 60; k++) await d.vote();
      // Boards from the counts early on Postgres, the rest later: the fold's history must not matter.
      await computeBoardsFromCounts({ db: pgStore.db, influence: caps });
      for (let k = 0; k < 20; k++) await d.vote();
      // The full pass first: a store keeps a board from the counts over the full pass's of the same input.
      await computeSnapshots({ db, influence: caps });
      const full = await newestBoards(db);
      const onSqlite = await computeBoardsFromCounts({ db, influence: caps });
      const onPg = await computeBoardsFromCounts({ db: pgStore.db, influence: caps });
      expect(onPg.fold.rebuilt).toBe(false);
      expect(onPg.fold.folded).toBeGreaterThan(0);
      expect(onPg.input).toEqual(onSqlite.input);
      const counts = await newestBoards(db);
      const pgCounts = await newestBoards(pgStore.db);
      expect(JSON.parse((await latestSnapshot({ db: pgStore.db, category: 'overall', styleControl: false }))!.params)).toMatchObject({ pass: 'counts' });
      expect(JSON.parse((await latestSnapshot({ db, category: 'overall', styleControl: false }))!.params)).toMatchObject({ pass: 'counts' });
      expect([...pgCounts.keys()].sort()).toEqual([...full.keys()].sort());
      expect(pgCounts.has('source:arena') && pgCounts.has('language:German') && pgCounts.has('tag:math')).toBe(true);
      for (const [category, board] of full) expectSameBoard(pgCounts.get(category)!, board);
      // The same counts on both stores: the same boards to the last bit.
      expect([...counts.keys()].sort()).toEqual([...pgCounts.keys()].sort());
      for (const [category, board] of counts) expect(pgCounts.get(category), category).toEqual(board);
    });
  }

  it('of two folds at once from the same cursor, one saves; the counts stay the recount', async () => {
    const d = new Driver(7, both());
    await d.setUp();
    for (let k = 0; k < 40; k++) await d.vote();
    await foldPairCounts({ db: pgStore.db, caps: CAPS });
    for (let k = 0; k < 10; k++) await d.vote();
    const [a, b] = await Promise.all([foldPairCounts({ db: pgStore.db, caps: CAPS }), foldPairCounts({ db: pgStore.db, caps: CAPS })]);
    expect(a.summary.input).toEqual(b.summary.input);
    const { version } = await ratingsInputStamp({ db: pgStore.db });
    expectSameCounts(await stored(CAPS, version, pgStore.db), await recount(CAPS));
  });

  for (const on of ['sqlite', 'postgres'] as const) {
    it(`saves a state only over the cursor it was loaded with (${on})`, async () => {
      const d = new Driver(8, both());
      await d.setUp();
      for (let k = 0; k < 30; k++) await d.vote();
      const store = on === 'sqlite' ? db : pgStore.db;
      await foldPairCounts({ db: store, caps: CAPS });
      for (let k = 0; k < 5; k++) await d.vote();
      const cursorText = await readCursorText({ db: store });
      const stamp = await countsInputStamp({ db: store });
      const fold = async () => {
        const state = (await loadPairCountState({ db: store, expect: { version: stamp.version, caps: CAPS } }))!;
        const votes: CountedVote[] = [];
        for await (const batch of iterateCountedVotes({ db: store, afterVoteId: state.cursor.voteId, upToVoteId: stamp.voteId, batchSize: 2 })) votes.push(...batch);
        expect(votes.length).toBeGreaterThan(0);
        await loadIdentities({ db: store, state, identities: PairCountState.identitiesOf(votes) });
        expect(state.fold(votes, stamp.voteId)).toBe(true);
        return state;
      };
      const [s1, s2] = await Promise.all([fold(), fold()]);
      const saved = await Promise.all([
        savePairCountState({ db: store, state: s1, loadedCursorText: cursorText }),
        savePairCountState({ db: store, state: s2, loadedCursorText: cursorText }),
      ]);
      expect(saved.sort()).toEqual([false, true]);
      expectSameCounts(await stored(CAPS, stamp.version, store), await recount(CAPS));
      expect((await readPairCountCursor({ db: store }))?.voteId).toBe(stamp.voteId);
    });
  }

  it('waits for a vote still being inserted with a lower id before it counts up to a higher one', async () => {
    const pgDb = pgStore.db as PgDb;
    const addBattle = (client: { query: (q: string, v: unknown[]) => Promise<unknown> }, id: string, at: number) =>
      client.query(
        `INSERT INTO battles (id, model_a, model_b, mode, status, turns, created_at, updated_at) VALUES ($1, 'alpha', 'bravo', 'live', 'voted', 1, $2, $2)`,
        [id, at],
      );
    await foldPairCounts({ db: pgDb, caps: CAPS });
    const slow = await pgDb.$client.connect();
    try {
      await slow.query('BEGIN');
      await addBattle(slow, 'slow', T0);
      await slow.query(`INSERT INTO votes (battle_id, winner, created_at) VALUES ('slow', 'model_a', $1)`, [T0]);
      // A later vote, with a higher id, is in first.
      await addBattle(pgDb.$client, 'fast', T0 + 1);
      await pgDb.$client.query(`INSERT INTO votes (battle_id, winner, created_at) VALUES ('fast', 'model_b', $1)`, [T0 + 1]);
      const folding = foldPairCounts({ db: pgDb, caps: CAPS });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await slow.query('COMMIT');
      const { state, summary } = await folding;
      expect(summary.folded).toBe(2);
      expect(state.battlesByCategory().get('overall')).toBe(2);
    } finally {
      slow.release();
    }
  });
});
