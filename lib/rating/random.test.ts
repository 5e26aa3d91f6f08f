import { describe, expect, it } from 'vitest';
import { AliasTable, logFactorial, MultinomialSampler, Rng } from './random';

/** Pearson's statistic against expected counts; bins with expectation < 5 are pooled. */
function chiSquare(observed: number[], expected: number[]): { stat: number; df: number } {
  let stat = 0;
  let df = -1;
  let po = 0;
  let pe = 0;
  for (let k = 0; k < observed.length; k++) {
    po += observed[k];
    pe += expected[k];
    if (pe >= 5) {
      stat += (po - pe) ** 2 / pe;
      df++;
      po = 0;
      pe = 0;
    }
  }
  if (pe > 0) stat += (po - pe) ** 2 / pe;
  return { stat, df: Math.max(df, 1) };
}
// About five standard deviations above the mean of a chi-square variable: a correct sampler
// fails this with probability below 1e-6, a biased one fails it reliably.
const tooLarge = ({ stat, df }: { stat: number; df: number }) => stat > df + 5 * Math.sqrt(2 * df);

function logBinomialPmf(n: number, p: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

describe('Rng', () => {
  it('is deterministic per (seed, stream) and uniform in [0, 1)', () => {
    const a = new Rng(42, 3);
    const b = new Rng(42, 3);
    const c = new Rng(42, 4);
    const xs = Array.from({ length: 5 }, () => a.nextDouble());
    expect(Array.from({ length: 5 }, () => b.nextDouble())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextDouble())).not.toEqual(xs);
    const r = new Rng(1);
    const bins = new Array(20).fill(0);
    for (let k = 0; k < 100_000; k++) {
      const u = r.nextDouble();
      expect(u >= 0 && u < 1).toBe(true);
      bins[Math.floor(u * 20)]++;
    }
    expect(tooLarge(chiSquare(bins, new Array(20).fill(5000)))).toBe(false);
  });
});

describe('MultinomialSampler', () => {
  it('small n (direct draws): matches the exact multinomial distribution', () => {
    const p = [0.2, 0.3, 0.5];
    const n = 4;
    const s = new MultinomialSampler([2, 3, 5], n);
    const out = new Float64Array(3);
    const rng = new Rng(9);
    const counts = new Map<string, number>();
    const draws = 40_000;
    for (let t = 0; t < draws; t++) {
      s.sample(rng, out);
      expect(out[0] + out[1] + out[2]).toBe(n);
      const key = Array.from(out).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const observed: number[] = [];
    const expected: number[] = [];
    for (let x = 0; x <= n; x++) {
      for (let y = 0; x + y <= n; y++) {
        const z = n - x - y;
        const prob = Math.exp(logFactorial(n) - logFactorial(x) - logFactorial(y) - logFactorial(z) + x * Math.log(p[0]) + y * Math.log(p[1]) + z * Math.log(p[2]));
        observed.push(counts.get(`${x},${y},${z}`) ?? 0);
        expected.push(prob * draws);
      }
    }
    expect(tooLarge(chiSquare(observed, expected))).toBe(false);
  });

  it('large n (Poissonisation): a two-cell draw is exactly Binomial(n, p)', () => {
    const n = 3000;
    const p = 0.3;
    const s = new MultinomialSampler([3, 7], n);
    const out = new Float64Array(2);
    const rng = new Rng(11);
    const draws = 30_000;
    const hist = new Map<number, number>();
    for (let t = 0; t < draws; t++) {
      s.sample(rng, out);
      expect(out[0] + out[1]).toBe(n);
      hist.set(out[0], (hist.get(out[0]) ?? 0) + 1);
    }
    const observed: number[] = [];
    const expected: number[] = [];
    for (let k = 750; k <= 1050; k++) {
      observed.push(hist.get(k) ?? 0);
      expected.push(Math.exp(logBinomialPmf(n, p, k)) * draws);
    }
    expect(tooLarge(chiSquare(observed, expected))).toBe(false);
  });

  it('large n over many cells: every marginal has mean n·p and variance n·p·(1 − p)', () => {
    const weights = Array.from({ length: 60 }, (_, k) => (k % 7 === 0 ? 0.02 : 1 + k * 3));
    const total = weights.reduce((a, b) => a + b, 0);
    const n = 200_000;
    const s = new MultinomialSampler(weights, n);
    const out = new Float64Array(weights.length);
    const rng = new Rng(5);
    const draws = 3000;
    const sum = new Float64Array(weights.length);
    const sq = new Float64Array(weights.length);
    for (let t = 0; t < draws; t++) {
      s.sample(rng, out);
      let all = 0;
      for (let k = 0; k < out.length; k++) {
        sum[k] += out[k];
        sq[k] += out[k] * out[k];
        all += out[k];
      }
      expect(all).toBe(n);
    }
    for (let k = 0; k < weights.length; k++) {
      const p = weights[k] / total;
      const mean = sum[k] / draws;
      const variance = sq[k] / draws - mean * mean;
      const v = n * p * (1 - p);
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / draws) + 1e-9);
      expect(Math.abs(variance / v - 1)).toBeLessThan(0.2);
    }
  });

  it('empty cells stay empty', () => {
    const s = new MultinomialSampler([0, 5, 0, 5], 10_000);
    const out = new Float64Array(4);
    s.sample(new Rng(1), out);
    expect(out[0]).toBe(0);
    expect(out[2]).toBe(0);
    expect(out[1] + out[3]).toBe(10_000);
  });
});

describe('AliasTable', () => {
  it('draws each category with its probability', () => {
    const w = [1, 0, 3, 6];
    const t = new AliasTable(w);
    const rng = new Rng(2);
    const c = [0, 0, 0, 0];
    for (let k = 0; k < 100_000; k++) c[t.draw(rng)]++;
    expect(c[1]).toBe(0);
    expect(tooLarge(chiSquare([c[0], c[2], c[3]], [10_000, 30_000, 60_000]))).toBe(false);
  });
});
