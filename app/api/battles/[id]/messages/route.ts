import { getAppContext } from '@/lib/app-context';
import { maxBodyBytes, messageBodySchema, prepareFollowUp, promptTooLong } from '@/lib/battle/service';
import { turnResponse } from '@/lib/battle/stream-response';
import { jsonError, parseJsonBody } from '@/lib/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** A follow-up prompt to both sides (each with its own history), streamed as NDJSON. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const ctx = await getAppContext();
    const body = await parseJsonBody(req, messageBodySchema, {
      maxBytes: maxBodyBytes(ctx),
      tooLarge: () => promptTooLong(ctx),
    });
    return turnResponse(ctx, await prepareFollowUp(ctx, id, body.prompt), req);
  } catch (err) {
    return jsonError(err);
  }
}
