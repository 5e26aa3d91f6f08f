import { describe, expect, it } from 'vitest';
import {
  BattleAggregator,
  battlesToSeparate,
  computeRatings,
  decidedWinRate,
  rankWithinComponents,
  separationBetween,
  winRateTiesHalf,
  type RatingsResult,
  type Winner,
} from './index';

function agg(rows: [string, string, Winner, number][]): BattleAggregator {
  const a = new BattleAggregator();
  for (const [x, y, w, n] of rows) for (let k = 0; k < n; k++) a.add(x, y, w);
  return a;
}

const row = (r: RatingsResult, model: string) => r.models.find((m) => m.model === model)!;

/** Two groups that never met: a strong-looking toy group and a real one. */
const split: [string, string, Winner, number][] = [
  ['gpt-x', 'claude-y', 'model_a', 40],
  ['claude-y', 'gpt-x', 'model_a', 35],
  ['claude-y', 'llama-z', 'model_a', 50],
  ['llama-z', 'claude-y', 'model_a', 20],
  ['gpt-x', 'llama-z', 'tie', 30],
  ['toy-1', 'toy-2', 'model_a', 30],
  ['toy-2', 'toy-1', 'model_a', 5],
];

describe('disconnected comparison graphs', () => {
  it('fits, centres and ranks each component on its own; rows carry the component', () => {
    const r = computeRatings(agg(split));
    expect(r.diagnostics.components).toEqual([
      { id: 0, models: 3, battles: 175, estimator: 'mle' },
      { id: 1, models: 2, battles: 35, estimator: 'mle' },
    ]);
    expect(r.models.map((m) => [m.model, m.component])).toEqual([
      ['claude-y', 0],
      ['gpt-x', 0],
      ['llama-z', 0],
      ['toy-1', 1],
      ['toy-2', 1],
    ]);
    // toy-1 beat toy-2 30 to 5: a high rating, but never compared with the others, so rank 1 of its own component
    expect(row(r, 'toy-1').rating).toBeGreaterThan(row(r, 'claude-y').rating);
    expect(row(r, 'toy-1').rank).toBe(1);
    expect(row(r, 'toy-2').rank).toBe(2);
    const mean = (c: number) => {
      const rows = r.models.filter((m) => m.component === c);
      return rows.reduce((s, m) => s + m.rating, 0) / rows.length;
    };
    expect(mean(0)).toBeCloseTo(1000, 9);
    expect(mean(1)).toBeCloseTo(1000, 9);
    // the neighbour to separate from never crosses a component
    expect(row(r, 'llama-z').toSeparate).toBeNull();
    expect(row(r, 'toy-1').toSeparate?.model).toBe('toy-2');
  });

  it('components are numbered by size, then battles, then name, whatever the order battles came in', () => {
    const r1 = computeRatings(agg(split));
    const r2 = computeRatings(agg([...split].reverse()));
    expect(r2.models.map((m) => [m.model, m.component, m.rank])).toEqual(r1.models.map((m) => [m.model, m.component, m.rank]));
    const even = computeRatings(agg([['p', 'q', 'model_a', 3], ['q', 'p', 'model_a', 2], ['a', 'b', 'model_a', 3], ['b', 'a', 'model_a', 2]]));
    expect(even.models.filter((m) => m.component === 0).map((m) => m.model).sort()).toEqual(['a', 'b']);
  });

  it('style control splits components too, sharing the style coefficients', () => {
    const a = new BattleAggregator();
    const f = (tokens: number) => ({ tokens, headers: 0, listItems: 0, bold: 0 });
    for (let k = 0; k < 120; k++) {
      const [x, y] = k % 2 ? ['a', 'b'] : ['c', 'd'];
      a.add(k % 4 < 2 ? x : y, k % 4 < 2 ? y : x, k % 3 ? 'model_a' : 'model_b', { a: f(100 + k), b: f(90 + 2 * k) });
    }
    const r = computeRatings(a, { styleControl: true });
    expect(r.diagnostics.components.map((c) => c.models)).toEqual([2, 2]);
    expect(new Set(r.models.map((m) => m.component))).toEqual(new Set([0, 1]));
    for (const c of [0, 1]) expect(r.models.filter((m) => m.component === c).reduce((s, m) => s + m.rating, 0) / 2).toBeCloseTo(1000, 9);
  });
});

describe('provisional models', () => {
  const rows: [string, string, Winner, number][] = [
    ['a', 'b', 'model_a', 30],
    ['b', 'a', 'model_a', 10],
    ['b', 'c', 'model_a', 25],
    ['c', 'b', 'model_a', 15],
    ['a', 'c', 'model_a', 20],
    ['new', 'a', 'model_a', 3],
    ['new', 'c', 'model_a', 2],
  ];

  it('a model below the vote threshold is flagged with a reason and listed after the ranked models', () => {
    const r = computeRatings(agg(rows));
    const n = row(r, 'new');
    expect(n.votes).toBe(5);
    expect(n.provisional).toBe(true);
    expect(n.provisionalReason).toBe('5 votes, fewer than 30: not ranked');
    // five straight wins put it on top by rating, but it gets no rank that claims confidence
    expect(r.models[0].model).toBe('new');
    expect(n.rank).toBe(4); // three ranked models, then it
    expect(r.diagnostics.provisional).toEqual({ votes: 30, models: 1 });
    for (const m of ['a', 'b', 'c']) {
      expect(row(r, m).provisional).toBe(false);
      expect(row(r, m).provisionalReason).toBeNull();
    }
    // ranks of the ranked models do not count the provisional one
    expect(row(r, 'a').rank).toBe(1);
  });

  it('the threshold is an option; 0 ranks everyone', () => {
    const r = computeRatings(agg(rows), { provisionalVotes: 0 });
    expect(r.models.every((m) => !m.provisional)).toBe(true);
    expect(row(r, 'new').rank).toBe(1);
    const all = computeRatings(agg(rows), { provisionalVotes: 1000 });
    expect(all.models.every((m) => m.provisional && m.rank === 1)).toBe(true);
  });

  it('rankWithinComponents: Rank (UB) among ranked models of one component', () => {
    const ranks = rankWithinComponents([10, 5, 0, -20, 50, 0], [20, 12, 6, 1, 60, 5], [0, 0, 0, 0, 1, 0], [false, false, false, false, false, true]);
    expect(ranks).toEqual([1, 1, 2, 3, 1, 5]);
  });
});

describe('battles to separate', () => {
  it('two models: the closed form n > (4z²v / gap² − 1) / (4wv)', () => {
    // two centred ratings ±d/2 have V = [[v, −v], [−v, v]]
    const v = 0.01;
    const w = 0.2;
    const z = 1.96;
    const gap = 0.2;
    const n = battlesToSeparate({ gap, varI: v, varJ: v, cov: -v, information: w, z });
    // (4 · 1.96² · 0.01 / 0.04 − 1) / (4 · 0.2 · 0.01) = 355.2: the first whole number above is 356
    expect(n).toBe(356);
    expect(battlesToSeparate({ gap: 0, varI: v, varJ: v, cov: -v, information: w, z })).toBeNull();
    expect(battlesToSeparate({ gap: 1, varI: v, varJ: v, cov: -v, information: w, z })).toBe(0);
    // a floor from other models' uncertainty that battles between the two cannot remove
    expect(battlesToSeparate({ gap: 0.05, varI: 0.01, varJ: 0.01, cov: 0.009, information: w, z })).toBeNull();
  });

  it('the predicted count is about what it takes when outcomes go as expected', () => {
    const base: [string, string, Winner, number][] = [['a', 'b', 'model_a', 18], ['a', 'b', 'model_b', 12]];
    const r = computeRatings(agg(base));
    const n = row(r, 'a').toSeparate!.battles!;
    expect(row(r, 'a').toSeparate!.model).toBe('b');
    expect(n).toBeGreaterThan(20);
    const scaled = (total: number) => computeRatings(agg([['a', 'b', 'model_a', Math.round(total * 0.6)], ['a', 'b', 'model_b', Math.round(total * 0.4)]]));
    const separated = (x: RatingsResult) => row(x, 'a').lower > row(x, 'b').upper;
    expect(separated(scaled(Math.round((30 + n) * 1.15)))).toBe(true);
    expect(separated(scaled(Math.round((30 + n) * 0.85)))).toBe(false);
    expect(row(r, 'b').toSeparate).toBeNull(); // the last model has no neighbour below
  });
});

describe('covariance and separation between any two models', () => {
  it('gives each component its centred covariance (Elo points²) and the battles between any two', () => {
    const r = computeRatings(agg(split), { covariance: true });
    expect(r.covariance!.map((c) => [c.component, c.models.length])).toEqual([
      [0, 3],
      [1, 2],
    ]);
    for (const c of r.covariance!) {
      const k = c.models.length;
      for (let i = 0; i < k; i++) {
        expect(c.matrix[i * k + i]).toBeGreaterThan(0);
        let sum = 0;
        for (let j = 0; j < k; j++) {
          expect(c.matrix[i * k + j]).toBeCloseTo(c.matrix[j * k + i], 6);
          sum += c.matrix[i * k + j];
        }
        expect(Math.abs(sum)).toBeLessThan(1e-6 * c.matrix[i * k + i]); // ratings minus their mean
      }
    }
    const top = r.models[0];
    const viaResult = separationBetween(r, top.model, top.toSeparate!.model);
    const n = top.toSeparate!.battles!;
    expect(Math.abs(viaResult! - n)).toBeLessThanOrEqual(Math.max(2, 0.05 * n));
    expect(separationBetween(r, 'gpt-x', 'toy-1')).toBeNull(); // different components
    expect(() => separationBetween(computeRatings(agg(split)), 'gpt-x', 'llama-z')).toThrow(/covariance: true/);
  });
});

describe('one definition each', () => {
  it('win rate (ties half) and decided win rate', () => {
    expect(winRateTiesHalf({ wins: 3, losses: 1, ties: 2 })).toBeCloseTo(4 / 6, 12);
    expect(decidedWinRate({ wins: 3, losses: 1 })).toBeCloseTo(0.75, 12);
    expect(decidedWinRate({ wins: 0, losses: 0 })).toBeNull();
    expect(winRateTiesHalf({ wins: 0, losses: 0, ties: 0 })).toBe(0);
    const r = computeRatings(agg([['a', 'b', 'model_a', 3], ['b', 'a', 'model_a', 1], ['a', 'b', 'tie', 2]]));
    expect(row(r, 'a')).toMatchObject({ winRate: 4 / 6, decidedWinRate: 0.75 });
  });

  it('the anchor says what it shifted; online Elo is not anchored', () => {
    const a = agg([['x', 'y', 'model_a', 30], ['y', 'x', 'model_a', 12], ['y', 'z', 'model_a', 20], ['z', 'y', 'model_a', 9]]);
    const plain = computeRatings(a);
    const r = computeRatings(a, { anchor: { model: 'y', rating: 1114 } });
    expect(r.diagnostics.anchor).toEqual({ model: 'y', rating: 1114, shift: 1114 - row(plain, 'y').rating, shifted: ['rating', 'lower', 'upper'], unshifted: ['elo'] });
    expect(row(r, 'y').elo).toBe(row(plain, 'y').elo);
    expect(r.diagnostics.elo).toEqual({ k: 4, start: 1000, order: 'as added', anchored: false });
    expect(computeRatings(a, { eloOrder: 'file' }).diagnostics.elo.order).toBe('file');
    expect(computeRatings(a).diagnostics.anchor).toBeNull();
  });

  it('a board that cannot be fitted says why', () => {
    expect(computeRatings(new BattleAggregator()).diagnostics.status).toEqual({ code: 'no-battles', message: 'no battles to rate' });
    const few = computeRatings(agg([['a', 'b', 'model_a', 3]]), { minBattles: 10 });
    expect(few.models).toEqual([]);
    expect(few.diagnostics.status).toEqual({ code: 'too-few-battles', message: '3 battles, fewer than the 10 this board needs: not fitted' });
    expect(computeRatings(agg([['a', 'b', 'model_a', 3]])).diagnostics.status.code).toBe('ok');
  });
});
