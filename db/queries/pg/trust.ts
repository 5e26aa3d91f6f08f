import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { VoteHistoryRow } from '../sqlite/trust';
import { recomputeExclusionsIn } from './exclusions';
import { rows, streamArrays } from './exec';

/** Postgres twin of db/queries/sqlite/trust.ts (the trust pass's reads and writes). */

type WithDb = { db?: PgDb };

const last = (expr: string) => `(SELECT ${expr} FROM messages m
    WHERE m.battle_id = b.id AND m.role = 'assistant' AND m.superseded = false AND m.turn = b.turns)`;

const HISTORIES = `SELECT coalesce('user:' || b.user_id, 'voter:' || v.voter_id) AS identity, v.voter_id,
       v.created_at, v.winner, b.model_a, b.model_b,
       ${last('max(m.created_at + coalesce(m.duration_ms, 0))')},
       ${last('coalesce(sum(length(m.content)), 0)')}
  FROM votes v JOIN battles b ON b.id = v.battle_id
 WHERE b.source = 'arena' AND b.study_id IS NULL AND v.voter_id IS NOT NULL
 ORDER BY identity, v.created_at, v.id`;

type HistoryTuple = [string, string, number, string, string, string, number | null, number];

/** Arena votes in identity order, then time order, in batches (one cursor in one snapshot). */
export async function* iterateVoteHistories({ db, batchSize = 10_000 }: WithDb & { batchSize?: number } = {}): AsyncGenerator<VoteHistoryRow[]> {
  for await (const batch of streamArrays<HistoryTuple>(db!, HISTORIES, [], batchSize)) {
    yield batch.map(([identity, voterId, at, winner, modelA, modelB, doneAt, chars]) => ({ identity, voterId, at, winner, modelA, modelB, doneAt, chars }));
  }
}

/** The flags stored now, by voter id. */
export async function storedTrustFlags({ db }: WithDb = {}): Promise<Map<string, { trust: number | null; flag: string | null }>> {
  const list = await rows<{ id: string; trust: number | null; flag: string | null }>(
    db!,
    sql`SELECT id, trust, trust_flag AS flag FROM voters WHERE trust IS NOT NULL OR trust_flag IS NOT NULL`,
  );
  return new Map(list.map((r) => [r.id, { trust: r.trust, flag: r.flag }]));
}

const UPDATE_BATCH = 10_000;

/**
 * Stores the scores of one pass and brings the exclusions of voters whose flag changed in line, in
 * one transaction. The voters are locked (in id order: two passes at once never deadlock) and their
 * flags compared as they stand, not only as the pass read them: a voter whose stored flag changed
 * meanwhile is brought in line too. Returns how many votes changed between counted and excluded.
 */
export async function writeTrust({
  db,
  updates,
  flagChanged,
}: WithDb & { updates: { voterId: string; trust: number; flag: string | null }[]; flagChanged: Set<string> }): Promise<number> {
  return db!.transaction(async (tx) => {
    const sorted = [...updates].sort((x, y) => (x.voterId < y.voterId ? -1 : x.voterId > y.voterId ? 1 : 0));
    const recompute = new Set(flagChanged);
    for (let i = 0; i < sorted.length; i += UPDATE_BATCH) {
      const some = sorted.slice(i, i + UPDATE_BATCH);
      const ids = some.map((u) => u.voterId);
      const flags = some.map((u) => u.flag);
      const before = await rows<{ id: string; flag: string | null }>(
        tx,
        sql`SELECT id, trust_flag AS flag FROM voters WHERE id = ANY(${sql.param(ids)}::text[]) ORDER BY id FOR UPDATE`,
      );
      const flagOf = new Map(some.map((u) => [u.voterId, u.flag]));
      for (const b of before) if (b.flag !== flagOf.get(b.id)) recompute.add(b.id);
      await tx.execute(sql`UPDATE voters SET trust = u.trust, trust_flag = u.flag
          FROM unnest(${sql.param(ids)}::text[], ${sql.param(some.map((u) => u.trust))}::float8[], ${sql.param(flags)}::text[]) AS u(id, trust, flag)
         WHERE voters.id = u.id`);
    }
    let changed = 0;
    for (const voterId of recompute) changed += await recomputeExclusionsIn(tx, { voterId });
    return changed;
  });
}
