import type { AggregateSnapshot } from './aggregator';
import { cholesky, choleskyInverse } from './linalg';
import { dispersionOf, type Dispersion } from './dispersion';
import { maximizeConcave, type ConcaveObjective } from './newton';
import { MultinomialSampler, Rng } from './random';

/**
 * Style control: contextual Bradley-Terry as Chatbot Arena's reference code (fit_contextual_bt).
 * logit P(a beats b) = ln10·(r_a − r_b) + f·β with the battle's four z-scored style covariates
 * f, ties as half a win, and the L2 penalty (λ/2)·‖(r, β)‖² with λ = 0.5 on all parameters
 * (r in log10 units, i.e. Elo / 400). The penalised objective is strictly concave, so the
 * optimum always exists and is unique: no fallback is needed for degenerate data.
 */
export const STYLE_L2 = 0.5;
const ALPHA = Math.LN10;

export interface StyleData {
  m: number;
  rows: number;
  a: Int32Array;
  b: Int32Array;
  y: Float64Array;
  /** rows x 4, z-scored. */
  f: Float64Array;
  /** Per-battle weight (1, or the pair reweighting normalised to mean 1). */
  w: Float64Array;
}

export function buildStyleData(snap: AggregateSnapshot, keep: readonly number[], reweight: boolean): StyleData {
  const style = snap.style;
  const m = keep.length;
  const local = new Int32Array(snap.models.length).fill(-1);
  keep.forEach((id, k) => (local[id] = k));
  const total = style ? style.rows : 0;
  const idx: number[] = [];
  for (let r = 0; r < total; r++) if (local[style!.a[r]] >= 0 && local[style!.b[r]] >= 0) idx.push(r);
  const rows = idx.length;
  const a = new Int32Array(rows);
  const b = new Int32Array(rows);
  const y = new Float64Array(rows);
  const f = new Float64Array(rows * 4);
  const w = new Float64Array(rows).fill(1);
  for (let k = 0; k < rows; k++) {
    const r = idx[k];
    a[k] = local[style!.a[r]];
    b[k] = local[style!.b[r]];
    const o = style!.outcome[r];
    y[k] = o === 0 ? 1 : o === 1 ? 0 : 0.5;
    for (let c = 0; c < 4; c++) f[4 * k + c] = style!.diff[4 * r + c];
  }
  // z-score each covariate (population standard deviation; a constant column stays 0).
  for (let c = 0; c < 4; c++) {
    let mean = 0;
    for (let k = 0; k < rows; k++) mean += f[4 * k + c];
    mean = rows > 0 ? mean / rows : 0;
    let v = 0;
    for (let k = 0; k < rows; k++) v += (f[4 * k + c] - mean) ** 2;
    const sd = rows > 0 ? Math.sqrt(v / rows) : 0;
    const div = sd > 0 ? sd : 1;
    for (let k = 0; k < rows; k++) f[4 * k + c] = (f[4 * k + c] - mean) / div;
  }
  if (reweight && rows > 0) {
    const pairCount = new Map<number, number>();
    const key = (k: number) => Math.min(a[k], b[k]) * m + Math.max(a[k], b[k]);
    for (let k = 0; k < rows; k++) pairCount.set(key(k), (pairCount.get(key(k)) ?? 0) + 1);
    let sum = 0;
    for (let k = 0; k < rows; k++) {
      w[k] = 1 / Math.max(pairCount.get(key(k))!, 50);
      sum += w[k];
    }
    const scale = rows / sum;
    for (let k = 0; k < rows; k++) w[k] *= scale;
  }
  return { m, rows, a, b, y, f, w };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function logit(d: StyleData, params: Float64Array, k: number): number {
  const m = d.m;
  const o = 4 * k;
  return (
    ALPHA * (params[d.a[k]] - params[d.b[k]]) +
    d.f[o] * params[m] +
    d.f[o + 1] * params[m + 1] +
    d.f[o + 2] * params[m + 2] +
    d.f[o + 3] * params[m + 3]
  );
}

function objective(d: StyleData, params: Float64Array, count: Float64Array | null): number {
  let f = 0;
  for (let k = 0; k < d.rows; k++) {
    const c = count ? count[k] * d.w[k] : d.w[k];
    if (c === 0) continue;
    const z = logit(d, params, k);
    f += c * (d.y[k] * z - softplus(z));
  }
  let sq = 0;
  for (let k = 0; k < params.length; k++) sq += params[k] * params[k];
  return f - 0.5 * STYLE_L2 * sq;
}

/**
 * Gradient (returned norm) and, when h is given, negative Hessian (lower triangle) of the
 * penalised objective. `count` multiplies each battle (bootstrap resamples), null = 1.
 */
function derivatives(d: StyleData, params: Float64Array, count: Float64Array | null, g: Float64Array, h: Float64Array | null): number {
  const m = d.m;
  const P = m + 4;
  g.fill(0);
  if (h) h.fill(0);
  for (let k = 0; k < d.rows; k++) {
    const c = count ? count[k] * d.w[k] : d.w[k];
    if (c === 0) continue;
    const a = d.a[k];
    const b = d.b[k];
    const q = sigmoid(logit(d, params, k));
    const r = c * (d.y[k] - q);
    g[a] += ALPHA * r;
    g[b] -= ALPHA * r;
    const o = 4 * k;
    for (let c2 = 0; c2 < 4; c2++) g[m + c2] += r * d.f[o + c2];
    if (h) {
      const hv = c * q * (1 - q);
      const hr = ALPHA * ALPHA * hv;
      h[a * P + a] += hr;
      h[b * P + b] += hr;
      if (a > b) h[a * P + b] -= hr;
      else h[b * P + a] -= hr;
      for (let c1 = 0; c1 < 4; c1++) {
        const fc = d.f[o + c1];
        const row = (m + c1) * P;
        const x = ALPHA * hv * fc;
        h[row + a] += x;
        h[row + b] -= x;
        for (let c2 = 0; c2 <= c1; c2++) h[row + m + c2] += hv * fc * d.f[o + c2];
      }
    }
  }
  for (let k = 0; k < P; k++) {
    g[k] -= STYLE_L2 * params[k];
    if (h) h[k * P + k] += STYLE_L2;
  }
  let norm = 0;
  for (let k = 0; k < P; k++) norm = Math.max(norm, Math.abs(g[k]));
  return norm;
}

export interface StyleFit {
  /** m ratings (log10 units, not centred) followed by the 4 style coefficients. */
  params: Float64Array;
  iterations: number;
  gradientNorm: number;
  converged: boolean;
}

/** The penalised style-control objective for the optimiser; `count` multiplies each battle. */
export function styleObjectiveOf(d: StyleData, count: Float64Array | null = null): ConcaveObjective {
  return {
    size: d.m + 4,
    scale: d.rows,
    evaluate(params, g, h) {
      if (g) derivatives(d, params, count, g, h);
      return objective(d, params, count);
    },
  };
}

export function fitStyleControl(d: StyleData, count: Float64Array | null = null, init?: Float64Array): StyleFit {
  const fit = maximizeConcave(styleObjectiveOf(d, count), init ?? new Float64Array(d.m + 4));
  return { params: fit.x, iterations: fit.iterations, gradientNorm: fit.gradientNorm, converged: fit.converged };
}

/** Centred ratings in natural units (θ = ln10 · r, minus the mean) from a style fit. */
export function styleTheta(params: Float64Array, m: number): Float64Array {
  const theta = new Float64Array(m);
  let mean = 0;
  for (let k = 0; k < m; k++) mean += params[k];
  mean = m > 0 ? mean / m : 0;
  for (let k = 0; k < m; k++) theta[k] = ALPHA * (params[k] - mean);
  return theta;
}

/**
 * Sandwich variances of the ratings centred within each group on its weights (natural units): H⁻¹ J H⁻¹ with H the penalised
 * information and J the centred covariance of the per-battle scores (the penalty is not random:
 * J = Σ g gᵀ − (λθ)(λθ)ᵀ / N, as LMArena's correction).
 */
export function styleSandwichVariance(
  d: StyleData,
  params: Float64Array,
  groups: { members: number[]; weights: Float64Array }[] = [{ members: Array.from({ length: d.m }, (_, k) => k), weights: new Float64Array(d.m).fill(1 / d.m) }],
): Float64Array {
  const m = d.m;
  const P = m + 4;
  const g = new Float64Array(P);
  const h = new Float64Array(P * P);
  derivatives(d, params, null, g, h);
  const variance = new Float64Array(m);
  if (!cholesky(h, P)) return variance.fill(NaN);
  const A = choleskyInverse(h, P);
  // Rows of C·A for the ratings (C centres the ratings within each group, a component, on its
  // reference weights: centring.ts).
  const B = new Float64Array(m * P);
  for (const { members, weights } of groups) {
    for (let c = 0; c < P; c++) {
      let mean = 0;
      members.forEach((r, a) => (mean += weights[a] * A[r * P + c]));
      for (const r of members) B[r * P + c] = A[r * P + c] - mean;
    }
  }
  // J = Σ c²(y − q)² x xᵀ (dense, symmetric), minus the penalty correction.
  const J = new Float64Array(P * P);
  const x = new Float64Array(P);
  for (let k = 0; k < d.rows; k++) {
    const w = d.w[k];
    const a = d.a[k];
    const b = d.b[k];
    const q = sigmoid(logit(d, params, k));
    const e2 = w * w * (d.y[k] - q) * (d.y[k] - q);
    const o = 4 * k;
    x[a] = ALPHA;
    x[b] = -ALPHA;
    for (let c = 0; c < 4; c++) x[m + c] = d.f[o + c];
    const idx = [a, b, m, m + 1, m + 2, m + 3];
    for (const r of idx) for (const c of idx) J[r * P + c] += e2 * x[r] * x[c];
    x[a] = 0;
    x[b] = 0;
  }
  if (d.rows > 0) {
    for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) J[r * P + c] -= (STYLE_L2 * params[r] * STYLE_L2 * params[c]) / d.rows;
  }
  const tmp = new Float64Array(P);
  for (let k = 0; k < m; k++) {
    const row = B.subarray(k * P, (k + 1) * P);
    for (let c = 0; c < P; c++) {
      let s = 0;
      for (let r = 0; r < P; r++) s += row[r] * J[r * P + c];
      tmp[c] = s;
    }
    let v = 0;
    for (let c = 0; c < P; c++) v += tmp[c] * row[c];
    variance[k] = ALPHA * ALPHA * Math.max(0, v);
  }
  return variance;
}

/** Bootstrap of the style fit: battles resampled with replacement (one multinomial of N). */
export function bootstrapStyle(d: StyleData, full: Float64Array, rounds: number, seed: number): { samples: Float64Array; maxGradientNorm: number } {
  const m = d.m;
  const samples = new Float64Array(rounds * m);
  const sampler = new MultinomialSampler(new Float64Array(d.rows).fill(1), d.rows);
  const count = new Float64Array(d.rows);
  let maxGradientNorm = 0;
  for (let r = 0; r < rounds; r++) {
    sampler.sample(new Rng(seed, r), count);
    const fit = fitStyleControl(d, count, full);
    maxGradientNorm = Math.max(maxGradientNorm, fit.gradientNorm);
    samples.set(styleTheta(fit.params, m), r * m);
  }
  return { samples, maxGradientNorm };
}

/**
 * The default style-control interval (a Laplace form of the profile): the curvature of the
 * penalised objective with the log-likelihood divided by the tie dispersion φ (dispersion.ts,
 * with each battle's q from the style fit), at the fit. The profile itself would refit every
 * battle several times per model, which style control's per-battle covariates make too slow on
 * large data; the penalty (a proper prior) keeps the curvature definite, so no interval is ever
 * zero wide. Returns the inverse of that matrix ((m + 4)², log10 units) and the dispersion.
 */
export function styleLaplace(d: StyleData, params: Float64Array): { inverse: Float64Array } & Dispersion {
  const m = d.m;
  const P = m + 4;
  const g = new Float64Array(P);
  const h = new Float64Array(P * P);
  derivatives(d, params, null, g, h);
  const q = new Float64Array(d.rows);
  for (let k = 0; k < d.rows; k++) q[k] = sigmoid(logit(d, params, k));
  const disp = dispersionOf(d.rows, (k) => d.w[k], (k) => q[k], (k) => (d.y[k] === 0.5 ? 1 : 0));
  const phi = disp.phi;
  // (H − λI) / φ + λI, lower triangle
  for (let r = 0; r < P; r++) {
    for (let c = 0; c <= r; c++) h[r * P + c] /= phi;
    h[r * P + r] += STYLE_L2 * (1 - 1 / phi);
  }
  if (!cholesky(h, P)) return { inverse: new Float64Array(P * P).fill(NaN), ...disp };
  return { inverse: choleskyInverse(h, P), ...disp };
}
