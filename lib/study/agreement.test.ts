import { describe, expect, it } from 'vitest';
import { Rng } from '../rating/random';
import {
  agreementReport,
  binomialTestHalf,
  bootstrapInterval,
  cohenKappa,
  fleissKappa,
  krippendorffAlpha,
  rawAgreement,
  wilson,
  type PairJudgment,
} from './agreement';
import { alphaFromPairs, cohenFromMatrix, fleissFromSquares } from './testing/agreement-oracle';

/**
 * The agreement statistics against published and hand-computed values, and against independent
 * implementations written another way (Krippendorff's alpha from pairwise disagreements instead
 * of the coincidence matrix, Fleiss' kappa from squared counts, Cohen's kappa from the confusion
 * matrix's marginal products).
 */

// Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example: 4 coders,
// 12 units (unit 12 has one value and is not pairable); published alpha = 0.743.
const KRIPPENDORFF_2011 = [
  ['1', '1', '1'],
  ['2', '2', '3', '2'],
  ['3', '3', '3', '3'],
  ['3', '3', '3', '3'],
  ['2', '2', '2', '2'],
  ['1', '2', '3', '4'],
  ['4', '4', '4', '4'],
  ['1', '1', '2', '1'],
  ['2', '2', '2', '2'],
  ['5', '5', '5'],
  ['1', '1'],
  ['3'],
];

// Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories; kappa = 0.210.
const FLEISS_COUNTS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const countsToUnits = (rows: number[][]) => rows.map((r) => r.flatMap((n, c) => Array<string>(n).fill(`c${c}`)));

describe('agreement statistics on published examples', () => {
  it("Krippendorff's alpha of Krippendorff's nominal example is 0.743", () => {
    expect(krippendorffAlpha(KRIPPENDORFF_2011)).toBeCloseTo(0.743, 3);
    expect(alphaFromPairs(KRIPPENDORFF_2011)).toBeCloseTo(krippendorffAlpha(KRIPPENDORFF_2011)!, 12);
  });
  it("Fleiss' kappa of Fleiss' example is 0.210", () => {
    expect(fleissKappa(countsToUnits(FLEISS_COUNTS))).toBeCloseTo(0.20993, 5);
  });
  it("Cohen's kappa of the 50-item yes/no example is 0.4", () => {
    const pairs: [string, string][] = [
      ...Array(20).fill(['yes', 'yes']),
      ...Array(5).fill(['yes', 'no']),
      ...Array(10).fill(['no', 'yes']),
      ...Array(15).fill(['no', 'no']),
    ];
    expect(cohenKappa(pairs)).toEqual({ kappa: expect.closeTo(0.4, 12), observed: 0.7 });
  });
  it('Wilson interval and the exact binomial test', () => {
    // 7 of 10: Wilson 95 % [0.3968, 0.8922]; two-sided exact p = 0.34375.
    const w = wilson(7, 10);
    expect(w.lower).toBeCloseTo(0.3968, 4);
    expect(w.upper).toBeCloseTo(0.8922, 4);
    expect(binomialTestHalf(7, 10)).toBeCloseTo(0.34375, 10);
    expect(binomialTestHalf(5, 10)).toBeCloseTo(1, 10);
    expect(binomialTestHalf(0, 6)).toBeCloseTo(2 / 64, 12);
  });
});

describe('agreement of a small study, computed by hand', () => {
  // Four units (item x pair), three annotators. Values relative to the pair (m1 before m2):
  //   u1: first first first     u2: first first second
  //   u3: tie tie first          u4: second second second
  // Sides vary, so the values must be read through the side each model was on.
  const j = (annotator: string, item: string, left: string, right: string, winner: PairJudgment['winner'], t: number): PairJudgment => ({
    annotator,
    item,
    modelA: left,
    modelB: right,
    winner,
    tstamp: t,
  });
  const judgments: PairJudgment[] = [
    j('ann1', 'q1', 'm1', 'm2', 'model_a', 1),
    j('ann2', 'q1', 'm2', 'm1', 'model_b', 2),
    j('ann3', 'q1', 'm1', 'm2', 'model_a', 3),
    j('ann1', 'q2', 'm2', 'm1', 'model_b', 4),
    j('ann2', 'q2', 'm1', 'm2', 'model_a', 5),
    j('ann3', 'q2', 'm1', 'm2', 'model_b', 6),
    j('ann1', 'q3', 'm1', 'm2', 'tie', 7),
    j('ann2', 'q3', 'm2', 'm1', 'tie (bothbad)', 8),
    j('ann3', 'q3', 'm2', 'm1', 'model_b', 9),
    j('ann1', 'q4', 'm2', 'm1', 'model_a', 10),
    j('ann2', 'q4', 'm1', 'm2', 'model_b', 11),
    j('ann3', 'q4', 'm2', 'm1', 'model_a', 12),
    // A second judgment of ann1 on q1 is ignored: each annotator counts once per unit.
    j('ann1', 'q1', 'm2', 'm1', 'model_a', 13),
  ];
  const report = agreementReport(judgments, { rounds: 200, seed: 5 });

  it('alpha = 1 - 11 * 4 / 88 = 0.5 and Fleiss = 5/11', () => {
    // Coincidences: o(f,f) = 4, o(s,s) = 3, o(t,t) = 1, o(f,s) = o(s,f) = o(f,t) = o(t,f) = 1;
    // n_f = 6, n_s = 4, n_t = 2, n = 12; D_o = 4, sum n_c n_k (c != k) = 88.
    expect(report.krippendorffAlpha.value).toBeCloseTo(0.5, 12);
    // P = (1 + 1/3 + 1/3 + 1) / 4 = 2/3, P_e = 1/4 + 1/9 + 1/36 = 7/18: (2/3 - 7/18) / (11/18) = 5/11.
    expect(report.fleissKappa.value).toBeCloseTo(5 / 11, 12);
    expect(report.duplicatesIgnored).toBe(1);
    expect(report.units).toBe(4);
    expect(report.multiplyJudged).toBe(4);
    // Raw agreement: 3 + 1 + 1 + 3 agreeing pairs out of 12.
    expect(report.pairwiseAgreement).toBeCloseTo(8 / 12, 12);
  });
  it("Cohen's kappa per pair: ann1-ann2 = 1, ann1-ann3 = 0.2", () => {
    const pair = (x: string, y: string) => report.cohen.find((c) => c.annotators[0] === x && c.annotators[1] === y)!;
    expect(pair('ann1', 'ann2').kappa.value).toBeCloseTo(1, 12);
    // ann1: f f t s, ann3: f s f s; observed 1/2, chance 1/4 + 1/8 = 3/8: (1/2 - 3/8) / (5/8) = 0.2.
    expect(pair('ann1', 'ann3').kappa.value).toBeCloseTo(0.2, 12);
    expect(pair('ann1', 'ann3').observed).toBe(0.5);
    expect(pair('ann1', 'ann3').units).toBe(4);
  });
  it('agreement with the majority of the others, and position bias', () => {
    const q = (a: string) => report.annotatorsQuality.find((x) => x.annotator === a)!;
    expect(q('ann3').majorityAgreement).toBe(0.5);
    expect(q('ann3').majorityUnits).toBe(4);
    expect(q('ann1').majorityAgreement).toBe(1);
    // Decided judgments: left wins 6 (q1: a,a; q2: a; q3: -; q4: a,a + ann1's repeat a), right wins 5.
    const left = judgments.filter((x) => x.winner === 'model_a').length;
    const right = judgments.filter((x) => x.winner === 'model_b').length;
    expect(report.positionBias).toMatchObject({ left, decided: left + right, ties: 2 });
    expect(report.positionBias.leftShare).toBeCloseTo(left / (left + right), 12);
  });
  it('intervals come from the seeded bootstrap and contain the estimate here', () => {
    const again = agreementReport(judgments, { rounds: 200, seed: 5 });
    expect(again.krippendorffAlpha).toEqual(report.krippendorffAlpha);
    expect(report.krippendorffAlpha.lower!).toBeLessThanOrEqual(report.krippendorffAlpha.value!);
    expect(report.krippendorffAlpha.upper!).toBeGreaterThanOrEqual(report.krippendorffAlpha.value!);
  });
});

describe('against independent implementations on random data', () => {
  it('alpha, Fleiss and Cohen agree with the other formulas', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const cats = 2 + (trial % 3);
      const units: string[][] = [];
      for (let u = 0; u < 5 + (trial % 7); u++) {
        const m = 2 + Math.floor(rng.nextDouble() * 4);
        units.push(Array.from({ length: m }, () => `v${Math.floor(rng.nextDouble() * cats)}`));
      }
      const a = krippendorffAlpha(units);
      if (a !== null) expect(a).toBeCloseTo(alphaFromPairs(units), 10);
      const f = fleissKappa(units);
      if (f !== null) expect(f).toBeCloseTo(fleissFromSquares(units), 10);
      const pairs = units.map((u) => [u[0], u[1]] as [string, string]);
      const k = cohenKappa(pairs).kappa;
      if (k !== null) expect(k).toBeCloseTo(cohenFromMatrix(pairs), 10);
      expect(rawAgreement(units)).not.toBeNull();
    }
  });
  it('the bootstrap resamples groups with replacement: a constant statistic has a zero-wide interval', () => {
    expect(bootstrapInterval([1, 2, 3], () => 0.25, 50, 1)).toEqual({ value: 0.25, lower: 0.25, upper: 0.25 });
  });
});
