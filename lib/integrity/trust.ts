/**
 * Trust scoring of voters, from what their votes look like. Computed off the request path (after
 * each rating pass), per identity: an account, or an anonymous browser. Four signals, each with
 * a score in [0, 1] and a flag when it is beyond what an honest person produces:
 *
 *  - burst: votes seconds apart. Reading two answers takes longer than three seconds; a voter
 *    whose gaps are mostly shorter, or who casts 20 votes within a minute, is a script.
 *  - one_sided: always the same side. Sides are a coin flip, so an honest voter's share of "A is
 *    better" among decided votes is near one half whatever they think of the models; a two-sided
 *    binomial test below 1e-4 (e.g. 20 of 20) flags.
 *  - fast_reading: votes cast seconds after long answers finished. The median reading speed over
 *    votes on answers of 500+ characters above 150 characters a second (ten times a fast reader)
 *    flags.
 *  - unlikely_votes: how unlikely the voter's decided votes are under the current ratings, the
 *    anomaly test of the Chatbot Arena paper and the defence Min et al. (ICML 2025) evaluate. Each
 *    vote's log-likelihood under Bradley-Terry is compared with its expectation; the standardised
 *    sum z flags below -4 (an honest voter reaches that about 3 times in 100,000). A rigger who
 *    always votes for one model, or against its neighbours, falls far below.
 *
 * Thresholds need enough votes to say anything (10-20); a new voter is never flagged for a few.
 * Hysteresis: a flagged voter is cleared only well inside the limits (z above -3), so exclusions
 * do not flicker as ratings move.
 */

export type TrustFlag = 'burst' | 'one_sided' | 'fast_reading' | 'unlikely_votes';

export interface VoteRecord {
  /** Vote time, ms. */
  at: number;
  /** 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)'. */
  winner: string;
  modelA: string;
  modelB: string;
  /** When the last answers finished streaming (ms), and their length in characters. */
  answersDoneAt: number | null;
  answerChars: number;
}

export interface TrustResult {
  trust: number;
  /** The flag that excludes the voter's votes, or null. */
  flag: TrustFlag | null;
  signals: Record<TrustFlag, { score: number; value: number; n: number }>;
}

export const TRUST_RULES = {
  burstGapMs: 3_000,
  burstShare: 0.5,
  burstMinVotes: 10,
  burstWindowMs: 60_000,
  burstWindowVotes: 20,
  oneSidedP: 1e-4,
  oneSidedMinVotes: 20,
  readingMinChars: 500,
  readingCharsPerSecond: 150,
  readingMinVotes: 10,
  unlikelyZ: -4,
  unlikelyClearZ: -3,
  unlikelyMinVotes: 20,
} as const;

/** log of the binomial tail P(X <= k) for X ~ Bin(n, 1/2), stably. */
function logBinomTailHalf(k: number, n: number): number {
  let logC = 0;
  let acc = -Infinity;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    const term = logC - n * Math.LN2;
    acc = acc === -Infinity ? term : Math.max(acc, term) + Math.log1p(Math.exp(-Math.abs(acc - term)));
  }
  return acc;
}

/** Two-sided binomial p-value of k successes in n at p = 1/2. */
export function binomialTwoSidedP(k: number, n: number): number {
  if (n === 0) return 1;
  const lo = Math.min(k, n - k);
  return Math.min(1, 2 * Math.exp(logBinomTailHalf(lo, n)));
}

/** P(a beats b) on the Elo scale. */
function pWin(ra: number, rb: number): number {
  return 1 / (1 + Math.pow(10, (rb - ra) / 400));
}

/**
 * Standardised log-likelihood of decided votes under the ratings: (sum l - sum E[l]) / sqrt(sum Var[l]),
 * with l the log-probability of the observed outcome. Votes on models without a rating are skipped.
 */
export function likelihoodZ(votes: readonly VoteRecord[], ratings: ReadonlyMap<string, number>): { z: number; n: number } {
  let ll = 0;
  let mean = 0;
  let variance = 0;
  let n = 0;
  for (const v of votes) {
    if (v.winner !== 'model_a' && v.winner !== 'model_b') continue;
    const ra = ratings.get(v.modelA);
    const rb = ratings.get(v.modelB);
    if (ra === undefined || rb === undefined) continue;
    const p = Math.min(1 - 1e-9, Math.max(1e-9, pWin(ra, rb)));
    ll += Math.log(v.winner === 'model_a' ? p : 1 - p);
    mean += p * Math.log(p) + (1 - p) * Math.log(1 - p);
    variance += p * (1 - p) * Math.log(p / (1 - p)) ** 2;
    n++;
  }
  // Equal ratings give zero variance: every outcome is as likely, nothing can be unlikely.
  if (n === 0 || variance < 1e-12) return { z: 0, n };
  return { z: (ll - mean) / Math.sqrt(variance), n };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function scoreVoter(
  history: readonly VoteRecord[],
  ratings: ReadonlyMap<string, number>,
  opts: { previouslyFlagged?: TrustFlag | null } = {},
): TrustResult {
  const R = TRUST_RULES;
  const votes = [...history].sort((x, y) => x.at - y.at);

  // burst
  const gaps = votes.slice(1).map((v, i) => v.at - votes[i].at);
  const shortShare = gaps.length ? gaps.filter((g) => g < R.burstGapMs).length / gaps.length : 0;
  let maxInWindow = 0;
  for (let i = 0, j = 0; i < votes.length; i++) {
    while (votes[i].at - votes[j].at > R.burstWindowMs) j++;
    maxInWindow = Math.max(maxInWindow, i - j + 1);
  }
  const burstFlag =
    (votes.length >= R.burstMinVotes && shortShare >= R.burstShare) || maxInWindow >= R.burstWindowVotes;
  const burst = { score: burstFlag ? 0 : 1 - shortShare / 2, value: shortShare, n: votes.length };

  // one_sided
  const decided = votes.filter((v) => v.winner === 'model_a' || v.winner === 'model_b');
  const aVotes = decided.filter((v) => v.winner === 'model_a').length;
  const sideP = binomialTwoSidedP(aVotes, decided.length);
  const sideFlag = decided.length >= R.oneSidedMinVotes && sideP < R.oneSidedP;
  const oneSided = { score: sideFlag ? 0 : Math.min(1, sideP * 20), value: decided.length ? aVotes / decided.length : 0.5, n: decided.length };

  // fast_reading
  const speeds = votes
    .filter((v) => v.answersDoneAt !== null && v.answerChars >= R.readingMinChars)
    .map((v) => v.answerChars / Math.max(0.25, (v.at - v.answersDoneAt!) / 1000));
  const readingSpeed = speeds.length ? median(speeds) : 0;
  const readingFlag = speeds.length >= R.readingMinVotes && readingSpeed > R.readingCharsPerSecond;
  const fastReading = {
    score: readingFlag ? 0 : Math.max(0, 1 - readingSpeed / (2 * R.readingCharsPerSecond)),
    value: readingSpeed,
    n: speeds.length,
  };

  // unlikely_votes, with hysteresis
  const { z, n } = likelihoodZ(votes, ratings);
  const limit = opts.previouslyFlagged === 'unlikely_votes' ? R.unlikelyClearZ : R.unlikelyZ;
  const unlikelyFlag = n >= R.unlikelyMinVotes && z < limit;
  const unlikely = { score: unlikelyFlag ? 0 : Math.min(1, Math.max(0, (z - R.unlikelyZ) / -R.unlikelyZ)), value: z, n };

  const signals = { burst, one_sided: oneSided, fast_reading: fastReading, unlikely_votes: unlikely };
  const flags: [TrustFlag, boolean][] = [
    ['burst', burstFlag],
    ['one_sided', sideFlag],
    ['fast_reading', readingFlag],
    ['unlikely_votes', unlikelyFlag],
  ];
  const flag = flags.find(([, on]) => on)?.[0] ?? null;
  const trust = Math.min(...Object.values(signals).map((s) => s.score));
  return { trust: Math.round(trust * 1000) / 1000, flag, signals };
}
