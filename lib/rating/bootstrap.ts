import { btDataFromTable, fitBradleyTerry, mleExists, type BtData } from './bradley-terry';
import type { PairTable } from './pair-table';
import { conditionalProbabilities, multinomial, Rng } from './random';

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
 * uses its own random stream (seed, r), so results do not depend on scheduling. Each refit starts
 * from the full-data fit and runs to the same gradient tolerance.
 */
export function bootstrapBt(t: PairTable, full: Float64Array, rounds: number, seed: number): BootstrapResult {
  const m = t.m;
  const samples = new Float64Array(rounds * m);
  // Flatten the non-empty cells: 3 per pair (i won, j won, tie).
  const cellPair: number[] = [];
  const cellKind: number[] = [];
  const prob: number[] = [];
  let n = 0;
  for (let p = 0; p < t.size; p++) n += t.winI[p] + t.winJ[p] + t.ties[p];
  for (let p = 0; p < t.size; p++) {
    const c = [t.winI[p], t.winJ[p], t.ties[p]];
    for (let k = 0; k < 3; k++) {
      if (c[k] > 0) {
        cellPair.push(p);
        cellKind.push(k);
        prob.push(c[k] / n);
      }
    }
  }
  const cond = conditionalProbabilities(prob);
  const draw = new Float64Array(cond.length);
  const winI = new Float64Array(t.size);
  const winJ = new Float64Array(t.size);
  const ties = new Float64Array(t.size);
  let d: BtData | undefined;
  let fallbackRounds = 0;
  let maxGradientNorm = 0;
  for (let r = 0; r < rounds; r++) {
    const rng = new Rng(seed, r);
    multinomial(rng, n, cond, draw);
    winI.fill(0);
    winJ.fill(0);
    ties.fill(0);
    for (let k = 0; k < draw.length; k++) {
      const x = draw[k];
      if (x === 0) continue;
      const kind = cellKind[k];
      const p = cellPair[k];
      if (kind === 0) winI[p] = x;
      else if (kind === 1) winJ[p] = x;
      else ties[p] = x;
    }
    d = btDataFromTable(t, winI, winJ, ties, d);
    const prior = !mleExists(d);
    if (prior) fallbackRounds++;
    const fit = fitBradleyTerry(d, { prior, init: full });
    maxGradientNorm = Math.max(maxGradientNorm, fit.gradientNorm);
    samples.set(fit.theta, r * m);
  }
  return { rounds, samples, fallbackRounds, maxGradientNorm };
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
