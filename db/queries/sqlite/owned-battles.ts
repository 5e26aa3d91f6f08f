import { getDb, type Db } from '../../index';
import { bumpRatingsInputSync } from './ratings-input';

type WithDb = { db?: Db };

export interface OwnedBattleRow {
  id: string;
  createdAt: number;
  status: 'active' | 'voted' | 'failed' | 'abandoned';
  mode: 'live' | 'recorded' | 'imported' | 'named' | 'direct';
  turns: number;
  /** The first prompt, cut to 200 characters. */
  prompt: string | null;
  winner: string | null;
  /** Model ids, only once the battle is voted (before that nothing may name a model), or chosen by name. */
  modelA: string | null;
  modelB: string | null;
}

/**
 * A person's battles, newest first, `limit` at a time before `before` (a created_at cursor): an
 * account's (all its browsers), or an anonymous browser's.
 */
export async function listOwnedBattles(
  params: WithDb & { owner: { userId: string } | { voterId: string }; limit: number; before?: number },
): Promise<OwnedBattleRow[]> {
  const db = params.db ?? getDb();
  const [where, key] = 'userId' in params.owner ? ['b.user_id = ?', params.owner.userId] : ['b.voter_id = ? AND b.user_id IS NULL', params.owner.voterId];
  return db.$client
    .prepare(
      `SELECT b.id, b.created_at AS createdAt, b.status, b.mode, b.turns,
              (SELECT substr(m.content, 1, 200) FROM messages m
                WHERE m.battle_id = b.id AND m.role = 'user' AND m.side = 'a' ORDER BY m.turn, m.id LIMIT 1) AS prompt,
              v.winner,
              CASE WHEN (v.id IS NOT NULL AND b.status = 'voted') OR b.mode IN ('named', 'direct') THEN b.model_a END AS modelA,
              CASE WHEN (v.id IS NOT NULL AND b.status = 'voted') OR b.mode IN ('named', 'direct') THEN b.model_b END AS modelB
         FROM battles b LEFT JOIN votes v ON v.battle_id = b.id
        WHERE ${where} AND b.created_at < ?
        ORDER BY b.created_at DESC, b.id DESC
        LIMIT ?`,
    )
    .all(key, params.before ?? Number.MAX_SAFE_INTEGER, params.limit) as OwnedBattleRow[];
}

/**
 * "Delete my data": every battle an account owns, with its messages and votes. Its votes leave the
 * leaderboard at the next rating pass. Returns how many battles were deleted.
 */
export async function deleteOwnedBattles(params: WithDb & { userId: string }): Promise<number> {
  const db = params.db ?? getDb();
  const c = db.$client;
  return c.transaction(() => {
    const owned = `SELECT id FROM battles WHERE user_id = ?`;
    c.prepare(`DELETE FROM messages WHERE battle_id IN (${owned})`).run(params.userId);
    c.prepare(`DELETE FROM battle_images WHERE battle_id IN (${owned})`).run(params.userId);
    const votes = c.prepare(`DELETE FROM votes WHERE battle_id IN (${owned})`).run(params.userId).changes;
    const battles = c.prepare(`DELETE FROM battles WHERE user_id = ?`).run(params.userId).changes;
    if (votes > 0) bumpRatingsInputSync(c);
    return battles;
  })();
}
