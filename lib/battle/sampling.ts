import { AppError } from '../errors';
import { cholesky, choleskyInverse } from '../rating/linalg';
import type { ModelEntry } from '../registry/schema';

/**
 * Pairing policy: two different models drawn by weight without replacement, then sides by a
 * fair coin. The probability of the drawn unordered pair is stored with the battle so that
 * ratings can later correct for over-sampled pairs.
 */

/** Uniform numbers in [0, 1). Injected so tests can replay a seeded sequence. */
export type Rng = () => number;

export interface Candidate {
  id: string;
  weight: number;
}

export interface DrawnPair {
  /** Model on the left (side a). */
  a: string;
  /** Model on the right (side b). */
  b: string;
  /** Probability that the policy draws this unordered pair from these candidates. */
  probability: number;
}

/** mulberry32: tiny, fast, well-distributed 32-bit generator; good enough for pairing and tests. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const defaultRng: Rng = Math.random;

/**
 * The models that may be drawn: enabled, weight above zero, and healthy. `isHealthy` answers
 * from the health cache; it is asked only about models that pass the other tests.
 */
export function eligibleCandidates(
  models: readonly ModelEntry[],
  isHealthy: (id: string) => boolean,
  filter: (m: ModelEntry) => boolean = () => true,
): Candidate[] {
  return models
    .filter((m) => m.enabled && m.weight > 0 && Number.isFinite(m.weight) && filter(m) && isHealthy(m.id))
    .map((m) => ({ id: m.id, weight: m.weight }));
}

/**
 * P({i, j}) when the first model is drawn with probability w/W and the second with
 * probability w/(W - w_first): p = wi/W * wj/(W-wi) + wj/W * wi/(W-wj).
 */
export function pairProbability(candidates: readonly Candidate[], idA: string, idB: string): number {
  const total = candidates.reduce((s, c) => s + c.weight, 0);
  const wi = candidates.find((c) => c.id === idA)?.weight ?? 0;
  const wj = candidates.find((c) => c.id === idB)?.weight ?? 0;
  if (idA === idB || wi <= 0 || wj <= 0) return 0;
  return (wi / total) * (wj / (total - wi)) + (wj / total) * (wi / (total - wj));
}

function drawIndex(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0 && weights[i] > 0) return i;
  }
  // Rounding can leave r at a hair above zero: fall back to the last drawable entry.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return -1;
}

/** Draws a pair; throws no_models when fewer than two candidates can be drawn. */
export function samplePair(candidates: readonly Candidate[], rng: Rng = defaultRng): DrawnPair {
  const usable = candidates.filter((c) => c.weight > 0 && Number.isFinite(c.weight));
  if (new Set(usable.map((c) => c.id)).size < 2 || usable.length < 2) {
    throw new AppError('no_models', 'Fewer than two models are available for a battle right now.');
  }
  const first = drawIndex(
    usable.map((c) => c.weight),
    rng,
  );
  const second = drawIndex(
    usable.map((c, i) => (i === first ? 0 : c.weight)),
    rng,
  );
  const x = usable[first].id;
  const y = usable[second].id;
  const [a, b] = rng() < 0.5 ? [x, y] : [y, x];
  return { a, b, probability: pairProbability(usable, x, y) };
}

// ---------------------------------------------------------------- active sampling

/**
 * Active sampling: battles go where they shrink the rating intervals most, after Chiang et al.
 * (2024), "Chatbot Arena: An Open Platform for Evaluating LLMs by Human Preference", eq. 9,
 * which weights each pair by the expected reduction of its interval width from one more battle,
 * √(σ²/n) − √(σ²/(n + 1)) (`gain: 'pair'`, with σ² = q(1 − q)φ the score variance of a battle
 * and one pseudo battle per pair, so that unseen pairs get a finite weight).
 *
 * The default (`gain: 'ratings'`) applies the same rule to the intervals the board shows — each
 * model's rating interval — and to its weakest point: a board is only as settled as its widest
 * interval. One more battle between a and b changes the covariance of the centred ratings by
 * Sherman-Morrison,
 *
 *   V' = V − w (V c)(V c)ᵀ / (1 + w cᵀ V c),  c = e_a − e_b,  w = q (1 − q) / φ,
 *
 * V the inverse of the Fisher information of the battles so far (plus one virtual tie per
 * model, as the default intervals' prior) and q the predicted score at the current ratings; the
 * pair's gain is the expected reduction of Σ_k sd_k^p, the p-th power sum of the rating
 * standard errors (p = `focus`, default 16: the widest intervals dominate — one 20 % wider than
 * another weighs 18 times as much — yet the sum stays smooth, so that every pair that helps
 * them shares the battles; p = 1 would shrink the total width, which leaves the laggards).
 *
 * A pair's weight is gain × boost × (operator weight of a) × (operator weight of b), boost
 * favouring models with few votes; the active distribution is capped so that no model takes
 * more than `maxShareFactor` times its fair share of the battles, then mixed with the
 * operator-weighted uniform rule (samplePair's): P = (1 − u) A + u U, so every pair keeps at
 * least u times its uniform probability. Candidates are the healthy ones (eligibleCandidates),
 * as for samplePair; the exact probability of the drawn pair is returned, to be stored with
 * the battle.
 *
 * The MLE needs no correction for this: the choice of the next pair depends only on earlier
 * outcomes, so the likelihood of the outcomes — and the Bradley-Terry fit — is the same as if
 * the pairs had been fixed in advance.
 */
export interface SamplingState {
  /** Current rating (Elo scale) and vote count per model id; unknown models count as 1000 with 0 votes. */
  models: ReadonlyMap<string, { rating: number; votes: number }>;
  /** Battles so far per unordered pair (key: pairKey). */
  pairBattles: ReadonlyMap<string, number>;
  /** Dispersion of the scores (ties make a battle less variable); default 1. */
  dispersion?: number;
}

export interface ActiveOptions {
  /** Share of battles drawn by the operator-weighted uniform rule. Default 0.25. */
  uniformShare?: number;
  /**
   * Largest share of battles any one model may take in the active part, as a multiple of its
   * fair share 2 / (number of candidates). Default 3.
   */
  maxShareFactor?: number;
  /** Models with fewer votes count as new. Default 30 (the provisional threshold). */
  newModelVotes?: number;
  /** Factor on the active weight of each new model in a pair. Default 2. */
  newModelBoost?: number;
  /** What a battle should shrink: the rating intervals (default) or, as eq. 9, the pair's own. */
  gain?: 'ratings' | 'pair';
  /** The power p of the rating standard errors whose sum the 'ratings' gain reduces. Default 16. */
  focus?: number;
}

export interface PairDistribution {
  pairs: [string, string][];
  probability: number[];
  /** The active part alone and the uniform part alone (for tests and the benchmark). */
  active: number[];
  uniform: number[];
}

/** Key of an unordered pair. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

const LN10_400 = Math.LN10 / 400;

/** The pair distribution of the active policy for these candidates and this state. */
export function activePairDistribution(candidates: readonly Candidate[], state: SamplingState, options: ActiveOptions = {}): PairDistribution {
  const usable = candidates.filter((c) => c.weight > 0 && Number.isFinite(c.weight));
  const m = usable.length;
  const u = options.uniformShare ?? 0.25;
  if (!(u > 0 && u <= 1)) throw new RangeError(`uniformShare must be in (0, 1], got ${u}`);
  const phi = state.dispersion ?? 1;
  const newVotes = options.newModelVotes ?? 30;
  const boost = options.newModelBoost ?? 2;
  const pairs: [string, string][] = [];
  const uniform: number[] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([usable[i].id, usable[j].id]);
  for (const [a, b] of pairs) uniform.push(pairProbability(usable, a, b));
  if (pairs.length === 0) return { pairs, probability: [], active: [], uniform };

  // Fisher information of the ratings (natural units) with one virtual tie per model (w = 1/4).
  const theta = usable.map((c) => ((state.models.get(c.id)?.rating ?? 1000) - 1000) * LN10_400);
  const info = new Float64Array(m * m);
  for (let k = 0; k < m; k++) info[k * m + k] = 0.25;
  const w = (i: number, j: number) => {
    const q = 1 / (1 + Math.exp(theta[j] - theta[i]));
    return (q * (1 - q)) / phi;
  };
  pairs.forEach(([a, b], p) => {
    const n = state.pairBattles.get(pairKey(a, b)) ?? 0;
    if (n <= 0) return;
    const [i, j] = pairIndex(m, p);
    const x = n * w(i, j);
    info[i * m + i] += x;
    info[j * m + j] += x;
    info[i * m + j] -= x;
    info[j * m + i] -= x;
  });
  const isNew = usable.map((c) => (state.models.get(c.id)?.votes ?? 0) < newVotes);
  const gainOf = options.gain === 'pair' ? pairGains(pairs, state, m, w) : ratingGains(info, m, w, options.focus ?? 16);
  const raw = gainOf.map((gain, p) => {
    const [i, j] = pairIndex(m, p);
    return Math.max(0, gain) * (isNew[i] ? boost : 1) * (isNew[j] ? boost : 1) * usable[i].weight * usable[j].weight;
  });
  const active = capShares(raw, m, (options.maxShareFactor ?? 3) * (2 / m));
  const probability = active.map((x, p) => (1 - u) * x + u * uniform[p]);
  return { pairs, probability, active, uniform };
}

/** Expected reduction of Σ_k sd_k^p (rating standard errors) from one more battle of each pair. */
function ratingGains(info: Float64Array, m: number, w: (i: number, j: number) => number, focus: number): number[] {
  const v = centredInverse(info, m);
  const power = v.filter((_, k) => k % (m + 1) === 0).map((x) => Math.max(0, x) ** (focus / 2));
  const gains: number[] = [];
  for (let p = 0; p < (m * (m - 1)) / 2; p++) {
    const [i, j] = pairIndex(m, p);
    const wij = w(i, j);
    const cvc = v[i * m + i] + v[j * m + j] - 2 * v[i * m + j];
    const scale = wij / (1 + wij * cvc);
    let gain = 0;
    for (let k = 0; k < m; k++) {
      const vc = v[k * m + i] - v[k * m + j];
      gain += power[k] - Math.max(0, v[k * m + k] - scale * vc * vc) ** (focus / 2);
    }
    gains.push(gain);
  }
  return gains;
}

/** Eq. 9 of Chiang et al.: √(σ²/n) − √(σ²/(n + 1)) for each pair, with one pseudo battle (n + 1 for n). */
function pairGains(pairs: [string, string][], state: SamplingState, m: number, w: (i: number, j: number) => number): number[] {
  const phi = state.dispersion ?? 1;
  return pairs.map(([a, b], p) => {
    const [i, j] = pairIndex(m, p);
    const sigma2 = w(i, j) * phi * phi; // q(1 − q) φ
    const n = (state.pairBattles.get(pairKey(a, b)) ?? 0) + 1;
    return Math.sqrt(sigma2 / n) - Math.sqrt(sigma2 / (n + 1));
  });
}

/** (i, j) of pair p in the order i < j, row by row. */
function pairIndex(m: number, p: number): [number, number] {
  let i = 0;
  let rest = p;
  while (rest >= m - 1 - i) {
    rest -= m - 1 - i;
    i++;
  }
  return [i, i + 1 + rest];
}

/** Inverse of an SPD m x m matrix, then centred (C A C): the covariance of ratings minus their mean. */
function centredInverse(a: Float64Array, m: number): Float64Array {
  const l = Float64Array.from(a);
  if (!cholesky(l, m)) return new Float64Array(m * m);
  const inv = choleskyInverse(l, m);
  const rowMean = new Float64Array(m);
  let all = 0;
  for (let r = 0; r < m; r++) {
    for (let k = 0; k < m; k++) rowMean[r] += inv[r * m + k];
    rowMean[r] /= m;
    all += rowMean[r];
  }
  all /= m;
  for (let r = 0; r < m; r++) for (let k = 0; k < m; k++) inv[r * m + k] += all - rowMean[r] - rowMean[k];
  return inv;
}

/**
 * Normalises pair weights to a distribution in which no model's share of battles (the sum of
 * its pairs' probabilities) exceeds `cap`, by scaling down the pairs of models over it and
 * renormalising until none is (pairs of two capped models shrink twice, which is what it takes).
 * Falls back to equal weights when every weight is zero.
 */
function capShares(raw: number[], m: number, cap: number): number[] {
  let total = raw.reduce((s, x) => s + x, 0);
  let p = total > 0 ? raw.map((x) => x / total) : raw.map(() => 1 / raw.length);
  if (cap >= 1) return p;
  for (let round = 0; round < 100; round++) {
    const share = new Float64Array(m);
    p.forEach((x, k) => {
      const [i, j] = pairIndex(m, k);
      share[i] += x;
      share[j] += x;
    });
    let worst = 0;
    for (let k = 0; k < m; k++) worst = Math.max(worst, share[k] / cap);
    if (worst <= 1 + 1e-12) break;
    const next = p.map((x, k) => {
      const [i, j] = pairIndex(m, k);
      return x * Math.min(1, cap / share[i]) * Math.min(1, cap / share[j]);
    });
    total = next.reduce((s, x) => s + x, 0);
    p = next.map((x) => x / total);
  }
  return p;
}

/**
 * Draws a pair by the active policy; sides by a fair coin. Throws no_models when fewer than two
 * candidates can be drawn. `probability` is the exact probability of the unordered pair.
 */
export function sampleActivePair(candidates: readonly Candidate[], state: SamplingState, rng: Rng = defaultRng, options: ActiveOptions = {}): DrawnPair {
  const usable = candidates.filter((c) => c.weight > 0 && Number.isFinite(c.weight));
  if (new Set(usable.map((c) => c.id)).size < 2 || usable.length < 2) {
    throw new AppError('no_models', 'Fewer than two models are available for a battle right now.');
  }
  const dist = activePairDistribution(usable, state, options);
  const k = drawIndex(dist.probability, rng);
  const [x, y] = dist.pairs[k];
  const [a, b] = rng() < 0.5 ? [x, y] : [y, x];
  return { a, b, probability: dist.probability[k] };
}

// ---------------------------------------------------------------- cached active draws

const DISTRIBUTION_CACHE = 64;
/** Per process: active distributions by state and candidates (recomputing one costs O(m³)). */
const distributions = new Map<string, PairDistribution>();

/**
 * sampleActivePair with the distribution kept for as long as the state (`stateKey`, e.g. the
 * snapshot it was read from) and the candidates with their weights stay the same: the draw and
 * its stored probability are the same as sampleActivePair's.
 */
export function drawActivePair(
  candidates: readonly Candidate[],
  state: SamplingState,
  stateKey: string,
  rng: Rng = defaultRng,
  options: ActiveOptions = {},
): DrawnPair {
  const usable = candidates.filter((c) => c.weight > 0 && Number.isFinite(c.weight));
  if (new Set(usable.map((c) => c.id)).size < 2 || usable.length < 2) {
    throw new AppError('no_models', 'Fewer than two models are available for a battle right now.');
  }
  const key = `${stateKey}\u0001${JSON.stringify(options)}\u0001${usable.map((c) => `${c.id}\u0000${c.weight}`).join('\u0001')}`;
  let dist = distributions.get(key);
  if (!dist) {
    dist = activePairDistribution(usable, state, options);
    distributions.set(key, dist);
    if (distributions.size > DISTRIBUTION_CACHE) distributions.delete(distributions.keys().next().value as string);
  }
  const k = drawIndex(dist.probability, rng);
  const [x, y] = dist.pairs[k];
  const [a, b] = rng() < 0.5 ? [x, y] : [y, x];
  return { a, b, probability: dist.probability[k] };
}
