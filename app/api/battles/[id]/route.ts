import { getAppContext } from '@/lib/app-context';
import { getBattleResponse } from '@/lib/battle/service';
import { json, jsonError } from '@/lib/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The battle as the page shows it; model names only once it has been voted on. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    return json(await getBattleResponse(await getAppContext(), id));
  } catch (err) {
    return jsonError(err);
  }
}
