import { arenaInfo } from '@/lib/battle/arena-info';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** What the battle page may offer: modes, recorded prompts and limits. Never model names. */
export const GET = route({}, ({ app }) => arenaInfo(app));
