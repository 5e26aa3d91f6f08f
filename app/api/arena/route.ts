import { getAppContext } from '@/lib/app-context';
import { arenaInfo } from '@/lib/battle/service';
import { json, jsonError } from '@/lib/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** What the battle page may offer: modes, recorded prompts and limits. Never model names. */
export async function GET() {
  try {
    return json(await arenaInfo(await getAppContext()));
  } catch (err) {
    return jsonError(err);
  }
}
