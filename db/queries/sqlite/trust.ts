import type { Db } from '../../index';
import { recomputeExclusionsSync } from './exclusions';

/**
 * Reads and writes of the trust pass (lib/integrity/trust-pass.ts): every arena vote grouped by
 * identity (the account, else the browser), and the scores written back to the voters.
 */

export interface VoteHistoryRow {
  identity: string;
  voterId: string;
  at: number;
  winner: string;
  modelA: string;
  modelB: string;
  doneAt: number | null;
  chars: number;
}

/** Arena votes in identity order, then time order (one streaming query). */
export function* iterateVoteHistories(db: Db): Generator<VoteHistoryRow> {
  const last = (expr: string) => `(SELECT ${expr} FROM messages m
      WHERE m.battle_id = b.id AND m.role = 'assistant' AND m.superseded = 0 AND m.turn = b.turns)`;
  yield* db.$client
    .prepare(
      `SELECT coalesce('user:' || b.user_id, 'voter:' || v.voter_id) AS identity, v.voter_id AS voterId,
              v.created_at AS at, v.winner, b.model_a AS modelA, b.model_b AS modelB,
              ${last('max(m.created_at + coalesce(m.duration_ms, 0))')} AS doneAt,
              ${last('coalesce(sum(length(m.content)), 0)')} AS chars
         FROM votes v JOIN battles b ON b.id = v.battle_id
        WHERE b.source = 'arena' AND b.study_id IS NULL AND v.voter_id IS NOT NULL
        ORDER BY identity, v.created_at, v.id`,
    )
    .iterate() as IterableIterator<VoteHistoryRow>;
}

/** The flags stored now, by voter id. */
export function storedTrustFlags(db: Db): Map<string, { trust: number | null; flag: string | null }> {
  const rows = db.$client.prepare(`SELECT id, trust, trust_flag AS flag FROM voters WHERE trust IS NOT NULL OR trust_flag IS NOT NULL`).all() as {
    id: string;
    trust: number | null;
    flag: string | null;
  }[];
  return new Map(rows.map((r) => [r.id, { trust: r.trust, flag: r.flag }]));
}

/**
 * Stores the scores of one pass and brings the exclusions of voters whose flag changed in line, in
 * one transaction. Returns how many votes changed between counted and excluded.
 */
export function writeTrust(db: Db, updates: { voterId: string; trust: number; flag: string | null }[], flagChanged: Set<string>): number {
  const c = db.$client;
  return c.transaction(() => {
    const set = c.prepare(`UPDATE voters SET trust = ?, trust_flag = ? WHERE id = ?`);
    for (const u of updates) set.run(u.trust, u.flag, u.voterId);
    let changed = 0;
    for (const voterId of flagChanged) changed += recomputeExclusionsSync(c, { voterId });
    return changed;
  })();
}
