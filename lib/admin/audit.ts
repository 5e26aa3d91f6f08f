import { z } from 'zod';
import { accountLabels } from '../../db/queries/admin-voters';
import { listAudit } from '../../db/queries/audit';
import type { AuditEntry } from '../../db/schema';

/** The audit log, newest first, keyset-paginated by id. */

export const PAGE_SIZE = 50;

export const auditQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
});

export interface AuditView extends AuditEntry {
  actorLabel: string | null;
}

export async function browseAudit(q: z.infer<typeof auditQuerySchema>, limit = PAGE_SIZE): Promise<{ entries: AuditView[]; total: number; next: number | null }> {
  const { entries, total } = await listAudit({ limit: limit + 1, beforeId: q.before });
  const page = entries.slice(0, limit);
  const labels = await accountLabels({ ids: page.map((e) => e.actorUserId).filter((x): x is string => !!x) });
  return {
    entries: page.map((e) => ({ ...e, actorLabel: e.actorUserId ? (labels.get(e.actorUserId) ?? e.actorUserId) : null })),
    total,
    next: entries.length > limit ? page.at(-1)!.id : null,
  };
}
