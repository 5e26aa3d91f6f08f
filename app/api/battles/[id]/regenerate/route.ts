import { getAppContext } from '@/lib/app-context';
import { prepareRegenerate } from '@/lib/battle/service';
import { turnResponse } from '@/lib/battle/stream-response';
import { jsonError } from '@/lib/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Re-runs the last turn on both sides; the previous answers stay stored as superseded. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const ctx = await getAppContext();
    return turnResponse(ctx, await prepareRegenerate(ctx, id), req);
  } catch (err) {
    return jsonError(err);
  }
}
