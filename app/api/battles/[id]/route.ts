import { route } from '@/lib/edge/route';
import { getOwnedBattle } from '@/lib/battle/view';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The battle as its owner's page shows it; model names only once it has been voted on. */
export const GET = route({}, ({ app, actor, params }) => getOwnedBattle(app, params.id, actor));
