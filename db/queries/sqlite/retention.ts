import { getDb, type Db } from '../../index';

type WithDb = { db?: Db };

export interface ExpiredBattle {
  id: string;
  voted: boolean;
  /** JSON arrays of each side's current answers (as the rating pass reads them). */
  answersA: string;
  answersB: string;
}

/** Battles older than `before` that still have messages, oldest first. */
export async function expiredBattles(params: WithDb & { before: number; limit: number }): Promise<ExpiredBattle[]> {
  const db = params.db ?? getDb();
  const answers = (side: 'a' | 'b') => `(SELECT json_group_array(content) FROM (SELECT content FROM messages
      WHERE battle_id = b.id AND side = '${side}' AND role = 'assistant' AND superseded = 0 ORDER BY turn, id))`;
  const rows = db.$client
    .prepare(
      `SELECT b.id, EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id) AS voted,
              ${answers('a')} AS answersA, ${answers('b')} AS answersB
         FROM battles b
        WHERE b.created_at < ? AND b.source = 'arena' AND b.study_id IS NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.battle_id = b.id)
        ORDER BY b.created_at LIMIT ?`,
    )
    .all(params.before, params.limit) as (Omit<ExpiredBattle, 'voted'> & { voted: number })[];
  return rows.map((r) => ({ ...r, voted: r.voted === 1 }));
}

/**
 * Removes the conversations of voted battles (their style features are kept first, so the
 * style-controlled board does not change) and whole battles that were never voted on.
 */
export async function forgetConversations(
  params: WithDb & { voted: { id: string; styleFeatures: string | null }[]; unvoted: string[] },
): Promise<void> {
  const db = params.db ?? getDb();
  const c = db.$client;
  c.transaction(() => {
    const keepStyle = c.prepare(`UPDATE battles SET style_features = coalesce(style_features, ?) WHERE id = ?`);
    const dropMessagesOnly = c.prepare(`DELETE FROM messages WHERE battle_id = ?`);
    const dropImages = c.prepare(`DELETE FROM battle_images WHERE battle_id = ?`);
    // A shared link shows the conversation: it goes with it.
    const unshare = c.prepare(`UPDATE battles SET share_token = NULL WHERE id = ?`);
    const dropMessages = { run: (id: string) => (dropImages.run(id), unshare.run(id), dropMessagesOnly.run(id)) };
    const dropBattle = c.prepare(`DELETE FROM battles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM votes WHERE battle_id = ?)`);
    for (const b of params.voted) {
      keepStyle.run(b.styleFeatures, b.id);
      dropMessages.run(b.id);
    }
    for (const id of params.unvoted) {
      dropMessages.run(id);
      dropBattle.run(id, id);
    }
  })();
}
