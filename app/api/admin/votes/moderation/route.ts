import { route } from '@/lib/edge/route';
import { moderate, moderationSchema } from '@/lib/admin/votes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Exclude a vote (with a note), restore it, or clear the decision; the boards follow. */
export const POST = route({ role: 'admin', body: moderationSchema, maxBytes: 4096 }, async ({ actor, body }) => ({
  vote: await moderate(actor.user!, body),
}));
