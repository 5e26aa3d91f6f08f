import {
  historyHead,
  latestSnapshotHead,
  latestSnapshotSummaries,
  readHistoryRow,
  snapshotById,
  type SnapshotSummary,
} from '../../db/queries/leaderboard';
import { getStore, storeKey, type Store } from '../../db/store';
import type { BoardResult, SnapshotParams } from './board-types';
import { DAY_MS, HISTORY_ROW, type StoredHistory } from './history';

/**
 * Reading stored boards. Snapshots are immutable once written except for their data cut-off, so
 * a parsed copy is reused for as long as its id is still the newest of its board: a request
 * costs one indexed lookup, not a JSON parse of the whole result.
 */

export interface StoredBoard {
  snapshotId: number;
  category: string;
  styleControl: boolean;
  method: string;
  params: SnapshotParams;
  dataHash: string;
  /** Unix ms. */
  computedAt: number;
  result: BoardResult;
}

type CachedBoard = StoredBoard & { paramsText: string };

const CACHE_SIZE = 32;
const g = globalThis as unknown as { __pairwiseBoardCache?: Map<string, CachedBoard> };
const cache = (g.__pairwiseBoardCache ??= new Map());

export async function readBoard({
  db,
  category,
  styleControl,
}: {
  db?: Store;
  category: string;
  styleControl: boolean;
}): Promise<StoredBoard | null> {
  const head = await latestSnapshotHead({ db, category, styleControl });
  if (head === null) return null;
  const id = head.id;
  // Keyed by store too: tests and scripts may read several stores in one process.
  const key = `${storeKey(db ?? getStore())}#${id}`;
  const hit = cache.get(key);
  if (hit) {
    // The ratings of a snapshot never change; its data cut-off (params.upToVoteId) may move on.
    if (hit.paramsText !== head.params) {
      hit.paramsText = head.params;
      hit.params = JSON.parse(head.params) as SnapshotParams;
    }
    return hit;
  }
  const row = await snapshotById({ db, id });
  if (!row) return null;
  const board: CachedBoard = {
    paramsText: row.params,
    snapshotId: row.id,
    category: row.category,
    styleControl: row.styleControl,
    method: row.method,
    params: JSON.parse(row.params) as SnapshotParams,
    dataHash: row.dataHash,
    computedAt: row.createdAt,
    result: JSON.parse(row.result) as BoardResult,
  };
  cache.set(key, board);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return board;
}

/**
 * A board is current when the newest rating pass wrote it: a pass stores all its boards at once
 * with one data cut-off, so a board with an older cut-off than the overall board of the same kind
 * (plain boards: the overall plain board; style-controlled ones, which only the full pass fits:
 * the overall style-controlled board) was left out of that pass (its language or tag is no longer
 * among the most voted) and its numbers are stale.
 */
export function isRetired(board: Pick<SnapshotParams, 'upToVoteId'>, overall: Pick<SnapshotParams, 'upToVoteId'>): boolean {
  return board.upToVoteId < overall.upToVoteId;
}

/** The newest board of each category with the number of battles it counts; retired boards are left out. */
export async function listBoards({ db }: { db?: Store } = {}): Promise<SnapshotSummary[]> {
  const all = await latestSnapshotSummaries({ db });
  const cutOff = (s: SnapshotSummary) => (JSON.parse(s.params) as SnapshotParams).upToVoteId;
  const overall = (styleControl: boolean) => all.find((s) => s.category === 'overall' && s.styleControl === styleControl);
  return all.filter((s) => {
    const ref = overall(s.styleControl);
    return !ref || !isRetired({ upToVoteId: cutOff(s) }, { upToVoteId: cutOff(ref) });
  });
}

export interface RatingHistoryPoint {
  /** Start of the UTC day (unix ms): the board at the end of that day. */
  at: number;
  /** Battles voted up to the end of the day. */
  battles: number;
  ratings: Record<string, { rating: number; lower: number; upper: number; rank: number; votes: number; component: number; provisional: boolean }>;
}

export interface RatingHistory {
  /** Days between points (1 while the votes span at most ~200 days, then 2, 4, …). */
  stride: number;
  points: RatingHistoryPoint[];
}

const historyCache = (g as unknown as { __pairwiseHistoryCache?: Map<string, StoredHistory> }).__pairwiseHistoryCache ??
  ((g as unknown as { __pairwiseHistoryCache: Map<string, StoredHistory> }).__pairwiseHistoryCache = new Map());

/**
 * The board as of each day, by vote time (lib/leaderboard/history.ts; kept for the overall board),
 * for the given models (all when omitted); null when none is stored yet.
 */
export async function readRatingHistory({
  db,
  category = 'overall',
  models,
}: {
  db?: Store;
  category?: string;
  models?: string[];
}): Promise<RatingHistory | null> {
  const head = await historyHead({ db, category });
  if (!head) return null;
  const key = `${storeKey(db ?? getStore())}#${head.id}`;
  let stored = historyCache.get(key);
  if (!stored) {
    const row = await readHistoryRow({ db, category });
    if (!row) return null;
    stored = JSON.parse(row.result) as StoredHistory;
    historyCache.clear();
    historyCache.set(key, stored);
  }
  const wanted = models ? new Set(models) : null;
  const history: StoredHistory = stored;
  const names = history.models;
  const points = history.points.map((p) => {
    const ratings: RatingHistoryPoint['ratings'] = {};
    for (let k = 0; k < p.rows.length; k += HISTORY_ROW) {
      const name = names[p.rows[k]];
      if (wanted && !wanted.has(name)) continue;
      ratings[name] = {
        rating: p.rows[k + 1],
        lower: p.rows[k + 2],
        upper: p.rows[k + 3],
        rank: p.rows[k + 4],
        votes: p.rows[k + 5],
        component: p.rows[k + 6],
        provisional: p.rows[k + 7] === 1,
      };
    }
    return { at: p.day * DAY_MS, battles: p.battles, ratings };
  });
  return { stride: history.stride, points };
}
