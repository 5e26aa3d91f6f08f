import { route } from '@/lib/edge/route';
import { studyOverview } from '@/lib/study/console';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/admin/studies/:slug — progress per item, per pair and per participant. */
export const GET = route({ role: 'admin' }, ({ params }) => studyOverview(params.slug));
