import type { BattleAggregator } from './aggregator';
import type { OutcomeCode } from './types';

function grow<T extends Float64Array | Int32Array | Uint8Array>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  const next = new (arr.constructor as { new (n: number): T })(Math.max(need, arr.length * 2));
  next.set(arr);
  return next;
}

/**
 * Battles buffered in compact columns so that they can reach a BattleAggregator in time order
 * (online Elo depends on it) even when the input is not sorted. Model ids are the aggregator's.
 */
export class BattleLog {
  private n = 0;
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private outcome = new Uint8Array(1024);
  private tstamp = new Float64Array(1024);
  private style: Float64Array | null = null;
  private hasStyle: Uint8Array | null = null;
  /** Per-battle weights, once one battle has a weight other than 1 (null: all 1). */
  private weight: Float64Array | null = null;
  private weightSum = 0;
  private allTimed = true;
  private sorted = true;
  private last = -Infinity;

  get size(): number {
    return this.n;
  }

  /**
   * tstamp NaN = unknown; diff = the battle's four style covariates or null; weight = what the
   * battle counts for in the fit (see `feed`), a positive finite number.
   */
  add(a: number, b: number, outcome: OutcomeCode, tstamp: number, diff: Float64Array | null = null, weight = 1): void {
    const k = this.n++;
    if (k >= this.a.length) {
      this.a = grow(this.a, k + 1);
      this.b = grow(this.b, k + 1);
      this.outcome = grow(this.outcome, k + 1);
      this.tstamp = grow(this.tstamp, k + 1);
    }
    this.a[k] = a;
    this.b[k] = b;
    this.outcome[k] = outcome;
    this.tstamp[k] = tstamp;
    this.weightSum += weight;
    if (weight !== 1 && !this.weight) this.weight = new Float64Array(this.a.length).fill(1);
    if (this.weight) {
      if (k >= this.weight.length) {
        const start = this.weight.length;
        this.weight = grow(this.weight, this.a.length);
        this.weight.fill(1, start);
      }
      this.weight[k] = weight;
    }
    if (Number.isNaN(tstamp)) this.allTimed = false;
    else {
      if (tstamp < this.last) this.sorted = false;
      this.last = tstamp;
    }
    if (diff) {
      if (!this.style || !this.hasStyle) {
        this.style = new Float64Array(4 * this.a.length);
        this.hasStyle = new Uint8Array(this.a.length);
      }
      if (k >= this.hasStyle.length) {
        this.style = grow(this.style, 4 * this.a.length);
        this.hasStyle = grow(this.hasStyle, this.a.length);
      }
      this.style.set(diff.subarray(0, 4), 4 * k);
      this.hasStyle[k] = 1;
    }
  }

  /**
   * Feeds every battle to `agg`: by tstamp (stable) when every battle has one, otherwise in the
   * order added. Weights are scaled to average 1 per battle, so that the fit's counts, and with
   * them its intervals, stay those of as many battles as there are. Returns which order was used.
   */
  feed(agg: BattleAggregator): 'time' | 'input' {
    const n = this.n;
    let order: Uint32Array | null = null;
    if (this.allTimed && !this.sorted) {
      const t = this.tstamp;
      order = new Uint32Array(n);
      for (let k = 0; k < n; k++) order[k] = k;
      order.sort((x, y) => t[x] - t[y] || x - y);
    }
    const diff = new Float64Array(4);
    const weight = this.weight;
    const scale = weight ? n / this.weightSum : 1;
    for (let r = 0; r < n; r++) {
      const k = order ? order[r] : r;
      let d: Float64Array | null = null;
      if (this.hasStyle && k < this.hasStyle.length && this.hasStyle[k]) {
        diff.set(this.style!.subarray(4 * k, 4 * k + 4));
        d = diff;
      }
      agg.addIds(this.a[k], this.b[k], this.outcome[k] as OutcomeCode, d, weight ? weight[k] * scale : 1);
    }
    return this.allTimed ? 'time' : 'input';
  }
}
