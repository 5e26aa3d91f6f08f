import type { AggregateSnapshot } from './aggregator';

/**
 * Battles collapsed to unordered model pairs i < j with three outcome counts. This loses
 * nothing the Bradley-Terry likelihood (which has no side advantage) can see: merging the
 * (a, b, outcome) triples of a pair into (i won, j won, tie) keeps the likelihood, the sandwich
 * matrices and — because merged multinomial cells are again multinomial — the distribution of
 * the bootstrap resamples exactly.
 */
export interface PairTable {
  /** Number of models (indices 0..m-1). */
  m: number;
  size: number;
  i: Int32Array;
  j: Int32Array;
  winI: Float64Array;
  winJ: Float64Array;
  /** `tie` and `tie (bothbad)` together: both score half a win for each side. */
  ties: Float64Array;
  /** Per-pair weight: 1, or 1 / max(pair count, 50) normalised to mean 1 per battle. */
  weight: Float64Array;
  /** Total battles (unweighted). */
  battles: number;
}

/**
 * Builds the pair table over the models listed in `keep` (aggregator model ids, in output
 * order). Battles with a model outside `keep` are ignored.
 */
export function buildPairTable(snap: AggregateSnapshot, keep: readonly number[], reweight: boolean): PairTable {
  const m = keep.length;
  const local = new Int32Array(snap.models.length).fill(-1);
  keep.forEach((id, k) => (local[id] = k));
  const slotOf = new Map<number, number>();
  const iArr: number[] = [];
  const jArr: number[] = [];
  const wi: number[] = [];
  const wj: number[] = [];
  const tt: number[] = [];
  let battles = 0;
  for (let s = 0; s < snap.pairCount; s++) {
    let a = local[snap.pairA[s]];
    let b = local[snap.pairB[s]];
    if (a < 0 || b < 0) continue;
    let winA = snap.counts[4 * s];
    let winB = snap.counts[4 * s + 1];
    const ties = snap.counts[4 * s + 2] + snap.counts[4 * s + 3];
    if (a > b) {
      const t = a;
      a = b;
      b = t;
      const w = winA;
      winA = winB;
      winB = w;
    }
    const key = a * m + b;
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = iArr.length;
      slotOf.set(key, slot);
      iArr.push(a);
      jArr.push(b);
      wi.push(0);
      wj.push(0);
      tt.push(0);
    }
    wi[slot] += winA;
    wj[slot] += winB;
    tt[slot] += ties;
    battles += winA + winB + ties;
  }
  // Canonical (i, j) order: the same battles give the same table (and the same bootstrap draws)
  // whatever order they arrived in.
  const order = iArr.map((_, k) => k).sort((x, y) => iArr[x] - iArr[y] || jArr[x] - jArr[y]);
  const perm = <T>(arr: T[]) => order.map((k) => arr[k]);
  const size = iArr.length;
  const weight = new Float64Array(size).fill(1);
  if (reweight && size > 0) {
    let total = 0;
    for (let p = 0; p < size; p++) {
      const n = wi[order[p]] + wj[order[p]] + tt[order[p]];
      weight[p] = 1 / Math.max(n, 50);
      total += weight[p] * n;
    }
    // Normalised so that the weights average 1 per battle (as LMArena's reweighted datasets).
    const scale = battles / total;
    for (let p = 0; p < size; p++) weight[p] *= scale;
  }
  return {
    m,
    size,
    i: Int32Array.from(perm(iArr)),
    j: Int32Array.from(perm(jArr)),
    winI: Float64Array.from(perm(wi)),
    winJ: Float64Array.from(perm(wj)),
    ties: Float64Array.from(perm(tt)),
    weight,
    battles,
  };
}
