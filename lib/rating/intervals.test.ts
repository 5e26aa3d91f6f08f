import { describe, expect, it } from 'vitest';
import { BattleAggregator, computeRatings, type RatingsResult, type Winner } from './index';
import { smallSampleFactor } from './profile';

const NAT = Math.LN10 / 400;

function agg(rows: [string, string, Winner, number][]): BattleAggregator {
  const a = new BattleAggregator();
  for (const [x, y, w, n] of rows) for (let k = 0; k < n; k++) a.add(x, y, w);
  return a;
}

const row = (r: RatingsResult, model: string) => r.models.find((m) => m.model === model)!;

describe('intervals honest from the first vote', () => {
  it('one battle: finite, wide and never zero wide (the bootstrap and the sandwich of the same data are shown for contrast)', () => {
    const a = agg([['a', 'b', 'model_a', 1]]);
    const r = computeRatings(a);
    expect(r.diagnostics).toMatchObject({ ci: 'profile', estimator: 'map-virtual-ties' });
    for (const m of r.models) {
      expect(Number.isFinite(m.lower) && Number.isFinite(m.upper)).toBe(true);
      expect(m.upper - m.lower).toBeGreaterThan(400);
      expect(m.lower).toBeLessThanOrEqual(m.rating);
      expect(m.upper).toBeGreaterThanOrEqual(m.rating);
    }
    // one battle cannot tell two models apart
    expect(row(r, 'a').lower).toBeLessThan(row(r, 'b').upper);
    // the bootstrap of one battle has nothing to resample: zero wide
    const boot = computeRatings(a, { ci: 'bootstrap', bootstrap: 50 });
    expect(boot.models.every((m) => m.upper - m.lower < 1e-9)).toBe(true);
  });

  it('only ties: a positive width (the sandwich gives zero, as it must: nothing varied)', () => {
    for (const n of [1, 3, 40]) {
      const a = agg([['a', 'b', 'tie', n]]);
      const r = computeRatings(a);
      for (const m of r.models) {
        expect(m.rating).toBeCloseTo(1000, 9);
        expect(m.upper - m.lower).toBeGreaterThan(0);
      }
      expect(r.diagnostics.dispersion!.phi).toBeGreaterThan(0);
      expect(r.diagnostics.dispersion!.phi).toBeLessThan(1);
      const s = computeRatings(a, { ci: 'sandwich' });
      expect(s.models[0].upper - s.models[0].lower).toBeLessThan(1e-9);
    }
    // more ties, narrower: the data do say the two are close
    const w3 = computeRatings(agg([['a', 'b', 'tie', 3]])).models[0];
    const w40 = computeRatings(agg([['a', 'b', 'tie', 40]])).models[0];
    expect(w40.upper - w40.lower).toBeLessThan(w3.upper - w3.lower);
  });

  it('a model that never lost: its interval is one-sided wide but finite', () => {
    const r = computeRatings(agg([['champ', 'x', 'model_a', 6], ['x', 'y', 'model_a', 10], ['y', 'x', 'model_a', 8], ['champ', 'y', 'model_a', 4]]));
    const c = row(r, 'champ');
    expect(Number.isFinite(c.upper)).toBe(true);
    expect(c.upper - c.rating).toBeGreaterThan(c.rating - c.lower); // the likelihood has no upper limit; the prior does
  });

  it('the small-sample factor is the exact mean deviance: 3 ln 3 − 4 ln 2 after one decided battle, rising to 1', () => {
    // one battle, no ties (φ = 1): a win gives σ(θ̂) = 3/4 and D = 2 (1.5 ln 3 − 2 ln 4 + 2 ln 2); a loss the same
    expect(smallSampleFactor(1, 1)).toBeCloseTo(3 * Math.log(3) - 4 * Math.log(2), 10);
    let previous = 0;
    for (const n of [1, 2, 4, 8, 16, 60, 61, 200, 1000]) {
      const f = smallSampleFactor(n, 0.7);
      expect(f).toBeGreaterThan(previous);
      expect(f).toBeLessThanOrEqual(1);
      previous = f;
    }
    expect(smallSampleFactor(4, 0.7)).toBeGreaterThan(0.9);
    expect(smallSampleFactor(4, 0.7)).toBeLessThan(0.92);
    expect(1 - smallSampleFactor(10_000, 0.7)).toBeLessThan(1e-4);
  });

  it('the profile interval ends are where the deviance of the penalised quasi-likelihood reaches the threshold times the small-sample factor (checked by an independent maximisation)', () => {
    const rows: [string, string, Winner, number][] = [
      ['a', 'b', 'model_a', 5], ['a', 'b', 'model_b', 2], ['a', 'b', 'tie', 2],
      ['b', 'c', 'model_a', 3], ['b', 'c', 'model_b', 3], ['c', 'a', 'model_a', 1], ['c', 'a', 'tie', 1],
    ];
    const r = computeRatings(agg(rows));
    const { phi, threshold } = r.diagnostics.dispersion!;
    expect(phi).toBeLessThan(1);
    // (i, j, score of i, battles) per pair, models a = 0, b = 1, c = 2
    const pairs: [number, number, number, number][] = [[0, 1, 6, 9], [1, 2, 3, 6], [2, 0, 1.5, 2]];
    const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
    const f = (t: number[]) => {
      let v = 0;
      for (const [i, j, s, n] of pairs) v += (s * (t[i] - t[j]) - n * softplus(t[i] - t[j])) / phi;
      for (const x of t) v += 0.5 * x - softplus(x);
      return v;
    };
    // plain gradient ascent with a numeric gradient and step halving: slow but independent
    const ascend = (g: (p: number[]) => number, p0: number[]) => {
      let p = p0.slice();
      let step = 0.5;
      for (let it = 0; it < 20000 && step > 1e-12; it++) {
        const grad = p.map((_, k) => {
          const h = 1e-6;
          const up = p.slice();
          const dn = p.slice();
          up[k] += h;
          dn[k] -= h;
          return (g(up) - g(dn)) / (2 * h);
        });
        const next = p.map((x, k) => x + step * grad[k]);
        if (g(next) > g(p)) {
          p = next;
          step *= 1.2;
        } else step /= 2;
      }
      return { value: g(p), at: p };
    };
    const peak = ascend(f, [0, 0, 0]);
    const fMax = peak.value;
    // the small-sample factor's battle count: 4φ / Var(θk − mean θ), the variance from a
    // numeric Hessian of f at its maximum
    const hess = [0, 1, 2].map((a) =>
      [0, 1, 2].map((b) => {
        const h = 1e-4;
        const at = (da: number, db: number) => {
          const t = peak.at.slice();
          t[a] += da;
          t[b] += db;
          return f(t);
        };
        return -(at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
      }),
    );
    const [[a11, a12, a13], [, a22, a23], [, , a33]] = hess;
    const det = a11 * (a22 * a33 - a23 * a23) - a12 * (a12 * a33 - a23 * a13) + a13 * (a12 * a23 - a22 * a13);
    const inv = [
      [a22 * a33 - a23 * a23, a13 * a23 - a12 * a33, a12 * a23 - a13 * a22],
      [a13 * a23 - a12 * a33, a11 * a33 - a13 * a13, a12 * a13 - a11 * a23],
      [a12 * a23 - a13 * a22, a12 * a13 - a11 * a23, a11 * a22 - a12 * a12],
    ].map((r) => r.map((x) => x / det));
    for (const [k, name] of ['a', 'b', 'c'].entries()) {
      const m = row(r, name);
      const c = [0, 1, 2].map((o) => (o === k ? 1 : 0) - 1 / 3);
      const variance = c.reduce((acc, ci, i) => acc + c.reduce((t, cj, j) => t + ci * inv[i][j] * cj, 0), 0);
      const cut = threshold * smallSampleFactor((4 * phi) / variance, phi);
      expect(cut).toBeLessThan(threshold);
      for (const end of [m.lower, m.upper]) {
        const v = (end - 1000) * NAT; // the centred rating θk − mean θ at this end
        // θk = v + mean: with the other two free (x, y), mean = (θk + x + y) / 3 ⇒ θk = (3v + x + y) / 2
        const constrained = ([x, y]: number[]) => {
          const t = [0, 0, 0];
          const others = [0, 1, 2].filter((o) => o !== k);
          t[others[0]] = x;
          t[others[1]] = y;
          t[k] = (3 * v + x + y) / 2;
          return f(t);
        };
        const deviance = 2 * (fMax - ascend(constrained, [0, 0]).value);
        expect(Math.abs(deviance - cut)).toBeLessThan(2e-3 * cut);
      }
    }
  });

  it('with many battles the profile equals the sandwich (ties make the binomial curvature too wide; the dispersion corrects it)', () => {
    const rows: [string, string, Winner, number][] = [
      ['a', 'b', 'model_a', 400], ['a', 'b', 'model_b', 300], ['a', 'b', 'tie', 300],
      ['b', 'c', 'model_a', 350], ['b', 'c', 'model_b', 250], ['b', 'c', 'tie', 200],
      ['c', 'a', 'model_a', 200], ['c', 'a', 'model_b', 380], ['c', 'a', 'tie', 220],
    ];
    const p = computeRatings(agg(rows));
    const s = computeRatings(agg(rows), { ci: 'sandwich' });
    expect(p.diagnostics.dispersion!.phi).toBeGreaterThan(0.6);
    expect(p.diagnostics.dispersion!.phi).toBeLessThan(0.85);
    for (const m of p.models) {
      const x = row(s, m.model);
      expect((m.upper - m.lower) / (x.upper - x.lower)).toBeGreaterThan(0.95);
      expect((m.upper - m.lower) / (x.upper - x.lower)).toBeLessThan(1.05);
      expect(m.rating).toBeCloseTo(x.rating, 9); // the same MLE
    }
    // the penalised point (the shrunk estimate) sits a hair closer to 1000
    const shrunk = computeRatings(agg(rows), { point: 'penalised' });
    for (const m of shrunk.models) expect(Math.abs(m.rating - 1000)).toBeLessThan(Math.abs(row(p, m.model).rating - 1000));
  });
});

describe('a newcomer does not blur the established models (ratings centred on them: centring.ts)', () => {
  // Four established models (a clear leader), then a newcomer with three unbeaten votes: a
  // component with no finite MLE. Centred on all five, every established interval took a fifth
  // of the newcomer's uncertainty (about ±35 became +78/-181) and all four tied at rank 1.
  const established: [string, string, Winner, number][] = [
    ['alpha', 'beta', 'model_a', 45], ['alpha', 'beta', 'model_b', 20], ['alpha', 'beta', 'tie', 5],
    ['alpha', 'gamma', 'model_a', 45], ['alpha', 'gamma', 'model_b', 20], ['alpha', 'gamma', 'tie', 5],
    ['alpha', 'delta', 'model_a', 45], ['alpha', 'delta', 'model_b', 20], ['alpha', 'delta', 'tie', 5],
    ['beta', 'gamma', 'model_a', 30], ['beta', 'gamma', 'model_b', 30], ['beta', 'gamma', 'tie', 10],
    ['beta', 'delta', 'model_a', 30], ['beta', 'delta', 'model_b', 30], ['beta', 'delta', 'tie', 10],
    ['gamma', 'delta', 'model_a', 30], ['gamma', 'delta', 'model_b', 30], ['gamma', 'delta', 'tie', 10],
  ];
  const newcomer: [string, string, Winner, number][] = [['newcomer', 'beta', 'model_a', 3]];
  const FOUR = ['alpha', 'beta', 'gamma', 'delta'];

  for (const ci of ['profile', 'sandwich', 'bootstrap'] as const) {
    it(`${ci}: the established intervals stay as their own votes make them, and the leader keeps rank 1`, () => {
      const opts = ci === 'bootstrap' ? { ci, bootstrap: 400 } : { ci };
      const before = computeRatings(agg(established), opts);
      const after = computeRatings(agg([...established, ...newcomer]), opts);
      expect(after.diagnostics.components).toHaveLength(1);
      expect(row(after, 'newcomer').provisional).toBe(true);
      for (const model of FOUR) {
        const was = row(before, model).upper - row(before, model).lower;
        const now = row(after, model).upper - row(after, model).lower;
        expect(now / was, model).toBeGreaterThan(0.9);
        expect(now / was, model).toBeLessThan(1.15);
      }
      // the established models average 1000; the newcomer's own interval is the wide one
      const mean = FOUR.reduce((s, m) => s + row(after, m).rating, 0) / FOUR.length;
      expect(mean).toBeCloseTo(1000, 6);
      const newWidth = row(after, 'newcomer').upper - row(after, 'newcomer').lower;
      expect(newWidth).toBeGreaterThan(2 * (row(after, 'beta').upper - row(after, 'beta').lower));
      expect(row(after, 'alpha').rank).toBe(1);
      expect(row(after, 'beta').rank).toBe(2);
    });
  }

  it('Davidson too', () => {
    const before = computeRatings(agg(established), { model: 'davidson' });
    const after = computeRatings(agg([...established, ...newcomer]), { model: 'davidson' });
    for (const model of FOUR) {
      const ratio = (row(after, model).upper - row(after, model).lower) / (row(before, model).upper - row(before, model).lower);
      expect(ratio, model).toBeGreaterThan(0.9);
      expect(ratio, model).toBeLessThan(1.15);
    }
    expect(row(after, 'alpha').rank).toBe(1);
  });

  it('one established model alone is no reference: all models are (no zero-wide interval)', () => {
    const r = computeRatings(agg([['a', 'b', 'model_a', 20], ['a', 'b', 'model_b', 15], ['a', 'c', 'model_a', 2]]), { provisionalVotes: 30 });
    // a has 37 votes, b 35, c 2: two established, centred on a and b
    expect((row(r, 'a').rating + row(r, 'b').rating) / 2).toBeCloseTo(1000, 6);
    const one = computeRatings(agg([['a', 'b', 'model_a', 20], ['a', 'c', 'model_b', 15]]), { provisionalVotes: 30 });
    // only a has 30 votes or more: centred on all three, every interval wider than zero
    expect((row(one, 'a').rating + row(one, 'b').rating + row(one, 'c').rating) / 3).toBeCloseTo(1000, 6);
    for (const m of one.models) expect(m.upper - m.lower).toBeGreaterThan(1);
  });
});
