import { describe, expect, it } from 'vitest';
import { expandPairCounts, loadPairCounts } from '../../bench/lib/arena-pair-counts';
import { BattleAggregator, computeRatings, type OutcomeCode } from './index';

/**
 * 1.67 M real Chatbot Arena votes (2024-08-14), stored as per-pair counts and expanded back into
 * battle rows (seeded order and sides): the fit converges, every model is finite, and the
 * sandwich and 1000-round bootstrap intervals agree.
 */
describe('Chatbot Arena 2024-08-14, 1.67 M votes', () => {
  const data = loadPairCounts();
  const battles = expandPairCounts(data);
  const agg = new BattleAggregator();
  const ids = data.models.map((m) => agg.modelId(m));
  for (let k = 0; k < battles.count; k++) agg.addIds(ids[battles.a[k]], ids[battles.b[k]], battles.outcome[k] as OutcomeCode);
  const sandwich = computeRatings(agg, { ci: 'sandwich', matrices: false });

  it('fits all 129 models to convergence with finite ratings', () => {
    expect(agg.battleCount).toBe(1_670_250);
    expect(sandwich.models).toHaveLength(129);
    expect(sandwich.diagnostics).toMatchObject({ estimator: 'mle', converged: true });
    expect(sandwich.diagnostics.gradientNorm).toBeLessThan(1e-9);
    for (const m of sandwich.models) for (const v of [m.rating, m.lower, m.upper, m.elo]) expect(Number.isFinite(v)).toBe(true);
    // A sanity anchor from the public leaderboard of that date: the top of the board.
    expect(sandwich.models.slice(0, 2).map((m) => m.model)).toEqual(['chatgpt-4o-latest', 'gemini-1.5-pro-exp-0801']);
  });

  it('sandwich and 1000-round bootstrap widths agree within 10 % for models with >= 1000 votes', () => {
    const boot = computeRatings(agg, { bootstrap: 1000, seed: 42, matrices: false });
    expect(boot.diagnostics.gradientNorm).toBeLessThan(1e-9);
    let worst = 0;
    let checked = 0;
    for (const m of sandwich.models) {
      if (m.votes < 1000) continue;
      const b = boot.models.find((x) => x.model === m.model)!;
      worst = Math.max(worst, Math.abs((b.upper - b.lower) / (m.upper - m.lower) - 1));
      checked++;
    }
    expect(checked).toBe(129);
    expect(worst).toBeLessThan(0.1);
  });
});
