import { OUTCOME_A, OUTCOME_B, outcomeCode, STYLE_KEYS, type OutcomeCode, type StyleFeatures, type Winner } from './types';

export const ELO_K = 4;
export const ELO_START = 1000;
const LN10_400 = Math.LN10 / 400;
const DENSE_MAX = 2048;

/**
 * Online Elo's step for one battle: what side a gains (side b loses as much), with P(a beats b) =
 * 1 / (1 + 10^((Rb - Ra) / 400)) and `score` 1 (a won), 0 (b won) or 0.5 (tie). The one definition,
 * for the aggregator and for the counts kept as votes arrive (lib/leaderboard/pair-counts.ts).
 */
export function eloStep(ra: number, rb: number, score: number): number {
  const p = 1 / (1 + Math.exp((rb - ra) * LN10_400));
  return ELO_K * (score - p);
}

/** One battle's style covariates: (a - b) / (a + b + 1) for tokens, headers, list items, bold. */
export function styleDiff(a: StyleFeatures, b: StyleFeatures, out: Float64Array, offset = 0): void {
  for (let k = 0; k < 4; k++) {
    const key = STYLE_KEYS[k];
    const x = a[key];
    const y = b[key];
    out[offset + k] = (x - y) / (x + y + 1);
  }
}

function isStyle(s: unknown): s is StyleFeatures {
  if (!s || typeof s !== 'object') return false;
  for (const key of STYLE_KEYS) {
    const v = (s as Record<string, unknown>)[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return false;
  }
  return true;
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  let size = Math.max(16, arr.length * 2);
  while (size < need) size *= 2;
  const next = new (arr.constructor as { new (n: number): T })(size);
  next.set(arr);
  return next;
}

/** Read-only view of what the aggregator has collected (arrays may be longer than used). */
export interface AggregateSnapshot {
  models: readonly string[];
  battles: number;
  skipped: number;
  /** Ordered pairs (a, b) as seen; counts[4 * slot + outcome]. */
  pairCount: number;
  pairA: Int32Array;
  pairB: Int32Array;
  counts: Float64Array;
  elo: Float64Array;
  wins: Float64Array;
  losses: Float64Array;
  ties: Float64Array;
  votes: Float64Array;
  style: { rows: number; a: Int32Array; b: Int32Array; outcome: Uint8Array; diff: Float64Array } | null;
}

/**
 * Collects battles in time order: counts identical (model_a, model_b, outcome) triples once with
 * their count, keeps per-model wins/losses/ties/votes, and runs online Elo (K = 4, start 1000,
 * Elo scale) as battles arrive, so `add` must be called in time order.
 *
 * A battle is skipped (and counted in `skippedCount`) when a model name is not a non-empty
 * string, both sides are the same model, the winner is not one of the four clean_battle values,
 * or given style features are not finite non-negative numbers. Skipped battles change nothing.
 */
export class BattleAggregator {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  // Slot of an ordered model pair: a dense table while there are at most DENSE_MAX models, a
  // Map beyond that.
  private denseCap = 64;
  private dense: Int32Array | null = new Int32Array(64 * 64).fill(-1);
  private readonly pairSlots = new Map<number, number>();
  private pairA = new Int32Array(64);
  private pairB = new Int32Array(64);
  private counts = new Float64Array(256);
  private pairs = 0;
  private eloR = new Float64Array(16);
  private winsA = new Float64Array(16);
  private lossesA = new Float64Array(16);
  private tiesA = new Float64Array(16);
  private votesA = new Float64Array(16);
  private battles = 0;
  private skipped = 0;
  private styleRows = 0;
  private styleA = new Int32Array(0);
  private styleB = new Int32Array(0);
  private styleOutcome = new Uint8Array(0);
  private styleDiffs = new Float64Array(0);
  private readonly scratch = new Float64Array(4);

  /**
   * Adds a battle. `weight` (default 1) scales what the battle contributes to the fitted counts,
   * for bounded influence (lib/integrity/influence.ts); vote counts, win counts and the online
   * Elo count the battle once whatever its weight, and style-controlled fits ignore weights.
   */
  add(modelA: string, modelB: string, winner: Winner, style?: { a: StyleFeatures; b: StyleFeatures }, weight = 1): void {
    const o = outcomeCode(winner);
    if (typeof modelA !== 'string' || typeof modelB !== 'string' || modelA === '' || modelB === '' || modelA === modelB || o < 0) {
      this.skipped++;
      return;
    }
    let diff: Float64Array | null = null;
    if (style !== undefined) {
      if (!style || !isStyle(style.a) || !isStyle(style.b)) {
        this.skipped++;
        return;
      }
      styleDiff(style.a, style.b, this.scratch);
      diff = this.scratch;
    }
    this.addIds(this.modelId(modelA), this.modelId(modelB), o as OutcomeCode, diff, weight);
  }

  /** Interned index of a model name (creates it). For fast readers that resolve names once. */
  modelId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
      const need = id + 1;
      if (need > this.eloR.length) {
        const start = this.eloR.length;
        this.eloR = grow(this.eloR, need);
        this.eloR.fill(ELO_START, start);
        this.winsA = grow(this.winsA, need);
        this.lossesA = grow(this.lossesA, need);
        this.tiesA = grow(this.tiesA, need);
        this.votesA = grow(this.votesA, need);
      } else {
        this.eloR[id] = ELO_START;
      }
    }
    return id;
  }

  /**
   * Adds a battle between interned models a != b with an outcome code (0 a won, 1 b won, 2 tie,
   * 3 tie (bothbad)); `diff` is the battle's four style covariates (see styleDiff) or null.
   */
  addIds(a: number, b: number, outcome: OutcomeCode, diff: Float64Array | null = null, weight = 1): void {
    const slot = this.slotOf(a, b);
    this.counts[4 * slot + outcome] += weight;
    this.battles++;
    this.votesA[a]++;
    this.votesA[b]++;
    let score: number;
    if (outcome === OUTCOME_A) {
      this.winsA[a]++;
      this.lossesA[b]++;
      score = 1;
    } else if (outcome === OUTCOME_B) {
      this.winsA[b]++;
      this.lossesA[a]++;
      score = 0;
    } else {
      this.tiesA[a]++;
      this.tiesA[b]++;
      score = 0.5;
    }
    const ra = this.eloR[a];
    const rb = this.eloR[b];
    const delta = eloStep(ra, rb, score);
    this.eloR[a] = ra + delta;
    this.eloR[b] = rb - delta;
    if (diff) {
      const r = this.styleRows++;
      if (r >= this.styleA.length) {
        this.styleA = grow(this.styleA, r + 1);
        this.styleB = grow(this.styleB, r + 1);
        this.styleOutcome = grow(this.styleOutcome, r + 1);
        this.styleDiffs = grow(this.styleDiffs, 4 * this.styleA.length);
      }
      this.styleA[r] = a;
      this.styleB[r] = b;
      this.styleOutcome[r] = outcome;
      this.styleDiffs.set(diff.subarray(0, 4), 4 * r);
    }
  }

  /**
   * Adds `n` battles of one (a, b, outcome) triple at once, whose weights sum to `weight`: what a
   * board fitted from stored counts (lib/leaderboard/pair-counts.ts) feeds in. Counts, votes and
   * wins as `addIds` would give for those battles; online Elo is not run (see `setElo`), and no
   * battle carries style.
   */
  addTally(a: number, b: number, outcome: OutcomeCode, n: number, weight: number): void {
    const slot = this.slotOf(a, b);
    this.counts[4 * slot + outcome] += weight;
    this.battles += n;
    this.votesA[a] += n;
    this.votesA[b] += n;
    if (outcome === OUTCOME_A) {
      this.winsA[a] += n;
      this.lossesA[b] += n;
    } else if (outcome === OUTCOME_B) {
      this.winsA[b] += n;
      this.lossesA[a] += n;
    } else {
      this.tiesA[a] += n;
      this.tiesA[b] += n;
    }
  }

  /** Sets a model's online Elo (kept elsewhere, as with `addTally`). */
  setElo(id: number, rating: number): void {
    this.eloR[id] = rating;
  }

  hasModel(name: string): boolean {
    return this.ids.has(name);
  }

  /** The slot of ordered pair (a, b), created when new. */
  private slotOf(a: number, b: number): number {
    let slot: number | undefined;
    if (this.dense !== null && a < this.denseCap && b < this.denseCap) {
      slot = this.dense[a * this.denseCap + b];
      if (slot < 0) slot = undefined;
    } else if (this.dense === null) slot = this.pairSlots.get(a * 1048576 + b);
    else {
      this.growDense(Math.max(a, b) + 1);
      return this.slotOf(a, b);
    }
    if (slot === undefined) {
      slot = this.pairs++;
      if (this.dense !== null) this.dense[a * this.denseCap + b] = slot;
      else this.pairSlots.set(a * 1048576 + b, slot);
      if (slot >= this.pairA.length) {
        this.pairA = grow(this.pairA, slot + 1);
        this.pairB = grow(this.pairB, slot + 1);
        this.counts = grow(this.counts, 4 * (slot + 1));
      }
      this.pairA[slot] = a;
      this.pairB[slot] = b;
    }
    return slot;
  }

  private growDense(need: number): void {
    let cap = this.denseCap;
    while (cap < need) cap *= 2;
    if (cap > DENSE_MAX) {
      for (let s = 0; s < this.pairs; s++) this.pairSlots.set(this.pairA[s] * 1048576 + this.pairB[s], s);
      this.dense = null;
      return;
    }
    const next = new Int32Array(cap * cap).fill(-1);
    for (let s = 0; s < this.pairs; s++) next[this.pairA[s] * cap + this.pairB[s]] = s;
    this.dense = next;
    this.denseCap = cap;
  }

  /** Counts a record that was rejected before reaching the aggregator. */
  countSkipped(n = 1): void {
    this.skipped += n;
  }

  get battleCount(): number {
    return this.battles;
  }

  get skippedCount(): number {
    return this.skipped;
  }

  get models(): readonly string[] {
    return this.names;
  }

  snapshot(): AggregateSnapshot {
    return {
      models: this.names,
      battles: this.battles,
      skipped: this.skipped,
      pairCount: this.pairs,
      pairA: this.pairA,
      pairB: this.pairB,
      counts: this.counts,
      elo: this.eloR,
      wins: this.winsA,
      losses: this.lossesA,
      ties: this.tiesA,
      votes: this.votesA,
      style:
        this.styleRows > 0
          ? { rows: this.styleRows, a: this.styleA, b: this.styleB, outcome: this.styleOutcome, diff: this.styleDiffs }
          : null,
    };
  }
}
