import { route } from '@/lib/edge/route';
import { battleDetail } from '@/lib/admin/votes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** One battle with its vote and whole conversation (admins only). */
export const GET = route({ role: 'admin' }, ({ params }) => battleDetail(params.id));
