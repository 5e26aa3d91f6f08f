import { BOOTSTRAP_CHUNK, bootstrapBt, percentileBounds } from './bootstrap';
import { parallelBootstrap } from './bootstrap-threads';
import { btDataFromTable, btHessian, btObjectiveOf, fitBradleyTerry, type BtData } from './bradley-terry';
import { btDispersion, type Dispersion } from './dispersion';
import { cholesky, choleskyInverse } from './linalg';
import { maximizeConcave } from './newton';
import type { PairTable } from './pair-table';
import { profileInterval, smallSampleFactor, type ProfileProblem } from './profile';
import { t975, Z_95 } from './quantiles';
import { btSandwichVariance } from './sandwich';
import { centreOn, centreSamples, centreSquare, contrast, uniformWeights } from './centring';

/**
 * One connected component of the comparison graph, fitted on its own: Bradley-Terry point
 * estimates and 95 % intervals by one of three methods.
 *
 * - profile (the default): the profile likelihood of each model's centred rating under the
 *   quasi-likelihood (dispersion.ts) plus the virtual-tie prior — one virtual tie of every model
 *   against a reference player, the log-prior ½θ − log(1 + e^θ), which is the Jeffreys prior
 *   Beta(½, ½) on the chance of beating that player — cut at the 0.95 quantile of F(1, df)
 *   times a small-sample factor (profile.ts, `smallSampleFactor`): the exact mean of the
 *   deviance for a model whose rating is as well determined as this one, below 1 when that is
 *   a handful of battles, 1 from a few hundred on. The prior keeps both ends finite and the
 *   interval wider than zero for any data (a first vote, only ties); the profile follows the
 *   skew of the likelihood where battles are few.
 * - sandwich: LMArena's closed-form robust interval at the point estimate.
 * - bootstrap: percentiles of refits of multinomial resamples of the component's battles.
 *
 * The point estimate is the exact MLE wherever it exists, else the mode under the virtual-tie
 * prior (bradley-terry.ts); `point: 'penalised'` reports the profile's centre (the mode of the
 * quasi-likelihood times the prior) instead, a shrunk estimate.
 */
export type IntervalMethod = 'profile' | 'sandwich' | 'bootstrap';

export interface ComponentOptions {
  ci: IntervalMethod;
  rounds: number;
  seed: number;
  /** Random streams of this component's rounds start here (components resample independently). */
  seedOffset: number;
  threads: number;
  point: 'mle' | 'penalised';
  /**
   * What the ratings are centred on (centring.ts): weights over the table's models, summing to
   * 1. Default: all models alike.
   */
  reference?: Float64Array;
}

export interface ComponentFit {
  /** Centred point estimates and interval ends, natural-log units, in table order. */
  theta: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /**
   * Covariance of the centred ratings from the quasi-likelihood curvature with the prior
   * (k x k), whatever the interval method: what "battles to separate" extrapolates.
   */
  covariance: Float64Array;
  /** Per-battle information between i and j at the fit, for extrapolating more battles. */
  information: (i: number, j: number) => number;
  estimator: 'mle' | 'map-virtual-ties';
  iterations: number;
  gradientNorm: number;
  converged: boolean;
  dispersion: Dispersion;
  /**
   * Deviance threshold of the profile (F(1, df) quantile, before each model's small-sample
   * factor); z² of the normal intervals.
   */
  threshold: number;
  bootstrapFallbackRounds: number;
  /** Intervals that had to be widened to contain the point estimate. */
  widened: number;
}

function scaled(d: BtData, by: number): BtData {
  return { ...d, n: d.n.map((x) => x * by), s: d.s.map((x) => x * by) };
}

/** Inverse of the negative Hessian of the penalised objective at theta (full k x k). */
function penalisedInverse(d: BtData, theta: Float64Array): Float64Array {
  const k = d.m;
  const h = new Float64Array(k * k);
  btHessian(d, theta, true, h);
  if (!cholesky(h, k)) return new Float64Array(k * k).fill(NaN);
  return choleskyInverse(h, k);
}

export function fitBtComponent(table: PairTable, opts: ComponentOptions): ComponentFit {
  const k = table.m;
  const w = opts.reference ?? uniformWeights(k);
  const data = btDataFromTable(table);
  const fit = fitBradleyTerry(data);
  let iterations = fit.iterations;
  let gradientNorm = fit.gradientNorm;
  let converged = fit.converged;

  // The quasi-likelihood with the prior: dispersion at the point estimate, then the maximum of
  // ℓ / φ̂ + log prior — the centre and curvature of the default intervals.
  // (Other methods need only the curvature, for "battles to separate": at the point estimate.)
  const profile = opts.ci === 'profile' || opts.point === 'penalised';
  const dispersion = btDispersion(table, fit.theta);
  const quasi = scaled(data, 1 / dispersion.phi);
  const objective = btObjectiveOf(quasi, true);
  const peakFit = profile ? maximizeConcave(objective, fit.theta) : null;
  const peak = peakFit ? peakFit.x : fit.theta;
  const inverse = penalisedInverse(quasi, peak);
  const covariance = Float64Array.from(inverse);
  centreSquare(covariance, w);
  const theta = centreOn(Float64Array.from(opts.point === 'penalised' ? peak : fit.theta), w);
  const tq = Number.isFinite(dispersion.df) ? t975(dispersion.df) : Z_95;

  const lower = new Float64Array(k);
  const upper = new Float64Array(k);
  let bootstrapFallbackRounds = 0;
  let threshold = tq * tq;
  if (opts.ci === 'profile') {
    const problem: ProfileProblem = { objective, peak, peakValue: peakFit!.value, inverse, threshold };
    for (let a = 0; a < k; a++) {
      const c = contrast(a, w);
      // Small-sample cut: the threshold times the exact mean deviance of a model with as much
      // information as this contrast has, counted in even battles (profile.ts). It is 1 within
      // 0.3 % from about 100 such battles on, so only thin data see it.
      const variance = covariance[a * k + a];
      const factor = variance > 0 && Number.isFinite(variance) ? smallSampleFactor((4 * dispersion.phi) / variance, dispersion.phi) : 1;
      const r = profileInterval({ ...problem, threshold: threshold * factor }, c);
      lower[a] = r.lower;
      upper[a] = r.upper;
    }
  } else if (opts.ci === 'sandwich') {
    threshold = Z_95 * Z_95;
    const v = btSandwichVariance(table, data, fit.theta, fit.prior, w);
    for (let a = 0; a < k; a++) {
      const half = Z_95 * Math.sqrt(v[a]);
      lower[a] = theta[a] - half;
      upper[a] = theta[a] + half;
    }
  } else {
    threshold = Z_95 * Z_95;
    const boot =
      opts.threads > 1 && opts.rounds >= 2 * BOOTSTRAP_CHUNK
        ? parallelBootstrap(table, fit.theta, opts.rounds, opts.seed, opts.threads, opts.seedOffset)
        : bootstrapBt(table, fit.theta, opts.rounds, opts.seed, opts.seedOffset);
    centreSamples(boot.samples, opts.rounds, w);
    const b = percentileBounds(boot.samples, opts.rounds, k);
    lower.set(b.lower);
    upper.set(b.upper);
    bootstrapFallbackRounds = boot.fallbackRounds;
    gradientNorm = Math.max(gradientNorm, boot.maxGradientNorm);
  }
  if (peakFit) {
    iterations += peakFit.iterations;
    converged &&= peakFit.converged;
  }

  // An interval always holds its own point estimate (the profile is centred on the shrunk
  // estimate, which differs from the MLE by a fraction of the interval).
  let widened = 0;
  for (let a = 0; a < k; a++) {
    if (!(lower[a] <= theta[a]) || !(upper[a] >= theta[a])) {
      if (Number.isFinite(lower[a]) && Number.isFinite(upper[a])) widened++;
      lower[a] = Math.min(Number.isFinite(lower[a]) ? lower[a] : theta[a], theta[a]);
      upper[a] = Math.max(Number.isFinite(upper[a]) ? upper[a] : theta[a], theta[a]);
    }
  }

  const information = (i: number, j: number) => {
    const q = 1 / (1 + Math.exp(peak[j] - peak[i]));
    return (q * (1 - q)) / dispersion.phi;
  };
  return {
    theta,
    lower,
    upper,
    covariance,
    information,
    estimator: fit.prior ? 'map-virtual-ties' : 'mle',
    iterations,
    gradientNorm,
    converged,
    dispersion,
    threshold,
    bootstrapFallbackRounds,
    widened,
  };
}
