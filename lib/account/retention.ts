import { expiredBattles, forgetConversations } from '../../db/queries/retention';
import { styleFromConversation } from '../rating';

/**
 * Data retention: conversations older than the setting are deleted while the votes stay, so the
 * ratings do not change (the style features a style-controlled fit needs are kept on the battle
 * first). Battles that were never voted on go entirely. Idempotent: two processes running it at
 * once do the same work twice at worst.
 */

const BATCH = 500;
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

function style(answersJson: string) {
  const answers = JSON.parse(answersJson) as string[];
  if (answers.length === 0) return null;
  return styleFromConversation(answers.map((content) => ({ role: 'assistant', content })));
}

export async function applyRetention({ days, now = Date.now() }: { days: number | null; now?: number }): Promise<{ forgotten: number; deleted: number }> {
  if (!days) return { forgotten: 0, deleted: 0 };
  const before = now - days * 86_400_000;
  let forgotten = 0;
  let deleted = 0;
  for (;;) {
    const batch = await expiredBattles({ before, limit: BATCH });
    if (batch.length === 0) break;
    const voted = batch
      .filter((b) => b.voted)
      .map((b) => {
        const a = style(b.answersA);
        const bb = style(b.answersB);
        return { id: b.id, styleFeatures: a && bb ? JSON.stringify({ a, b: bb }) : null };
      });
    const unvoted = batch.filter((b) => !b.voted).map((b) => b.id);
    await forgetConversations({ voted, unvoted });
    forgotten += voted.length;
    deleted += unvoted.length;
    if (batch.length < BATCH) break;
  }
  return { forgotten, deleted };
}

/** Runs retention now and then every hour in this process (per process; safe on several). */
export function startRetention(days: () => number | null): NodeJS.Timeout {
  const run = () =>
    applyRetention({ days: days() })
      .then((r) => {
        if (r.forgotten || r.deleted) console.log(`[pairwise] retention: ${r.forgotten} conversation(s) forgotten, ${r.deleted} unvoted battle(s) deleted`);
      })
      .catch((err) => console.error('[pairwise] retention failed:', err));
  void run();
  const timer = setInterval(run, RETENTION_INTERVAL_MS);
  timer.unref();
  return timer;
}
