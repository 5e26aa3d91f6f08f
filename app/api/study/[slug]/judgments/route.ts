import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { WINNERS } from '@/lib/rating/types';
import { judgeItem } from '@/lib/study/participate';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({ battleId: z.string().min(1).max(100), winner: z.enum(WINNERS) });

/** POST /api/study/:slug/judgments — the judgment of the item held; answers the participant's progress, no names. */
export const POST = route({ body: bodySchema, maxBytes: 1024, limit: 'vote' }, ({ app, actor, body, params }) => judgeItem(app, params.slug, actor, body));
