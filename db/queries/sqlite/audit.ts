import { desc, lt, sql } from 'drizzle-orm';
import { getDb, type Db } from '../../index';
import { auditLog, type AuditEntry } from '../../schema';

type WithDb = { db?: Db };

export async function recordAudit(
  params: WithDb & { actorUserId: string | null; action: string; target?: string | null; before?: unknown; after?: unknown; now?: number },
): Promise<void> {
  const db = params.db ?? getDb();
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  db.insert(auditLog)
    .values({
      actorUserId: params.actorUserId,
      action: params.action,
      target: params.target ?? null,
      before: json(params.before),
      after: json(params.after),
      createdAt: params.now ?? Date.now(),
    })
    .run();
}

/** Newest first, `limit` entries older than the entry `beforeId` (keyset pagination). */
export async function listAudit(params: WithDb & { limit: number; beforeId?: number }): Promise<{ entries: AuditEntry[]; total: number }> {
  const db = params.db ?? getDb();
  const q = db.select().from(auditLog);
  const entries = (params.beforeId ? q.where(lt(auditLog.id, params.beforeId)) : q).orderBy(desc(auditLog.id)).limit(params.limit).all();
  const total = db.select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;
  return { entries, total };
}
