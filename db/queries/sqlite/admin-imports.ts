import { AppError } from '../../../lib/errors';
import { getDb, type Db } from '../../index';
import { bumpRatingsInputSync } from './ratings-input';

type WithDb = { db?: Db };

/** Battles removed per transaction: small enough that votes cast meanwhile wait milliseconds, not seconds. */
const BATCH = 1_000;

/**
 * Removes an import and everything it brought (battles, votes, messages) in batches, each its own
 * short transaction with a pause between them, so the running arena keeps answering while a
 * million-battle import goes. The ratings input is bumped at the end, so the refresher
 * recomputes the boards once, without these battles. The audit entry records the import's facts.
 */
export async function deleteImport(
  params: WithDb & { importId: number; by: string; now?: number; onProgress?: (removed: number) => void },
): Promise<{ removedBattles: number }> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const row = c
    .prepare('SELECT id, file_name AS fileName, file_sha256 AS fileSha256, imported_count AS importedCount FROM imports WHERE id = ?')
    .get(params.importId) as { id: number; fileName: string; fileSha256: string; importedCount: number } | undefined;
  if (!row) throw new AppError('not_found', 'No import with this id.');
  const pick = c.prepare('SELECT id FROM battles WHERE import_id = ? LIMIT ?');
  const removeBatch = c.transaction((ids: string[]) => {
    const list = `(${ids.map(() => '?').join(',')})`;
    c.prepare(`DELETE FROM messages WHERE battle_id IN ${list}`).run(...ids);
    c.prepare(`DELETE FROM votes WHERE battle_id IN ${list}`).run(...ids);
    return c.prepare(`DELETE FROM battles WHERE id IN ${list}`).run(...ids).changes;
  });
  let removed = 0;
  for (;;) {
    const ids = (pick.all(params.importId, BATCH) as { id: string }[]).map((r) => r.id);
    if (ids.length === 0) break;
    removed += removeBatch.immediate(ids);
    params.onProgress?.(removed);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  c.transaction(() => {
    c.prepare('DELETE FROM imports WHERE id = ?').run(params.importId);
    bumpRatingsInputSync(c);
    c.prepare('INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      params.by,
      'import.delete',
      String(params.importId),
      JSON.stringify(row),
      JSON.stringify({ removedBattles: removed }),
      params.now ?? Date.now(),
    );
  })();
  return { removedBattles: removed };
}
