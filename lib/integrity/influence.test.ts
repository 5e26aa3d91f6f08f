import { describe, expect, it } from 'vitest';
import { BattleAggregator, computeRatings } from '../rating';
import { countIdentityVotes, influenceWeigher, weightLost } from './influence';

describe('bounded influence', () => {
  it('weighs 1 under the caps, and caps an identity in all and on one model', () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, k) => ({ identity: 'spread', modelA: `m${k % 10}`, modelB: `m${(k + 1) % 10}` })),
      ...Array.from({ length: 200 }, () => ({ identity: 'rigger', modelA: 'target', modelB: 'm1' })),
      { identity: null, modelA: 'm1', modelB: 'm2' },
    ];
    const w = influenceWeigher(countIdentityVotes(rows), { perVoter: 100, perVoterModel: 50 });
    expect(w('spread', 'm0', 'm1')).toBe(1);
    expect(w(null, 'target', 'm1')).toBe(1);
    // 200 votes: 100/200 for the total, then 50/200 on the model it voted on every time.
    expect(w('rigger', 'target', 'm1')).toBeCloseTo((100 / 200) * (50 / 200), 12);
    expect(weightLost(rows.filter((r) => r.identity === 'spread'), w)).toBe(0);
    const none = influenceWeigher(countIdentityVotes(rows), { perVoter: null, perVoterModel: null });
    expect(none('rigger', 'target', 'm1')).toBe(1);
  });

  it('bounds how far one identity moves a model in the fit', () => {
    // An honest board of four models, plus one identity voting 500 times for the weakest.
    const strengths = [0.8, 0.6, 0.4, 0.2];
    const rigged = Array.from({ length: 500 }, (_, k) => ({ identity: 'rigger', modelA: 'm3', modelB: `m${k % 3}` }));
    const gap = (weight: ((r: (typeof rigged)[number]) => number) | null) => {
      let seed = 1;
      const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const agg = new BattleAggregator();
      for (let k = 0; k < 4000; k++) {
        const i = k % 4;
        const j = (i + 1 + (k % 3)) % 4;
        agg.add(`m${i}`, `m${j}`, rnd() < strengths[i] / (strengths[i] + strengths[j]) ? 'model_a' : 'model_b');
      }
      if (weight) for (const r of rigged) agg.add(r.modelA, r.modelB, 'model_a', undefined, weight(r));
      const res = computeRatings(agg, { matrices: false });
      const rating = (m: string) => res.models.find((x) => x.model === m)!.rating;
      return rating('m3') - rating('m0');
    };
    const before = gap(null);
    const unbounded = gap(() => 1) - before;
    const w = influenceWeigher(countIdentityVotes(rigged), { perVoter: 1000, perVoterModel: 50 });
    const bounded = gap((r) => w(r.identity, r.modelA, r.modelB)) - before;
    expect(unbounded).toBeGreaterThan(100);
    expect(bounded).toBeGreaterThan(0);
    expect(bounded).toBeLessThan(unbounded / 4);
  });
});
