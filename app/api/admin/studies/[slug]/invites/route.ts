import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { createInvites } from '@/lib/study/console';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({ count: z.int().min(1).max(500), note: z.string().trim().max(200).optional() });

/** POST /api/admin/studies/:slug/invites — participant codes and links (each shown only in this answer). */
export const POST = route({ role: 'admin', body: bodySchema, maxBytes: 1024 }, async ({ actor, body, params }) => ({
  invites: await createInvites(params.slug, { count: body.count, note: body.note || null }, actor.user!.id),
}));
