import { sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import type { PgDb } from '../../postgres';
import { changes, row, rows } from './exec';
import { bumpRatingsInputIn } from './ratings-input';

/** Postgres twin of db/queries/sqlite/admin-imports.ts (whose comment says how the removal goes). */

type WithDb = { db?: PgDb };

/** Battles removed per transaction: small enough that votes cast meanwhile wait milliseconds, not seconds. */
const BATCH = 1_000;

export async function deleteImport(
  params: WithDb & { importId: number; by: string; now?: number; onProgress?: (removed: number) => void },
): Promise<{ removedBattles: number }> {
  const db = params.db!;
  const found = await row<{ id: number; fileName: string; fileSha256: string; importedCount: number }>(
    db,
    sql`SELECT id, file_name AS "fileName", file_sha256 AS "fileSha256", imported_count AS "importedCount" FROM imports WHERE id = ${params.importId}`,
  );
  if (!found) throw new AppError('not_found', 'No import with this id.');
  let removed = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      // Locked, so that a second removal of the same import running at once waits for these
      // and then goes on with the battles still left.
      const ids = (
        await rows<{ id: string }>(tx, sql`SELECT id FROM battles WHERE import_id = ${params.importId} LIMIT ${BATCH} FOR UPDATE`)
      ).map((r) => r.id);
      if (ids.length === 0) return null;
      await tx.execute(sql`DELETE FROM messages WHERE battle_id IN ${ids}`);
      await tx.execute(sql`DELETE FROM votes WHERE battle_id IN ${ids}`);
      return changes(tx, sql`DELETE FROM battles WHERE id IN ${ids}`);
    });
    if (batch === null) break;
    removed += batch;
    params.onProgress?.(removed);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM imports WHERE id = ${params.importId}`);
    await bumpRatingsInputIn(tx);
    await tx.execute(
      sql`INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at)
          VALUES (${params.by}, 'import.delete', ${String(params.importId)}, ${JSON.stringify(found)}, ${JSON.stringify({ removedBattles: removed })}, ${params.now ?? Date.now()})`,
    );
  });
  return { removedBattles: removed };
}
