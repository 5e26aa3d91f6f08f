/**
 * Rating engine: pure and deterministic (seeded randomness), no framework imports.
 *
 *   const agg = new BattleAggregator();            // add battles in time order (online Elo)
 *   agg.add('model-x', 'model-y', 'model_a');
 *   const result = computeRatings(agg);            // or { ci: 'bootstrap', seed: 42 }, { model: 'davidson' }, ...
 *
 * What a result holds, and why:
 *
 * - Components. Models that were never compared, directly or through others, cannot be rated
 *   against each other. The comparison graph is split into connected components (0 = the most
 *   models); each is fitted on its own, centred so that its established (not provisional)
 *   models average 1000 (centring.ts; ratings of different components are on unrelated
 *   scales) and ranks never cross components. Every row carries its
 *   `component`; `diagnostics.components` lists them.
 * - Point estimates. Bradley-Terry (ties half a win) is the exact MLE wherever it exists
 *   (bradley-terry.ts, Newton to a gradient below 1e-9); where it does not (a model that never
 *   lost or never won within its component) every model gets one virtual tie against an average
 *   player and the posterior mode is reported, flagged in `diagnostics.estimator`. `point:
 *   'penalised'` reports the shrunk centre of the default interval instead.
 * - Intervals (95 %), `ci`:
 *   - 'profile' (default): for each model, the profile likelihood of its centred rating under
 *     the quasi-likelihood with the Jeffreys-type virtual-tie prior (bt-component.ts,
 *     profile.ts, dispersion.ts). The prior makes it finite and wider than zero for any data —
 *     one battle, only ties —; the profile follows the skew of the likelihood where battles
 *     are few; the quasi-likelihood's dispersion φ corrects the binomial variance, which counts
 *     a tie like a coin toss (too wide when ties are common); and the F(1, df) threshold
 *     widens the interval while φ rests on few battles. With many battles it equals the
 *     sandwich (1.67 M real votes: mean width ratio 1.00). Calibration in simulation, from 30
 *     to 30,000 battles: bench/calibration.ts.
 *   - 'sandwich': LMArena's closed-form robust interval (sandwich.ts); too narrow with few
 *     battles and zero-wide when nothing varies (only ties).
 *   - 'bootstrap': percentiles of seeded multinomial resamples (bootstrap.ts), 1000 rounds by
 *     default (100 rounds cover only ~93 %); zero-wide with one battle.
 *   Style control uses the quadratic (Laplace) form of the profile ('laplace', style-control.ts).
 * - Ranks. Rank (UB) = 1 + the number of models whose lower bound is above this model's upper
 *   bound, counted among the ranked models of the same component. A model with fewer than
 *   `provisionalVotes` (30) votes is provisional: listed with a reason, but unranked — its
 *   `rank` is the number of ranked models in its component plus one (ranks.ts).
 * - Separation. Each row's `toSeparate` gives the further battles against the next model below
 *   that would separate the two at 95 % if the estimates hold (separation.ts).
 * - Tie model. `model: 'davidson'` fits Davidson's three-outcome model exactly (davidson.ts);
 *   its log-likelihood and tie parameter are in `davidson`. Counting a tie as half a win
 *   compresses the rating scale when ties do not depend on the gap; Davidson's ratings
 *   describe decided battles.
 * - Anchor. `anchor` shifts rating, lower and upper of every model by one constant; online Elo
 *   (K = 4, in the order battles were added) is never shifted (`diagnostics.anchor`,
 *   `diagnostics.elo`).
 * - Status. A board that cannot be fitted — no battles, fewer than `minBattles`, style control
 *   with fewer than `minStyleBattles` battles carrying style — returns no models and says why in
 *   `diagnostics.status`.
 * - Win rates: winRateTiesHalf and decidedWinRate (win-rate.ts), one definition each.
 */
export { BattleLog } from './battle-log';
export { BattleAggregator, ELO_K, ELO_START, eloStep, styleDiff, type AggregateSnapshot } from './aggregator';
export {
  computeRatings,
  rankUpperBound,
  buildMatrices,
  DEFAULT_SEED,
  DEFAULT_BOOTSTRAP_ROUNDS,
  DEFAULT_PROVISIONAL_VOTES,
  DEFAULT_MIN_STYLE_BATTLES,
} from './compute';
export { rankWithinComponents } from './ranks';
export { battlesToSeparate, separationBetween, type SeparationInput, type SeparableResult } from './separation';
export { davidsonProbabilities } from './davidson';
export { winRateTiesHalf, decidedWinRate, WIN_RATE_LABEL, DECIDED_WIN_RATE_LABEL, type WinCounts } from './win-rate';
export { styleFeatures, stripFencedCode, styleFromConvMetadata, styleFromConversation } from './style-features';
export {
  WINNERS,
  STYLE_KEYS,
  outcomeCode,
  type Winner,
  type StyleFeatures,
  type StyleKey,
  type RatingOptions,
  type RatingModel,
  type IntervalOption,
  type ModelRating,
  type RatingsResult,
  type FitDiagnostics,
  type ComponentDiagnostics,
  type StatusCode,
  type OutcomeCode,
} from './types';

/** P(a beats b) under Bradley-Terry for two ratings on the Elo scale. */
export function bradleyTerryProbability(ratingA: number, ratingB: number): number {
  return 1 / (1 + 10 ** ((ratingB - ratingA) / 400));
}
