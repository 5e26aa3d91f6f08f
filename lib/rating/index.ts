/**
 * Rating engine: pure and deterministic (seeded randomness), no framework imports.
 *
 *   const agg = new BattleAggregator();            // add battles in time order (online Elo)
 *   agg.add('model-x', 'model-y', 'model_a');
 *   const result = computeRatings(agg, { bootstrap: 1000, seed: 42 });
 *
 * Bradley-Terry is the exact MLE (bradley-terry.ts); where no finite MLE exists (a model that
 * never lost or never won, a comparison graph in pieces) each model gets one virtual tie against
 * an average player and the posterior mode is reported — finite, and flagged in
 * `diagnostics.estimator`. Intervals: bootstrap percentiles (bootstrap.ts) or the sandwich
 * (sandwich.ts). Style control: style-control.ts.
 */
export { BattleLog } from './battle-log';
export { BattleAggregator, ELO_K, ELO_START, styleDiff, type AggregateSnapshot } from './aggregator';
export { computeRatings, rankUpperBound, buildMatrices, DEFAULT_SEED, DEFAULT_BOOTSTRAP_ROUNDS } from './compute';
export { styleFeatures, stripFencedCode, styleFromConvMetadata, styleFromConversation } from './style-features';
export {
  WINNERS,
  STYLE_KEYS,
  outcomeCode,
  type Winner,
  type StyleFeatures,
  type StyleKey,
  type RatingOptions,
  type ModelRating,
  type RatingsResult,
  type FitDiagnostics,
  type OutcomeCode,
} from './types';
