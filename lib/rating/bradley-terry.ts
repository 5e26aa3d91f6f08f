import { ComparisonGraph } from './graph';
import { GRADIENT_TOLERANCE, maximizeConcave, type ConcaveObjective } from './newton';
import type { PairTable } from './pair-table';

/**
 * Bradley-Terry by Newton's method on aggregated pair counts.
 *
 * Parameters θ are natural-log strengths: P(i beats j) = σ(θi − θj); the Elo-scale rating is
 * 1000 + 400 / ln 10 · (θi − mean θ). Ties count half a win for each side, so with n battles and
 * a score s for i (wins + ties / 2) a pair contributes s·d − n·log(1 + e^d), d = θi − θj, to the
 * log-likelihood. The fit is iterated until the infinity norm of the gradient of that
 * log-likelihood (summed over battles, natural units) is below 1e-9.
 *
 * When the maximum-likelihood estimate does not exist — some set of models never won nor tied
 * against the rest (a model that never lost or never won, a comparison graph in pieces) — the
 * likelihood keeps growing as those ratings run off to ±∞. Then, and only then, every model is
 * given one virtual tie against a reference player fixed at the mean scale (θ = 0), i.e. the
 * log-prior Σk (θk / 2 − log(1 + e^θk)), and the posterior mode is returned. It is finite and
 * unique, barely moves models with many battles, and leaves a model that won its only battle
 * against an average opponent about 190 points above it. Which estimator was used is reported.
 */
export interface BtData {
  m: number;
  size: number;
  i: Int32Array;
  j: Int32Array;
  /** Weighted battles of the pair. */
  n: Float64Array;
  /** Weighted score of i against j (wins + ties / 2). */
  s: Float64Array;
}

export { GRADIENT_TOLERANCE };
/** Virtual ties per model in the fallback prior. */
export const VIRTUAL_TIES = 1;

export function btDataFromTable(
  t: PairTable,
  winI: Float64Array = t.winI,
  winJ: Float64Array = t.winJ,
  ties: Float64Array = t.ties,
  out?: BtData,
): BtData {
  const d = out ?? { m: t.m, size: t.size, i: t.i, j: t.j, n: new Float64Array(t.size), s: new Float64Array(t.size) };
  for (let p = 0; p < t.size; p++) {
    const w = t.weight[p];
    d.n[p] = w * (winI[p] + winJ[p] + ties[p]);
    d.s[p] = w * (winI[p] + 0.5 * ties[p]);
  }
  return d;
}

/**
 * True when the MLE exists (Zermelo/Ford condition): in the directed graph with an edge i → j
 * whenever i scored against j (won or tied at least once), every model reaches every other.
 */
export function mleExists(d: BtData): boolean {
  if (d.m <= 1) return d.m === 1;
  const graph = new ComparisonGraph(d.m, d.size, d.i, d.j, (p) => d.n[p] > 0);
  return graph.stronglyConnected((p, fromI) => (fromI ? d.s[p] > 0 : d.n[p] - d.s[p] > 0));
}

export interface BtFit {
  theta: Float64Array;
  iterations: number;
  gradientNorm: number;
  converged: boolean;
  /** True when the virtual-tie prior was used (MLE does not exist). */
  prior: boolean;
}

export interface BtFitOptions {
  /** Use the virtual-tie prior; default: only when the MLE does not exist. */
  prior?: boolean;
  init?: Float64Array;
  tol?: number;
  maxIter?: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Log-likelihood (plus log-prior when `prior`). */
export function btObjective(d: BtData, theta: Float64Array, prior: boolean): number {
  let f = 0;
  for (let p = 0; p < d.size; p++) {
    const n = d.n[p];
    if (n === 0) continue;
    const x = theta[d.i[p]] - theta[d.j[p]];
    f += d.s[p] * x - n * softplus(x);
  }
  if (prior) for (let k = 0; k < d.m; k++) f += VIRTUAL_TIES * (0.5 * theta[k] - softplus(theta[k]));
  return f;
}

/** Gradient of btObjective into g; returns its infinity norm. */
export function btGradient(d: BtData, theta: Float64Array, prior: boolean, g: Float64Array): number {
  g.fill(0, 0, d.m);
  for (let p = 0; p < d.size; p++) {
    const n = d.n[p];
    if (n === 0) continue;
    const i = d.i[p];
    const j = d.j[p];
    const r = d.s[p] - n * sigmoid(theta[i] - theta[j]);
    g[i] += r;
    g[j] -= r;
  }
  if (prior) for (let k = 0; k < d.m; k++) g[k] += VIRTUAL_TIES * (0.5 - sigmoid(theta[k]));
  let norm = 0;
  for (let k = 0; k < d.m; k++) norm = Math.max(norm, Math.abs(g[k]));
  return norm;
}

/**
 * btGradient from per-model exponentials: σ(θi − θj) = e^θi / (e^θi + e^θj), one division per
 * pair instead of an exponential (`exp` is scratch space of m entries). Falls back to
 * btGradient where the exponentials could overflow.
 */
export function btFastGradient(d: BtData, theta: Float64Array, prior: boolean, g: Float64Array, exp: Float64Array): void {
  for (let k = 0; k < d.m; k++) {
    if (!(Math.abs(theta[k]) < 300)) {
      btGradient(d, theta, prior, g);
      return;
    }
    exp[k] = Math.exp(theta[k]);
    g[k] = prior ? VIRTUAL_TIES * (0.5 - exp[k] / (1 + exp[k])) : 0;
  }
  for (let p = 0; p < d.size; p++) {
    const n = d.n[p];
    if (n === 0) continue;
    const i = d.i[p];
    const j = d.j[p];
    const r = d.s[p] - (n * exp[i]) / (exp[i] + exp[j]);
    g[i] += r;
    g[j] -= r;
  }
}

/**
 * btObjective and btGradient in one pass: from per-model exponentials (scratch `exp`, m
 * entries), log(1 + e^(θi − θj)) = log(e^θi + e^θj) − θj and σ(θi − θj) = e^θi / (e^θi + e^θj),
 * one logarithm and one division per pair; where the exponentials could overflow, one
 * exponential and one logarithm per pair.
 */
export function btValueAndGradient(d: BtData, theta: Float64Array, prior: boolean, g: Float64Array, exp?: Float64Array): number {
  g.fill(0, 0, d.m);
  let f = 0;
  let small = exp !== undefined;
  for (let k = 0; k < d.m && small; k++) small = Math.abs(theta[k]) < 300;
  if (small) {
    for (let k = 0; k < d.m; k++) exp![k] = Math.exp(theta[k]);
    for (let p = 0; p < d.size; p++) {
      const n = d.n[p];
      if (n === 0) continue;
      const i = d.i[p];
      const j = d.j[p];
      const sum = exp![i] + exp![j];
      f += d.s[p] * (theta[i] - theta[j]) - n * (Math.log(sum) - theta[j]);
      const r = d.s[p] - (n * exp![i]) / sum;
      g[i] += r;
      g[j] -= r;
    }
  } else {
    for (let p = 0; p < d.size; p++) {
      const n = d.n[p];
      if (n === 0) continue;
      const i = d.i[p];
      const j = d.j[p];
      const x = theta[i] - theta[j];
      const e = Math.exp(-Math.abs(x));
      const l = Math.log1p(e);
      f += d.s[p] * x - n * (x > 0 ? x + l : l);
      const q = x >= 0 ? 1 / (1 + e) : e / (1 + e);
      const r = d.s[p] - n * q;
      g[i] += r;
      g[j] -= r;
    }
  }
  if (prior) {
    for (let k = 0; k < d.m; k++) {
      const x = theta[k];
      const e = Math.exp(-Math.abs(x));
      const l = Math.log1p(e);
      f += VIRTUAL_TIES * (0.5 * x - (x > 0 ? x + l : l));
      g[k] += VIRTUAL_TIES * (0.5 - (x >= 0 ? 1 / (1 + e) : e / (1 + e)));
    }
  }
  return f;
}

/**
 * Negative Hessian of btObjective in `h` (lower triangle filled, m x m row-major). Without the
 * prior the matrix is singular along the all-ones direction (ratings are defined up to a shift);
 * adding c·11ᵀ makes it definite without changing Newton steps for gradients orthogonal to 1
 * (the gradient of the likelihood always is), so steps keep the ratings' sum fixed.
 */
export function btHessian(d: BtData, theta: Float64Array, prior: boolean, h: Float64Array): void {
  const m = d.m;
  h.fill(0, 0, m * m);
  for (let p = 0; p < d.size; p++) {
    const n = d.n[p];
    if (n === 0) continue;
    const i = d.i[p];
    const j = d.j[p];
    const q = sigmoid(theta[i] - theta[j]);
    const w = n * q * (1 - q);
    h[i * m + i] += w;
    h[j * m + j] += w;
    h[j * m + i] -= w; // j > i: lower triangle
  }
  if (prior) {
    for (let k = 0; k < m; k++) {
      const q = sigmoid(theta[k]);
      h[k * m + k] += VIRTUAL_TIES * q * (1 - q);
    }
  } else {
    let trace = 0;
    for (let k = 0; k < m; k++) trace += h[k * m + k];
    const c = trace > 0 ? trace / (m * m) : 1;
    for (let r = 0; r < m; r++) for (let k = 0; k <= r; k++) h[r * m + k] += c;
  }
}

function center(theta: Float64Array, m: number): void {
  let mean = 0;
  for (let k = 0; k < m; k++) mean += theta[k];
  mean /= m;
  for (let k = 0; k < m; k++) theta[k] -= mean;
}

/** The Bradley-Terry log-likelihood (plus the virtual-tie log-prior when `prior`) for the optimiser. */
export function btObjectiveOf(d: BtData, prior: boolean): ConcaveObjective {
  let total = 0;
  for (let p = 0; p < d.size; p++) total += d.n[p];
  const exp = new Float64Array(d.m);
  return {
    size: d.m,
    scale: total,
    evaluate(theta, g, h) {
      if (h) btHessian(d, theta, prior, h);
      return g ? btValueAndGradient(d, theta, prior, g, exp) : btObjective(d, theta, prior);
    },
    gradient: (theta, g) => btFastGradient(d, theta, prior, g, exp),
    // Without the prior the ratings are defined up to a shift: keep them centred.
    project: prior ? undefined : (theta) => center(theta, d.m),
  };
}

/**
 * Newton's method with a backtracking line search on the (concave) objective (newton.ts).
 * Returns θ centred to mean 0 (MLE: exactly the gauge of the sum-zero constraint; with the prior
 * the centring is the same display shift applied to every model).
 */
export function fitBradleyTerry(d: BtData, opts: BtFitOptions = {}): BtFit {
  const m = d.m;
  if (m <= 1) return { theta: new Float64Array(m), iterations: 0, gradientNorm: 0, converged: true, prior: false };
  const prior = opts.prior ?? !mleExists(d);
  const fit = maximizeConcave(btObjectiveOf(d, prior), opts.init ?? new Float64Array(m), { tol: opts.tol ?? GRADIENT_TOLERANCE, maxIter: opts.maxIter });
  const theta = fit.x;
  center(theta, m);
  return { theta, iterations: fit.iterations, gradientNorm: fit.gradientNorm, converged: fit.converged, prior };
}
