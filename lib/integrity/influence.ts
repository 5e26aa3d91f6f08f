/**
 * Bounded influence: how much one voter can move the ratings. Each counted vote v of identity i
 * (an account, else a browser) on models a and b enters the Bradley-Terry likelihood with weight
 *
 *   w(v) = min(1, C / n_i) * min(1, M / n_{i,a}, M / n_{i,b})
 *
 * where n_i is i's number of counted votes and n_{i,k} its votes involving model k. The fitted
 * ratings solve  sum_v w(v) * (s_v - p_v(theta)) * x_v = 0, in which a vote's term is at most 1 in
 * size, so identity i adds at most C to any score equation, and at most M to the equation of any
 * one model: a few identities cannot carry a model, however many votes they cast. Imported votes
 * (no identity) and voters under both caps keep weight 1, so the fit is the exact, unweighted MLE
 * until someone goes beyond a cap.
 *
 * What it costs honest voters: the votes of a voter beyond a cap count for less, which widens the
 * intervals as if fewer votes had been cast (the effective sample size is the sum of the
 * weights). With the defaults (C = 1000, M = 100) a person would have to vote on one model a
 * hundred times before anything changes; `npm run bench -- rigging` prints the share of honest
 * weight lost.
 */

export interface InfluenceCaps {
  /** C: most counted votes one identity contributes in all (null: no cap). */
  perVoter: number | null;
  /** M: most counted votes one identity contributes on any one model (null: no cap). */
  perVoterModel: number | null;
}

export const DEFAULT_INFLUENCE_CAPS: InfluenceCaps = { perVoter: 1000, perVoterModel: 100 };

export interface IdentityCounts {
  /** n_i by identity. */
  votes: Map<string, number>;
  /** n_{i,k} by `${identity}\u0000${model}`. */
  votesOnModel: Map<string, number>;
}

export function countIdentityVotes(rows: Iterable<{ identity: string | null; modelA: string; modelB: string }>): IdentityCounts {
  const votes = new Map<string, number>();
  const votesOnModel = new Map<string, number>();
  for (const r of rows) {
    if (!r.identity) continue;
    votes.set(r.identity, (votes.get(r.identity) ?? 0) + 1);
    for (const m of [r.modelA, r.modelB]) {
      const key = `${r.identity}\u0000${m}`;
      votesOnModel.set(key, (votesOnModel.get(key) ?? 0) + 1);
    }
  }
  return { votes, votesOnModel };
}

/** The weight function for one pass: w(identity, a, b). Identities without a count weigh 1. */
export function influenceWeigher(counts: IdentityCounts, caps: InfluenceCaps): (identity: string | null, modelA: string, modelB: string) => number {
  if (caps.perVoter === null && caps.perVoterModel === null) return () => 1;
  return (identity, modelA, modelB) => {
    if (!identity) return 1;
    let w = 1;
    const n = counts.votes.get(identity) ?? 0;
    if (caps.perVoter !== null && n > caps.perVoter) w *= caps.perVoter / n;
    if (caps.perVoterModel !== null) {
      const na = counts.votesOnModel.get(`${identity}\u0000${modelA}`) ?? 0;
      const nb = counts.votesOnModel.get(`${identity}\u0000${modelB}`) ?? 0;
      const most = Math.max(na, nb);
      if (most > caps.perVoterModel) w *= caps.perVoterModel / most;
    }
    return w;
  };
}

/** Share of a set of votes' weight that the caps take away (0: nothing). */
export function weightLost(rows: readonly { identity: string | null; modelA: string; modelB: string }[], weigh: ReturnType<typeof influenceWeigher>): number {
  if (rows.length === 0) return 0;
  let kept = 0;
  for (const r of rows) kept += weigh(r.identity, r.modelA, r.modelB);
  return 1 - kept / rows.length;
}
