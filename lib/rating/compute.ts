import { z } from 'zod';
import { AppError } from '../errors';
import { ELO_K, ELO_START, type AggregateSnapshot, type BattleAggregator } from './aggregator';
import { percentileBounds } from './bootstrap';
import { fitBtComponent, type ComponentFit, type ComponentOptions } from './bt-component';
import { fitDavidsonComponent, type DavidsonComponentFit } from './davidson';
import { centreSquare, referenceWeights } from './centring';
import { ComparisonGraph } from './graph';
import { buildPairTable } from './pair-table';
import { t975, Z_95 } from './quantiles';
import { rankWithinComponents } from './ranks';
import { battlesToSeparate } from './separation';
import { bootstrapStyle, buildStyleData, fitStyleControl, styleLaplace, styleSandwichVariance, type StyleData } from './style-control';
import {
  STYLE_KEYS,
  type ComponentDiagnostics,
  type FitDiagnostics,
  type ModelRating,
  type RatingOptions,
  type RatingsResult,
  type StatusCode,
  type StyleKey,
} from './types';
import { decidedWinRate, winRateTiesHalf } from './win-rate';

export const DEFAULT_SEED = 42;
/** Percentile intervals need about 1000 rounds: with 100 the 2.5 / 97.5 % ends are noisy enough to cover only ~93 %. */
export const DEFAULT_BOOTSTRAP_ROUNDS = 1000;
/**
 * Below 30 votes a model is provisional. Its interval is honest at any count (the coverage by
 * vote count in bench/calibration.ts stays at 94-97 %, 93.8 % under 10 votes at 100 battles),
 * but below 30 votes it is wider than about ±100 Elo points (30 votes against average
 * opponents, a third of them ties), the one
 * virtual tie of the prior is more than ~2 % of the model's information, and one more vote
 * still moves the rating by a quarter of that half-width: a rank would mostly say how few
 * battles the model has had.
 */
export const DEFAULT_PROVISIONAL_VOTES = 30;
/** Style control estimates four coefficients besides the ratings: 25 battles per coefficient at least. */
export const DEFAULT_MIN_STYLE_BATTLES = 100;
const ELO_PER_NAT = 400 / Math.LN10;
/** Random streams per component in the bootstrap (component c uses c · 2^20 + round). */
const STREAMS_PER_COMPONENT = 1 << 20;

const optionsSchema = z.object({
  model: z.enum(['bradley-terry', 'davidson']).optional(),
  ci: z.enum(['profile', 'bootstrap', 'sandwich']).optional(),
  bootstrap: z.number().int().min(0).max(1_000_000).optional(),
  seed: z.number().int().refine(Number.isSafeInteger, 'seed must be a safe integer').optional(),
  anchor: z.object({ model: z.string().min(1), rating: z.number().finite() }).optional(),
  styleControl: z.boolean().optional(),
  reweight: z.boolean().optional(),
  point: z.enum(['mle', 'penalised']).optional(),
  provisionalVotes: z.number().int().min(0).optional(),
  minBattles: z.number().int().min(1).optional(),
  minStyleBattles: z.number().int().min(0).optional(),
  matrices: z.boolean().optional(),
  covariance: z.boolean().optional(),
  eloOrder: z.enum(['time', 'file', 'as added']).optional(),
  threads: z.number().int().min(1).max(64).optional(),
});

export { rankUpperBound } from './ranks';

const byName = (names: readonly string[]) => (x: number, y: number) => (names[x] < names[y] ? -1 : names[x] > names[y] ? 1 : 0);

/** Everything the fits produce, in the order of `ids` (natural-log units, centred per component). */
interface Fitted {
  theta: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  component: Int32Array;
  /** Votes each model has in the fit. */
  used: Float64Array;
  members: number[][];
  /** Per component: its covariance (centred, natural units²) and the information of one more battle. */
  separation: { covariance: Float64Array; information: (i: number, j: number) => number; z: number }[];
  componentDiagnostics: ComponentDiagnostics[];
}

/**
 * Ratings of every model that took part in at least one counted battle: point estimates (exact
 * MLE wherever it exists) on the Elo scale, 95 % intervals, Rank (UB) within each connected
 * component of the comparison graph, provisional flags, online Elo, counts, win rates and the
 * battles still needed to separate neighbours; see index.ts for the method.
 */
export function computeRatings(agg: BattleAggregator, options: RatingOptions = {}): RatingsResult {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new AppError('validation_failed', `Invalid rating options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const opts = parsed.data;
  const ci = opts.ci ?? ((opts.bootstrap ?? 0) > 0 ? 'bootstrap' : 'profile');
  const rounds = ci === 'bootstrap' ? (opts.bootstrap ?? DEFAULT_BOOTSTRAP_ROUNDS) : 0;
  if (ci === 'bootstrap' && rounds === 0) throw new AppError('validation_failed', 'ci "bootstrap" needs at least one bootstrap round');
  const model = opts.model ?? 'bradley-terry';
  if (model === 'davidson' && opts.styleControl) throw new AppError('validation_failed', 'style control is fitted with Bradley-Terry only, not with model "davidson"');
  const seed = opts.seed ?? DEFAULT_SEED;
  const provisionalVotes = opts.provisionalVotes ?? DEFAULT_PROVISIONAL_VOTES;
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
  ids = ids.sort(byName(snap.models));
  const m = ids.length;
  const battlesUsed = opts.styleControl ? (snap.style?.rows ?? 0) : snap.battles;

  const diagnostics: FitDiagnostics = {
    status: { code: 'ok', message: 'fitted' },
    model,
    estimator: 'none',
    point: opts.point ?? 'mle',
    iterations: 0,
    gradientNorm: 0,
    converged: true,
    ci: 'none',
    level: 0.95,
    bootstrapRounds: 0,
    seed: null,
    bootstrapFallbackRounds: 0,
    dispersion: null,
    widenedIntervals: 0,
    battlesUsed,
    components: [],
    provisional: { votes: provisionalVotes, models: 0 },
    anchorApplied: false,
    anchor: null,
    elo: { k: ELO_K, start: ELO_START, order: opts.eloOrder ?? 'as added', anchored: false },
  };
  const notFitted = (code: StatusCode, message: string): RatingsResult => {
    diagnostics.status = { code, message };
    const result: RatingsResult = { battles: snap.battles, models: [], diagnostics };
    if (opts.styleControl) result.style = { coefficients: Object.fromEntries(STYLE_KEYS.map((k) => [k, 0])) as Record<StyleKey, number> };
    if (opts.matrices ?? true) result.matrices = { models: [], winFraction: [], battleCounts: [] };
    return result;
  };
  if (snap.battles === 0) return notFitted('no-battles', 'no battles to rate');
  const minBattles = opts.minBattles ?? 1;
  if (snap.battles < minBattles) return notFitted('too-few-battles', `${snap.battles} battles, fewer than the ${minBattles} this board needs: not fitted`);
  const minStyle = opts.minStyleBattles ?? DEFAULT_MIN_STYLE_BATTLES;
  if (opts.styleControl && battlesUsed < Math.max(1, minStyle)) {
    return notFitted(
      'too-few-style-battles',
      `style control needs at least ${Math.max(1, minStyle)} battles with style features (answers or conv_metadata); ${battlesUsed} have them: not fitted`,
    );
  }

  const componentOpts: Omit<ComponentOptions, 'seedOffset'> = { ci, rounds, seed, threads: opts.threads ?? 1, point: opts.point ?? 'mle' };
  let style: RatingsResult['style'];
  let davidson: RatingsResult['davidson'];
  let fitted: Fitted;
  if (!opts.styleControl) {
    const fits = fitPlain(snap, ids, model, opts.reweight ?? false, componentOpts, provisionalVotes);
    fitted = fits.fitted;
    davidson = fits.davidson;
    const first = fits.fits[0];
    Object.assign(diagnostics, {
      estimator: fits.fits.some((f) => f.estimator === 'map-virtual-ties') ? 'map-virtual-ties' : 'mle',
      iterations: Math.max(...fits.fits.map((f) => f.iterations)),
      gradientNorm: Math.max(...fits.fits.map((f) => f.gradientNorm)),
      converged: fits.fits.every((f) => f.converged),
      ci,
      bootstrapRounds: rounds,
      seed: rounds > 0 ? seed : null,
      bootstrapFallbackRounds: fits.fits.reduce((s, f) => s + f.bootstrapFallbackRounds, 0),
      dispersion:
        ci === 'profile' && model === 'bradley-terry'
          ? { phi: first.dispersion.phi, df: Number.isFinite(first.dispersion.df) ? first.dispersion.df : null, threshold: first.threshold }
          : null,
      widenedIntervals: fits.fits.reduce((s, f) => s + f.widened, 0),
    });
  } else {
    const fits = fitStyle(snap, ids, opts.reweight ?? false, ci, rounds, seed, provisionalVotes);
    fitted = fits.fitted;
    style = fits.style;
    Object.assign(diagnostics, {
      estimator: 'penalized',
      iterations: fits.iterations,
      gradientNorm: fits.gradientNorm,
      converged: fits.converged,
      ci: ci === 'profile' ? 'laplace' : ci,
      bootstrapRounds: rounds,
      seed: rounds > 0 ? seed : null,
      dispersion: fits.dispersion,
    });
  }
  diagnostics.components = fitted.componentDiagnostics;

  // Elo scale, then the anchor as one constant shift of rating, lower and upper.
  const rating = new Float64Array(m);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    rating[k] = 1000 + ELO_PER_NAT * fitted.theta[k];
    lower[k] = 1000 + ELO_PER_NAT * fitted.lower[k];
    upper[k] = 1000 + ELO_PER_NAT * fitted.upper[k];
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
      diagnostics.anchor = { model: opts.anchor.model, rating: opts.anchor.rating, shift, shifted: ['rating', 'lower', 'upper'], unshifted: ['elo'] };
    }
  }
  // Never hand out NaN/Infinity: a bound that could not be computed collapses to the rating.
  for (let k = 0; k < m; k++) {
    if (!Number.isFinite(rating[k])) rating[k] = opts.anchor?.rating ?? 1000;
    if (!Number.isFinite(lower[k])) lower[k] = rating[k];
    if (!Number.isFinite(upper[k])) upper[k] = rating[k];
  }

  const provisional = Array.from(fitted.used, (v) => v < provisionalVotes);
  diagnostics.provisional.models = provisional.filter(Boolean).length;
  const ranks = rankWithinComponents(lower, upper, fitted.component, provisional);
  const toSeparate = neighbours(fitted, rating, ids, snap.models);

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
    component: fitted.component[k],
    provisional: provisional[k],
    provisionalReason: provisional[k]
      ? `${fitted.used[k]} vote${fitted.used[k] === 1 ? '' : 's'}${opts.styleControl ? ' with style features' : ''}, fewer than ${provisionalVotes}: not ranked`
      : null,
    winRate: winRateTiesHalf({ wins: snap.wins[id], losses: snap.losses[id], ties: snap.ties[id] }),
    decidedWinRate: decidedWinRate({ wins: snap.wins[id], losses: snap.losses[id] }),
    toSeparate: toSeparate[k],
  }));
  models.sort((x, y) => x.component - y.component || y.rating - x.rating || (x.model < y.model ? -1 : x.model > y.model ? 1 : 0));

  const result: RatingsResult = { battles: snap.battles, models, diagnostics };
  if (style) result.style = style;
  if (davidson) result.davidson = davidson;
  if (opts.matrices ?? true) result.matrices = buildMatrices(agg, models.map((r) => r.model));
  if (opts.covariance) {
    result.covariance = fitted.members.map((members, c) => {
      const cov = fitted.separation[c].covariance;
      return {
        component: c,
        models: members.map((k) => snap.models[ids[k]]),
        matrix: Array.from(cov, (v) => v * ELO_PER_NAT * ELO_PER_NAT),
      };
    });
  }
  return result;
}

/** Plain (Bradley-Terry or Davidson) fits, one per connected component. */
function fitPlain(
  snap: AggregateSnapshot,
  ids: number[],
  model: 'bradley-terry' | 'davidson',
  reweight: boolean,
  componentOpts: Omit<ComponentOptions, 'seedOffset'>,
  provisionalVotes: number,
): { fitted: Fitted; fits: ComponentFit[]; davidson?: RatingsResult['davidson'] } {
  const m = ids.length;
  const all = buildPairTable(snap, ids, false);
  const graph = new ComparisonGraph(m, all.size, all.i, all.j, (p) => all.winI[p] + all.winJ[p] + all.ties[p] > 0);
  const battlesOf = (members: number[]) => {
    const inIt = new Set(members);
    let n = 0;
    for (let p = 0; p < all.size; p++) if (inIt.has(all.i[p])) n += all.winI[p] + all.winJ[p] + all.ties[p];
    return n;
  };
  const { ids: component, members } = graph.components(battlesOf);
  const fitted: Fitted = {
    theta: new Float64Array(m),
    lower: new Float64Array(m),
    upper: new Float64Array(m),
    component,
    used: Float64Array.from(ids, (id) => snap.votes[id]),
    members,
    separation: [],
    componentDiagnostics: [],
  };
  const fits: ComponentFit[] = [];
  let logLikelihood = 0;
  members.forEach((group, c) => {
    // Members are in name order, as ids are: the component's table is the whole table when connected.
    const table = buildPairTable(snap, group.map((k) => ids[k]), reweight);
    // Centred on the component's established models (centring.ts).
    const reference = referenceWeights(group.map((k) => fitted.used[k]), provisionalVotes);
    const opts = { ...componentOpts, seedOffset: c * STREAMS_PER_COMPONENT, threads: c === 0 ? componentOpts.threads : 1, reference };
    const fit = model === 'davidson' ? fitDavidsonComponent(table, opts) : fitBtComponent(table, opts);
    fits.push(fit);
    group.forEach((k, a) => {
      fitted.theta[k] = fit.theta[a];
      fitted.lower[k] = fit.lower[a];
      fitted.upper[k] = fit.upper[a];
    });
    fitted.separation.push({ covariance: fit.covariance, information: fit.information, z: Math.sqrt(fit.threshold) });
    const diag: ComponentDiagnostics = { id: c, models: group.length, battles: table.battles, estimator: fit.estimator };
    if (model === 'davidson') {
      const d = fit as DavidsonComponentFit;
      diag.tieParameter = d.tieParameter;
      diag.logLikelihood = d.logLikelihood;
      logLikelihood += d.logLikelihood;
    }
    fitted.componentDiagnostics.push(diag);
  });
  const davidson = model === 'davidson' ? { tieParameter: (fits[0] as DavidsonComponentFit).tieParameter, logLikelihood } : undefined;
  return { fitted, fits, davidson };
}

/**
 * Style control: one penalised fit over every battle with style features (the style
 * coefficients are shared by all models), ratings centred within each connected component.
 */
function fitStyle(
  snap: AggregateSnapshot,
  ids: number[],
  reweight: boolean,
  ci: 'profile' | 'bootstrap' | 'sandwich',
  rounds: number,
  seed: number,
  provisionalVotes: number,
) {
  const m = ids.length;
  const data = buildStyleData(snap, ids, reweight);
  const fit = fitStyleControl(data);
  const coefficients = {} as Record<StyleKey, number>;
  STYLE_KEYS.forEach((key, c) => (coefficients[key] = fit.params[m + c]));
  const graph = new ComparisonGraph(m, data.rows, data.a, data.b);
  const { ids: component, members } = graph.components((group) => styleRowsOf(data, group));
  const used = new Float64Array(m);
  for (let r = 0; r < data.rows; r++) {
    used[data.a[r]]++;
    used[data.b[r]]++;
  }
  const ln10 = Math.LN10;
  // Each component centred on its established models (centring.ts).
  const weights = members.map((group) => referenceWeights(group.map((k) => used[k]), provisionalVotes));
  const groups = members.map((group, c) => ({ members: group, weights: weights[c] }));
  const centred = (params: Float64Array) => {
    const theta = new Float64Array(m);
    members.forEach((group, c) => {
      let mean = 0;
      group.forEach((k, a) => (mean += weights[c][a] * params[k]));
      for (const k of group) theta[k] = ln10 * (params[k] - mean);
    });
    return theta;
  };
  const theta = centred(fit.params);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const P = m + 4;
  const laplace = styleLaplace(data, fit.params);
  const z = ci === 'profile' && Number.isFinite(laplace.df) ? t975(laplace.df) : Z_95;
  const separation = members.map((group, g) => {
    const k = group.length;
    const cov = new Float64Array(k * k);
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) cov[r * k + c] = ln10 * ln10 * laplace.inverse[group[r] * P + group[c]];
    centreSquare(cov, weights[g]);
    return { covariance: cov, information: styleInformation(fit.params, group, laplace.phi), z };
  });
  let gradientNorm = fit.gradientNorm;
  let dispersion: FitDiagnostics['dispersion'] = null;
  if (ci === 'profile') {
    dispersion = { phi: laplace.phi, df: Number.isFinite(laplace.df) ? laplace.df : null, threshold: z * z };
    members.forEach((group, c) => {
      const cov = separation[c].covariance;
      group.forEach((k, a) => {
        const half = z * Math.sqrt(cov[a * group.length + a]);
        lower[k] = theta[k] - half;
        upper[k] = theta[k] + half;
      });
    });
  } else if (ci === 'sandwich') {
    const v = styleSandwichVariance(data, fit.params, groups);
    for (let k = 0; k < m; k++) {
      const half = Z_95 * Math.sqrt(v[k]);
      lower[k] = theta[k] - half;
      upper[k] = theta[k] + half;
    }
  } else {
    const boot = bootstrapStyle(data, fit.params, rounds, seed);
    // re-centre every round within components, on their reference weights
    const samples = new Float64Array(rounds * m);
    for (let r = 0; r < rounds; r++) {
      const row = boot.samples.subarray(r * m, (r + 1) * m);
      members.forEach((group, c) => {
        let mean = 0;
        group.forEach((k, a) => (mean += weights[c][a] * row[k]));
        for (const k of group) samples[r * m + k] = row[k] - mean;
      });
    }
    const b = percentileBounds(samples, rounds, m);
    lower.set(b.lower);
    upper.set(b.upper);
    gradientNorm = Math.max(gradientNorm, boot.maxGradientNorm);
  }
  const fitted: Fitted = {
    theta,
    lower,
    upper,
    component,
    used,
    members,
    separation,
    componentDiagnostics: members.map((group, c) => ({ id: c, models: group.length, battles: styleRowsOf(data, group), estimator: 'penalized' as const })),
  };
  return { fitted, style: { coefficients }, iterations: fit.iterations, gradientNorm, converged: fit.converged, dispersion };
}

function styleRowsOf(d: StyleData, group: number[]): number {
  const inIt = new Set(group);
  let n = 0;
  for (let r = 0; r < d.rows; r++) if (inIt.has(d.a[r])) n++;
  return n;
}

/** Information about θi − θj (natural units) of one more battle with average style (no style difference). */
function styleInformation(params: Float64Array, group: number[], phi: number) {
  return (i: number, j: number) => {
    const q = 1 / (1 + Math.exp(-Math.LN10 * (params[group[i]] - params[group[j]])));
    return (q * (1 - q)) / phi;
  };
}

/** For each model, the next one below it in its component and the battles needed to separate them. */
function neighbours(f: Fitted, rating: Float64Array, ids: number[], names: readonly string[]): ModelRating['toSeparate'][] {
  const out: ModelRating['toSeparate'][] = new Array(ids.length).fill(null);
  f.members.forEach((group, c) => {
    const local = new Map(group.map((k, a) => [k, a]));
    const order = [...group].sort((x, y) => rating[y] - rating[x] || byName(names)(ids[x], ids[y]));
    const { covariance: v, information, z } = f.separation[c];
    const k = group.length;
    for (let r = 0; r + 1 < order.length; r++) {
      const hiK = order[r];
      const loK = order[r + 1];
      const i = local.get(hiK)!;
      const j = local.get(loK)!;
      const separated = f.lower[hiK] > f.upper[loK];
      const battles = separated
        ? 0
        : battlesToSeparate({ gap: f.theta[hiK] - f.theta[loK], varI: v[i * k + i], varJ: v[j * k + j], cov: v[i * k + j], information: information(i, j), z });
      out[hiK] = { model: names[ids[loK]], battles: battles === 0 && !separated ? 1 : battles };
    }
  });
  return out;
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
