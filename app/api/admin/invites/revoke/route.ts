import { route } from '@/lib/edge/route';
import { revokeInviteLink, revokeSchema } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'admin', body: revokeSchema, maxBytes: 1024 }, async ({ actor, body }) => ({
  invite: await revokeInviteLink(actor.user!, body.id),
}));
