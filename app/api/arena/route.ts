import { arenaInfo } from '@/lib/battle/arena-info';
import { participation } from '@/lib/battle/participation';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** What the battle page may offer: modes, recorded prompts, limits, and the rules to agree to. Never model names. */
export const GET = route({}, async ({ app, actor }) => ({
  ...(await arenaInfo(app)),
  participation: participation(app.operator(), actor),
}));
