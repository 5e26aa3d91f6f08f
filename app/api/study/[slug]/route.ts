import { route } from '@/lib/edge/route';
import { participantView } from '@/lib/study/participate';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/study/:slug — where this participant stands (never a model's name). */
export const GET = route({}, ({ app, actor, params }) => participantView(app, params.slug, actor));
