import type { ModelRating, RatingsResult } from '../rating';

/**
 * What a stored snapshot holds (rating_snapshots.result): the `pairwise ratings --format json`
 * shape, plus the board it belongs to and the per-pair tallies the heatmaps and head-to-head
 * tables are drawn from. Older snapshots lose `pairs` (see saveSnapshot).
 */
export interface BoardResult {
  battles: number;
  models: ModelRating[];
  category: string;
  styleControl: boolean;
  style?: RatingsResult['style'];
  diagnostics?: RatingsResult['diagnostics'];
  /**
   * Outcome tallies per unordered model pair: `models` names them, each row is
   * [i, j, wins of i, wins of j, ties, ties (bothbad)] with i < j.
   */
  pairs?: { models: string[]; rows: PairTally[] };
  /** Overall board only: the rating covariance per component (for separationBetween on the model page). */
  covariance?: RatingsResult['covariance'];
  /**
   * First counted vote of each model on any board (unix ms): what the "new" mark is measured
   * from. Battles without a timestamp do not count; a model with only those has none.
   */
  firstVoteAt?: Record<string, number>;
  /**
   * Imported battles whose record had no tstamp: they carry their import's time and are taken in
   * file order (online Elo then runs in file order for them, diagnostics.elo.order = 'file').
   */
  untimedBattles?: number;
}

export type PairTally = [i: number, j: number, winsI: number, winsJ: number, ties: number, bothBad: number];

/** Parameters stored with every snapshot (rating_snapshots.params). */
export interface SnapshotParams {
  /** The interval method the board was fitted with (diagnostics.ci: 'laplace' for style control). */
  ci: 'profile' | 'laplace' | 'sandwich' | 'bootstrap' | 'none';
  /** Bootstrap rounds (0: the method does not resample). */
  bootstrap: number;
  /** Seed of the bootstrap; null when there is none. */
  seed: number | null;
  model?: 'bradley-terry' | 'davidson';
  /** Models with fewer votes are provisional (listed, not ranked). */
  provisionalVotes?: number;
  /** Fewer battles (style control: battles with style features) and the board is not fitted. */
  minBattles?: number;
  reweight: boolean;
  anchor: { model: string; rating: number } | null;
  /** Battles whose answers are stored, i.e. those a style-controlled fit can use. */
  styleBattles: number;
  /** Caps on one voter's weight in the fit (lib/integrity/influence.ts). */
  influence?: { perVoter: number | null; perVoterModel: number | null };
  /** The data cut-off: every vote up to this id was considered. */
  upToVoteId: number;
  /** Changes to counted votes (exclusions, restores, removals) seen by this pass (db/queries/ratings-input.ts). */
  inputVersion?: number;
  /**
   * Which pass stored the board: 'counts' (fitted from the counts kept as votes arrive, within a
   * second or two of a vote) or 'full' (over every battle: style control, history, trust).
   */
  pass?: SnapshotPass;
}

export type SnapshotPass = 'counts' | 'full';

export const METHOD = 'bradley-terry';
export const METHOD_STYLE = 'bradley-terry+style';
