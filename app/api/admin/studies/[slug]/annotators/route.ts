import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { setExclusion } from '@/lib/study/console';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({
  annotator: z.string().min(1).max(200),
  /** Why the annotator is left out of the report; null takes them back in. */
  exclude: z.string().trim().min(1).max(500).nullable(),
});

/** POST /api/admin/studies/:slug/annotators — excludes an annotator with a reason (the report refits), or includes them again. */
export const POST = route({ role: 'admin', body: bodySchema, maxBytes: 2048 }, async ({ actor, body, params }) => {
  await setExclusion(params.slug, body.annotator, body.exclude, actor.user!.id);
  return { ok: true };
});
