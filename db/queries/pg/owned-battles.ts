import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { OwnedBattleRow } from '../sqlite/owned-battles';
import { changes, rows } from './exec';
import { bumpRatingsInputIn } from './ratings-input';

/** Postgres twin of db/queries/sqlite/owned-battles.ts. */

type WithDb = { db?: PgDb };

export async function listOwnedBattles(
  params: WithDb & { owner: { userId: string } | { voterId: string }; limit: number; before?: number },
): Promise<OwnedBattleRow[]> {
  const where = 'userId' in params.owner ? sql`b.user_id = ${params.owner.userId}` : sql`b.voter_id = ${params.owner.voterId} AND b.user_id IS NULL`;
  return rows<OwnedBattleRow>(
    params.db!,
    sql`SELECT b.id, b.created_at AS "createdAt", b.status, b.mode, b.turns,
               (SELECT substr(m.content, 1, 200) FROM messages m
                 WHERE m.battle_id = b.id AND m.role = 'user' AND m.side = 'a' ORDER BY m.turn, m.id LIMIT 1) AS prompt,
               v.winner,
               CASE WHEN (v.id IS NOT NULL AND b.status = 'voted') OR b.mode IN ('named', 'direct') THEN b.model_a END AS "modelA",
               CASE WHEN (v.id IS NOT NULL AND b.status = 'voted') OR b.mode IN ('named', 'direct') THEN b.model_b END AS "modelB"
          FROM battles b LEFT JOIN votes v ON v.battle_id = b.id
         WHERE ${where} AND b.created_at < ${params.before ?? Number.MAX_SAFE_INTEGER}
         ORDER BY b.created_at DESC, b.id DESC
         LIMIT ${params.limit}`,
  );
}

export async function deleteOwnedBattles(params: WithDb & { userId: string }): Promise<number> {
  return params.db!.transaction(async (tx) => {
    // The battles are locked first: a vote or a turn on one of them waits, then finds it gone,
    // and every statement below deletes the same battles.
    const owned = await rows<{ id: string }>(tx, sql`SELECT id FROM battles WHERE user_id = ${params.userId} ORDER BY id FOR UPDATE`);
    if (owned.length === 0) return 0;
    const ids = sql`ANY(${sql.param(owned.map((b) => b.id))}::text[])`;
    await tx.execute(sql`DELETE FROM messages WHERE battle_id = ${ids}`);
    await tx.execute(sql`DELETE FROM battle_images WHERE battle_id = ${ids}`);
    const removedVotes = await changes(tx, sql`DELETE FROM votes WHERE battle_id = ${ids}`);
    const removed = await changes(tx, sql`DELETE FROM battles WHERE id = ${ids}`);
    if (removedVotes > 0) await bumpRatingsInputIn(tx);
    return removed;
  });
}
