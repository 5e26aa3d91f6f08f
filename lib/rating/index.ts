/**
 * Rating engine: pure and deterministic (seeded randomness), no framework imports.
 * See compute.ts for the entry point and bradley-terry.ts for how degenerate data is handled.
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
