/** Vote outcomes of the clean_battle format. */
export const WINNERS = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
export type Winner = (typeof WINNERS)[number];

/**
 * Outcome codes used in the packed arrays: the index of the winner in WINNERS.
 * Score for side a: model_a = 1, model_b = 0, both ties = 0.5.
 */
export const OUTCOME_A = 0;
export const OUTCOME_B = 1;
export const OUTCOME_TIE = 2;
export const OUTCOME_BOTHBAD = 3;
export type OutcomeCode = 0 | 1 | 2 | 3;

/** Winner string to outcome code, or -1 for anything else (unknown values are never guessed). */
export function outcomeCode(winner: unknown): OutcomeCode | -1 {
  switch (winner) {
    case 'model_a':
      return OUTCOME_A;
    case 'model_b':
      return OUTCOME_B;
    case 'tie':
      return OUTCOME_TIE;
    case 'tie (bothbad)':
      return OUTCOME_BOTHBAD;
    default:
      return -1;
  }
}

export interface StyleFeatures {
  tokens: number;
  headers: number;
  listItems: number;
  bold: number;
}

export const STYLE_KEYS = ['tokens', 'headers', 'listItems', 'bold'] as const;
export type StyleKey = (typeof STYLE_KEYS)[number];

export interface RatingOptions {
  /** Bootstrap rounds (0 = none). Default 0, or 100 when ci = 'bootstrap'. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling. Default 42. */
  seed?: number;
  /** Shift every rating (and bound) by one constant so that this model gets this rating. */
  anchor?: { model: string; rating: number };
  /** Interval method. Default 'bootstrap' when bootstrap > 0, else 'sandwich'. */
  ci?: 'bootstrap' | 'sandwich';
  /** Contextual Bradley-Terry with the four style covariates (needs battles added with style). */
  styleControl?: boolean;
  /** Weight each battle by 1 / max(count of its model pair, 50) (normalised to mean 1). */
  reweight?: boolean;
  /** Include the win-fraction and battle-count matrices (default true). */
  matrices?: boolean;
  /**
   * Threads for the bootstrap (default 1). More than one starts worker threads that load the
   * TypeScript sources through tsx — for the command-line tool and benchmarks, not for servers
   * that bundle this code. The result does not depend on it.
   */
  threads?: number;
}

export interface ModelRating {
  model: string;
  rating: number;
  lower: number;
  upper: number;
  rank: number;
  elo: number;
  votes: number;
  wins: number;
  losses: number;
  ties: number;
}

export interface FitDiagnostics {
  /** Which estimate the point ratings are: the exact MLE, or the documented fallback (see bradley-terry.ts). */
  estimator: 'mle' | 'map-virtual-ties' | 'penalized' | 'none';
  iterations: number;
  /** Infinity norm of the gradient of the objective at the returned parameters. */
  gradientNorm: number;
  converged: boolean;
  ci: 'bootstrap' | 'sandwich' | 'none';
  bootstrapRounds: number;
  /** Bootstrap rounds whose resample had no MLE and were fitted with the fallback. */
  bootstrapFallbackRounds: number;
  /** Battles used by the fit (style control uses only battles that carry style features). */
  battlesUsed: number;
  anchorApplied: boolean;
}

export interface RatingsResult {
  battles: number;
  /** Sorted by rating, highest first (ties broken by model name). */
  models: ModelRating[];
  style?: { coefficients: Record<StyleKey, number> };
  matrices?: { models: string[]; winFraction: (number | null)[][]; battleCounts: number[][] };
  diagnostics: FitDiagnostics;
}
