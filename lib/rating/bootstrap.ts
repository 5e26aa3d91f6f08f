import { btDataFromTable, btHessian, fitBradleyTerry, GRADIENT_TOLERANCE, type BtData } from './bradley-terry';
import { ComparisonGraph } from './graph';
import { cholesky, choleskyInverse, choleskySolve, symmetricMatVec } from './linalg';
import type { PairTable } from './pair-table';
import { MultinomialSampler, Rng } from './random';

export interface BootstrapResult {
  rounds: number;
  /** rounds x m centred θ (natural units), row-major. */
  samples: Float64Array;
  /** Rounds whose resample had no MLE (fitted with the virtual-tie fallback). */
  fallbackRounds: number;
  /** Largest final gradient norm over the rounds. */
  maxGradientNorm: number;
}

/**
 * Nonparametric bootstrap: each round redraws the N battles from their empirical distribution,
 * i.e. one multinomial draw of N over the observed (pair, outcome) cells, and refits. Round r
 * uses its own random stream (seed, r), so results do not depend on scheduling (or on how many
 * threads share the rounds). Each refit starts from the full-data fit and runs to the same
 * gradient tolerance. (bootstrap-threads.ts runs the same rounds on several threads.)
 */
export function bootstrapBt(t: PairTable, full: Float64Array, rounds: number, seed: number, streamOffset = 0): BootstrapResult {
  const m = t.m;
  const samples = new Float64Array(rounds * m);
  const gradient = new Float64Array(rounds);
  const prior = new Uint8Array(rounds);
  new BootstrapRunner(t, full, seed, streamOffset).run(0, rounds, samples, gradient, prior);
  return summarise(rounds, samples, gradient, prior);
}

export function summarise(rounds: number, samples: Float64Array, gradient: Float64Array, prior: Uint8Array): BootstrapResult {
  let fallbackRounds = 0;
  let maxGradientNorm = 0;
  for (let r = 0; r < rounds; r++) {
    fallbackRounds += prior[r];
    maxGradientNorm = Math.max(maxGradientNorm, gradient[r]);
  }
  return { rounds, samples, fallbackRounds, maxGradientNorm };
}

/** Rounds handed out to threads at a time. */
export const BOOTSTRAP_CHUNK = 20;

/** Everything one thread needs to compute any bootstrap round. */
export class BootstrapRunner {
  private readonly sampler: MultinomialSampler;
  private readonly cellPair: Int32Array;
  private readonly cellKind: Uint8Array;
  private readonly draw: Float64Array;
  private readonly weighted: boolean;
  private readonly solver: WarmSolver;
  private d: BtData | undefined;

  constructor(
    private readonly t: PairTable,
    full: Float64Array,
    private readonly seed: number,
    /** Round r draws from random stream streamOffset + r (separate components use separate streams). */
    private readonly streamOffset = 0,
  ) {
    // Flatten the non-empty cells: 3 per pair (i won, j won, tie).
    const cellPair: number[] = [];
    const cellKind: number[] = [];
    const weight: number[] = [];
    let n = 0;
    for (let p = 0; p < t.size; p++) {
      const c = [t.winI[p], t.winJ[p], t.ties[p]];
      for (let k = 0; k < 3; k++) {
        if (c[k] > 0) {
          cellPair.push(p);
          cellKind.push(k);
          weight.push(c[k]);
          n += c[k];
        }
      }
    }
    this.cellPair = Int32Array.from(cellPair);
    this.cellKind = Uint8Array.from(cellKind);
    this.sampler = new MultinomialSampler(weight, n);
    this.draw = new Float64Array(this.sampler.cells);
    this.weighted = t.weight.some((w) => w !== 1);
    this.solver = new WarmSolver(t, full);
  }

  /** Rounds [from, to) into row r of samples, with each round's gradient norm and fallback flag. */
  run(from: number, to: number, samples: Float64Array, gradient: Float64Array, prior: Uint8Array): void {
    const t = this.t;
    const m = t.m;
    const { draw, cellKind, cellPair } = this;
    const d = (this.d ??= { m, size: t.size, i: t.i, j: t.j, n: new Float64Array(t.size), s: new Float64Array(t.size) });
    const { n, s } = d;
    for (let r = from; r < to; r++) {
      this.sampler.sample(new Rng(this.seed, this.streamOffset + r), draw);
      // Resampled counts straight into the fit's sufficient statistics: battles and score of i.
      n.fill(0);
      s.fill(0);
      for (let k = 0; k < draw.length; k++) {
        const x = draw[k];
        if (x === 0) continue;
        const p = cellPair[k];
        n[p] += x;
        const kind = cellKind[k];
        if (kind === 0) s[p] += x;
        else if (kind === 2) s[p] += 0.5 * x;
      }
      if (this.weighted) {
        for (let p = 0; p < t.size; p++) {
          n[p] *= t.weight[p];
          s[p] *= t.weight[p];
        }
      }
      const fit = this.solver.solve(d, samples.subarray(r * m, (r + 1) * m));
      gradient[r] = fit.gradientNorm;
      prior[r] = fit.prior ? 1 : 0;
    }
  }

}

/** Quantile with linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** 2.5 and 97.5 percentiles of each model's column. */
export function percentileBounds(samples: Float64Array, rounds: number, m: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const col = new Float64Array(rounds);
  for (let k = 0; k < m; k++) {
    for (let r = 0; r < rounds; r++) col[r] = samples[r * m + k];
    col.sort();
    lower[k] = quantileSorted(col, 0.025);
    upper[k] = quantileSorted(col, 0.975);
  }
  return { lower, upper };
}

/**
 * Refits a resample quickly, starting from the full-data fit θ0. Resamples differ from the data
 * by O(1/√n), so the Newton matrix at θ0 (factorised once) is nearly right for all of them: the
 * iteration θ ← θ + H0⁻¹ g(θ) converges linearly at a rate of a few percent per step, with the
 * same gradient test as fitBradleyTerry. If a resample converges slowly, the matrix is refreshed
 * at the current point (a true Newton step); if that fails too — or the resample has no MLE — the
 * general line-searched Newton fit takes over.
 */
class WarmSolver {
  private readonly m: number;
  private readonly l0: Float64Array;
  private readonly inv0: Float64Array;
  private readonly h0diag: Float64Array;
  private readonly hdiag: Float64Array;
  private readonly scaled: Float64Array;
  private readonly l: Float64Array;
  private readonly g: Float64Array;
  private readonly e: Float64Array;
  private readonly step: Float64Array;
  private readonly prev: Float64Array;
  private readonly theta: Float64Array;
  private readonly graph: ComparisonGraph;
  private readonly fullForward: Uint8Array;
  private readonly fullBackward: Uint8Array;
  private readonly fullConnected: boolean;

  constructor(
    private readonly t: PairTable,
    private readonly full: Float64Array,
  ) {
    const m = t.m;
    this.m = m;
    this.l0 = new Float64Array(m * m);
    btHessian(btDataFromTable(t), full, false, this.l0);
    this.h0diag = new Float64Array(m);
    this.hdiag = new Float64Array(m);
    this.scaled = new Float64Array(m);
    {
      // diagonal of the Fisher information alone (btHessian adds c·11ᵀ for the gauge)
      const fd = btDataFromTable(t);
      for (let p = 0; p < t.size; p++) {
        const q = 1 / (1 + Math.exp(full[t.j[p]] - full[t.i[p]]));
        const h = fd.n[p] * q * (1 - q);
        this.h0diag[t.i[p]] += h;
        this.h0diag[t.j[p]] += h;
      }
    }
    // The explicit inverse: one matrix-vector product per step is faster than two triangular solves.
    this.inv0 = cholesky(this.l0, m) ? choleskyInverse(this.l0, m) : new Float64Array(m * m).fill(NaN);
    this.l = new Float64Array(m * m);
    this.g = new Float64Array(m);
    this.e = new Float64Array(m);
    this.step = new Float64Array(m);
    this.prev = new Float64Array(m);
    this.theta = new Float64Array(m);
    this.graph = new ComparisonGraph(m, t.size, t.i, t.j);
    const fullData = btDataFromTable(t);
    this.fullForward = new Uint8Array(t.size);
    this.fullBackward = new Uint8Array(t.size);
    for (let p = 0; p < t.size; p++) {
      this.fullForward[p] = fullData.s[p] > 0 ? 1 : 0;
      this.fullBackward[p] = fullData.n[p] - fullData.s[p] > 0 ? 1 : 0;
    }
    this.fullConnected = this.stronglyConnected(fullData);
  }

  /**
   * Strong connectivity of the "scored against" graph of d (see mleExists). Usually every pair
   * keeps both directions the full data had, so d's graph contains the full data's strongly
   * connected one; only otherwise is the graph searched.
   */
  private exists(d: BtData): boolean {
    if (this.fullConnected) {
      let kept = true;
      for (let p = 0; p < d.size && kept; p++) {
        const n = d.n[p];
        const sI = d.s[p];
        if ((this.fullForward[p] && !(sI > 0)) || (this.fullBackward[p] && !(n - sI > 0))) kept = false;
      }
      if (kept) return true;
    }
    return this.stronglyConnected(d);
  }

  private stronglyConnected(d: BtData): boolean {
    return this.graph.stronglyConnected((p, fromI) => d.n[p] > 0 && (fromI ? d.s[p] > 0 : d.n[p] - d.s[p] > 0));
  }

  private gradient(d: BtData, theta: Float64Array): number {
    const { g, e } = this;
    const m = this.m;
    let big = false;
    const hd = this.hdiag;
    for (let k = 0; k < m; k++) {
      g[k] = 0;
      hd[k] = 0;
      if (Math.abs(theta[k]) > 300) big = true;
      e[k] = Math.exp(theta[k]);
    }
    for (let p = 0; p < d.size; p++) {
      const n = d.n[p];
      if (n === 0) continue;
      const i = d.i[p];
      const j = d.j[p];
      // σ(θi − θj) from per-model exponentials: one division instead of an exp per pair.
      const q = big ? 1 / (1 + Math.exp(theta[j] - theta[i])) : e[i] / (e[i] + e[j]);
      const r = d.s[p] - n * q;
      g[i] += r;
      g[j] -= r;
      const h = n * q * (1 - q);
      hd[i] += h;
      hd[j] += h;
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm = Math.max(norm, Math.abs(g[k]));
    return norm;
  }

  solve(d: BtData, out: Float64Array): { gradientNorm: number; prior: boolean } {
    const m = this.m;
    if (!this.exists(d)) {
      const fit = fitBradleyTerry(d, { prior: true, init: this.full });
      out.set(fit.theta);
      return { gradientNorm: fit.gradientNorm, prior: true };
    }
    // Work on a private vector (out may live in shared memory) and copy the result at the end.
    const theta = this.theta;
    theta.set(this.full);
    let factor: Float64Array | null = null; // null: the precomputed inverse
    let fresh = false;
    let gn = this.gradient(d, theta);
    for (let iter = 0; iter < 100 && gn >= GRADIENT_TOLERANCE; iter++) {
      this.prev.set(theta);
      if (factor) {
        this.step.set(this.g);
        choleskySolve(factor, m, this.step);
      } else {
        // H0⁻¹ rescaled by the resample's own Hessian diagonal: S⁻¹ H0⁻¹ S⁻¹ g with
        // S² = diag(H) / diag(H0) absorbs each model's change in battle count, the largest part
        // of the difference between the two matrices, and cuts the steps needed.
        const { hdiag, h0diag, scaled, step } = this;
        for (let k = 0; k < m; k++) {
          hdiag[k] = 1 / Math.sqrt(hdiag[k] / h0diag[k] || 1); // now S⁻¹
          scaled[k] = this.g[k] * hdiag[k];
        }
        symmetricMatVec(this.inv0, m, scaled, step);
        for (let k = 0; k < m; k++) step[k] *= hdiag[k];
      }
      let mean = 0;
      for (let k = 0; k < m; k++) mean += theta[k] + this.step[k];
      mean /= m;
      for (let k = 0; k < m; k++) theta[k] = theta[k] + this.step[k] - mean;
      const next = this.gradient(d, theta);
      if (next < 0.25 * gn) {
        gn = next;
        fresh = false;
        continue;
      }
      if (next < gn && next < 1e-7 * (this.t.battles + 1)) {
        // At the floating-point floor the gradient stops shrinking geometrically.
        gn = next;
        if (fresh) break;
        continue;
      }
      if (fresh) break;
      // Slow progress: refresh the matrix at the better of the two points (a true Newton step).
      if (next >= gn) {
        theta.set(this.prev);
        this.gradient(d, theta);
      } else gn = next;
      btHessian(d, theta, false, this.l);
      if (!cholesky(this.l, m)) break;
      factor = this.l;
      fresh = true;
    }
    if (gn < GRADIENT_TOLERANCE) {
      out.set(theta);
      return { gradientNorm: gn, prior: false };
    }
    const fit = fitBradleyTerry(d, { prior: false, init: theta });
    out.set(fit.theta);
    return { gradientNorm: fit.gradientNorm, prior: false };
  }
}
