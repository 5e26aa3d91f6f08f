import { namedModels } from '@/lib/battle/arena-info';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * The models offered by name in side by side and direct chat. Only those modes' pickers ask for
 * it; the anonymous battle's payloads never carry model names.
 */
export const GET = route({}, ({ app }) => namedModels(app));
