import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { ExpiredBattle } from '../sqlite/retention';
import { rows } from './exec';

/** Postgres twin of db/queries/sqlite/retention.ts. */

type WithDb = { db?: PgDb };

/**
 * A side's current answers as SQLite's json_group_array writes them: `["a","b"]`, no spaces
 * (json_agg would write `["a", "b"]`); to_json escapes a string as SQLite does.
 */
const answers = (side: 'a' | 'b') =>
  sql.raw(`coalesce((SELECT '[' || string_agg(to_json(content)::text, ',' ORDER BY turn, id) || ']' FROM messages
      WHERE battle_id = b.id AND side = '${side}' AND role = 'assistant' AND superseded = false), '[]')`);

export async function expiredBattles(params: WithDb & { before: number; limit: number }): Promise<ExpiredBattle[]> {
  return rows<ExpiredBattle>(
    params.db!,
    sql`SELECT b.id, EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id) AS voted,
               ${answers('a')} AS "answersA", ${answers('b')} AS "answersB"
          FROM battles b
         WHERE b.created_at < ${params.before} AND b.source = 'arena' AND b.study_id IS NULL
           AND EXISTS (SELECT 1 FROM messages m WHERE m.battle_id = b.id)
         ORDER BY b.created_at LIMIT ${params.limit}`,
  );
}

export async function forgetConversations(
  params: WithDb & { voted: { id: string; styleFeatures: string | null }[]; unvoted: string[] },
): Promise<void> {
  const all = [...params.voted.map((b) => b.id), ...params.unvoted];
  if (all.length === 0) return;
  await params.db!.transaction(async (tx) => {
    // Locked in one order (two processes may run retention at once): a vote racing the deletion
    // of an unvoted battle either lands first, and the battle stays, or finds it gone.
    await tx.execute(sql`SELECT id FROM battles WHERE id = ANY(${sql.param(all)}::text[]) ORDER BY id FOR UPDATE`);
    if (params.voted.length > 0) {
      await tx.execute(sql`UPDATE battles b SET style_features = coalesce(b.style_features, k.style)
          FROM unnest(${sql.param(params.voted.map((v) => v.id))}::text[], ${sql.param(params.voted.map((v) => v.styleFeatures))}::text[]) AS k(id, style)
         WHERE b.id = k.id`);
    }
    const ids = sql`ANY(${sql.param(all)}::text[])`;
    await tx.execute(sql`DELETE FROM battle_images WHERE battle_id = ${ids}`);
    // A shared link shows the conversation: it goes with it.
    await tx.execute(sql`UPDATE battles SET share_token = NULL WHERE id = ${ids} AND share_token IS NOT NULL`);
    await tx.execute(sql`DELETE FROM messages WHERE battle_id = ${ids}`);
    if (params.unvoted.length > 0) {
      await tx.execute(sql`DELETE FROM battles b WHERE b.id = ANY(${sql.param(params.unvoted)}::text[])
          AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id)`);
    }
  });
}
