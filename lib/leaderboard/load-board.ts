import { latestVoteId } from '../../db/queries/leaderboard';
import { isRetired, readBoard, type StoredBoard } from './read-board';
import { ratingsRefresher } from './refresher';

/**
 * What the page and the API show for a board, read from stored snapshots only. Reading also
 * makes sure the refresher runs, so a store that changed while nobody looked is brought up to
 * date in the background.
 */
export type BoardState =
  /** No vote has been cast or imported yet. */
  | { kind: 'empty' }
  /** Votes exist but the first rating pass has not finished. */
  | { kind: 'computing' }
  /** The category has no counted battles (or none yet on its stored board). */
  | { kind: 'no-battles'; overall: StoredBoard | null }
  | { kind: 'ready'; board: StoredBoard; /** The same category without style control (for rank changes). */ baseline: StoredBoard | null; stale: boolean };

export async function loadBoard({
  category,
  styleControl,
  waitMs = 0,
}: {
  category: string;
  styleControl: boolean;
  /** When nothing is stored yet, wait up to this long for the running pass. */
  waitMs?: number;
}): Promise<BoardState> {
  const refresher = ratingsRefresher();
  const voteId = await latestVoteId();
  if (voteId === 0) return { kind: 'empty' };
  let overall = await readBoard({ category: 'overall', styleControl: false });
  if (!overall && waitMs > 0) {
    await refresher.settled(waitMs);
    overall = await readBoard({ category: 'overall', styleControl: false });
  }
  if (!overall) {
    const s = refresher.status();
    // Votes exist but none counts (all excluded): the pass ran and stored nothing.
    if (!s.running && s.current) return { kind: 'no-battles', overall: null };
    return { kind: 'computing' };
  }
  const board = category === 'overall' && !styleControl ? overall : await readBoard({ category, styleControl });
  if (!board || isRetired(board.params, overall.params)) return { kind: 'no-battles', overall };
  const baseline = styleControl ? await readBoard({ category, styleControl: false }) : null;
  const s = refresher.status();
  const stale = s.running || !s.current;
  return { kind: 'ready', board, baseline, stale };
}
