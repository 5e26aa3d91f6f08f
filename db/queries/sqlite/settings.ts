import { eq } from 'drizzle-orm';
import { getDb, type Db } from '../../index';
import { auditLog, settings } from '../../schema';
import { recomputeExclusionsSync } from './exclusions';

type WithDb = { db?: Db };

/** Every stored operator setting, as { key: parsed JSON }. */
export async function readSettingRows({ db = getDb() }: WithDb = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const row of db.select().from(settings).all()) {
    try {
      out[row.key] = JSON.parse(row.value);
    } catch {
      /* a row that is not JSON is ignored (and overwritten by the next save) */
    }
  }
  return out;
}

/** Newest change time of any setting: a cheap check whether another process changed them. */
export async function settingsVersion({ db = getDb() }: WithDb = {}): Promise<number> {
  // Internal counters (ratings.*) change often and say nothing about the registry or settings.
  const row = db.$client.prepare(`SELECT coalesce(max(updated_at), 0) AS v FROM settings WHERE key NOT LIKE 'ratings.%'`).get() as { v: number };
  return row.v;
}

/** Stores one setting and its audit entry (before, after) in one transaction. */
export async function writeSetting(params: WithDb & { key: string; value: unknown; by: string | null; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.transaction((tx) => {
    const before = tx.select({ value: settings.value }).from(settings).where(eq(settings.key, params.key)).get();
    const value = JSON.stringify(params.value);
    tx.insert(settings)
      .values({ key: params.key, value, updatedAt: now, updatedBy: params.by })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now, updatedBy: params.by } })
      .run();
    tx.insert(auditLog)
      .values({ actorUserId: params.by, action: 'settings.update', target: params.key, before: before?.value ?? null, after: value, createdAt: now })
      .run();
    // Which votes count depends on this section (recorded votes of anonymous voters): re-evaluate them.
    if (params.key === 'integrity') recomputeExclusionsSync(db.$client, { all: true });
  });
}
