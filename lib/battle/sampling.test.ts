import { describe, expect, it } from 'vitest';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { eligibleCandidates, pairProbability, samplePair, seededRng, type Candidate, type Rng } from './sampling';

const candidates: Candidate[] = [
  { id: 'm1', weight: 1 },
  { id: 'm2', weight: 2 },
  { id: 'm3', weight: 3 },
  { id: 'm4', weight: 0.5 },
  { id: 'm5', weight: 4 },
];

const key = (x: string, y: string) => (x < y ? `${x}|${y}` : `${y}|${x}`);

function allPairs(c: Candidate[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) out.push([c[i].id, c[j].id]);
  return out;
}

/** Upper critical value of chi-square(df) via Wilson-Hilferty; z = 3.29 is the 0.9995 quantile. */
function chiSquareCritical(df: number, z = 3.29): number {
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

function chiSquare(draw: (rng: Rng) => { a: string; b: string }, n: number, seed: number): number {
  const rng = seededRng(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { a, b } = draw(rng);
    counts.set(key(a, b), (counts.get(key(a, b)) ?? 0) + 1);
  }
  let stat = 0;
  for (const [x, y] of allPairs(candidates)) {
    const expected = n * pairProbability(candidates, x, y);
    const observed = counts.get(key(x, y)) ?? 0;
    stat += (observed - expected) ** 2 / expected;
  }
  return stat;
}

function entry(id: string, extra: Partial<ModelEntry> = {}): ModelEntry {
  return {
    ...modelEntrySchema.parse({
      id,
      name: id,
      provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', model: id },
    }),
    ...extra,
  };
}

describe('pairProbability', () => {
  it('sums to 1 over all unordered pairs', () => {
    const total = allPairs(candidates).reduce((s, [x, y]) => s + pairProbability(candidates, x, y), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('matches the closed form for a hand-computed case', () => {
    // W = 10.5; {m5, m3}: 4/10.5 * 3/6.5 + 3/10.5 * 4/6.5
    const p = pairProbability(candidates, 'm5', 'm3');
    expect(p).toBeCloseTo((4 / 10.5) * (3 / 6.5) + (3 / 10.5) * (4 / 7.5), 12);
    expect(pairProbability(candidates, 'm3', 'm5')).toBe(p);
  });

  it('is 1 for the only pair of two models', () => {
    expect(pairProbability([{ id: 'x', weight: 3 }, { id: 'y', weight: 1 }], 'x', 'y')).toBeCloseTo(1, 12);
  });
});

describe('samplePair', () => {
  const N = 20_000;

  it('draws pairs with the exact pair probabilities (chi-square, 20k seeded draws)', () => {
    const df = allPairs(candidates).length - 1;
    const stat = chiSquare((rng) => samplePair(candidates, rng), N, 7);
    expect(stat).toBeLessThan(chiSquareCritical(df));
  });

  it('the same test rejects a sampler that ignores the weights (the test has power)', () => {
    const uniform = (rng: Rng) => {
      const i = Math.floor(rng() * candidates.length);
      let j = Math.floor(rng() * (candidates.length - 1));
      if (j >= i) j++;
      return { a: candidates[i].id, b: candidates[j].id };
    };
    const df = allPairs(candidates).length - 1;
    expect(chiSquare(uniform, N, 7)).toBeGreaterThan(chiSquareCritical(df));
  });

  it('never pairs a model with itself and stores the pair probability', () => {
    const rng = seededRng(11);
    for (let i = 0; i < N; i++) {
      const { a, b, probability } = samplePair(candidates, rng);
      expect(a).not.toBe(b);
      expect(probability).toBe(pairProbability(candidates, a, b));
    }
  });

  it('puts each model on side a about half the time (binomial bound)', () => {
    const rng = seededRng(3);
    const onA = new Map<string, number>();
    const seen = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const { a, b } = samplePair(candidates, rng);
      onA.set(a, (onA.get(a) ?? 0) + 1);
      seen.set(a, (seen.get(a) ?? 0) + 1);
      seen.set(b, (seen.get(b) ?? 0) + 1);
    }
    for (const c of candidates) {
      const n = seen.get(c.id) ?? 0;
      const k = onA.get(c.id) ?? 0;
      // 4 standard deviations of Binomial(n, 1/2).
      expect(Math.abs(k - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
      expect(n).toBeGreaterThan(0);
    }
  });

  it('is reproducible with the same seed', () => {
    const r1 = seededRng(42);
    const r2 = seededRng(42);
    const d1 = Array.from({ length: 50 }, () => samplePair(candidates, r1));
    const d2 = Array.from({ length: 50 }, () => samplePair(candidates, r2));
    expect(d1).toEqual(d2);
  });

  it('refuses with no_models when fewer than two models can be drawn', () => {
    expect(() => samplePair([{ id: 'x', weight: 1 }], seededRng(1))).toThrow(
      expect.objectContaining({ code: 'no_models' }),
    );
    expect(() => samplePair([{ id: 'x', weight: 1 }, { id: 'y', weight: 0 }], seededRng(1))).toThrow(
      expect.objectContaining({ code: 'no_models' }),
    );
  });

  it('with rng values at the edges still returns two different drawable models', () => {
    const edges = [0, 0.9999999999, 0.5];
    let i = 0;
    const rng: Rng = () => edges[i++ % edges.length];
    for (let k = 0; k < 9; k++) {
      const { a, b } = samplePair(candidates, rng);
      expect(a).not.toBe(b);
    }
  });
});

describe('eligibleCandidates', () => {
  it('skips disabled, weight-0 and unhealthy models', () => {
    const models = [
      entry('ok-1'),
      entry('ok-2', { weight: 2 }),
      entry('off', { enabled: false }),
      entry('zero', { weight: 0 }),
      entry('sick'),
    ];
    const c = eligibleCandidates(models, (id) => id !== 'sick');
    expect(c).toEqual([
      { id: 'ok-1', weight: 1 },
      { id: 'ok-2', weight: 2 },
    ]);
    const rng = seededRng(5);
    for (let i = 0; i < 1000; i++) {
      const { a, b } = samplePair(c, rng);
      expect(new Set([a, b])).toEqual(new Set(['ok-1', 'ok-2']));
    }
  });

  it('applies an extra filter (e.g. recorded models that have the question)', () => {
    const models = [entry('x'), entry('y'), entry('z')];
    expect(eligibleCandidates(models, () => true, (m) => m.id !== 'y').map((c) => c.id)).toEqual(['x', 'z']);
  });
});
