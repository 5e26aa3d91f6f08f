import { createHash } from 'node:crypto';
import type { Db } from '../../db/index';
import { latestSnapshotHead, saveSnapshots, type NewSnapshot } from '../../db/queries/leaderboard';
import { iterateCountedVotes, loadIdentities, loadPairCountState, readCursorText, savePairCountState } from '../../db/queries/pair-counts';
import { ratingsInputStampSync, type RatingsInputStamp } from '../../db/queries/ratings-input';
import { DEFAULT_INFLUENCE_CAPS, type InfluenceCaps } from '../integrity/influence';
import type { SnapshotParams } from './board-types';
import { fitBoard, pairTallies, selectCategories } from './compute-snapshots';
import { PairCountState, type CountedVote } from './pair-counts';

/**
 * The fast pass: fold the votes newer than the counts' cursor into the stored counts
 * (lib/leaderboard/pair-counts.ts), then fit every plain board from the counts and store it. It
 * reads only the new votes and O(pairs) counts, so a vote reaches the board in about a second
 * even on millions of votes. Style-controlled boards, the rating history and the trust pass need
 * the battles themselves and stay with the full pass (compute-snapshots.ts), which lags behind.
 */

export interface FoldSummary {
  /** The counts were started again from nothing (a change to counted votes or to the caps). */
  rebuilt: boolean;
  /** Counted votes folded in. */
  folded: number;
  /** What the counts now hold. */
  input: RatingsInputStamp;
  ms: number;
}

/**
 * Brings the stored counts up to the store's newest vote. Reads in one transaction (counts and
 * votes seen at one instant), writes in another that checks that nobody folded in between; if
 * someone did, it starts again from what they wrote.
 */
export function foldPairCounts({ db, caps = DEFAULT_INFLUENCE_CAPS }: { db: Db; caps?: InfluenceCaps }): { state: PairCountState; summary: FoldSummary } {
  const client = db.$client;
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    const read = client.transaction(() => {
      const stamp = ratingsInputStampSync(client);
      const cursorText = readCursorText(client);
      let state = loadPairCountState(client, { version: stamp.version, caps });
      let folded = 0;
      const through = state?.cursor.voteId ?? 0;
      if (state && through < stamp.voteId) {
        const votes: CountedVote[] = [];
        for (const batch of iterateCountedVotes({ db, afterVoteId: through, upToVoteId: stamp.voteId })) votes.push(...batch);
        loadIdentities(client, state, PairCountState.identitiesOf(votes));
        // A vote older than the newest folded one (an import of past battles): start again.
        if (state.fold(votes, stamp.voteId)) folded = votes.length;
        else state = null;
      }
      if (!state) {
        state = PairCountState.rebuild(stamp.version, caps);
        for (const batch of iterateCountedVotes({ db, afterVoteId: 0, upToVoteId: stamp.voteId })) {
          if (!state.fold(batch, stamp.voteId)) throw new Error('counted votes did not come in vote-time order');
          folded += batch.length;
        }
        state.cursor.voteId = stamp.voteId;
      }
      return { state, cursorText, folded, changed: state.rebuilt || state.cursor.voteId !== through };
    });
    const { state, cursorText, folded, changed } = read();
    if (!changed || savePairCountState(client, state, cursorText) || attempt >= 3) {
      return { state, summary: { rebuilt: state.rebuilt, folded, input: { voteId: state.cursor.voteId, version: state.cursor.version }, ms: performance.now() - started } };
    }
  }
}

export interface CountBoardsSummary {
  fold: FoldSummary;
  input: RatingsInputStamp;
  boards: { category: string; battles: number; snapshotId: number; created: boolean }[];
  fitMs: number;
  ms: number;
}

/** Hash of a board's counts: the same counts and Elo give the same hash (an unchanged board is not stored again). */
function countsHash(state: PairCountState, category: string, pairs: ReturnType<typeof pairTallies>): string {
  const elo = [...(state.models.get(category) ?? [])].map(([m, s]) => [m, s.elo]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  return createHash('sha256')
    .update(JSON.stringify({ pairs, elo, untimed: state.cursor.untimed[category] ?? 0 }))
    .digest('hex');
}

/** Battles with style features per board, as the last full pass counted them (the counts do not see answers). */
async function styleBattlesOf(db: Db, category: string): Promise<number> {
  const head = await latestSnapshotHead({ db, category, styleControl: true }) ?? (await latestSnapshotHead({ db, category, styleControl: false }));
  if (!head) return 0;
  try {
    return (JSON.parse(head.params) as SnapshotParams).styleBattles ?? 0;
  } catch {
    return 0;
  }
}

/** The fast pass: fold, then fit and store every plain board from the counts. */
export async function computeBoardsFromCounts({
  db,
  influence = DEFAULT_INFLUENCE_CAPS,
  onBoard,
  now = Date.now,
}: {
  db: Db;
  influence?: InfluenceCaps;
  onBoard?: (board: CountBoardsSummary['boards'][number]) => void;
  now?: () => number;
}): Promise<CountBoardsSummary> {
  const started = performance.now();
  const { state, summary: fold } = foldPairCounts({ db, caps: influence });
  const input = fold.input;
  const fitStarted = performance.now();
  const firstVotes = state.firstVotes();
  const createdAt = now();
  const snapshots: NewSnapshot[] = [];
  for (const category of selectCategories(state.battlesByCategory())) {
    const agg = state.aggregator(category);
    snapshots.push(
      fitBoard({
        category,
        agg,
        styleControl: false,
        untimed: state.cursor.untimed[category] ?? 0,
        styleBattles: await styleBattlesOf(db, category),
        dataHash: countsHash(state, category, pairTallies(agg)),
        firstVotes,
        influence,
        input,
        pass: 'counts',
        createdAt,
      }),
    );
  }
  const saved = await saveSnapshots({ db, snapshots });
  const boards = snapshots.map((s, i) => ({ category: s.category, battles: s.battleCount, snapshotId: saved[i].id, created: saved[i].created }));
  for (const b of boards) onBoard?.(b);
  return { fold, input, boards, fitMs: performance.now() - fitStarted, ms: performance.now() - started };
}
