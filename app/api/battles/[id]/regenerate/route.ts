import { turnResponse } from '@/lib/battle/stream-response';
import { prepareRegenerate } from '@/lib/battle/turns';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Re-runs the last turn on both sides; the previous answers stay stored as superseded. */
export const POST = route({ arena: true }, async ({ app, actor, params, req }) => turnResponse(app, await prepareRegenerate(app, params.id, actor), req));
