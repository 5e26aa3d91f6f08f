import { percentileBounds } from './bootstrap';
import type { ComponentFit, ComponentOptions } from './bt-component';
import { ComparisonGraph } from './graph';
import { cholesky, choleskyInverse } from './linalg';
import { maximizeConcave, type ConcaveObjective } from './newton';
import type { PairTable } from './pair-table';
import { profileInterval } from './profile';
import { CHI2_1_95, Z_95 } from './quantiles';
import { MultinomialSampler, Rng } from './random';
import { centreOn, centreRows, centreSamples, centreSquare, contrast, uniformWeights } from './centring';

/**
 * Davidson's (1970) tie model: with strengths π = e^θ and a tie parameter ν = e^η,
 *
 *   P(i beats j) = πi / Z,  P(j beats i) = πj / Z,  P(tie) = ν √(πi πj) / Z,  Z = πi + πj + ν √(πi πj),
 *
 * so that, among decided battles, P(i beats j) = σ(θi − θj) exactly as in Bradley-Terry, and
 * ties are most likely between equals (P(tie) = ν / (2 + ν) at a gap of zero) and rarer as the
 * gap grows. Fitted by maximum likelihood of all three outcomes (the shared Newton optimiser),
 * its log-likelihood is a real three-outcome likelihood, comparable with other tie models.
 *
 * Why offer it: Bradley-Terry with a tie as half a win reads a tie as evidence that the two are
 * equal. When ties happen at a rate that does not depend on the gap (both answers good, or both
 * bad), that half-win pulls every pair towards 50 % and compresses the whole rating scale by
 * about the tie share; Davidson's ratings describe decided battles and keep their scale.
 *
 * The MLE exists when the "scored against" graph (a win, or a tie, gives an edge) is strongly
 * connected and the data have at least one tie and one decided battle. Otherwise, as for
 * Bradley-Terry, the fit adds the virtual-tie prior on every θ (½θ − log(1 + e^θ)) and, for η,
 * one virtual tie and one virtual decided battle between equals (η + log 2 − 2 log(2 + e^η)),
 * and reports the mode.
 */
export interface DavidsonData {
  m: number;
  size: number;
  i: Int32Array;
  j: Int32Array;
  winI: Float64Array;
  winJ: Float64Array;
  ties: Float64Array;
  /** winI + winJ + ties (weighted). */
  n: Float64Array;
}

export function davidsonDataFromTable(t: PairTable): DavidsonData {
  const w = t.weight;
  const winI = t.winI.map((x, p) => x * w[p]);
  const winJ = t.winJ.map((x, p) => x * w[p]);
  const ties = t.ties.map((x, p) => x * w[p]);
  return { m: t.m, size: t.size, i: t.i, j: t.j, winI, winJ, ties, n: winI.map((x, p) => x + winJ[p] + ties[p]) };
}

/** Win, tie and loss probabilities of i against j on the natural scale (d = θi − θj, η = log ν). */
export function davidsonOutcome(d: number, eta: number): { win: number; tie: number; loss: number } {
  const top = Math.max(d / 2, -d / 2, eta);
  const a = Math.exp(d / 2 - top);
  const b = Math.exp(-d / 2 - top);
  const c = Math.exp(eta - top);
  const z = a + b + c;
  return { win: a / z, tie: c / z, loss: b / z };
}

/**
 * Predicted outcome probabilities for two ratings on the Elo scale under a Davidson fit with
 * tie parameter ν (`tieParameter` of the result).
 */
export function davidsonProbabilities(ratingA: number, ratingB: number, tieParameter: number): { win: number; tie: number; loss: number } {
  return davidsonOutcome(((ratingA - ratingB) * Math.LN10) / 400, Math.log(tieParameter));
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log(e^(d/2) + e^(−d/2) + e^η) without overflow. */
function logZ(d: number, eta: number): number {
  const top = Math.max(Math.abs(d) / 2, eta);
  return top + Math.log(Math.exp(d / 2 - top) + Math.exp(-d / 2 - top) + Math.exp(eta - top));
}

/** The three-outcome log-likelihood at x = (θ, η). */
export function davidsonLogLikelihood(d: DavidsonData, x: Float64Array): number {
  const eta = x[d.m];
  let f = 0;
  for (let p = 0; p < d.size; p++) {
    if (d.n[p] === 0) continue;
    const diff = x[d.i[p]] - x[d.j[p]];
    f += ((d.winI[p] - d.winJ[p]) * diff) / 2 + d.ties[p] * eta - d.n[p] * logZ(diff, eta);
  }
  return f;
}

/** Log-likelihood (+ the fallback prior when `prior`) of x = (θ0 … θm−1, η), for the optimiser. */
export function davidsonObjectiveOf(d: DavidsonData, prior: boolean, counts?: { winI: Float64Array; winJ: Float64Array; ties: Float64Array; n: Float64Array }): ConcaveObjective {
  const m = d.m;
  const P = m + 1;
  const c = counts ?? d;
  let total = 0;
  for (let p = 0; p < d.size; p++) total += c.n[p];
  return {
    size: P,
    scale: total,
    evaluate(x, g, h) {
      const eta = x[m];
      let f = 0;
      if (g) g.fill(0);
      if (h) h.fill(0);
      for (let p = 0; p < d.size; p++) {
        const n = c.n[p];
        if (n === 0) continue;
        const i = d.i[p];
        const j = d.j[p];
        const diff = x[i] - x[j];
        const lz = logZ(diff, eta);
        f += ((c.winI[p] - c.winJ[p]) * diff) / 2 + c.ties[p] * eta - n * lz;
        if (!g) continue;
        const pw = Math.exp(diff / 2 - lz);
        const pl = Math.exp(-diff / 2 - lz);
        const pt = Math.exp(eta - lz);
        const gd = (c.winI[p] - c.winJ[p]) / 2 - (n * (pw - pl)) / 2;
        g[i] += gd;
        g[j] -= gd;
        g[m] += c.ties[p] - n * pt;
        if (!h) continue;
        const hdd = n * ((pw + pl) / 4 - ((pw - pl) * (pw - pl)) / 4);
        const hde = (-n * (pw - pl) * pt) / 2;
        const hee = n * pt * (1 - pt);
        h[i * P + i] += hdd;
        h[j * P + j] += hdd;
        h[j * P + i] -= hdd; // j > i
        h[m * P + i] += hde;
        h[m * P + j] -= hde;
        h[m * P + m] += hee;
      }
      if (prior) {
        for (let k = 0; k < m; k++) {
          const q = 1 / (1 + Math.exp(-x[k]));
          f += 0.5 * x[k] - softplus(x[k]);
          if (g) g[k] += 0.5 - q;
          if (h) h[k * P + k] += q * (1 - q);
        }
        const e = Math.exp(eta);
        f += eta + Math.LN2 - 2 * Math.log(2 + e);
        if (g) g[m] += (2 - e) / (2 + e);
        if (h) h[m * P + m] += (4 * e) / ((2 + e) * (2 + e));
      } else if (h) {
        // ratings are defined up to a shift: add c·uuᵀ, u = (1 … 1, 0) (see bradley-terry.ts)
        let trace = 0;
        for (let k = 0; k < m; k++) trace += h[k * P + k];
        const add = trace > 0 ? trace / (m * m) : 1;
        for (let r = 0; r < m; r++) for (let k = 0; k <= r; k++) h[r * P + k] += add;
      }
      return f;
    },
    project: prior
      ? undefined
      : (x) => {
          let mean = 0;
          for (let k = 0; k < m; k++) mean += x[k];
          mean /= m;
          for (let k = 0; k < m; k++) x[k] -= mean;
        },
  };
}

/** The conditions under which the Davidson MLE exists (see the comment at the top). */
export function davidsonMleExists(d: DavidsonData): boolean {
  let ties = 0;
  let decided = 0;
  for (let p = 0; p < d.size; p++) {
    ties += d.ties[p];
    decided += d.winI[p] + d.winJ[p];
  }
  if (!(ties > 0) || !(decided > 0)) return false;
  const graph = new ComparisonGraph(d.m, d.size, d.i, d.j, (p) => d.n[p] > 0);
  return graph.stronglyConnected((p, fromI) => (fromI ? d.winI[p] + d.ties[p] > 0 : d.winJ[p] + d.ties[p] > 0));
}

export interface DavidsonFit {
  /** θ (centred) followed by η. */
  x: Float64Array;
  prior: boolean;
  iterations: number;
  gradientNorm: number;
  converged: boolean;
}

export function fitDavidson(d: DavidsonData, opts: { prior?: boolean; init?: Float64Array } = {}): DavidsonFit {
  const prior = opts.prior ?? !davidsonMleExists(d);
  const fit = maximizeConcave(davidsonObjectiveOf(d, prior), opts.init ?? new Float64Array(d.m + 1));
  const x = fit.x;
  let mean = 0;
  for (let k = 0; k < d.m; k++) mean += x[k];
  mean /= d.m;
  for (let k = 0; k < d.m; k++) x[k] -= mean;
  return { x, prior, iterations: fit.iterations, gradientNorm: fit.gradientNorm, converged: fit.converged };
}

function inverseAt(obj: ConcaveObjective, x: Float64Array): Float64Array {
  const n = obj.size;
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  obj.evaluate(x, g, h);
  if (!cholesky(h, n)) return new Float64Array(n * n).fill(NaN);
  return choleskyInverse(h, n);
}

/** k x k covariance of the ratings centred on w, from the full (k+1) x (k+1) inverse. */
function ratingCovariance(inv: Float64Array, w: Float64Array): Float64Array {
  const k = w.length;
  const P = k + 1;
  const v = new Float64Array(k * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) v[r * k + c] = inv[r * P + c];
  centreSquare(v, w);
  return v;
}

export interface DavidsonComponentFit extends ComponentFit {
  tieParameter: number;
  logLikelihood: number;
}

/**
 * A connected component under the Davidson model; intervals as for Bradley-Terry (profile of
 * the likelihood with the prior, cut at χ²₁ — the three-outcome likelihood describes ties, so no
 * dispersion is estimated —, the sandwich, or the bootstrap).
 */
export function fitDavidsonComponent(table: PairTable, opts: ComponentOptions): DavidsonComponentFit {
  const k = table.m;
  const w = opts.reference ?? uniformWeights(k);
  const d = davidsonDataFromTable(table);
  const fit = fitDavidson(d);
  const penalised = davidsonObjectiveOf(d, true);
  const peakFit = maximizeConcave(penalised, fit.x);
  const inverse = inverseAt(penalised, peakFit.x);
  const covariance = ratingCovariance(inverse, w);
  const theta = centreOn((opts.point === 'penalised' ? peakFit.x : fit.x).slice(0, k), w);
  const lower = new Float64Array(k);
  const upper = new Float64Array(k);
  let bootstrapFallbackRounds = 0;
  let gradientNorm = fit.gradientNorm;

  if (opts.ci === 'profile') {
    const problem = { objective: penalised, peak: peakFit.x, peakValue: peakFit.value, inverse, threshold: CHI2_1_95 };
    for (let a = 0; a < k; a++) {
      const r = profileInterval(problem, contrast(a, w, k + 1));
      lower[a] = r.lower;
      upper[a] = r.upper;
    }
  } else if (opts.ci === 'sandwich') {
    const v = davidsonSandwich(d, fit, w);
    for (let a = 0; a < k; a++) {
      const half = Z_95 * Math.sqrt(v[a]);
      lower[a] = theta[a] - half;
      upper[a] = theta[a] + half;
    }
  } else {
    const boot = davidsonBootstrap(table, fit.x, opts.rounds, opts.seed, opts.seedOffset);
    centreSamples(boot.samples, opts.rounds, w);
    const b = percentileBounds(boot.samples, opts.rounds, k);
    lower.set(b.lower);
    upper.set(b.upper);
    bootstrapFallbackRounds = boot.fallbackRounds;
    gradientNorm = Math.max(gradientNorm, boot.maxGradientNorm);
  }
  let widened = 0;
  for (let a = 0; a < k; a++) {
    if (!(lower[a] <= theta[a]) || !(upper[a] >= theta[a])) {
      if (Number.isFinite(lower[a]) && Number.isFinite(upper[a])) widened++;
      lower[a] = Math.min(Number.isFinite(lower[a]) ? lower[a] : theta[a], theta[a]);
      upper[a] = Math.max(Number.isFinite(upper[a]) ? upper[a] : theta[a], theta[a]);
    }
  }
  const eta = fit.x[k];
  const peak = peakFit.x;
  return {
    theta,
    lower,
    upper,
    covariance,
    // Fisher information of one more battle about θi − θj (η held at its fit).
    information: (i, j) => {
      const o = davidsonOutcome(peak[i] - peak[j], peak[k]);
      return (o.win + o.loss) / 4 - ((o.win - o.loss) * (o.win - o.loss)) / 4;
    },
    estimator: fit.prior ? 'map-virtual-ties' : 'mle',
    iterations: fit.iterations + peakFit.iterations,
    gradientNorm,
    converged: fit.converged && peakFit.converged,
    dispersion: { phi: 1, df: Infinity, ties: NaN, binomialVariance: NaN },
    threshold: opts.ci === 'profile' ? CHI2_1_95 : Z_95 * Z_95,
    bootstrapFallbackRounds,
    widened,
    tieParameter: Math.exp(eta),
    logLikelihood: davidsonLogLikelihood(d, fit.x),
  };
}

/** Robust variances of the centred ratings: H⁻¹ J H⁻¹ with J the outer products of the per-battle scores. */
function davidsonSandwich(d: DavidsonData, fit: DavidsonFit, w: Float64Array): Float64Array {
  const k = w.length;
  const P = k + 1;
  const inv = inverseAt(davidsonObjectiveOf(d, fit.prior), fit.x);
  // rows of C·H⁻¹ for the ratings (C centres the ratings on w; η's row is not needed)
  const a = new Float64Array(k * P);
  for (let r = 0; r < k; r++) for (let c = 0; c < P; c++) a[r * P + c] = inv[r * P + c];
  centreRows(a, w, P);
  const variance = new Float64Array(k);
  const eta = fit.x[k];
  for (let p = 0; p < d.size; p++) {
    if (d.n[p] === 0) continue;
    const i = d.i[p];
    const j = d.j[p];
    const o = davidsonOutcome(fit.x[i] - fit.x[j], eta);
    // score of one battle: (∂/∂d, ∂/∂η) for each outcome, d = θi − θj
    const cells: [number, number, number][] = [
      [d.winI[p], 0.5 - (o.win - o.loss) / 2, -o.tie],
      [d.winJ[p], -0.5 - (o.win - o.loss) / 2, -o.tie],
      [d.ties[p], -(o.win - o.loss) / 2, 1 - o.tie],
    ];
    for (const [count, sd, se] of cells) {
      if (count === 0) continue;
      for (let r = 0; r < k; r++) {
        const proj = (a[r * P + i] - a[r * P + j]) * sd + a[r * P + k] * se;
        variance[r] += count * proj * proj;
      }
    }
  }
  return variance;
}

/**
 * Multinomial resamples of the battles over their (pair, outcome) cells, each refitted from the
 * full fit; pair weights (reweighting) apply to the resampled counts.
 */
function davidsonBootstrap(t: PairTable, full: Float64Array, rounds: number, seed: number, streamOffset: number) {
  const k = t.m;
  const cellPair: number[] = [];
  const cellKind: number[] = [];
  const weight: number[] = [];
  let total = 0;
  for (let p = 0; p < t.size; p++) {
    [t.winI[p], t.winJ[p], t.ties[p]].forEach((c, kind) => {
      if (c > 0) {
        cellPair.push(p);
        cellKind.push(kind);
        weight.push(c);
        total += c;
      }
    });
  }
  const sampler = new MultinomialSampler(weight, total);
  const draw = new Float64Array(sampler.cells);
  const counts = { winI: new Float64Array(t.size), winJ: new Float64Array(t.size), ties: new Float64Array(t.size), n: new Float64Array(t.size) };
  const resampled: DavidsonData = { m: k, size: t.size, i: t.i, j: t.j, ...counts };
  const samples = new Float64Array(rounds * k);
  let fallbackRounds = 0;
  let maxGradientNorm = 0;
  for (let r = 0; r < rounds; r++) {
    sampler.sample(new Rng(seed, streamOffset + r), draw);
    counts.winI.fill(0);
    counts.winJ.fill(0);
    counts.ties.fill(0);
    for (let c = 0; c < draw.length; c++) {
      const p = cellPair[c];
      const arr = cellKind[c] === 0 ? counts.winI : cellKind[c] === 1 ? counts.winJ : counts.ties;
      arr[p] += draw[c] * t.weight[p];
    }
    for (let p = 0; p < t.size; p++) counts.n[p] = counts.winI[p] + counts.winJ[p] + counts.ties[p];
    const fit = fitDavidson(resampled, { init: full });
    if (fit.prior) fallbackRounds++;
    maxGradientNorm = Math.max(maxGradientNorm, fit.gradientNorm);
    samples.set(fit.x.subarray(0, k), r * k);
  }
  return { samples, fallbackRounds, maxGradientNorm };
}
