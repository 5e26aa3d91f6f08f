import { describe, expect, it } from 'vitest';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { activePairDistribution, drawActivePair, eligibleCandidates, pairKey, pairProbability, sampleActivePair, samplePair, seededRng, type Candidate, type Rng, type SamplingState } from './sampling';

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

describe('active sampling', () => {
  const models = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
  const weights = [1, 1, 2, 1, 3, 1];
  const cands: Candidate[] = models.map((id, k) => ({ id, weight: weights[k] }));
  // m6 is new (4 votes); m1-m2 have met often, m5 rarely
  const state: SamplingState = {
    models: new Map([
      ['m1', { rating: 1100, votes: 400 }],
      ['m2', { rating: 1080, votes: 380 }],
      ['m3', { rating: 1000, votes: 150 }],
      ['m4', { rating: 950, votes: 120 }],
      ['m5', { rating: 900, votes: 40 }],
      ['m6', { rating: 1000, votes: 4 }],
    ]),
    pairBattles: new Map([
      [pairKey('m1', 'm2'), 300],
      [pairKey('m1', 'm3'), 60],
      [pairKey('m2', 'm3'), 50],
      [pairKey('m1', 'm4'), 40],
      [pairKey('m3', 'm4'), 40],
      [pairKey('m4', 'm5'), 40],
      [pairKey('m1', 'm6'), 2],
      [pairKey('m3', 'm6'), 2],
    ]),
    dispersion: 0.7,
  };
  const dist = activePairDistribution(cands, state);
  const stated = new Map(dist.pairs.map(([a, b], k) => [key(a, b), dist.probability[k]]));

  it('is a distribution over every pair, each at least its share of the uniform rule', () => {
    expect(dist.pairs).toHaveLength(15);
    expect(dist.probability.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    dist.pairs.forEach(([a, b], k) => {
      expect(dist.uniform[k]).toBeCloseTo(pairProbability(cands, a, b), 15);
      expect(dist.probability[k]).toBeGreaterThanOrEqual(0.25 * dist.uniform[k] - 1e-15);
    });
  });

  it('draws pairs with exactly the stated probabilities (chi-square, 20k seeded draws) and returns that probability', () => {
    const rng = seededRng(17);
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const { a, b, probability } = sampleActivePair(cands, state, rng);
      expect(a).not.toBe(b);
      expect(probability).toBe(stated.get(key(a, b)));
      counts.set(key(a, b), (counts.get(key(a, b)) ?? 0) + 1);
    }
    let stat = 0;
    for (const [k, p] of stated) stat += ((counts.get(k) ?? 0) - n * p) ** 2 / (n * p);
    expect(stat).toBeLessThan(chiSquareCritical(stated.size - 1));
    // the same statistic against the uniform rule's probabilities rejects: the policy differs from it
    let other = 0;
    dist.pairs.forEach(([a, b], k) => (other += ((counts.get(key(a, b)) ?? 0) - n * dist.uniform[k]) ** 2 / (n * dist.uniform[k])));
    expect(other).toBeGreaterThan(chiSquareCritical(stated.size - 1));
  });

  it('spends battles where intervals are widest: the new model and the rarely seen one, not the much-played pair', () => {
    const p = (a: string, b: string) => stated.get(key(a, b))!;
    const share = (m: string) => dist.pairs.reduce((s, [a, b], k) => s + (a === m || b === m ? dist.probability[k] : 0), 0);
    expect(share('m6')).toBeGreaterThan(share('m1'));
    expect(share('m5')).toBeGreaterThan(share('m2'));
    expect(p('m1', 'm2')).toBeLessThan(p('m5', 'm6'));
    // no model above its cap: 3 × the fair share 2 / 6 in the active part
    for (const m of models) {
      const active = dist.pairs.reduce((s, [a, b], k) => s + (a === m || b === m ? dist.active[k] : 0), 0);
      expect(active).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('caps a model that would take every battle', () => {
    const crowd: Candidate[] = Array.from({ length: 10 }, (_, k) => ({ id: `c${k}`, weight: 1 }));
    const lonely: SamplingState = {
      models: new Map(crowd.map((c, k) => [c.id, { rating: 1000, votes: k === 0 ? 0 : 5000 }])),
      pairBattles: new Map(crowd.flatMap((x, i) => crowd.slice(i + 1).map((y) => [pairKey(x.id, y.id), i === 0 ? 0 : 120] as [string, number]))),
    };
    const d = activePairDistribution(crowd, lonely, { maxShareFactor: 2 });
    const share = d.pairs.reduce((s, [a, b], k) => s + (a === 'c0' || b === 'c0' ? d.active[k] : 0), 0);
    expect(share).toBeLessThanOrEqual(2 * (2 / 10) + 1e-9);
    expect(share).toBeGreaterThan(0.39); // it does get all it may
  });

  it('operator weights multiply in, and a new model gets a boost', () => {
    const flat: Candidate[] = ['x', 'y', 'z', 'w'].map((id) => ({ id, weight: 1 }));
    const even: SamplingState = {
      models: new Map(flat.map((c) => [c.id, { rating: 1000, votes: 100 }])),
      pairBattles: new Map(flat.flatMap((x, i) => flat.slice(i + 1).map((y) => [pairKey(x.id, y.id), 30] as [string, number]))),
    };
    const base = activePairDistribution(flat, even, { uniformShare: 1e-9, maxShareFactor: 100 });
    base.active.forEach((x) => expect(x).toBeCloseTo(1 / 6, 9)); // symmetric state: equal weights
    const heavy = activePairDistribution(flat.map((c) => (c.id === 'x' ? { ...c, weight: 3 } : c)), even, { uniformShare: 1e-9, maxShareFactor: 100 });
    const xy = heavy.pairs.findIndex(([a, b]) => key(a, b) === key('x', 'y'));
    const yz = heavy.pairs.findIndex(([a, b]) => key(a, b) === key('y', 'z'));
    expect(heavy.active[xy] / heavy.active[yz]).toBeCloseTo(3, 9);
    const fresh = activePairDistribution(flat, { ...even, models: new Map([...even.models, ['x', { rating: 1000, votes: 10 }]]) }, { uniformShare: 1e-9, maxShareFactor: 100, newModelBoost: 5 });
    expect(fresh.active[xy] / fresh.active[yz]).toBeCloseTo(5, 9);
  });

  it('eq. 9 as written (each pair its own interval) favours the least seen pairs', () => {
    const d = activePairDistribution(cands, state, { gain: 'pair' });
    const p = (a: string, b: string) => d.probability[d.pairs.findIndex(([x, y]) => key(x, y) === key(a, b))];
    expect(p('m5', 'm6')).toBeGreaterThan(p('m1', 'm2'));
    expect(d.probability.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('refuses with no_models below two candidates, and samplePair is unchanged for its callers', () => {
    expect(() => sampleActivePair([{ id: 'x', weight: 1 }], state, seededRng(1))).toThrow(expect.objectContaining({ code: 'no_models' }));
    const r1 = seededRng(42);
    expect(samplePair(candidates, r1)).toEqual(samplePair(candidates, seededRng(42)));
  });
});

describe('drawActivePair', () => {
  const candidates = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id, k) => ({ id, weight: k === 4 ? 3 : 1 }));
  const state = {
    models: new Map([
      ['m1', { rating: 1100, votes: 400 }],
      ['m2', { rating: 1000, votes: 300 }],
      ['m3', { rating: 990, votes: 12 }],
      ['m4', { rating: 900, votes: 500 }],
    ]),
    pairBattles: new Map([[pairKey('m1', 'm2'), 200], [pairKey('m2', 'm4'), 150], [pairKey('m1', 'm4'), 180], [pairKey('m3', 'm4'), 12]]),
    dispersion: 0.7,
  };

  it('draws what sampleActivePair draws, with the same stored probability', () => {
    for (let seed = 1; seed <= 50; seed++) {
      expect(drawActivePair(candidates, state, 'snapshot:1', seededRng(seed))).toEqual(sampleActivePair(candidates, state, seededRng(seed)));
    }
  });

  it('keeps the distribution per state and candidate set: a new snapshot or weight gives a new one', () => {
    const rngs = () => seededRng(7);
    const before = drawActivePair(candidates, state, 'snapshot:1', rngs());
    const stale = drawActivePair(candidates, { ...state, pairBattles: new Map() }, 'snapshot:1', rngs());
    // Same key: the cached distribution (the state is the snapshot's, so it cannot differ).
    expect(stale).toEqual(before);
    const fresh = drawActivePair(candidates, { ...state, pairBattles: new Map() }, 'snapshot:2', rngs());
    expect(fresh).toEqual(sampleActivePair(candidates, { ...state, pairBattles: new Map() }, rngs()));
    const reweighted = candidates.map((c) => ({ ...c, weight: c.id === 'm1' ? 5 : c.weight }));
    expect(drawActivePair(reweighted, state, 'snapshot:1', rngs())).toEqual(sampleActivePair(reweighted, state, rngs()));
  });

  it('refuses fewer than two candidates', () => {
    expect(() => drawActivePair([{ id: 'm1', weight: 1 }], state, 'k', seededRng(1))).toThrow(/Fewer than two/);
  });
});
