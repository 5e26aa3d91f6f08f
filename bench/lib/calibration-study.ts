/**
 * A simulation study of the rating engine's 95 % intervals: battles drawn from known true
 * ratings, fitted by the engine, and scored by how often the intervals hold the truth.
 * bench/calibration.ts runs it at full size; lib/rating/calibration.test.ts runs a small seeded
 * version with bounds it must meet.
 *
 * The truth: 14 models spread over ±300 Elo points, two of them exactly equal (m07, m08).
 * Pairs are drawn unevenly (a popularity per model times a random factor per pair, fixed by the
 * design seed), so some pairs meet often and some never. Outcomes: with q = P(i beats j) from
 * the true gap, a tie with probability 2νq(1 − q) (ν = 0.6: 30 % ties between equals, fewer
 * as the gap grows), a win for i with q − νq(1 − q), else a loss. The expected score
 * (wins + ties / 2) is then exactly q, so Bradley-Terry with ties as half wins estimates the
 * true ratings — and the scores are less variable than coin tosses (dispersion 1 − ν/2), as
 * real ties make them.
 *
 * An interval covers when it holds the model's true rating minus the mean true rating of its
 * component's established models, or of all its models while fewer than two are established (the
 * engine centres each component on its own, so: lib/rating/centring.ts). Models with no battle in a
 * repetition are not rated and not counted.
 */
import { BattleAggregator, computeRatings, type OutcomeCode, type RatingOptions } from '../../lib/rating';
import { MultinomialSampler, Rng } from '../../lib/rating/random';

export const TRUE_RATINGS = [-300, -220, -150, -100, -60, -30, 0, 0, 30, 70, 110, 160, 220, 300];
export const MODEL_NAMES = TRUE_RATINGS.map((_, k) => `m${String(k + 1).padStart(2, '0')}`);
/** The two models with equal true ratings. */
export const EQUAL_PAIR = [6, 7] as const;

export interface Design {
  truth: number[];
  /** Tie propensity ν: P(tie) = 2νq(1 − q). */
  nu: number;
  pairs: [number, number][];
  pairWeights: number[];
}

export function makeDesign(opts: { truth?: number[]; nu?: number; seed?: number } = {}): Design {
  const truth = opts.truth ?? TRUE_RATINGS;
  const m = truth.length;
  const rng = new Rng(opts.seed ?? 12345, 0);
  // popularity between e^-1.2 and e^1.2 per model; a factor between e^-0.8 and e^0.8 per pair
  const popularity = truth.map(() => Math.exp(2.4 * (rng.nextDouble() - 0.5)));
  const pairs: [number, number][] = [];
  const pairWeights: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      pairs.push([i, j]);
      pairWeights.push(popularity[i] * popularity[j] * Math.exp(1.6 * (rng.nextDouble() - 0.5)));
    }
  }
  return { truth, nu: opts.nu ?? 0.6, pairs, pairWeights };
}

export interface Sample {
  /** Per design pair: wins of i, wins of j, ties. */
  winI: Float64Array;
  winJ: Float64Array;
  ties: Float64Array;
}

export function outcomeProbabilities(design: Design, gapElo: number): { win: number; tie: number; loss: number } {
  const q = 1 / (1 + 10 ** (-gapElo / 400));
  const tie = 2 * design.nu * q * (1 - q);
  return { win: q - tie / 2, tie, loss: 1 - q - tie / 2 };
}

/** N battles: pair counts by one multinomial draw, outcomes by a multinomial draw per pair. */
export function drawBattles(design: Design, n: number, rng: Rng): Sample {
  const P = design.pairs.length;
  const counts = new Float64Array(P);
  new MultinomialSampler(design.pairWeights, n).sample(rng, counts);
  const s: Sample = { winI: new Float64Array(P), winJ: new Float64Array(P), ties: new Float64Array(P) };
  const out = new Float64Array(3);
  for (let p = 0; p < P; p++) {
    if (counts[p] === 0) continue;
    const [i, j] = design.pairs[p];
    const o = outcomeProbabilities(design, design.truth[i] - design.truth[j]);
    new MultinomialSampler([o.win, o.loss, o.tie], counts[p]).sample(rng, out);
    s.winI[p] = out[0];
    s.winJ[p] = out[1];
    s.ties[p] = out[2];
  }
  return s;
}

export function aggregate(design: Design, s: Sample, names = MODEL_NAMES): BattleAggregator {
  const agg = new BattleAggregator();
  const ids = names.map((n) => agg.modelId(n));
  const add = (a: number, b: number, o: OutcomeCode, times: number) => {
    for (let k = 0; k < times; k++) agg.addIds(ids[a], ids[b], o);
  };
  design.pairs.forEach(([i, j], p) => {
    add(i, j, 0, s.winI[p]);
    add(i, j, 1, s.winJ[p]);
    add(i, j, 2, s.ties[p]);
  });
  return agg;
}

export interface MethodFigures {
  /** Share of model intervals (over repetitions) that held the truth. */
  coverage: number;
  /** The lowest per-model coverage, and which model. */
  worst: number;
  worstModel: string;
  /** Mean interval width, Elo points. */
  width: number;
  /** Share of repetitions (with both equal models rated in one component) whose intervals did not overlap. */
  equalSeparated: number;
  equalTrials: number;
  /** Intervals of zero width. */
  zeroWidth: number;
  intervals: number;
  /** Coverage by the model's vote count: < 10, 10-29, 30-99, >= 100 ([covered, intervals]). */
  byVotes: [number, number][];
}

export function runStudy(design: Design, n: number, reps: number, seed: number, options: RatingOptions): MethodFigures {
  const m = design.truth.length;
  const covered = new Float64Array(m);
  const rated = new Float64Array(m);
  const byVotes: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  let width = 0;
  let zeroWidth = 0;
  let equalSeparated = 0;
  let equalTrials = 0;
  const index = new Map(MODEL_NAMES.map((name, k) => [name, k]));
  for (let r = 0; r < reps; r++) {
    const rng = new Rng(seed, r);
    const sample = drawBattles(design, n, rng);
    const result = computeRatings(aggregate(design, sample), { matrices: false, ...options, seed: seed + r });
    // true ratings centred within each component as the engine centres it: on its established
    // (not provisional) models, or on all of them while fewer than two are (lib/rating/centring.ts)
    const counts = new Map<number, number>();
    for (const row of result.models) if (!row.provisional) counts.set(row.component, (counts.get(row.component) ?? 0) + 1);
    const established = new Set([...counts].filter(([, n]) => n >= 2).map(([c]) => c));
    const sum = new Map<number, [number, number]>();
    for (const row of result.models) {
      if (established.has(row.component) && row.provisional) continue;
      const t = sum.get(row.component) ?? [0, 0];
      t[0] += design.truth[index.get(row.model)!];
      t[1]++;
      sum.set(row.component, t);
    }
    const byModel = new Map(result.models.map((row) => [index.get(row.model)!, row]));
    for (const row of result.models) {
      const k = index.get(row.model)!;
      const [total, count] = sum.get(row.component)!;
      const truth = 1000 + design.truth[k] - total / count;
      const ok = row.lower <= truth && truth <= row.upper;
      rated[k]++;
      if (ok) covered[k]++;
      width += row.upper - row.lower;
      if (!(row.upper - row.lower > 1e-9)) zeroWidth++;
      const bucket = row.votes < 10 ? 0 : row.votes < 30 ? 1 : row.votes < 100 ? 2 : 3;
      byVotes[bucket][1]++;
      if (ok) byVotes[bucket][0]++;
    }
    const a = byModel.get(EQUAL_PAIR[0]);
    const b = byModel.get(EQUAL_PAIR[1]);
    if (a && b && a.component === b.component) {
      equalTrials++;
      if (a.lower > b.upper || b.lower > a.upper) equalSeparated++;
    }
  }
  let intervals = 0;
  let hits = 0;
  let worst = 1;
  let worstModel = '';
  for (let k = 0; k < m; k++) {
    intervals += rated[k];
    hits += covered[k];
    if (rated[k] > 0 && covered[k] / rated[k] < worst) {
      worst = covered[k] / rated[k];
      worstModel = MODEL_NAMES[k];
    }
  }
  return {
    coverage: hits / intervals,
    worst,
    worstModel,
    width: width / intervals,
    equalSeparated: equalTrials ? equalSeparated / equalTrials : 0,
    equalTrials,
    zeroWidth,
    intervals,
    byVotes,
  };
}

/**
 * Two equal models and nothing else, after k battles between them: the exact probability (all
 * outcomes enumerated, not simulated) that their intervals do not overlap, i.e. that Rank (UB)
 * would put one above the other. Sides do not matter to the fit.
 */
export function equalPairSeparation(k: number, design: Design, options: RatingOptions): number {
  const o = outcomeProbabilities(design, 0);
  let total = 0;
  const logFact = (x: number) => {
    let s = 0;
    for (let t = 2; t <= x; t++) s += Math.log(t);
    return s;
  };
  for (let w = 0; w <= k; w++) {
    for (let l = 0; w + l <= k; l++) {
      const t = k - w - l;
      const p = Math.exp(logFact(k) - logFact(w) - logFact(l) - logFact(t) + w * Math.log(o.win) + l * Math.log(o.loss) + t * Math.log(o.tie));
      const agg = new BattleAggregator();
      for (let x = 0; x < w; x++) agg.add('a', 'b', 'model_a');
      for (let x = 0; x < l; x++) agg.add('a', 'b', 'model_b');
      for (let x = 0; x < t; x++) agg.add('a', 'b', 'tie');
      const r = computeRatings(agg, { matrices: false, ...options });
      const [x, y] = r.models;
      if (x.lower > y.upper || y.lower > x.upper) total += p;
    }
  }
  return total;
}

