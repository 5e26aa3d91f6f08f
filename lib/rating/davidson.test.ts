import { describe, expect, it } from 'vitest';
import { BattleAggregator, computeRatings, davidsonProbabilities, type RatingsResult, type Winner } from './index';

function agg(rows: [string, string, Winner, number][]): BattleAggregator {
  const a = new BattleAggregator();
  for (const [x, y, w, n] of rows) for (let k = 0; k < n; k++) a.add(x, y, w);
  return a;
}

const rating = (r: RatingsResult, model: string) => r.models.find((m) => m.model === model)!.rating;
const ELO = 400 / Math.LN10;

/** Davidson's log-likelihood written out directly: P(win) = πi / Z, P(tie) = ν√(πiπj) / Z. */
function logLikelihood(pairs: [number, number, number, number, number][], theta: number[], nu: number): number {
  let f = 0;
  for (const [i, j, wi, wj, t] of pairs) {
    const pi = Math.exp(theta[i]);
    const pj = Math.exp(theta[j]);
    const tie = nu * Math.sqrt(pi * pj);
    const z = pi + pj + tie;
    f += wi * Math.log(pi / z) + wj * Math.log(pj / z) + t * Math.log(tie / z);
  }
  return f;
}

/**
 * An independent maximiser: cyclic coordinate ascent with golden-section searches on each of
 * θ1 … θm−1 (θ0 = 0) and log ν, repeated until nothing moves. No derivatives, no Newton.
 */
function coordinateAscent(pairs: [number, number, number, number, number][], m: number): { theta: number[]; nu: number; value: number } {
  const x = new Array(m + 1).fill(0); // θ0 … θm−1, log ν
  const value = () => logLikelihood(pairs, x.slice(0, m), Math.exp(x[m]));
  const golden = (k: number) => {
    let lo = x[k] - 4;
    let hi = x[k] + 4;
    const g = (Math.sqrt(5) - 1) / 2;
    const at = (v: number) => {
      x[k] = v;
      return value();
    };
    let c = hi - g * (hi - lo);
    let d = lo + g * (hi - lo);
    let fc = at(c);
    let fd = at(d);
    while (hi - lo > 1e-12) {
      if (fc > fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - g * (hi - lo);
        fc = at(c);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + g * (hi - lo);
        fd = at(d);
      }
    }
    x[k] = (lo + hi) / 2;
  };
  for (let sweep = 0; sweep < 2000; sweep++) {
    const before = x.slice();
    for (let k = 1; k <= m; k++) golden(k);
    if (Math.max(...x.map((v, k) => Math.abs(v - before[k]))) < 1e-11) break;
  }
  const theta = x.slice(0, m);
  const mean = theta.reduce((s, v) => s + v, 0) / m;
  return { theta: theta.map((v) => v - mean), nu: Math.exp(x[m]), value: value() };
}

describe('Davidson tie model', () => {
  it('two models: the saturated fit has the closed form e^d = wins / losses, ν = ties / √(wins · losses)', () => {
    const r = computeRatings(agg([['a', 'b', 'model_a', 30], ['a', 'b', 'model_b', 12], ['b', 'a', 'tie', 18]]), { model: 'davidson' });
    expect(r.diagnostics.model).toBe('davidson');
    expect(r.diagnostics.estimator).toBe('mle');
    expect(rating(r, 'a') - rating(r, 'b')).toBeCloseTo(400 * Math.log10(30 / 12), 8);
    expect(r.davidson!.tieParameter).toBeCloseTo(18 / Math.sqrt(30 * 12), 9);
    // at the MLE a saturated model reproduces the observed shares: the log-likelihood is Σ n log(n / N)
    expect(r.davidson!.logLikelihood).toBeCloseTo(30 * Math.log(0.5) + 12 * Math.log(0.2) + 18 * Math.log(0.3), 8);
    const p = davidsonProbabilities(rating(r, 'a'), rating(r, 'b'), r.davidson!.tieParameter);
    expect(p.win).toBeCloseTo(0.5, 9);
    expect(p.loss).toBeCloseTo(0.2, 9);
    expect(p.tie).toBeCloseTo(0.3, 9);
  });

  it('four models: equals an independent derivative-free maximisation of the three-outcome likelihood', () => {
    const names = ['a', 'b', 'c', 'd'];
    // [i, j, wins of i, wins of j, ties]
    const pairs: [number, number, number, number, number][] = [
      [0, 1, 14, 6, 5],
      [0, 2, 9, 9, 7],
      [1, 2, 4, 11, 3],
      [1, 3, 8, 5, 6],
      [2, 3, 12, 3, 2],
      [0, 3, 10, 2, 4],
    ];
    const rows: [string, string, Winner, number][] = [];
    for (const [i, j, wi, wj, t] of pairs) rows.push([names[i], names[j], 'model_a', wi], [names[j], names[i], 'model_a', wj], [names[i], names[j], 'tie', t]);
    const r = computeRatings(agg(rows), { model: 'davidson' });
    const ref = coordinateAscent(pairs, 4);
    // coordinate ascent creeps to the optimum; it gets within 1e-5 Elo points
    for (const [k, name] of names.entries()) expect(rating(r, name)).toBeCloseTo(1000 + ELO * ref.theta[k], 4);
    expect(r.davidson!.tieParameter).toBeCloseTo(ref.nu, 6);
    expect(r.davidson!.logLikelihood).toBeCloseTo(ref.value, 8);
    expect(r.davidson!.logLikelihood).toBeGreaterThanOrEqual(ref.value - 1e-12); // and Newton's is not worse
    expect(r.diagnostics.components[0]).toMatchObject({ tieParameter: r.davidson!.tieParameter, logLikelihood: r.davidson!.logLikelihood });
    // every interval method gives finite intervals around the point
    for (const ci of ['profile', 'sandwich', 'bootstrap'] as const) {
      const x = computeRatings(agg(rows), { model: 'davidson', ci, bootstrap: ci === 'bootstrap' ? 200 : undefined });
      for (const m of x.models) {
        expect(m.lower).toBeLessThan(m.rating);
        expect(m.upper).toBeGreaterThan(m.rating);
        expect(m.upper - m.lower).toBeLessThan(600);
      }
    }
  });

  it('ties at a rate that ignores the gap: half a win compresses the scale, Davidson keeps it', () => {
    // 40 % ties whatever the gap; decided battles follow a true gap of 200 Elo points (P = 0.76)
    const n = 1000;
    const decided = 600;
    const winsA = Math.round(decided / (1 + 10 ** (-200 / 400)));
    const rows: [string, string, Winner, number][] = [['a', 'b', 'model_a', winsA], ['a', 'b', 'model_b', decided - winsA], ['a', 'b', 'tie', n - decided]];
    const bt = computeRatings(agg(rows));
    const dv = computeRatings(agg(rows), { model: 'davidson' });
    const gap = (r: RatingsResult) => rating(r, 'a') - rating(r, 'b');
    expect(gap(dv)).toBeGreaterThan(195);
    expect(gap(dv)).toBeLessThan(205);
    expect(gap(bt)).toBeLessThan(0.65 * gap(dv));
  });

  it('no ties at all: a finite fit by the fallback prior, flagged', () => {
    const r = computeRatings(agg([['a', 'b', 'model_a', 8], ['b', 'a', 'model_a', 4], ['b', 'c', 'model_a', 5], ['c', 'b', 'model_a', 5]]), { model: 'davidson' });
    expect(r.diagnostics.estimator).toBe('map-virtual-ties');
    expect(Number.isFinite(r.davidson!.tieParameter)).toBe(true);
    for (const m of r.models) expect(Number.isFinite(m.rating) && Number.isFinite(m.lower) && Number.isFinite(m.upper)).toBe(true);
  });

  it('style control stays Bradley-Terry', () => {
    expect(() => computeRatings(new BattleAggregator(), { model: 'davidson', styleControl: true })).toThrow(/style control/);
  });
});
