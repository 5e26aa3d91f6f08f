import { emptyBodySchema } from '@/lib/battle/bodies';
import { route } from '@/lib/edge/route';
import { nextResponse } from '@/lib/study/next-response';
import { nextItem } from '@/lib/study/participate';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/study/:slug/next — the participant's next item, streamed as NDJSON like a battle; `{ done }` when none is left. */
export const POST = route({ body: emptyBodySchema, maxBytes: 256, limit: 'battle' }, async ({ app, actor, params, req }) =>
  nextResponse(app, await nextItem(app, params.slug, actor), req),
);
