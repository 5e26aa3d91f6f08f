import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { listStudies } from '@/lib/study/console';
import { createStudy } from '@/lib/study/create';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({
  /** A study definition (lib/study/definition.ts); validated by createStudy with messages naming the field. */
  definition: z.record(z.string(), z.unknown()),
  open: z.boolean().default(false),
});

/** GET /api/admin/studies — every study with its progress. */
export const GET = route({ role: 'admin' }, async () => ({ studies: await listStudies() }));

/** POST /api/admin/studies — creates a study from a definition (prompts inline or a recorded set). */
export const POST = route({ role: 'admin', body: bodySchema, maxBytes: 4 << 20 }, async ({ app, actor, body }) => {
  const created = await createStudy(app.registry(), body.definition, { createdBy: actor.user!.id, open: body.open });
  const { definition: _d, ...study } = created.study;
  return { ...created, study };
});
