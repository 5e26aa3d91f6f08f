import { desc, lt, sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { AuditEntry } from '../../schema';
import { auditLog } from '../../schema-pg';
import type { PgExec } from './exec';

/** Postgres twin of db/queries/sqlite/audit.ts. */

type WithDb = { db?: PgDb };

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** One audit entry, inside the caller's transaction when given one. */
export async function recordAuditIn(
  db: PgExec,
  e: { actorUserId: string | null; action: string; target?: string | null; before?: unknown; after?: unknown; now?: number },
): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: e.actorUserId,
    action: e.action,
    target: e.target ?? null,
    before: json(e.before),
    after: json(e.after),
    createdAt: e.now ?? Date.now(),
  });
}

export async function recordAudit(
  params: WithDb & { actorUserId: string | null; action: string; target?: string | null; before?: unknown; after?: unknown; now?: number },
): Promise<void> {
  await recordAuditIn(params.db!, params);
}

export async function listAudit(params: WithDb & { limit: number; beforeId?: number }): Promise<{ entries: AuditEntry[]; total: number }> {
  const db = params.db!;
  const q = db.select().from(auditLog);
  const entries = await (params.beforeId ? q.where(lt(auditLog.id, params.beforeId)) : q).orderBy(desc(auditLog.id)).limit(params.limit);
  const [{ n: total }] = await db.select({ n: sql<number>`count(*)` }).from(auditLog);
  return { entries, total };
}
