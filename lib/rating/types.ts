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

export type IntervalOption = 'profile' | 'bootstrap' | 'sandwich';
export type RatingModel = 'bradley-terry' | 'davidson';

export interface RatingOptions {
  /** Pairwise model: Bradley-Terry with ties as half wins (default), or Davidson's tie model. */
  model?: RatingModel;
  /**
   * Interval method. Default 'profile' (profile likelihood with the virtual-tie prior, see
   * bt-component.ts), or 'bootstrap' when `bootstrap` > 0.
   */
  ci?: IntervalOption;
  /** Bootstrap rounds (0 = none). Default 0, or 1000 when ci = 'bootstrap'. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling. Default 42. */
  seed?: number;
  /**
   * Shift rating, lower and upper of every model by one constant so that this model gets this
   * rating. Online Elo is not shifted (diagnostics.anchor says so).
   */
  anchor?: { model: string; rating: number };
  /** Contextual Bradley-Terry with the four style covariates (needs battles added with style). */
  styleControl?: boolean;
  /** Weight each battle by 1 / max(count of its model pair, 50) (normalised to mean 1). */
  reweight?: boolean;
  /** Point estimate: the exact MLE where it exists (default), or the shrunk centre of the profile interval. */
  point?: 'mle' | 'penalised';
  /** A model with fewer votes in the fit is provisional: listed, but given no Rank (UB). Default 30. */
  provisionalVotes?: number;
  /** Fewer battles than this: no fit, and `diagnostics.status` says so. Default 1. */
  minBattles?: number;
  /** Style control with fewer battles that carry style features: no fit, and the status says so. Default 100. */
  minStyleBattles?: number;
  /** Include the win-fraction and battle-count matrices (default true). */
  matrices?: boolean;
  /** Include the covariance of the ratings (per component, Elo points²; default false). */
  covariance?: boolean;
  /** The order the battles were added in, for the record (diagnostics.elo.order). Default 'as added'. */
  eloOrder?: 'time' | 'file' | 'as added';
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
  /**
   * Rank (UB) within the model's component: 1 + the number of ranked models of the component
   * whose lower bound is above this model's upper bound. A provisional model is not ranked: its
   * rank is the number of ranked models in its component plus one (it is listed after them).
   */
  rank: number;
  elo: number;
  votes: number;
  wins: number;
  losses: number;
  ties: number;
  /** Connected component of the comparison graph (0 = the most models); ranks never cross components. */
  component: number;
  /** Too few votes for a rank that claims 95 % confidence (see provisionalReason). */
  provisional: boolean;
  provisionalReason: string | null;
  /** (wins + ties / 2) / votes: "win rate (ties half)". */
  winRate: number;
  /** wins / (wins + losses): "decided win rate"; null when every battle was a tie. */
  decidedWinRate: number | null;
  /**
   * The next model below in the same component (by rating) and the further battles between the
   * two needed to separate them at 95 % if the estimates hold: 0 = already separated, null =
   * battles between the two alone cannot do it. Null for the last model of a component.
   */
  toSeparate: { model: string; battles: number | null } | null;
}

export interface ComponentDiagnostics {
  id: number;
  models: number;
  battles: number;
  estimator: 'mle' | 'map-virtual-ties' | 'penalized';
  /** Davidson only: the tie parameter ν and the three-outcome log-likelihood. */
  tieParameter?: number;
  logLikelihood?: number;
}

export type StatusCode = 'ok' | 'no-battles' | 'too-few-battles' | 'too-few-style-battles';

export interface FitDiagnostics {
  /** 'ok' when ratings were fitted; otherwise why not (models is then empty). */
  status: { code: StatusCode; message: string };
  model: RatingModel;
  /** Which estimate the point ratings are: the exact MLE, or the documented fallback (see bradley-terry.ts). */
  estimator: 'mle' | 'map-virtual-ties' | 'penalized' | 'none';
  point: 'mle' | 'penalised';
  iterations: number;
  /** Infinity norm of the gradient of the objective at the returned parameters. */
  gradientNorm: number;
  converged: boolean;
  /** The interval method used ('laplace': style control's quadratic form of the profile). */
  ci: 'profile' | 'laplace' | 'bootstrap' | 'sandwich' | 'none';
  level: 0.95;
  bootstrapRounds: number;
  /** Seed of the bootstrap (null without one). */
  seed: number | null;
  /** Bootstrap rounds whose resample had no MLE and were fitted with the fallback. */
  bootstrapFallbackRounds: number;
  /**
   * Quasi-likelihood dispersion of the scores (component 0; dispersion.ts), the degrees of
   * freedom of its estimate (null: exact, no ties) and the deviance threshold of the profile
   * (the 0.95 quantile of F(1, df), 3.84 for df = ∞); null for methods that do not use it.
   */
  dispersion: { phi: number; df: number | null; threshold: number } | null;
  /** Intervals widened to contain their point estimate (profile: centred on the shrunk estimate). */
  widenedIntervals: number;
  /** Battles used by the fit (style control uses only battles that carry style features). */
  battlesUsed: number;
  components: ComponentDiagnostics[];
  provisional: { votes: number; models: number };
  anchorApplied: boolean;
  /** What the anchor shifted, and by how much; null without an anchor that names a rated model. */
  anchor: { model: string; rating: number; shift: number; shifted: ['rating', 'lower', 'upper']; unshifted: ['elo'] } | null;
  /** Online Elo: K, start, the order battles were replayed in; never anchored. */
  elo: { k: number; start: number; order: 'time' | 'file' | 'as added'; anchored: false };
}

export interface RatingsResult {
  battles: number;
  /** By component, then rating, highest first (ties broken by model name). */
  models: ModelRating[];
  style?: { coefficients: Record<StyleKey, number> };
  /** Davidson fits: the tie parameter ν of the largest component and the total log-likelihood. */
  davidson?: { tieParameter: number; logLikelihood: number };
  matrices?: { models: string[]; winFraction: (number | null)[][]; battleCounts: number[][] };
  /** With `covariance: true`: per component, its models and their rating covariance (Elo points², row-major). */
  covariance?: { component: number; models: string[]; matrix: number[] }[];
  diagnostics: FitDiagnostics;
}
