import type { BoardResult } from './board-types';

/**
 * What the leaderboard's charts are drawn from, computed in the browser from rows and pair
 * tallies it already has: no rating engine here (this module is bundled for the page).
 */

export interface RowFilters {
  minVotes?: number;
  includeDeprecated?: boolean;
  search?: string;
}

/** Whether a row passes the page's filters (the table, its charts and the API's downloads alike). */
export function rowMatches(r: { votes: number; deprecated: boolean; model: string; name: string; organization: string }, f: RowFilters): boolean {
  const q = f.search?.trim().toLowerCase();
  return (
    r.votes >= (f.minVotes ?? 0) &&
    (f.includeDeprecated || !r.deprecated) &&
    (!q || r.model.toLowerCase().includes(q) || r.name.toLowerCase().includes(q) || r.organization.toLowerCase().includes(q))
  );
}

export interface Heatmap {
  models: string[];
  /** winFraction[i][j]: share of non-tied battles between i and j that i won (null: none). */
  winFraction: (number | null)[][];
  /** battles[i][j]: battles between i and j, ties included. */
  battles: number[][];
}

/** Both heatmaps for the given models (in that order), from the board's pair tallies. */
export function heatmaps(board: Pick<BoardResult, 'pairs'>, models: string[]): Heatmap | null {
  if (!board.pairs) return null;
  const pos = new Map(models.map((m, k) => [m, k]));
  const n = models.length;
  const wins = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const battles = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const names = board.pairs.models;
  for (const [i, j, wi, wj, t, tb] of board.pairs.rows) {
    const a = pos.get(names[i]);
    const b = pos.get(names[j]);
    if (a === undefined || b === undefined) continue;
    wins[a][b] += wi;
    wins[b][a] += wj;
    battles[a][b] += wi + wj + t + tb;
    battles[b][a] += wi + wj + t + tb;
  }
  const winFraction = wins.map((row, a) =>
    row.map((w, b) => {
      const decided = w + wins[b][a];
      return a === b || decided === 0 ? null : w / decided;
    }),
  );
  return { models, winFraction, battles };
}

/**
 * Each model's predicted win rate against every other model on the board, averaged as if
 * opponents were drawn uniformly and ties did not happen (Chatbot Arena's chart of the same name).
 */
export function averageWinRates(models: { model: string; rating: number }[]): { model: string; winRate: number }[] {
  if (models.length < 2) return [];
  return models
    .map((m) => {
      let sum = 0;
      for (const o of models) if (o !== m) sum += 1 / (1 + 10 ** ((o.rating - m.rating) / 400));
      return { model: m.model, winRate: sum / (models.length - 1) };
    })
    .sort((x, y) => y.winRate - x.winRate);
}

