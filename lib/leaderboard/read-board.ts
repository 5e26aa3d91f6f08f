import {
  latestSnapshotHead,
  latestSnapshotSummaries,
  snapshotById,
  snapshotHistory,
  type SnapshotSummary,
} from '../../db/queries/leaderboard';
import { getDb, type Db } from '../../db/index';
import type { BoardResult, SnapshotParams } from './board-types';

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
  db?: Db;
  category: string;
  styleControl: boolean;
}): Promise<StoredBoard | null> {
  const head = await latestSnapshotHead({ db, category, styleControl });
  if (head === null) return null;
  const id = head.id;
  // Keyed by database file too: tests and scripts may read several stores in one process.
  const key = `${(db ?? getDb()).$client.name}#${id}`;
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
 * with one data cut-off, so a board with an older cut-off than the overall board was left out of
 * that pass (its language or tag is no longer among the most voted) and its numbers are stale.
 */
export function isRetired(board: Pick<SnapshotParams, 'upToVoteId'>, overall: Pick<SnapshotParams, 'upToVoteId'>): boolean {
  return board.upToVoteId < overall.upToVoteId;
}

/** The newest board of each category with the number of battles it counts; retired boards are left out. */
export async function listBoards({ db }: { db?: Db } = {}): Promise<SnapshotSummary[]> {
  const all = await latestSnapshotSummaries({ db });
  const cutOff = (s: SnapshotSummary) => (JSON.parse(s.params) as SnapshotParams).upToVoteId;
  const overall = all.find((s) => s.category === 'overall' && !s.styleControl);
  if (!overall) return all;
  return all.filter((s) => !isRetired({ upToVoteId: cutOff(s) }, { upToVoteId: cutOff(overall) }));
}

export interface RatingHistoryPoint {
  at: number;
  battles: number;
  ratings: Record<string, { rating: number; lower: number; upper: number; rank: number }>;
}

/** Ratings of a board over time, from its stored snapshots (oldest first). */
export async function readRatingHistory({
  db,
  category,
  styleControl,
  models,
  limit,
}: {
  db?: Db;
  category: string;
  styleControl: boolean;
  /** Only these models (all when omitted). */
  models?: string[];
  limit?: number;
}): Promise<RatingHistoryPoint[]> {
  const wanted = models ? new Set(models) : null;
  const points = await snapshotHistory({ db, category, styleControl, limit });
  return points.map((p) => {
    const ratings: RatingHistoryPoint['ratings'] = {};
    const list = JSON.parse(p.models ?? '[]') as BoardResult['models'];
    for (const m of list) {
      if (wanted && !wanted.has(m.model)) continue;
      ratings[m.model] = { rating: m.rating, lower: m.lower, upper: m.upper, rank: m.rank };
    }
    return { at: p.createdAt, battles: p.battleCount, ratings };
  });
}
