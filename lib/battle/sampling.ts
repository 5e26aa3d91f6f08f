import { AppError } from '../errors';
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
