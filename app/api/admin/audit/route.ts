import { route } from '@/lib/edge/route';
import { auditQuerySchema, browseAudit } from '@/lib/admin/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The audit log, newest first; `before` is the id the page continues below. */
export const GET = route({ role: 'admin', query: auditQuerySchema }, ({ query }) => browseAudit(query));
