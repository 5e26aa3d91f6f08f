import { computeRatings, type AggregateSnapshot, type BattleAggregator, type RatingOptions } from '../rating';

/**
 * Rating history by vote time: the board as of the end of each UTC day, fitted from the battles
 * voted up to that day with the board's own method, so that an import of a year of votes gives a
 * year of history (the stored snapshots only say when ratings were computed).
 *
 * Bounded work. At most about HISTORY_MAX_POINTS days get a point: every day while the votes
 * span fewer days, else every 2nd, 4th, 8th … day (a power of two, counted from the Unix epoch,
 * so that the chosen days stay the same as the range grows and a doubled stride keeps every
 * other point), plus the first and the last day. A point is refitted only when the battles up to
 * its day changed: each point keeps a hash of that prefix of the vote stream (vote id, models,
 * outcome of every battle in order), and a pass reuses every point whose hash it meets again.
 * New votes today therefore cost one fit per pass; an exclusion of an old vote refits the days
 * after it. The fits run in the rating pass's worker thread after the boards are stored (see
 * rating-worker.ts), never on a request.
 */

export const DAY_MS = 86_400_000;
export const HISTORY_MAX_POINTS = 200;
/** Bump when the stored form or the fit changes: older histories are then refitted. */
const HISTORY_VERSION = 1;
/** Numbers per model in a point's `rows`. */
export const HISTORY_ROW = 8;

export interface StoredHistory {
  version: number;
  /** The fit options the points were computed with (a change refits everything). */
  options: string;
  /** Days between points. */
  stride: number;
  /** Model names; rows refer to them by index. */
  models: string[];
  points: HistoryPoint[];
}

export interface HistoryPoint {
  /** UTC day number (unix ms / DAY_MS): the board at the end of this day. */
  day: number;
  /** Battles up to the end of the day. */
  battles: number;
  /** sha256 of the vote stream up to the end of the day (what decides whether the point is still right). */
  hash: string;
  /**
   * Per model on the board that day, HISTORY_ROW numbers: model index, rating, lower, upper
   * (0.1 Elo points), rank, votes, component, provisional (1) or not (0).
   */
  rows: number[];
}

export interface HistorySummary {
  points: number;
  fitted: number;
  reused: number;
  ms: number;
}

/** The smallest power-of-two stride that keeps the days from first to last within the point budget. */
export function historyStride(firstDay: number, lastDay: number, maxPoints = HISTORY_MAX_POINTS): number {
  const days = Math.max(1, lastDay - firstDay + 1);
  let stride = 1;
  while (Math.ceil(days / stride) + 1 > maxPoints) stride *= 2;
  return stride;
}

/** Whether a day gets a point. */
export function isHistoryDay(day: number, stride: number, firstDay: number, lastDay: number): boolean {
  return day === firstDay || day === lastDay || day % stride === 0;
}

/**
 * A copy of an aggregator's counts at one moment, fitted later. computeRatings reads nothing
 * but `snapshot()` when asked for no matrices, which is all this provides.
 */
class FrozenAggregate {
  private readonly snap: AggregateSnapshot;

  constructor(s: AggregateSnapshot) {
    const m = s.models.length;
    this.snap = {
      models: s.models.slice(),
      battles: s.battles,
      skipped: s.skipped,
      pairCount: s.pairCount,
      pairA: s.pairA.slice(0, s.pairCount),
      pairB: s.pairB.slice(0, s.pairCount),
      counts: s.counts.slice(0, 4 * s.pairCount),
      elo: s.elo.slice(0, m),
      wins: s.wins.slice(0, m),
      losses: s.losses.slice(0, m),
      ties: s.ties.slice(0, m),
      votes: s.votes.slice(0, m),
      style: null,
    };
  }

  snapshot(): AggregateSnapshot {
    return this.snap;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

interface PendingPoint {
  day: number;
  battles: number;
  hash: string;
}

/**
 * Collects the history of one board while the rating pass streams its battles: call `advance`
 * with each battle's vote time before adding it, `finish` after the last; then `complete` fits
 * the days that need it.
 */
export class HistoryCollector {
  private readonly stride: number;
  private readonly firstDay: number;
  private readonly lastDay: number;
  private readonly previous = new Map<string, { models: string[]; rows: number[] }>();
  private readonly frozen = new Map<string, FrozenAggregate>();
  private readonly points: PendingPoint[] = [];
  private day: number | null = null;
  readonly options: string;

  constructor(
    range: { first: number; last: number },
    private readonly fitOptions: RatingOptions,
    previous: StoredHistory | null,
  ) {
    this.firstDay = Math.floor(range.first / DAY_MS);
    this.lastDay = Math.floor(range.last / DAY_MS);
    this.stride = historyStride(this.firstDay, this.lastDay);
    this.options = JSON.stringify({ version: HISTORY_VERSION, ...fitOptions });
    if (previous && previous.version === HISTORY_VERSION && previous.options === this.options) {
      for (const p of previous.points) this.previous.set(p.hash, { models: previous.models, rows: p.rows });
    }
  }

  /**
   * Before a battle voted at `voteAt` is added: the days before its day are complete. Vote times
   * arrive in order (the pass streams by vote time).
   */
  advance(voteAt: number, agg: BattleAggregator, prefixHash: () => string): void {
    const day = Math.floor(voteAt / DAY_MS);
    if (this.day === null) {
      this.day = day;
      return;
    }
    if (day <= this.day) return;
    this.close(this.day, day - 1, agg, prefixHash);
    this.day = day;
  }

  /** After the last battle. */
  finish(agg: BattleAggregator, prefixHash: () => string): void {
    if (this.day !== null) this.close(this.day, Math.max(this.day, this.lastDay), agg, prefixHash);
  }

  /** Days `from` to `to` all end with the same battles: those added so far. */
  private close(from: number, to: number, agg: BattleAggregator, prefixHash: () => string): void {
    let hash: string | null = null;
    for (let d = from; d <= to; d++) {
      if (!isHistoryDay(d, this.stride, this.firstDay, this.lastDay)) continue;
      hash ??= prefixHash();
      this.points.push({ day: d, battles: agg.battleCount, hash });
      if (!this.previous.has(hash) && !this.frozen.has(hash)) this.frozen.set(hash, new FrozenAggregate(agg.snapshot()));
    }
  }

  /** Fits the days that changed and assembles the history. */
  complete(now: () => number = Date.now): { history: StoredHistory; summary: HistorySummary } {
    const started = now();
    const models: string[] = [];
    const index = new Map<string, number>();
    const idOf = (name: string) => {
      let k = index.get(name);
      if (k === undefined) {
        k = models.length;
        index.set(name, k);
        models.push(name);
      }
      return k;
    };
    const fittedRows = new Map<string, number[]>();
    for (const [hash, agg] of this.frozen) {
      const r = computeRatings(agg as unknown as BattleAggregator, { ...this.fitOptions, matrices: false });
      const rows: number[] = [];
      for (const m of r.models) {
        rows.push(idOf(m.model), round1(m.rating), round1(m.lower), round1(m.upper), m.rank, m.votes, m.component, m.provisional ? 1 : 0);
      }
      fittedRows.set(hash, rows);
    }
    const reusedRows = new Map<string, number[]>();
    const points: HistoryPoint[] = this.points.map((p) => {
      let rows = fittedRows.get(p.hash) ?? reusedRows.get(p.hash);
      if (!rows) {
        // A point of the stored history: its model indices are re-mapped to this one's.
        const prev = this.previous.get(p.hash)!;
        rows = prev.rows.slice();
        for (let k = 0; k < rows.length; k += HISTORY_ROW) rows[k] = idOf(prev.models[rows[k]]);
        reusedRows.set(p.hash, rows);
      }
      return { day: p.day, battles: p.battles, hash: p.hash, rows };
    });
    return {
      history: { version: HISTORY_VERSION, options: this.options, stride: this.stride, models, points },
      summary: { points: points.length, fitted: this.frozen.size, reused: reusedRows.size, ms: now() - started },
    };
  }
}
