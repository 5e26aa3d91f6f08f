import { createHash } from 'node:crypto';
import { latestSnapshotHead, saveSnapshots, type NewSnapshot } from '../../db/queries/leaderboard';
import {
  countsInputStamp,
  countVotesInRange,
  iterateCountedVotes,
  loadIdentities,
  loadPairCountState,
  readCursorText,
  readPairCountCursor,
  savePairCountState,
} from '../../db/queries/pair-counts';
import type { RatingsInputStamp } from '../../db/queries/ratings-input';
import type { Store } from '../../db/store';
import { DEFAULT_INFLUENCE_CAPS, type InfluenceCaps } from '../integrity/influence';
import { DEFAULT_PROVISIONAL_VOTES } from '../rating/compute';
import { METHOD, type SnapshotParams } from './board-types';
import { BOARD_FIT, fitBoard, pairTallies, selectCategories } from './compute-snapshots';
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
  /** The counts were this process's own, kept in memory since it last wrote them (see CountsCache). */
  cached: boolean;
  /** Categories the folded votes fell in (only these boards can have changed). */
  touched: string[];
  ms: number;
}

/**
 * Brings the stored counts up to the store's newest vote. Reads the cursor, the stamp, then the
 * counts and the new votes; writes in one transaction that checks that nobody folded in between
 * (the cursor is still the one read first); if someone did, it starts again from what they wrote.
 * A change to counted votes made while it reads bumps ratings.input's version past the one the
 * counts are stored under, so the next fold rebuilds them.
 */
export async function foldPairCounts({ db, caps = DEFAULT_INFLUENCE_CAPS, cache }: { db: Store; caps?: InfluenceCaps; cache?: CountsCache }): Promise<{ state: PairCountState; summary: FoldSummary }> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    // The cursor first: a fold saved after it is then seen at the save (and this one retried).
    const cursorText = await readCursorText({ db });
    const stamp = await countsInputStamp({ db });
    // The counts this process wrote last are still the stored ones: no need to read them again.
    const cached = Boolean(
      cache?.state && cache.cursorText === cursorText && cache.state.cursor.version === stamp.version && JSON.stringify(cache.state.cursor.caps) === JSON.stringify(caps),
    );
    let state = cached ? cache!.state! : await loadPairCountState({ db, expect: { version: stamp.version, caps } });
    let folded = 0;
    const through = state?.cursor.voteId ?? 0;
    if (state && through < stamp.voteId) {
      const votes: CountedVote[] = [];
      for await (const batch of iterateCountedVotes({ db, afterVoteId: through, upToVoteId: stamp.voteId })) votes.push(...batch);
      await loadIdentities({ db, state, identities: PairCountState.identitiesOf(votes) });
      // A vote older than the newest folded one (an import of past battles): start again.
      if (state.fold(votes, stamp.voteId)) folded = votes.length;
      else state = null;
    }
    if (!state) {
      state = PairCountState.rebuild(stamp.version, caps);
      for await (const batch of iterateCountedVotes({ db, afterVoteId: 0, upToVoteId: stamp.voteId })) {
        if (!state.fold(batch, stamp.voteId)) throw new Error('counted votes did not come in vote-time order');
        folded += batch.length;
      }
      state.cursor.voteId = stamp.voteId;
    }
    const changed = state.rebuilt || state.cursor.voteId !== through;
    const saved = !changed || (await savePairCountState({ db, state, loadedCursorText: cursorText }));
    if (saved || attempt >= 3) {
      const summary: FoldSummary = {
        rebuilt: state.rebuilt,
        folded,
        input: { voteId: state.cursor.voteId, version: state.cursor.version },
        cached: cached && !state.rebuilt,
        touched: [...state.touched],
        ms: performance.now() - started,
      };
      if (cache) {
        cache.state = saved ? state : undefined;
        cache.cursorText = saved && changed ? JSON.stringify(state.cursor) : cursorText;
      }
      state.clearDirty();
      return { state, summary };
    }
    if (cache) cache.state = undefined;
  }
}

/**
 * Folds votes the caller holds already (an import's, as it wrote them; none with an identity,
 * whose weights would need the identity's stored cells) into the stored counts
 * without reading them back, so that the next counts pass has nothing to fold: on a million
 * imported battles, the first board after a start no longer waits for every vote to be read
 * again. Only when they are exactly the votes past the stored cursor (none else was written since
 * the counts were saved, and all of them are on battles whose id starts with `battleIdPrefix`),
 * each a counted vote, given in vote-time order (ties in the order they were written), and none
 * older than the newest vote folded; otherwise it writes nothing and returns null, and the next
 * counts pass reads the store as always. The save checks the cursor as every fold's does.
 */
export async function foldVotesInHand({
  db,
  caps = DEFAULT_INFLUENCE_CAPS,
  votes,
  count,
  battleIdPrefix,
}: {
  db: Store;
  caps?: InfluenceCaps;
  /** The votes in vote-time order, in chunks (imported ones: no identity). */
  votes: Iterable<readonly CountedVote[]>;
  /** How many there are. */
  count: number;
  battleIdPrefix: string;
}): Promise<FoldSummary | null> {
  const started = performance.now();
  if (count === 0) return null;
  const cursorText = await readCursorText({ db });
  const stamp = await countsInputStamp({ db });
  const loaded = cursorText === null ? null : await loadPairCountState({ db, expect: { version: stamp.version, caps } });
  // No counts under these rules: these votes must then be every vote there is.
  const state = loaded ?? PairCountState.rebuild(stamp.version, caps);
  const after = state.cursor.voteId;
  const past = await countVotesInRange({ db, afterVoteId: after, upToVoteId: stamp.voteId, battleIdPrefix });
  if (past.all !== count || past.matching !== count) return null;
  let folded = 0;
  for (const chunk of votes) {
    if (chunk.some((v) => v.identity !== null)) throw new Error('foldVotesInHand takes votes without an identity (imported ones)');
    if (!state.fold(chunk, after)) return null;
    folded += chunk.length;
  }
  if (folded !== count) return null;
  state.cursor.voteId = stamp.voteId;
  if (!(await savePairCountState({ db, state, loadedCursorText: cursorText }))) return null;
  const summary: FoldSummary = {
    rebuilt: state.rebuilt,
    folded,
    input: { voteId: state.cursor.voteId, version: state.cursor.version },
    cached: false,
    touched: [...state.touched],
    ms: performance.now() - started,
  };
  state.clearDirty();
  return summary;
}

/**
 * The counts as this process last wrote them (per process, in the fast pass's worker): reused
 * while the stored cursor is still the one written with them, read again from the store otherwise.
 */
export interface CountsCache {
  state?: PairCountState;
  cursorText?: string | null;
}

/**
 * Reads the stored counts into an empty cache (a new process's first pass, which found nothing to
 * do, leaves it empty), so that the next pass, the one a vote waits for, need not read them. It
 * writes nothing and takes no lock: what it loads is used only while the stored cursor is still
 * the one read first (foldPairCounts compares them).
 */
export async function warmCountsCache({ db, caps, cache }: { db: Store; caps: InfluenceCaps; cache: CountsCache }): Promise<void> {
  if (cache.state) return;
  const cursorText = await readCursorText({ db });
  if (cursorText === null) return;
  const { version } = await countsInputStamp({ db, waitMs: 0 });
  const state = await loadPairCountState({ db, expect: { version, caps } });
  if (!state || cache.state) return;
  cache.state = state;
  cache.cursorText = cursorText;
}

export interface CountBoardsSummary {
  fold: FoldSummary;
  input: RatingsInputStamp;
  boards: { category: string; battles: number; snapshotId: number; created: boolean }[];
  /** Boards fitted (the others' counts did not change). */
  fitted: number;
  fitMs: number;
  ms: number;
}

/** Hash of a board's counts: the same counts and Elo give the same hash (an unchanged board is not stored again). */
function countsHash(state: PairCountState, category: string, pairs: ReturnType<typeof pairTallies>): string {
  const elo = [...(state.categories.get(category)?.models ?? [])].map(([m, s]) => [m, s.elo]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  return createHash('sha256')
    .update(JSON.stringify({ pairs, elo, untimed: state.cursor.untimed[category] ?? 0 }))
    .digest('hex');
}

/** Battles with style features per board, as the last full pass counted them (the counts do not see answers). */
async function styleBattlesOf(db: Store, category: string): Promise<number> {
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
  provisionalVotes = DEFAULT_PROVISIONAL_VOTES,
  onBoard,
  now = Date.now,
  cache,
}: {
  db: Store;
  influence?: InfluenceCaps;
  /** The board setting (lib/settings/schema.ts); default DEFAULT_PROVISIONAL_VOTES. */
  provisionalVotes?: number;
  onBoard?: (board: CountBoardsSummary['boards'][number]) => void;
  now?: () => number;
  cache?: CountsCache;
}): Promise<CountBoardsSummary> {
  const started = performance.now();
  // A process that has not folded yet (just started, beside others on the same store) whose
  // boards another pass already fitted from exactly the stored counts: nothing to do, and no
  // reason to read the counts and hold the pass's lock while a vote waits behind it.
  if (!cache?.state) {
    const done = await alreadyFitted(db, influence, provisionalVotes);
    if (done) {
      const ms = performance.now() - started;
      return { fold: { rebuilt: false, folded: 0, input: done, cached: false, touched: [], ms }, input: done, boards: [], fitted: 0, fitMs: 0, ms };
    }
  }
  const { state, summary: fold } = await foldPairCounts({ db, caps: influence, cache });
  const input = fold.input;
  const fitStarted = performance.now();
  const firstVotes = state.firstVotes();
  const createdAt = now();
  const snapshots: NewSnapshot[] = [];
  let fitted = 0;
  const battles = state.battlesByCategory();
  // With the counts this process stored boards for last time, a category no folded vote fell in
  // has the same counts as then: its board stands without even hashing them again.
  const touched = new Set(fold.touched);
  for (const category of selectCategories(battles)) {
    // A vote changes the counts of its own categories only: the other boards keep their fit,
    // and their cut-off moves with this pass (every board of a pass shares it).
    const head = await latestSnapshotHead({ db, category, styleControl: false });
    const prev = head ? (JSON.parse(head.params) as SnapshotParams) : null;
    const standing = head && prev && prev.pass === 'counts' && sameRules(prev, influence, provisionalVotes) && prev.inputVersion === input.version;
    const unchanged = (dataHash: string) => ({
      category,
      styleControl: false,
      method: METHOD,
      params: JSON.stringify({ ...prev, upToVoteId: input.voteId, inputVersion: input.version }),
      battleCount: battles.get(category) ?? 0,
      dataHash,
      result: '',
      createdAt,
      unchanged: true,
    });
    if (standing && fold.cached && !touched.has(category)) {
      snapshots.push(unchanged(head.dataHash));
      continue;
    }
    const agg = state.aggregator(category);
    const dataHash = countsHash(state, category, pairTallies(agg));
    if (standing && head.dataHash === dataHash) {
      snapshots.push(unchanged(dataHash));
      continue;
    }
    fitted++;
    snapshots.push(
      fitBoard({
        category,
        agg,
        styleControl: false,
        untimed: state.cursor.untimed[category] ?? 0,
        styleBattles: await styleBattlesOf(db, category),
        dataHash,
        firstVotes,
        influence,
        provisionalVotes,
        input,
        pass: 'counts',
        createdAt,
      }),
    );
  }
  const saved = await saveSnapshots({ db, snapshots });
  const boards = snapshots.map((s, i) => ({ category: s.category, battles: s.battleCount, snapshotId: saved[i].id, created: saved[i].created }));
  for (const b of boards) onBoard?.(b);
  return { fold, input, boards, fitted, fitMs: performance.now() - fitStarted, ms: performance.now() - started };
}

/**
 * The input the stored counts and boards are at, when the newest plain overall board was fitted
 * by a counts pass from exactly the stored counts (every board of a pass shares its cut-off),
 * under these rules, and no vote is newer; otherwise null.
 */
async function alreadyFitted(db: Store, influence: InfluenceCaps, provisionalVotes: number): Promise<RatingsInputStamp | null> {
  const cursor = await readPairCountCursor({ db });
  if (!cursor || JSON.stringify(cursor.caps) !== JSON.stringify(influence)) return null;
  const stamp = await countsInputStamp({ db, waitMs: 0 });
  if (stamp.voteId !== cursor.voteId || stamp.version !== cursor.version) return null;
  const head = await latestSnapshotHead({ db, category: 'overall', styleControl: false });
  if (!head) return null;
  const p = JSON.parse(head.params) as SnapshotParams;
  const fitted = p.pass === 'counts' && sameRules(p, influence, provisionalVotes) && p.upToVoteId === stamp.voteId && p.inputVersion === stamp.version;
  return fitted ? stamp : null;
}

/**
 * Whether a stored board was fitted under the rules this pass fits with: BOARD_FIT's model, the
 * influence caps and the provisional threshold (its interval method is not compared: a board too
 * small to fit says 'none').
 */
function sameRules(prev: SnapshotParams, influence: InfluenceCaps, provisionalVotes: number): boolean {
  return (
    prev.model === BOARD_FIT.model &&
    JSON.stringify(prev.influence ?? null) === JSON.stringify(influence) &&
    prev.provisionalVotes === provisionalVotes
  );
}
