import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { changeStatus } from '@/lib/study/console';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({ status: z.enum(['open', 'closed']) });

/** POST /api/admin/studies/:slug/status — opens or closes a study. */
export const POST = route({ role: 'admin', body: bodySchema, maxBytes: 256 }, async ({ actor, body, params }) => {
  const { definition: _d, ...study } = await changeStatus(params.slug, body.status, actor.user!.id);
  return { study };
});
