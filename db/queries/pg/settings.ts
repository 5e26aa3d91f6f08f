import { eq, sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import { auditLog, settings } from '../../schema-pg';
import { row } from './exec';
import { recomputeExclusionsIn } from './exclusions';

/**
 * Postgres twin of db/queries/sqlite/settings.ts. A write holds a transaction lock on its key, so
 * two saves of one section run one after the other and each audit entry's `before` is the value
 * the save replaced (the row may not exist yet, so a row lock would not do).
 */

type WithDb = { db?: PgDb };

export async function readSettingRows({ db }: WithDb = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const r of await db!.select().from(settings)) {
    try {
      out[r.key] = JSON.parse(r.value);
    } catch {
      /* a row that is not JSON is ignored (and overwritten by the next save) */
    }
  }
  return out;
}

export async function settingsVersion({ db }: WithDb = {}): Promise<number> {
  // Internal counters (ratings.*) change often and say nothing about the registry or settings.
  const r = await row<{ v: number }>(db!, sql`SELECT coalesce(max(updated_at), 0) AS v FROM settings WHERE key NOT LIKE 'ratings.%'`);
  return r!.v;
}

export async function writeSetting(params: WithDb & { key: string; value: unknown; by: string | null; now?: number }): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`pairwise:setting:${params.key}`}))`);
    const [before] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, params.key));
    const value = JSON.stringify(params.value);
    await tx
      .insert(settings)
      .values({ key: params.key, value, updatedAt: now, updatedBy: params.by })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now, updatedBy: params.by } });
    await tx
      .insert(auditLog)
      .values({ actorUserId: params.by, action: 'settings.update', target: params.key, before: before?.value ?? null, after: value, createdAt: now });
    // Which votes count depends on this section (recorded votes of anonymous voters): re-evaluate them.
    if (params.key === 'integrity') await recomputeExclusionsIn(tx, { all: true });
  });
}
