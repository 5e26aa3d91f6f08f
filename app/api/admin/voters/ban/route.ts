import { route } from '@/lib/edge/route';
import { banSchema, banVoter } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Ban (with a reason) or unban a voter; its votes are excluded or counted again. */
export const POST = route({ role: 'admin', body: banSchema, maxBytes: 4096 }, ({ actor, body }) => banVoter(actor.user!, body));
