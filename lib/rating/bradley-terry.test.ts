import { describe, expect, it } from 'vitest';
import { btDataFromTable, fitBradleyTerry, mleExists } from './bradley-terry';
import { BattleAggregator, computeRatings, rankUpperBound, type RatingsResult, type Winner } from './index';
import { buildPairTable } from './pair-table';
import { BootstrapRunner } from './bootstrap';

const ELO = 400 / Math.LN10;

function agg(rows: [string, string, Winner, number?][]): BattleAggregator {
  const a = new BattleAggregator();
  for (const [x, y, w, n = 1] of rows) for (let k = 0; k < n; k++) a.add(x, y, w);
  return a;
}

function rating(r: RatingsResult, model: string): number {
  return r.models.find((m) => m.model === model)!.rating;
}

/** Every number in the result is finite. */
function expectFinite(r: RatingsResult): void {
  for (const m of r.models) {
    for (const v of [m.rating, m.lower, m.upper, m.elo, m.rank, m.votes]) expect(Number.isFinite(v)).toBe(true);
    expect(m.lower).toBeLessThanOrEqual(m.upper);
  }
}

describe('Bradley-Terry, hand-checkable cases', () => {
  it('two models: the rating gap is 400·log10(score ratio), ties half a win', () => {
    // a scores 7 + 2/2 = 8, b scores 3 + 1 = 4 → P(a beats b) = 2/3.
    const r = computeRatings(agg([['a', 'b', 'model_a', 7], ['a', 'b', 'model_b', 3], ['b', 'a', 'tie', 2]]));
    expect(rating(r, 'a') - rating(r, 'b')).toBeCloseTo(400 * Math.log10(2), 9);
    expect((rating(r, 'a') + rating(r, 'b')) / 2).toBeCloseTo(1000, 9);
    expect(r.diagnostics.estimator).toBe('mle');
  });

  it("reproduces Wikipedia's four-team worked example (strengths 0.640, 1.043, 0.660, 2.270)", () => {
    // Wins of the row team against the column team; A–C and B–D never met.
    const wins: Record<string, Record<string, number>> = { A: { B: 2, D: 1 }, B: { A: 3, C: 5 }, C: { B: 3, D: 1 }, D: { A: 4, C: 3 } };
    const rows: [string, string, Winner, number][] = [];
    for (const [w, row] of Object.entries(wins)) for (const [l, n] of Object.entries(row)) rows.push([w, l, 'model_a', n]);
    const r = computeRatings(agg(rows));
    // Wikipedia normalises to geometric mean 1, i.e. mean rating 1000 ↔ strength 1.
    const p = (m: string) => 10 ** ((rating(r, m) - 1000) / 400);
    expect(p('A')).toBeCloseTo(0.64, 3);
    expect(p('B')).toBeCloseTo(1.043, 3);
    expect(p('C')).toBeCloseTo(0.66, 3);
    expect(p('D')).toBeCloseTo(2.27, 2);
    expect(r.models.map((m) => m.model)).toEqual(['D', 'B', 'C', 'A']);
  });

  it('solves the likelihood equations to a gradient below 1e-9', () => {
    const a = agg([['x', 'y', 'model_a', 30], ['y', 'z', 'model_a', 20], ['z', 'x', 'model_a', 10], ['x', 'z', 'tie', 5], ['y', 'x', 'model_a', 12]]);
    const snap = a.snapshot();
    const fit = fitBradleyTerry(btDataFromTable(buildPairTable(snap, [0, 1, 2], false)));
    expect(fit.converged).toBe(true);
    expect(fit.gradientNorm).toBeLessThan(1e-9);
    expect(fit.theta.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 12);
  });

  it('an anchor shifts every rating and bound by one constant', () => {
    const a = agg([['x', 'y', 'model_a', 30], ['y', 'z', 'model_a', 20], ['z', 'x', 'model_a', 10], ['y', 'x', 'model_a', 12]]);
    const plain = computeRatings(a);
    const anchored = computeRatings(a, { anchor: { model: 'y', rating: 1114 } });
    expect(rating(anchored, 'y')).toBeCloseTo(1114, 9);
    const shift = 1114 - rating(plain, 'y');
    for (const m of plain.models) {
      const n = anchored.models.find((x) => x.model === m.model)!;
      expect(n.rating - m.rating).toBeCloseTo(shift, 9);
      expect(n.lower - m.lower).toBeCloseTo(shift, 9);
      expect(n.upper - m.upper).toBeCloseTo(shift, 9);
    }
    expect(anchored.diagnostics.anchorApplied).toBe(true);
    expect(computeRatings(a, { anchor: { model: 'nobody', rating: 1 } }).diagnostics.anchorApplied).toBe(false);
  });

  it('Rank (UB) counts the models whose lower bound is above this upper bound', () => {
    expect(rankUpperBound([10, 5, 0, -20], [20, 12, 6, 1])).toEqual([1, 1, 2, 3]);
  });

  it('counts wins, losses, ties and votes, and builds the matrices', () => {
    const r = computeRatings(agg([['a', 'b', 'model_a', 3], ['b', 'a', 'model_a', 1], ['a', 'b', 'tie', 2], ['a', 'c', 'tie (bothbad)'], ['c', 'b', 'model_b']]));
    const a = r.models.find((m) => m.model === 'a')!;
    expect([a.wins, a.losses, a.ties, a.votes]).toEqual([3, 1, 3, 7]);
    const mat = r.matrices!;
    const i = mat.models.indexOf('a');
    const j = mat.models.indexOf('b');
    expect(mat.battleCounts[i][j]).toBe(6);
    expect(mat.battleCounts[j][i]).toBe(6);
    expect(mat.winFraction[i][j]).toBeCloseTo(0.75, 12); // ties left out: 3 of 4 decisive
    expect(mat.winFraction[i][i]).toBeNull();
    expect(mat.winFraction[i][mat.models.indexOf('c')]).toBeNull(); // only a tie
  });
});

describe('degenerate data: finite, documented results', () => {
  it('no battles', () => {
    const r = computeRatings(new BattleAggregator(), { bootstrap: 10 });
    expect(r).toMatchObject({ battles: 0, models: [] });
  });

  it('one model (a battle against itself is not a battle)', () => {
    const a = agg([['solo', 'solo', 'model_a', 3]]);
    expect(a.battleCount).toBe(0);
    expect(a.skippedCount).toBe(3);
    expect(computeRatings(a).models).toEqual([]);
    const fit = fitBradleyTerry({ m: 1, size: 0, i: new Int32Array(0), j: new Int32Array(0), n: new Float64Array(0), s: new Float64Array(0) });
    expect(Array.from(fit.theta)).toEqual([0]);
  });

  it('unknown winner values are skipped and counted, never guessed', () => {
    const a = agg([['a', 'b', 'model_a', 2], ['a', 'b', 'model_b']]);
    a.add('a', 'b', 'draw' as Winner);
    a.add('a', 'b', undefined as unknown as Winner);
    expect(a.battleCount).toBe(3);
    expect(a.skippedCount).toBe(2);
    expect(rating(computeRatings(a), 'a') - rating(computeRatings(a), 'b')).toBeCloseTo(400 * Math.log10(2), 9);
  });

  it('a model that never lost gets a finite rating above everyone (virtual-tie prior)', () => {
    const a = agg([['champ', 'x', 'model_a', 5], ['x', 'y', 'model_a', 6], ['y', 'x', 'model_a', 4], ['champ', 'y', 'model_a', 2]]);
    const snap = a.snapshot();
    expect(mleExists(btDataFromTable(buildPairTable(snap, [0, 1, 2], false)))).toBe(false);
    for (const opts of [{}, { bootstrap: 200 }]) {
      const r = computeRatings(a, opts);
      expectFinite(r);
      expect(r.diagnostics.estimator).toBe('map-virtual-ties');
      expect(r.models[0].model).toBe('champ');
      expect(r.models[0].rating).toBeLessThan(2000);
    }
  });

  it('a model that never won, alone or with a single battle', () => {
    const r = computeRatings(agg([['a', 'b', 'model_a', 3], ['b', 'a', 'model_a', 3], ['a', 'loser', 'model_a', 1]]), { bootstrap: 50 });
    expectFinite(r);
    expect(r.models[r.models.length - 1].model).toBe('loser');
    // One win against an average opponent: the prior alone puts the loser ~190 points below it.
    const gap = rating(r, 'a') - rating(r, 'loser');
    expect(gap).toBeGreaterThan(100);
    expect(gap).toBeLessThan(300);
  });

  it('a comparison graph in pieces: each component is its own exact fit', () => {
    const a = agg([['a', 'b', 'model_a', 4], ['b', 'a', 'model_a', 2], ['c', 'd', 'model_a', 1], ['d', 'c', 'model_a', 3]]);
    for (const ci of ['profile', 'sandwich', 'bootstrap'] as const) {
      const r = computeRatings(a, { ci });
      expectFinite(r);
      expect(r.diagnostics.estimator).toBe('mle');
      // each component's MLE: a two-model gap of 400·log10(score ratio), mean 1000 per component
      expect(rating(r, 'a') - rating(r, 'b')).toBeCloseTo(400 * Math.log10(2), 9);
      expect(rating(r, 'd') - rating(r, 'c')).toBeCloseTo(400 * Math.log10(3), 9);
      expect(rating(r, 'a') + rating(r, 'b')).toBeCloseTo(2000, 9);
    }
  });

  it('only ties', () => {
    const r = computeRatings(agg([['a', 'b', 'tie', 3], ['b', 'c', 'tie (bothbad)', 2]]));
    expectFinite(r);
    for (const m of r.models) expect(m.rating).toBeCloseTo(1000, 9);
  });
});

describe('invariances', () => {
  const rows: [string, string, Winner, number][] = [
    ['a', 'b', 'model_a', 40], ['a', 'b', 'model_b', 25], ['b', 'a', 'tie', 10], ['b', 'c', 'model_a', 30],
    ['c', 'b', 'model_a', 22], ['c', 'd', 'tie (bothbad)', 8], ['d', 'c', 'model_b', 17], ['a', 'd', 'model_a', 12],
    ['d', 'a', 'model_a', 9], ['a', 'c', 'model_b', 14], ['c', 'a', 'model_b', 19], ['b', 'd', 'model_a', 11], ['d', 'b', 'tie', 6],
  ];
  const swap: Record<Winner, Winner> = { model_a: 'model_b', model_b: 'model_a', tie: 'tie', 'tie (bothbad)': 'tie (bothbad)' };

  it('swapping sides together with the outcome changes nothing', () => {
    const base = computeRatings(agg(rows), { bootstrap: 200 });
    const swapped = computeRatings(agg(rows.map(([x, y, w, n]) => [y, x, swap[w], n])), { bootstrap: 200 });
    for (const m of base.models) {
      const s = swapped.models.find((x) => x.model === m.model)!;
      expect(s.rating).toBeCloseTo(m.rating, 9);
      expect(s.lower).toBeCloseTo(m.lower, 9);
      expect(s.upper).toBeCloseTo(m.upper, 9);
      expect([s.wins, s.losses, s.ties, s.votes]).toEqual([m.wins, m.losses, m.ties, m.votes]);
    }
  });

  it('duplicating every battle keeps the ratings and narrows the intervals by 1/√2', () => {
    const once = agg(rows);
    const twice = agg(rows.map(([x, y, w, n]) => [x, y, w, 2 * n]));
    const s1 = computeRatings(once, { ci: 'sandwich' });
    const s2 = computeRatings(twice, { ci: 'sandwich' });
    const b1 = computeRatings(once, { bootstrap: 1000, seed: 3 });
    const b2 = computeRatings(twice, { bootstrap: 1000, seed: 3 });
    for (const m of s1.models) {
      const m2 = s2.models.find((x) => x.model === m.model)!;
      expect(m2.rating).toBeCloseTo(m.rating, 9);
      // sandwich: H and J both double, so the covariance halves exactly
      expect((m2.upper - m2.lower) / (m.upper - m.lower)).toBeCloseTo(Math.SQRT1_2, 9);
      const w1 = b1.models.find((x) => x.model === m.model)!;
      const w2 = b2.models.find((x) => x.model === m.model)!;
      expect((w2.upper - w2.lower) / (w1.upper - w1.lower)).toBeGreaterThan(Math.SQRT1_2 * 0.85);
      expect((w2.upper - w2.lower) / (w1.upper - w1.lower)).toBeLessThan(Math.SQRT1_2 * 1.15);
    }
  });

  it('bootstrap results repeat exactly with the same seed and differ with another', () => {
    const a = agg(rows);
    const r1 = computeRatings(a, { bootstrap: 100, seed: 7 });
    const r2 = computeRatings(a, { bootstrap: 100, seed: 7 });
    const r3 = computeRatings(a, { bootstrap: 100, seed: 8 });
    expect(r2.models).toEqual(r1.models);
    expect(r3.models.map((m) => m.lower)).not.toEqual(r1.models.map((m) => m.lower));
    expect(r3.models.map((m) => m.rating)).toEqual(r1.models.map((m) => m.rating));
  });

  it('bootstrap results do not depend on the number of threads', () => {
    const a = agg(rows);
    const one = computeRatings(a, { bootstrap: 200, seed: 11 });
    const two = computeRatings(a, { bootstrap: 200, seed: 11, threads: 2 });
    expect(two.models).toEqual(one.models);
    expect(two.diagnostics).toEqual(one.diagnostics);
    // what each thread does: any split of the rounds over separate runners gives the same rows
    const snap = a.snapshot();
    const table = buildPairTable(snap, [0, 1, 2, 3], false);
    const full = fitBradleyTerry(btDataFromTable(table)).theta;
    const whole = new Float64Array(60 * 4);
    const split = new Float64Array(60 * 4);
    const g = new Float64Array(60);
    const p = new Uint8Array(60);
    new BootstrapRunner(table, full, 5).run(0, 60, whole, g, p);
    new BootstrapRunner(table, full, 5).run(40, 60, split, g, p);
    new BootstrapRunner(table, full, 5).run(0, 40, split, g, p);
    expect(split).toEqual(whole);
  });

  it('the order in which models first appear does not matter', () => {
    const r1 = computeRatings(agg(rows), { bootstrap: 50 });
    const r2 = computeRatings(agg([...rows].reverse()), { bootstrap: 50 });
    for (const m of r1.models) {
      const n = r2.models.find((x) => x.model === m.model)!;
      expect(n.rating).toBeCloseTo(m.rating, 9);
      expect(n.lower).toBeCloseTo(m.lower, 9);
    }
  });

  it('reweighting by 1 / max(pair count, 50) leaves balanced small data unchanged', () => {
    // every pair has fewer than 50 battles → all weights equal → same fit
    const small: [string, string, Winner, number][] = [['a', 'b', 'model_a', 5], ['b', 'a', 'model_a', 3], ['b', 'c', 'model_a', 4], ['c', 'b', 'model_a', 2], ['a', 'c', 'tie', 3]];
    const plain = computeRatings(agg(small));
    const re = computeRatings(agg(small), { reweight: true });
    for (const m of plain.models) expect(rating(re, m.model)).toBeCloseTo(m.rating, 9);
    // an over-sampled pair gets down-weighted: a pair with 500 battles counts like 50
    const skew: [string, string, Winner, number][] = [['a', 'b', 'model_a', 300], ['b', 'a', 'model_a', 200], ['b', 'c', 'model_a', 30], ['c', 'b', 'model_a', 20], ['a', 'c', 'model_a', 10], ['c', 'a', 'model_a', 40]];
    expect(rating(computeRatings(agg(skew), { reweight: true }), 'a')).not.toBeCloseTo(rating(computeRatings(agg(skew)), 'a'), 3);
  });
});

describe('options', () => {
  it('rejects invalid options with a clear error', () => {
    expect(() => computeRatings(new BattleAggregator(), { bootstrap: -1 })).toThrow(/bootstrap/);
    expect(() => computeRatings(new BattleAggregator(), { ci: 'bootstrap', bootstrap: 0 })).toThrow(/at least one/);
  });

  it('ci defaults: profile without rounds, bootstrap with; 1000 rounds when only the method is named', () => {
    const a = agg([['a', 'b', 'model_a', 5], ['b', 'a', 'model_a', 3]]);
    expect(computeRatings(a).diagnostics.ci).toBe('profile');
    expect(computeRatings(a, { bootstrap: 20 }).diagnostics).toMatchObject({ ci: 'bootstrap', bootstrapRounds: 20 });
    expect(computeRatings(a, { ci: 'bootstrap' }).diagnostics.bootstrapRounds).toBe(1000);
    expect(ELO).toBeGreaterThan(0);
  });
});
