import { Rng } from '../rating/random';
import type { Winner } from '../rating/types';

/**
 * Inter-annotator agreement and judgment quality, pure and seeded.
 *
 * A unit is one item judged on one unordered pair of models; an annotator's value on it is which
 * model of the pair they preferred, or a tie ("tie" and "tie (bothbad)" together), whatever side
 * each model was shown on. Each annotator counts once per unit (the first judgment in time).
 *
 * - Krippendorff's alpha (nominal) from the coincidence matrix, over every unit with at least two
 *   values; Fleiss' kappa over the same units (with unequal numbers of raters, P_i per unit as
 *   Fleiss defines it, averaged over units); Cohen's kappa for every pair of annotators on the
 *   units both judged. 95 % intervals: percentiles of a seeded bootstrap that resamples items
 *   (all units of an item together, since they share a prompt) for alpha and Fleiss, and units
 *   for Cohen's kappa of a pair.
 * - Agreement with the majority: per annotator, the share of units where their value equals the
 *   strict plurality of the other annotators' values (units with no plurality are left out).
 * - Position bias: the share of decided judgments won by the left side, with a Wilson interval and
 *   an exact two-sided binomial test against one half (sides are balanced by the design, so a
 *   share away from one half is the annotators', not the models').
 */

export const AGREEMENT_LABELS = ['first', 'second', 'tie'] as const;
export type AgreementLabel = (typeof AGREEMENT_LABELS)[number];

export interface PairJudgment {
  annotator: string;
  item: string;
  /** Left and right model. */
  modelA: string;
  modelB: string;
  winner: Winner;
  /** Unix seconds, for "first judgment in time" (absent: input order). */
  tstamp?: number;
  /** Milliseconds from both answers being complete to the vote, when known. */
  readMs?: number | null;
}

export interface Interval {
  value: number | null;
  lower: number | null;
  upper: number | null;
}

// --- the statistics on plain value lists --------------------------------------------------

/** Krippendorff's alpha for nominal data; `units` are the values given to each unit. Null when undefined. */
export function krippendorffAlpha(units: readonly (readonly string[])[]): number | null {
  const index = new Map<string, number>();
  for (const u of units) for (const v of u) if (!index.has(v)) index.set(v, index.size);
  const c = index.size;
  const o = new Float64Array(c * c);
  for (const u of units) {
    const m = u.length;
    if (m < 2) continue;
    const counts = new Float64Array(c);
    for (const v of u) counts[index.get(v)!]++;
    for (let i = 0; i < c; i++) {
      if (!counts[i]) continue;
      for (let j = 0; j < c; j++) o[i * c + j] += (counts[i] * (counts[j] - (i === j ? 1 : 0))) / (m - 1);
    }
  }
  const marg = new Float64Array(c);
  let n = 0;
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) marg[i] += o[i * c + j];
  for (let i = 0; i < c; i++) n += marg[i];
  if (n <= 1) return null;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      if (i === j) continue;
      observed += o[i * c + j];
      expected += marg[i] * marg[j];
    }
  }
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/** Fleiss' kappa over units with at least two values each (any number of raters per unit). */
export function fleissKappa(units: readonly (readonly string[])[]): number | null {
  const index = new Map<string, number>();
  for (const u of units) for (const v of u) if (!index.has(v)) index.set(v, index.size);
  const totals = new Float64Array(index.size);
  let pBar = 0;
  let used = 0;
  let ratings = 0;
  for (const u of units) {
    const m = u.length;
    if (m < 2) continue;
    const counts = new Float64Array(index.size);
    for (const v of u) counts[index.get(v)!]++;
    let agree = 0;
    for (let j = 0; j < counts.length; j++) {
      agree += counts[j] * (counts[j] - 1);
      totals[j] += counts[j];
    }
    pBar += agree / (m * (m - 1));
    used++;
    ratings += m;
  }
  if (used === 0) return null;
  pBar /= used;
  let pE = 0;
  for (const t of totals) pE += (t / ratings) ** 2;
  if (pE === 1) return null;
  return (pBar - pE) / (1 - pE);
}

/** Cohen's kappa of two raters over paired values; null when chance agreement is total. */
export function cohenKappa(pairs: readonly (readonly [string, string])[]): { kappa: number | null; observed: number } {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: 0 };
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let same = 0;
  for (const [x, y] of pairs) {
    if (x === y) same++;
    first.set(x, (first.get(x) ?? 0) + 1);
    second.set(y, (second.get(y) ?? 0) + 1);
  }
  const observed = same / n;
  let chance = 0;
  for (const [v, k] of first) chance += (k / n) * ((second.get(v) ?? 0) / n);
  return { kappa: chance === 1 ? null : (observed - chance) / (1 - chance), observed };
}

/** 2.5 and 97.5 percentiles (linear interpolation) of the finite values. */
export function percentiles(values: number[]): { lower: number | null; upper: number | null } {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { lower: null, upper: null };
  const q = (p: number) => {
    const h = (v.length - 1) * p;
    const lo = Math.floor(h);
    return v[lo] + (h - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]) - v[lo]);
  };
  return { lower: q(0.025), upper: q(0.975) };
}

/** A statistic with a percentile interval from resampling `groups` with replacement. */
export function bootstrapInterval<G>(groups: readonly G[], stat: (sample: readonly G[]) => number | null, rounds: number, seed: number): Interval {
  const value = stat(groups);
  if (value === null || rounds === 0 || groups.length === 0) return { value, lower: null, upper: null };
  const rng = new Rng(seed, 0xa9);
  const draws: number[] = [];
  const sample = new Array<G>(groups.length);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < groups.length; i++) sample[i] = groups[Math.floor(rng.nextDouble() * groups.length)];
    const s = stat(sample);
    if (s !== null) draws.push(s);
  }
  return { value, ...percentiles(draws) };
}

/** Wilson score interval (95 %) of k successes in n. */
export function wilson(k: number, n: number): { lower: number | null; upper: number | null } {
  if (n === 0) return { lower: null, upper: null };
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Exact two-sided binomial test of k in n against p = 1/2 (sum of outcomes no likelier than k). */
export function binomialTestHalf(k: number, n: number): number | null {
  if (n === 0) return null;
  const logPmf: number[] = [];
  let lp = -n * Math.LN2;
  for (let i = 0; i <= n; i++) {
    logPmf.push(lp);
    lp += Math.log((n - i) / (i + 1));
  }
  const at = logPmf[k];
  let p = 0;
  for (const x of logPmf) if (x <= at + 1e-9) p += Math.exp(x);
  return Math.min(1, p);
}

// --- from judgments ----------------------------------------------------------------------

/** The unit of a judgment, and the annotator's value on it. */
export function unitOf(j: Pick<PairJudgment, 'item' | 'modelA' | 'modelB' | 'winner'>): { unit: string; pair: [string, string]; label: AgreementLabel } {
  const first = j.modelA < j.modelB ? j.modelA : j.modelB;
  const second = first === j.modelA ? j.modelB : j.modelA;
  let label: AgreementLabel = 'tie';
  if (j.winner === 'model_a') label = j.modelA === first ? 'first' : 'second';
  else if (j.winner === 'model_b') label = j.modelB === first ? 'first' : 'second';
  return { unit: JSON.stringify([j.item, first, second]), pair: [first, second], label };
}

export interface AgreementUnit {
  item: string;
  pair: [string, string];
  /** annotator → value */
  values: Map<string, AgreementLabel>;
}

export interface UnitTable {
  units: AgreementUnit[];
  /** Second and later judgments of one annotator on one unit, left out. */
  duplicates: number;
}

/** Judgments grouped into units, in first-seen order; each annotator's first judgment of a unit counts. */
export function unitTable(judgments: readonly PairJudgment[]): UnitTable {
  const order = judgments.map((j, i) => ({ j, i }));
  order.sort((x, y) => (x.j.tstamp ?? 0) - (y.j.tstamp ?? 0) || x.i - y.i);
  const byKey = new Map<string, AgreementUnit>();
  let duplicates = 0;
  for (const { j } of order) {
    const { unit, pair, label } = unitOf(j);
    let u = byKey.get(unit);
    if (!u) byKey.set(unit, (u = { item: j.item, pair, values: new Map() }));
    if (u.values.has(j.annotator)) duplicates++;
    else u.values.set(j.annotator, label);
  }
  return { units: [...byKey.values()], duplicates };
}

export interface PairAgreement {
  annotators: [string, string];
  units: number;
  observed: number;
  kappa: Interval;
}

export interface AnnotatorQuality {
  annotator: string;
  judgments: number;
  /** Units with a plurality among the others, and the share where this annotator matched it. */
  majorityUnits: number;
  majorityAgreement: number | null;
  /** Share of decided judgments won by the left side. */
  leftShare: number | null;
  decided: number;
  ties: number;
  medianReadMs: number | null;
}

export interface AgreementReport {
  labels: readonly string[];
  annotators: number;
  units: number;
  /** Units with at least two annotators (the ones agreement is computed on). */
  multiplyJudged: number;
  duplicatesIgnored: number;
  krippendorffAlpha: Interval;
  fleissKappa: Interval;
  /** Share of agreeing pairs of values within units (raw agreement). */
  pairwiseAgreement: number | null;
  cohen: PairAgreement[];
  /** Mean over annotators of their agreement with the majority. */
  majorityAgreement: number | null;
  positionBias: { decided: number; left: number; leftShare: number | null; lower: number | null; upper: number | null; pValue: number | null; ties: number };
  annotatorsQuality: AnnotatorQuality[];
  bootstrap: { rounds: number; seed: number };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

export function rawAgreement(units: readonly (readonly string[])[]): number | null {
  let agree = 0;
  let pairs = 0;
  for (const u of units) {
    for (let i = 0; i < u.length; i++)
      for (let j = i + 1; j < u.length; j++) {
        pairs++;
        if (u[i] === u[j]) agree++;
      }
  }
  return pairs ? agree / pairs : null;
}

/** Every agreement statistic of a set of judgments. */
export function agreementReport(judgments: readonly PairJudgment[], opts: { rounds?: number; seed?: number } = {}): AgreementReport {
  const rounds = opts.rounds ?? 1000;
  const seed = opts.seed ?? 42;
  const { units, duplicates } = unitTable(judgments);
  const multi = units.filter((u) => u.values.size >= 2);
  const byItem = new Map<string, string[][]>();
  for (const u of multi) {
    const list = byItem.get(u.item) ?? [];
    list.push([...u.values.values()]);
    byItem.set(u.item, list);
  }
  const clusters = [...byItem.values()];
  const flat = (sample: readonly string[][][]) => sample.flat();
  const alpha = bootstrapInterval(clusters, (s) => krippendorffAlpha(flat(s)), rounds, seed);
  const fleiss = bootstrapInterval(clusters, (s) => fleissKappa(flat(s)), rounds, seed + 1);

  const annotators = [...new Set(judgments.map((j) => j.annotator))].sort();
  const cohen: PairAgreement[] = [];
  const perAnnotatorUnits = new Map<string, AgreementUnit[]>();
  for (const u of units) for (const a of u.values.keys()) (perAnnotatorUnits.get(a) ?? perAnnotatorUnits.set(a, []).get(a)!).push(u);
  for (let i = 0; i < annotators.length; i++) {
    for (let k = i + 1; k < annotators.length; k++) {
      const x = annotators[i];
      const y = annotators[k];
      const pairs: [string, string][] = [];
      for (const u of perAnnotatorUnits.get(x) ?? []) {
        const vy = u.values.get(y);
        if (vy !== undefined) pairs.push([u.values.get(x)!, vy]);
      }
      if (pairs.length < 2) continue;
      const { observed } = cohenKappa(pairs);
      cohen.push({
        annotators: [x, y],
        units: pairs.length,
        observed,
        kappa: bootstrapInterval(pairs, (s) => cohenKappa(s).kappa, rounds, seed + 2),
      });
    }
  }

  const quality: AnnotatorQuality[] = annotators.map((a) => {
    let majorityUnits = 0;
    let matches = 0;
    for (const u of perAnnotatorUnits.get(a) ?? []) {
      const counts = new Map<string, number>();
      for (const [other, v] of u.values) if (other !== a) counts.set(v, (counts.get(v) ?? 0) + 1);
      const sorted = [...counts.entries()].sort((p, q) => q[1] - p[1]);
      if (sorted.length === 0 || (sorted.length > 1 && sorted[0][1] === sorted[1][1])) continue;
      majorityUnits++;
      if (sorted[0][0] === u.values.get(a)) matches++;
    }
    const own = judgments.filter((j) => j.annotator === a);
    const left = own.filter((j) => j.winner === 'model_a').length;
    const decided = left + own.filter((j) => j.winner === 'model_b').length;
    return {
      annotator: a,
      judgments: own.length,
      majorityUnits,
      majorityAgreement: majorityUnits ? matches / majorityUnits : null,
      leftShare: decided ? left / decided : null,
      decided,
      ties: own.length - decided,
      medianReadMs: median(own.map((j) => j.readMs).filter((x): x is number => typeof x === 'number')),
    };
  });
  const withMajority = quality.filter((q) => q.majorityAgreement !== null);

  const left = judgments.filter((j) => j.winner === 'model_a').length;
  const decided = left + judgments.filter((j) => j.winner === 'model_b').length;
  return {
    labels: AGREEMENT_LABELS,
    annotators: annotators.length,
    units: units.length,
    multiplyJudged: multi.length,
    duplicatesIgnored: duplicates,
    krippendorffAlpha: alpha,
    fleissKappa: fleiss,
    pairwiseAgreement: rawAgreement(multi.map((u) => [...u.values.values()])),
    cohen,
    majorityAgreement: withMajority.length ? withMajority.reduce((s, q) => s + q.majorityAgreement!, 0) / withMajority.length : null,
    positionBias: {
      decided,
      left,
      leftShare: decided ? left / decided : null,
      ...wilson(left, decided),
      pValue: binomialTestHalf(left, decided),
      ties: judgments.length - decided,
    },
    annotatorsQuality: quality,
    bootstrap: { rounds, seed },
  };
}
