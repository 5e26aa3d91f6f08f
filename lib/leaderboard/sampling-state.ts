import type { SamplingState } from '../battle/sampling';
import { pairKey } from '../battle/sampling';
import type { BoardResult } from './board-types';
import { readBoard } from './read-board';

/**
 * What active sampling knows about the arena: the stored overall board's ratings, vote counts,
 * battles per pair and dispersion. Built once per snapshot and kept (per process: each process
 * builds its own from the shared store), so pairing a battle costs one indexed lookup.
 */

let cached: { key: string; state: SamplingState } | null = null;

/** The sampling state of a board result. */
export function samplingStateOf(board: Pick<BoardResult, 'models' | 'pairs' | 'diagnostics'>): SamplingState {
  const models = new Map(board.models.map((m) => [m.model, { rating: m.rating, votes: m.votes }]));
  const pairBattles = new Map<string, number>();
  if (board.pairs) {
    const names = board.pairs.models;
    for (const [i, j, wi, wj, t, tb] of board.pairs.rows) {
      const key = pairKey(names[i], names[j]);
      pairBattles.set(key, (pairBattles.get(key) ?? 0) + wi + wj + t + tb);
    }
  }
  return { models, pairBattles, dispersion: board.diagnostics?.dispersion?.phi ?? 1 };
}

/** The state from the newest overall board and a key naming it; an empty state before the first board. */
export async function boardSamplingState(): Promise<{ key: string; state: SamplingState }> {
  const board = await readBoard({ category: 'overall', styleControl: false });
  const key = board ? `snapshot:${board.snapshotId}` : 'empty';
  if (cached?.key === key) return cached;
  cached = { key, state: board ? samplingStateOf(board.result) : { models: new Map(), pairBattles: new Map() } };
  return cached;
}
