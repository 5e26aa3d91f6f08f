import { z } from 'zod';
import { AppError } from '../errors';
import type { BattleAggregator } from './aggregator';
import { BOOTSTRAP_CHUNK, bootstrapBt, percentileBounds } from './bootstrap';
import { parallelBootstrap } from './bootstrap-threads';
import { btDataFromTable, fitBradleyTerry } from './bradley-terry';
import { buildPairTable } from './pair-table';
import { btSandwichVariance, Z_95 } from './sandwich';
import { bootstrapStyle, buildStyleData, fitStyleControl, styleSandwichVariance, styleTheta } from './style-control';
import { STYLE_KEYS, type FitDiagnostics, type ModelRating, type RatingOptions, type RatingsResult, type StyleKey } from './types';

export const DEFAULT_SEED = 42;
export const DEFAULT_BOOTSTRAP_ROUNDS = 100;
const ELO_PER_NAT = 400 / Math.LN10;

const optionsSchema = z.object({
  bootstrap: z.number().int().min(0).max(1_000_000).optional(),
  seed: z.number().int().refine(Number.isSafeInteger, 'seed must be a safe integer').optional(),
  anchor: z.object({ model: z.string().min(1), rating: z.number().finite() }).optional(),
  ci: z.enum(['bootstrap', 'sandwich']).optional(),
  styleControl: z.boolean().optional(),
  reweight: z.boolean().optional(),
  matrices: z.boolean().optional(),
  threads: z.number().int().min(1).max(64).optional(),
});

/** Rank (UB): 1 + the number of models whose lower bound exceeds this model's upper bound. */
export function rankUpperBound(lower: ArrayLike<number>, upper: ArrayLike<number>): number[] {
  const n = lower.length;
  const sortedLower = Float64Array.from(lower).sort();
  const ranks: number[] = [];
  for (let k = 0; k < n; k++) {
    // count of lower_j > upper_k by binary search on the sorted lower bounds
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedLower[mid] > upper[k]) hi = mid;
      else lo = mid + 1;
    }
    ranks.push(1 + (n - lo));
  }
  return ranks;
}

/**
 * Ratings of every model that took part in at least one counted battle: Bradley-Terry point
 * estimates (exact MLE; see bradley-terry.ts for data where it does not exist) on the Elo scale
 * with mean 1000 or shifted so that `anchor.model` gets `anchor.rating` (the same constant shifts
 * the bounds; an anchor naming no rated model is ignored and reported in diagnostics), 95 %
 * intervals by bootstrap percentiles or the sandwich, Rank (UB), online Elo and counts.
 */
export function computeRatings(agg: BattleAggregator, options: RatingOptions = {}): RatingsResult {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new AppError('validation_failed', `Invalid rating options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const opts = parsed.data;
  const ci = opts.ci ?? ((opts.bootstrap ?? 0) > 0 ? 'bootstrap' : 'sandwich');
  const rounds = ci === 'bootstrap' ? (opts.bootstrap ?? DEFAULT_BOOTSTRAP_ROUNDS) : 0;
  if (ci === 'bootstrap' && rounds === 0) throw new AppError('validation_failed', 'ci "bootstrap" needs at least one bootstrap round');
  const seed = opts.seed ?? DEFAULT_SEED;
  const snap = agg.snapshot();

  let ids: number[] = [];
  if (opts.styleControl) {
    const inStyle = new Uint8Array(snap.models.length);
    if (snap.style) for (let r = 0; r < snap.style.rows; r++) inStyle[snap.style.a[r]] = inStyle[snap.style.b[r]] = 1;
    for (let k = 0; k < snap.models.length; k++) if (inStyle[k]) ids.push(k);
  } else {
    for (let k = 0; k < snap.models.length; k++) if (snap.votes[k] > 0) ids.push(k);
  }
  // A fixed (name) order makes the result independent of the order models first appeared.
  ids = ids.sort((x, y) => (snap.models[x] < snap.models[y] ? -1 : snap.models[x] > snap.models[y] ? 1 : 0));
  const m = ids.length;

  const diagnostics: FitDiagnostics = {
    estimator: 'none',
    iterations: 0,
    gradientNorm: 0,
    converged: true,
    ci: m >= 2 ? ci : 'none',
    bootstrapRounds: 0,
    bootstrapFallbackRounds: 0,
    battlesUsed: 0,
    anchorApplied: false,
  };

  let theta: Float64Array = new Float64Array(m);
  let lowerT: Float64Array = new Float64Array(m);
  let upperT: Float64Array = new Float64Array(m);
  let style: RatingsResult['style'];

  if (m >= 2 && !opts.styleControl) {
    const table = buildPairTable(snap, ids, opts.reweight ?? false);
    const data = btDataFromTable(table);
    const fit = fitBradleyTerry(data);
    theta = fit.theta;
    Object.assign(diagnostics, {
      estimator: fit.prior ? 'map-virtual-ties' : 'mle',
      iterations: fit.iterations,
      gradientNorm: fit.gradientNorm,
      converged: fit.converged,
      battlesUsed: table.battles,
    });
    if (ci === 'sandwich') {
      const v = btSandwichVariance(table, data, theta, fit.prior);
      for (let k = 0; k < m; k++) {
        const half = Z_95 * Math.sqrt(v[k]);
        lowerT[k] = theta[k] - half;
        upperT[k] = theta[k] + half;
      }
    } else {
      const threads = opts.threads ?? 1;
      const boot =
        threads > 1 && rounds >= 2 * BOOTSTRAP_CHUNK ? parallelBootstrap(table, theta, rounds, seed, threads) : bootstrapBt(table, theta, rounds, seed);
      ({ lower: lowerT, upper: upperT } = percentileBounds(boot.samples, rounds, m));
      diagnostics.bootstrapRounds = rounds;
      diagnostics.bootstrapFallbackRounds = boot.fallbackRounds;
      diagnostics.gradientNorm = Math.max(diagnostics.gradientNorm, boot.maxGradientNorm);
    }
  } else if (m >= 2 && opts.styleControl) {
    const data = buildStyleData(snap, ids, opts.reweight ?? false);
    const fit = fitStyleControl(data);
    theta = styleTheta(fit.params, m);
    const coefficients = {} as Record<StyleKey, number>;
    STYLE_KEYS.forEach((key, c) => (coefficients[key] = fit.params[m + c]));
    style = { coefficients };
    Object.assign(diagnostics, {
      estimator: 'penalized',
      iterations: fit.iterations,
      gradientNorm: fit.gradientNorm,
      converged: fit.converged,
      battlesUsed: data.rows,
    });
    if (ci === 'sandwich') {
      const v = styleSandwichVariance(data, fit.params);
      for (let k = 0; k < m; k++) {
        const half = Z_95 * Math.sqrt(v[k]);
        lowerT[k] = theta[k] - half;
        upperT[k] = theta[k] + half;
      }
    } else {
      const boot = bootstrapStyle(data, fit.params, rounds, seed);
      ({ lower: lowerT, upper: upperT } = percentileBounds(boot.samples, rounds, m));
      diagnostics.bootstrapRounds = rounds;
      diagnostics.gradientNorm = Math.max(diagnostics.gradientNorm, boot.maxGradientNorm);
    }
  } else if (opts.styleControl) {
    const coefficients = {} as Record<StyleKey, number>;
    for (const key of STYLE_KEYS) coefficients[key] = 0;
    style = { coefficients };
  }

  // Elo scale, then the anchor as one constant shift of everything.
  const rating = new Float64Array(m);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    rating[k] = 1000 + ELO_PER_NAT * theta[k];
    lower[k] = 1000 + ELO_PER_NAT * lowerT[k];
    upper[k] = 1000 + ELO_PER_NAT * upperT[k];
  }
  if (opts.anchor) {
    const at = ids.findIndex((id) => snap.models[id] === opts.anchor!.model);
    if (at >= 0) {
      const shift = opts.anchor.rating - rating[at];
      for (let k = 0; k < m; k++) {
        rating[k] += shift;
        lower[k] += shift;
        upper[k] += shift;
      }
      diagnostics.anchorApplied = true;
    }
  }
  // Never hand out NaN/Infinity: a bound that could not be computed collapses to the rating.
  for (let k = 0; k < m; k++) {
    if (!Number.isFinite(rating[k])) rating[k] = opts.anchor?.rating ?? 1000;
    if (!Number.isFinite(lower[k])) lower[k] = rating[k];
    if (!Number.isFinite(upper[k])) upper[k] = rating[k];
  }
  const ranks = rankUpperBound(lower, upper);

  const models: ModelRating[] = ids.map((id, k) => ({
    model: snap.models[id],
    rating: rating[k],
    lower: lower[k],
    upper: upper[k],
    rank: ranks[k],
    elo: snap.elo[id],
    votes: snap.votes[id],
    wins: snap.wins[id],
    losses: snap.losses[id],
    ties: snap.ties[id],
  }));
  models.sort((x, y) => y.rating - x.rating || (x.model < y.model ? -1 : x.model > y.model ? 1 : 0));

  const result: RatingsResult = { battles: snap.battles, models, diagnostics };
  if (style) result.style = style;
  if (opts.matrices ?? true) result.matrices = buildMatrices(agg, models.map((r) => r.model));
  return result;
}

/**
 * Pairwise matrices in the given model order: battleCounts[i][j] = battles between i and j (ties
 * included, symmetric); winFraction[i][j] = share of the decisive battles between i and j that i
 * won (ties left out, as Chatbot Arena's win-fraction plot), null when they never had one.
 */
export function buildMatrices(agg: BattleAggregator, order: string[]): NonNullable<RatingsResult['matrices']> {
  const snap = agg.snapshot();
  const pos = new Map(order.map((name, k) => [name, k]));
  const n = order.length;
  const wins = Array.from({ length: n }, () => new Float64Array(n));
  const battleCounts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let s = 0; s < snap.pairCount; s++) {
    const i = pos.get(snap.models[snap.pairA[s]]);
    const j = pos.get(snap.models[snap.pairB[s]]);
    if (i === undefined || j === undefined) continue;
    const c = snap.counts.subarray(4 * s, 4 * s + 4);
    const total = c[0] + c[1] + c[2] + c[3];
    battleCounts[i][j] += total;
    battleCounts[j][i] += total;
    wins[i][j] += c[0];
    wins[j][i] += c[1];
  }
  const winFraction = wins.map((row, i) =>
    Array.from(row, (w, j) => {
      const decisive = w + wins[j][i];
      return i === j || decisive === 0 ? null : w / decisive;
    }),
  );
  return { models: order, winFraction, battleCounts };
}
