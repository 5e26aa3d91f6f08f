import { describe, expect, it } from 'vitest';
import { activePairDistribution, pairKey } from '../battle/sampling';
import { BattleAggregator, computeRatings } from '../rating';
import { samplingStateOf } from './sampling-state';

describe('samplingStateOf', () => {
  it('takes ratings, votes, battles per pair and dispersion from a board', () => {
    const agg = new BattleAggregator();
    const add = (a: string, b: string, w: 'model_a' | 'model_b' | 'tie', n: number) => {
      for (let k = 0; k < n; k++) agg.add(a, b, w);
    };
    add('x', 'y', 'model_a', 30);
    add('y', 'x', 'tie', 10);
    add('y', 'z', 'model_b', 20);
    add('x', 'z', 'model_b', 5);
    const rated = computeRatings(agg, { matrices: false });
    const pairs = {
      models: ['x', 'y', 'z'],
      rows: [
        [0, 1, 30, 0, 10, 0],
        [0, 2, 0, 5, 0, 0],
        [1, 2, 0, 20, 0, 0],
      ] as [number, number, number, number, number, number][],
    };
    const state = samplingStateOf({ models: rated.models, pairs, diagnostics: rated.diagnostics });
    expect(state.pairBattles.get(pairKey('x', 'y'))).toBe(40);
    expect(state.pairBattles.get(pairKey('z', 'y'))).toBe(20);
    expect(state.models.get('z')).toEqual({ rating: rated.models.find((m) => m.model === 'z')!.rating, votes: 25 });
    expect(state.dispersion).toBe(rated.diagnostics.dispersion!.phi);
    // A distribution over these three plus a model the board has never seen (which gets the new-model boost).
    const dist = activePairDistribution(['x', 'y', 'z', 'w'].map((id) => ({ id, weight: 1 })), state);
    expect(dist.probability.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    const withW = dist.pairs.map((p, k) => (p.includes('w') ? dist.probability[k] : 0)).reduce((s, p) => s + p, 0);
    expect(withW).toBeGreaterThan(0.5);
  });
});
