import { latestVoteId } from '../../db/queries/leaderboard';
import { ratingsInputStamp, readFullPassMark, sameStamp } from '../../db/queries/ratings-input';
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
  | {
      kind: 'ready';
      board: StoredBoard;
      /** The same category without style control (for rank changes). */
      baseline: StoredBoard | null;
      /** The board does not count every vote in the store yet (a pass is on its way). */
      stale: boolean;
      freshness: BoardFreshness;
    };

/**
 * How current a board is. Plain boards are fitted from counts kept as votes arrive, within a
 * second or two of a vote; what needs every battle (style control, the rating history, the trust
 * pass, the exclusion counts) comes from the slower full pass and may lag behind.
 */
export interface BoardFreshness {
  /** The newest vote in the store. */
  latestVoteId: number;
  /** What this board counts: every vote up to this id. */
  throughVoteId: number;
  /** Which pass stored it ('counts' or 'full'). */
  pass: 'counts' | 'full';
  /** The style-controlled board of this category: as of when, through which vote, and whether it lags behind the plain board. */
  styleControl: { asOf: number; throughVoteId: number; lagging: boolean } | null;
  /** The last full pass (style control, rating history, trust scores, exclusion counts). */
  fullPass: { asOf: number; throughVoteId: number; lagging: boolean } | null;
}

const inputOf = (p: { upToVoteId: number; inputVersion?: number }) => ({ voteId: p.upToVoteId, version: p.inputVersion ?? 0 });

export async function loadBoard({
  category,
  styleControl,
  waitMs = 0,
}: {
  category: string;
  styleControl: boolean;
  /** When nothing is stored yet, wait up to this long for the first boards (a style-controlled one: for the full pass's). */
  waitMs?: number;
}): Promise<BoardState> {
  const refresher = ratingsRefresher();
  const voteId = await latestVoteId();
  if (voteId === 0) return { kind: 'empty' };
  const readOverall = () => readBoard({ category: 'overall', styleControl: false });
  // Style-controlled boards come from the full pass only: until its first one, there are none.
  const styleStored = async () => !styleControl || (await readBoard({ category: 'overall', styleControl: true })) !== null;
  let overall = await readOverall();
  // The plain boards are out with the first counts pass; the full pass that follows is waited
  // for only by a request for a style-controlled board.
  if ((!overall || !(await styleStored())) && waitMs > 0) {
    await refresher.until(async () => (overall = await readOverall()) !== null && (await styleStored()), waitMs);
  }
  if (!overall) {
    const s = refresher.status();
    // Votes exist but none counts (all excluded): the pass ran and stored nothing.
    if (!s.running && s.current) return { kind: 'no-battles', overall: null };
    return { kind: 'computing' };
  }
  const board = category === 'overall' && !styleControl ? overall : await readBoard({ category, styleControl });
  // No full pass has stored its boards yet (just after a start): style control is on its way.
  if (!board && styleControl && (await readFullPassMark()) === null) return { kind: 'computing' };
  // A style-controlled board is measured against the overall style-controlled board (both come from the full pass).
  const reference = styleControl ? await readBoard({ category: 'overall', styleControl: true }) : overall;
  if (!board || !reference || isRetired(board.params, reference.params)) return { kind: 'no-battles', overall };
  const plain = styleControl ? await readBoard({ category, styleControl: false }) : board;
  const baseline = styleControl ? plain : null;
  const styled = styleControl ? board : await readBoard({ category, styleControl: true });
  // A fresh read: a vote may have landed since the refresher last looked.
  const stamp = await ratingsInputStamp();
  const mark = await readFullPassMark();
  const plainInput = plain ? inputOf(plain.params) : stamp;
  const behind = (p: { upToVoteId: number; inputVersion?: number }) => {
    const x = inputOf(p);
    return x.version < plainInput.version || (x.version === plainInput.version && x.voteId < plainInput.voteId);
  };
  const freshness: BoardFreshness = {
    latestVoteId: stamp.voteId,
    throughVoteId: board.params.upToVoteId,
    pass: board.params.pass ?? 'full',
    styleControl: styled && !isRetired(styled.params, reference.params) ? { asOf: styled.computedAt, throughVoteId: styled.params.upToVoteId, lagging: behind(styled.params) } : null,
    fullPass: mark ? { asOf: mark.finishedAt, throughVoteId: mark.voteId, lagging: behind({ upToVoteId: mark.voteId, inputVersion: mark.version }) } : null,
  };
  const stale = !sameStamp(inputOf(board.params), stamp);
  return { kind: 'ready', board, baseline, stale, freshness };
}
