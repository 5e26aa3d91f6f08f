/**
 * How far vote rigging moves a model, with Pairwise's defences off and on.
 *
 *   tsx bench/rigging.ts          (npm run bench -- rigging)
 *
 * After Min et al., "Improving Your Model Ranking on Chatbot Arena by Vote Rigging" (ICML 2025):
 * the 1.67 M real Chatbot Arena votes are the board; new honest votes are drawn from the model
 * fitted to them (random pairs, random sides, the real tie rate, human reading times); an attacker
 * with a perfect de-anonymizer casts rigged votes for one target model, either only in battles
 * the target is in ("target-only") or in every battle it gets, also pushing down the models just
 * above the target ("omnipresent"), from 1, 10 or 100 identities, at a human pace (a script that
 * votes seconds apart is stopped by the rate limits and the burst check long before).
 *
 * Every vote goes through the code the app uses: trust scoring (lib/integrity/trust.ts
 * scoreVoter, as the trust pass after each rating pass), bounded influence
 * (lib/integrity/influence.ts, as the rating pass), and the Bradley-Terry fit (lib/rating).
 * Reported: the target's rank (by rating among 129 models) gained, defences off and on, the
 * share of honest votes excluded by the trust checks and the share of honest weight lost to the
 * caps. Target: with defences on, 1,000 rigged votes from up to 10 identities move the target by
 * less than one rank, with under 1 % of honest votes excluded.
 */
import { loadPairCounts } from './lib/arena-pair-counts';
import { seededRng } from '../lib/battle/sampling';
import { countIdentityVotes, DEFAULT_INFLUENCE_CAPS, influenceWeigher, weightLost } from '../lib/integrity/influence';
import { scoreVoter, type VoteRecord } from '../lib/integrity/trust';
import { BattleAggregator, computeRatings, type Winner } from '../lib/rating';

const HONEST_VOTERS = 2_000;
const TIE_SHARE = (281_121 + 295_254) / 1_670_250;

interface SimVote {
  identity: string;
  honest: boolean;
  modelA: string;
  modelB: string;
  winner: Winner;
  at: number;
  answersDoneAt: number;
  answerChars: number;
}

const data = loadPairCounts();
const MODELS = data.models;

/** The real board as pair counts, added with their counts as weights (the fit sees the same likelihood). */
function baseAggregator(): BattleAggregator {
  const agg = new BattleAggregator();
  data.X.forEach(([i, j], k) => {
    const [wi, wj, t, tb] = data.Y[k];
    const outcomes: [Winner, number][] = [
      ['model_a', wi],
      ['model_b', wj],
      ['tie', t],
      ['tie (bothbad)', tb],
    ];
    for (const [w, n] of outcomes) if (n > 0) agg.add(MODELS[i], MODELS[j], w, undefined, n);
  });
  return agg;
}

interface Board {
  ratings: Map<string, number>;
  /** Rank (UB), the rank the leaderboard shows, with the default (profile) intervals. */
  published: Map<string, number>;
}

function boardOf(agg: BattleAggregator): Board {
  const r = computeRatings(agg, { matrices: false, provisionalVotes: 0 });
  return { ratings: new Map(r.models.map((m) => [m.model, m.rating])), published: new Map(r.models.map((m) => [m.model, m.rank])) };
}

function ratingsOf(agg: BattleAggregator): Map<string, number> {
  return boardOf(agg).ratings;
}

function rankOf(ratings: Map<string, number>, model: string): number {
  const mine = ratings.get(model)!;
  let rank = 1;
  for (const r of ratings.values()) if (r > mine) rank++;
  return rank;
}

const base = ratingsOf(baseAggregator());
const byRating = [...base.entries()].sort((x, y) => y[1] - x[1]).map(([m]) => m);
// A target in the middle of the board, where neighbours are close.
const TARGET = byRating[Math.floor(byRating.length * 0.4)];

function pWin(a: string, b: string): number {
  return 1 / (1 + 10 ** ((base.get(b)! - base.get(a)!) / 400));
}

function honestOutcome(rng: () => number, a: string, b: string): Winner {
  if (rng() < TIE_SHARE) return rng() < 0.5 ? 'tie' : 'tie (bothbad)';
  return rng() < pWin(a, b) ? 'model_a' : 'model_b';
}

function randomPair(rng: () => number): [string, string] {
  const i = Math.floor(rng() * MODELS.length);
  let j = Math.floor(rng() * (MODELS.length - 1));
  if (j >= i) j++;
  return [MODELS[i], MODELS[j]];
}

/** Human timing: answers finish, the voter reads them (15-40 characters a second), votes, moves on. */
function paced(rng: () => number, t: number): { done: number; at: number; chars: number; next: number } {
  const chars = 500 + Math.floor(rng() * 3000);
  const done = t + 5_000 + rng() * 20_000;
  const at = done + (chars / (15 + rng() * 25)) * 1000;
  return { done, at, chars, next: at + 10_000 + rng() * 60_000 };
}

function honestVotes(seed: number): SimVote[] {
  const rng = seededRng(seed);
  const out: SimVote[] = [];
  for (let v = 0; v < HONEST_VOTERS; v++) {
    let t = 1_700_000_000_000 + rng() * 3_600_000;
    const n = 1 + Math.floor(rng() * 40);
    for (let k = 0; k < n; k++) {
      const [a, b] = randomPair(rng);
      const p = paced(rng, t);
      out.push({ identity: `honest-${v}`, honest: true, modelA: a, modelB: b, winner: honestOutcome(rng, a, b), at: p.at, answersDoneAt: p.done, answerChars: p.chars });
      t = p.next;
    }
  }
  return out;
}

function riggedVotes(seed: number, mode: 'target-only' | 'omnipresent', identities: number, total: number): SimVote[] {
  const rng = seededRng(seed);
  const targetRank = byRating.indexOf(TARGET);
  const neighbours = new Set(byRating.slice(Math.max(0, targetRank - 5), targetRank));
  const out: SimVote[] = [];
  const clock = Array.from({ length: identities }, () => 1_700_000_000_000 + rng() * 3_600_000);
  for (let k = 0; k < total; k++) {
    const who = k % identities;
    let [a, b] = randomPair(rng);
    if (mode === 'target-only' && a !== TARGET && b !== TARGET) {
      // Only battles with the target get a vote: the de-anonymizer skips the rest.
      const other = a;
      [a, b] = rng() < 0.5 ? [TARGET, other] : [other, TARGET];
    }
    let winner: Winner;
    if (a === TARGET) winner = 'model_a';
    else if (b === TARGET) winner = 'model_b';
    else if (neighbours.has(a) !== neighbours.has(b)) winner = neighbours.has(a) ? 'model_b' : 'model_a';
    else winner = honestOutcome(rng, a, b);
    const p = paced(rng, clock[who]);
    clock[who] = p.next;
    out.push({ identity: `rigger-${who}`, honest: false, modelA: a, modelB: b, winner, at: p.at, answersDoneAt: p.done, answerChars: p.chars });
  }
  return out;
}

interface Outcome {
  rankGain: number;
  publishedGain: number;
  honestExcluded: number;
  honestWeightLost: number;
  riggedExcluded: number;
}

function evaluate(votes: SimVote[], defences: boolean, before: { rank: number; published: number }): Outcome {
  const fitWith = (kept: SimVote[], weigh: (v: SimVote) => number) => {
    const agg = baseAggregator();
    for (const v of kept) agg.add(v.modelA, v.modelB, v.winner, undefined, weigh(v));
    return boardOf(agg);
  };
  const gains = (b: Board) => ({ rankGain: before.rank - rankOf(b.ratings, TARGET), publishedGain: before.published - b.published.get(TARGET)! });
  if (!defences) return { ...gains(fitWith(votes, () => 1)), honestExcluded: 0, honestWeightLost: 0, riggedExcluded: 0 };
  // The trust pass scores every identity under the board as it is (rigged votes included).
  const current = fitWith(votes, () => 1).ratings;
  const byIdentity = new Map<string, VoteRecord[]>();
  for (const v of votes) {
    let list = byIdentity.get(v.identity);
    if (!list) byIdentity.set(v.identity, (list = []));
    list.push({ at: v.at, winner: v.winner, modelA: v.modelA, modelB: v.modelB, answersDoneAt: v.answersDoneAt, answerChars: v.answerChars });
  }
  const flagged = new Set<string>();
  for (const [identity, history] of byIdentity) if (scoreVoter(history, current).flag) flagged.add(identity);
  const kept = votes.filter((v) => !flagged.has(v.identity));
  const weigh = influenceWeigher(countIdentityVotes(kept), DEFAULT_INFLUENCE_CAPS);
  const r = fitWith(kept, (v) => weigh(v.identity, v.modelA, v.modelB));
  const honest = votes.filter((v) => v.honest);
  const rigged = votes.filter((v) => !v.honest);
  return {
    ...gains(r),
    honestExcluded: honest.filter((v) => flagged.has(v.identity)).length / honest.length,
    honestWeightLost: weightLost(
      kept.filter((v) => v.honest),
      (identity, a, b) => weigh(identity, a, b),
    ),
    riggedExcluded: rigged.length ? rigged.filter((v) => flagged.has(v.identity)).length / rigged.length : 0,
  };
}

function main() {
  const honest = honestVotes(1);
  const before = (() => {
    const agg = baseAggregator();
    for (const v of honest) agg.add(v.modelA, v.modelB, v.winner);
    const b = boardOf(agg);
    return { rank: rankOf(b.ratings, TARGET), published: b.published.get(TARGET)!, ratings: b.ratings };
  })();
  // How much honest votes alone move the target: a second set of honest voters.
  const noise = (() => {
    const agg = baseAggregator();
    for (const v of honestVotes(2)) agg.add(v.modelA, v.modelB, v.winner);
    const b = boardOf(agg);
    return { rank: before.rank - rankOf(b.ratings, TARGET), published: before.published - b.published.get(TARGET)! };
  })();
  const above = [...before.ratings.entries()].filter(([, r]) => r > before.ratings.get(TARGET)!).sort((x, y) => x[1] - y[1])[0];
  console.log(`board: 1,670,250 real votes, ${MODELS.length} models; honest new votes: ${honest.length.toLocaleString('en-US')} from ${HONEST_VOTERS} voters`);
  console.log(
    `target: ${TARGET}: rank ${before.rank} of ${MODELS.length} by rating, published rank (Rank UB) ${before.published}; ` +
      `the next model up (${above[0]}) is ${(above[1] - before.ratings.get(TARGET)!).toFixed(1)} Elo higher`,
  );
  console.log(`another set of honest votes alone moves it by ${noise.rank} place(s) by rating, ${noise.published} in published rank`);
  console.log(`defences: trust scoring (exclude flagged voters) + bounded influence (C = ${DEFAULT_INFLUENCE_CAPS.perVoter}, M = ${DEFAULT_INFLUENCE_CAPS.perVoterModel})\n`);
  const header = [
    'mode',
    'identities',
    'rigged votes',
    'rating rank gain off / on',
    'published rank gain off / on',
    'rigged excluded',
    'honest excluded',
    'honest weight lost',
    'target',
  ];
  console.log(header.join(' | '));
  console.log(header.map(() => '---').join(' | '));
  let seed = 100;
  for (const mode of ['target-only', 'omnipresent'] as const) {
    for (const identities of [1, 10, 100]) {
      for (const total of [100, 1_000, 10_000]) {
        const votes = [...honest, ...riggedVotes(seed++, mode, identities, total)];
        const off = evaluate(votes, false, before);
        const on = evaluate(votes, true, before);
        const judged = total === 1_000 && identities <= 10;
        const met = on.publishedGain < 1 && on.honestExcluded < 0.01;
        console.log(
          [
            mode,
            identities,
            total.toLocaleString('en-US'),
            `${off.rankGain} / ${on.rankGain}`,
            `${off.publishedGain} / ${on.publishedGain}`,
            `${(on.riggedExcluded * 100).toFixed(0)} %`,
            `${(on.honestExcluded * 100).toFixed(2)} %`,
            `${(on.honestWeightLost * 100).toFixed(2)} %`,
            judged ? (met ? 'met' : 'MISSED') : '',
          ].join(' | '),
        );
      }
    }
  }
  const perDay = 500;
  console.log(
    `\nrate limits (defaults: ${perDay} battles and ${perDay} votes a day per identity, 5x that per network) slow the attack down without stopping it: ` +
      `1,000 target-only votes need about ${Math.round((1_000 * MODELS.length) / 2).toLocaleString('en-US')} battles started (the target is in 2 of ${MODELS.length} random pairs), ` +
      `${Math.ceil((1_000 * MODELS.length) / 2 / perDay)} identity-days of battles.`,
  );
  console.log(
    'rank gain: places the target moved up (positive = up), by rating order and in the rank the board publishes (Rank UB). ' +
      'target column: the case with a target (1,000 rigged votes, up to 10 identities): published rank gain < 1 with defences on, and under 1 % of honest votes excluded.',
  );
}

main();
