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
}

export type PairTally = [i: number, j: number, winsI: number, winsJ: number, ties: number, bothBad: number];

/** Parameters stored with every snapshot (rating_snapshots.params). */
export interface SnapshotParams {
  ci: 'sandwich' | 'bootstrap';
  bootstrap: number;
  seed: number;
  reweight: boolean;
  anchor: { model: string; rating: number } | null;
  /** Battles whose answers are stored, i.e. those a style-controlled fit can use. */
  styleBattles: number;
  /** The data cut-off: every vote up to this id was considered. */
  upToVoteId: number;
  /** Changes to counted votes (exclusions, restores, removals) seen by this pass (db/queries/ratings-input.ts). */
  inputVersion?: number;
}

export const METHOD = 'bradley-terry';
export const METHOD_STYLE = 'bradley-terry+style';
