import type { Store } from '../../db/store';
import { iterateVoteHistories, storedTrustFlags, writeTrust, type VoteHistoryRow } from '../../db/queries/trust';
import { scoreVoter, type TrustFlag, type VoteRecord } from './trust';

/**
 * One trust pass over every identity that voted here: scores from lib/integrity/trust.ts under
 * the ratings just computed, written to their voters (an account's score goes to all its
 * browsers), and their votes excluded with the reason `low_trust: <flag>` or counted again.
 * Runs after each rating pass, off the request path; running it twice does nothing new.
 */

export interface TrustPassSummary {
  identities: number;
  flagged: number;
  votesChanged: number;
}

export async function runTrustPass(db: Store, ratings: ReadonlyMap<string, number>, mode: 'exclude' | 'observe' | 'off'): Promise<TrustPassSummary> {
  if (mode === 'off') return { identities: 0, flagged: 0, votesChanged: 0 };
  const stored = await storedTrustFlags({ db });
  const updates: { voterId: string; trust: number; flag: string | null }[] = [];
  const flagChanged = new Set<string>();
  let identities = 0;
  let flagged = 0;

  const finish = (rows: VoteHistoryRow[]) => {
    if (rows.length === 0) return;
    identities++;
    const voterIds = [...new Set(rows.map((r) => r.voterId))];
    const before = voterIds.map((id) => stored.get(id)?.flag ?? null).find((f) => f !== null) ?? null;
    const previous = before?.startsWith('low_trust: ') ? (before.slice('low_trust: '.length) as TrustFlag) : null;
    const votes: VoteRecord[] = rows.map((r) => ({
      at: r.at,
      winner: r.winner,
      modelA: r.modelA,
      modelB: r.modelB,
      answersDoneAt: r.doneAt,
      answerChars: r.chars,
    }));
    const result = scoreVoter(votes, ratings, { previouslyFlagged: previous });
    const flag = result.flag && mode === 'exclude' ? `low_trust: ${result.flag}` : null;
    if (flag) flagged++;
    for (const voterId of voterIds) {
      updates.push({ voterId, trust: result.trust, flag });
      if ((stored.get(voterId)?.flag ?? null) !== flag) flagChanged.add(voterId);
    }
  };

  let current: VoteHistoryRow[] = [];
  for await (const batch of iterateVoteHistories({ db })) {
    for (const row of batch) {
      if (current.length && current[0].identity !== row.identity) {
        finish(current);
        current = [];
      }
      current.push(row);
    }
  }
  finish(current);
  const votesChanged = await writeTrust({ db, updates, flagChanged });
  return { identities, flagged, votesChanged };
}
