import { describe, expect, it } from 'vitest';
import { seededRng } from '../battle/sampling';
import { binomialTwoSidedP, likelihoodZ, scoreVoter, type VoteRecord } from './trust';

const RATINGS = new Map([
  ['m0', 1200],
  ['m1', 1120],
  ['m2', 1050],
  ['m3', 1000],
  ['m4', 950],
  ['m5', 880],
  ['m6', 800],
]);
const MODELS = [...RATINGS.keys()];

/** An honest voter: random pairs, sides by a coin, outcomes from the Bradley-Terry model, human pace. */
function honestHistory(rng: () => number, n: number, start = 1_700_000_000_000): VoteRecord[] {
  const out: VoteRecord[] = [];
  let t = start;
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rng() * MODELS.length);
    let j = Math.floor(rng() * (MODELS.length - 1));
    if (j >= i) j++;
    const [a, b] = [MODELS[i], MODELS[j]];
    const p = 1 / (1 + 10 ** ((RATINGS.get(b)! - RATINGS.get(a)!) / 400));
    const u = rng();
    const winner = u < 0.1 ? 'tie' : rng() < p ? 'model_a' : 'model_b';
    const chars = 400 + Math.floor(rng() * 3000);
    const done = t + 5_000 + rng() * 20_000;
    // Reading at 15-40 characters a second, then voting.
    const at = done + (chars / (15 + rng() * 25)) * 1000;
    out.push({ at, winner, modelA: a, modelB: b, answersDoneAt: done, answerChars: chars });
    t = at + 10_000 + rng() * 60_000;
  }
  return out;
}

describe('binomial test', () => {
  it('matches hand-computed values', () => {
    expect(binomialTwoSidedP(10, 20)).toBeCloseTo(1, 10);
    // P(X <= 0) = 2^-20, two-sided 2^-19
    expect(binomialTwoSidedP(0, 20)).toBeCloseTo(2 ** -19, 15);
    expect(binomialTwoSidedP(20, 20)).toBeCloseTo(2 ** -19, 15);
    // P(X <= 2 | n = 10) = (1 + 10 + 45) / 1024
    expect(binomialTwoSidedP(2, 10)).toBeCloseTo((2 * 56) / 1024, 12);
  });
});

describe('likelihood z-score', () => {
  it('is near 0 for votes from the model and very negative for votes against it', () => {
    const rng = seededRng(7);
    const honest = honestHistory(rng, 400);
    expect(Math.abs(likelihoodZ(honest, RATINGS).z)).toBeLessThan(3);
    const contrarian = honest.map((v) => ({ ...v, winner: RATINGS.get(v.modelA)! > RATINGS.get(v.modelB)! ? 'model_b' : 'model_a' }));
    expect(likelihoodZ(contrarian, RATINGS).z).toBeLessThan(-10);
  });

  it('says nothing about votes between equal models', () => {
    const flat = new Map(MODELS.map((m) => [m, 1000]));
    expect(likelihoodZ(honestHistory(seededRng(1), 50), flat).z).toBe(0);
  });
});

describe('scoreVoter on crafted histories', () => {
  it('an honest voter is trusted', () => {
    const r = scoreVoter(honestHistory(seededRng(11), 80), RATINGS);
    expect(r.flag).toBeNull();
    expect(r.trust).toBeGreaterThan(0.4);
  });

  it('a burst voter (votes two seconds apart) is flagged', () => {
    const h = honestHistory(seededRng(12), 30).map((v, k) => ({ ...v, at: 1_700_000_000_000 + k * 2_000, answersDoneAt: null }));
    expect(scoreVoter(h, RATINGS).flag).toBe('burst');
    // Twenty votes in one minute, the rest spread out, is a burst too.
    const spread = honestHistory(seededRng(13), 40);
    const start = spread[20].at;
    for (let k = 0; k < 20; k++) spread[20 + k] = { ...spread[20 + k], at: start + k * 2_900, answersDoneAt: null };
    expect(scoreVoter(spread, RATINGS).flag).toBe('burst');
  });

  it('a one-sided voter (always "A is better") is flagged', () => {
    const h = honestHistory(seededRng(14), 40).map((v) => ({ ...v, winner: 'model_a' }));
    const r = scoreVoter(h, RATINGS);
    expect(r.flag).toBe('one_sided');
    expect(r.signals.one_sided.value).toBe(1);
  });

  it('a voter who votes seconds after long answers finished is flagged', () => {
    const h = honestHistory(seededRng(15), 30).map((v) => ({ ...v, answerChars: 3000, at: v.answersDoneAt! + 4_000 }));
    expect(scoreVoter(h, RATINGS).flag).toBe('fast_reading');
  });

  it('a rigger voting for a weak model, at a human pace and on both sides, is flagged as unlikely', () => {
    const rng = seededRng(16);
    const h = honestHistory(rng, 60).map((v) => {
      const target = 'm6';
      if (v.modelA === target || v.modelB === target) return v;
      // Sides are a coin flip for the rigger's battles too.
      return rng() < 0.5 ? { ...v, modelA: target } : { ...v, modelB: target };
    });
    const rigged = h.map((v) => ({ ...v, winner: v.modelA === 'm6' ? 'model_a' : 'model_b' }));
    const r = scoreVoter(rigged, RATINGS);
    expect(r.flag).toBe('unlikely_votes');
    expect(r.signals.unlikely_votes.value).toBeLessThan(-4);
  });

  it('clears a flagged voter only well inside the limit', () => {
    // z between the flag (-4) and clear (-3) limits: flagged stays flagged, unflagged stays unflagged.
    const rng = seededRng(17);
    for (let attempt = 0; attempt < 500; attempt++) {
      const h = honestHistory(rng, 40);
      const { z } = likelihoodZ(h, RATINGS);
      if (z > -4 && z < -3) {
        expect(scoreVoter(h, RATINGS).flag).toBeNull();
        expect(scoreVoter(h, RATINGS, { previouslyFlagged: 'unlikely_votes' }).flag).toBe('unlikely_votes');
        return;
      }
    }
    throw new Error('no history with -4 < z < -3 drawn');
  });

  it('flags fewer than 0.5 % of 2,000 simulated honest voters', () => {
    const rng = seededRng(99);
    let flagged = 0;
    for (let k = 0; k < 2_000; k++) if (scoreVoter(honestHistory(rng, 10 + Math.floor(rng() * 90)), RATINGS).flag) flagged++;
    expect(flagged / 2_000).toBeLessThan(0.005);
  });
});
