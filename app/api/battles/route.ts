import { getAppContext } from '@/lib/app-context';
import { createBattleBodySchema, maxBodyBytes, prepareNewBattle, promptTooLong } from '@/lib/battle/service';
import { turnResponse } from '@/lib/battle/stream-response';
import { jsonError, parseJsonBody } from '@/lib/http';
import { resolveVoter } from '@/lib/voter';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Creates a battle (pairing, sides, probability) and streams its first turn as NDJSON. */
export async function POST(req: Request) {
  try {
    const ctx = await getAppContext();
    const voter = resolveVoter(req, ctx.voterSecret);
    const body = await parseJsonBody(req, createBattleBodySchema, {
      maxBytes: maxBodyBytes(ctx),
      tooLarge: () => promptTooLong(ctx),
    });
    const prepared = await prepareNewBattle(ctx, body, { voterId: voter.id });
    return turnResponse(ctx, prepared, req, voter.setCookie ? { 'Set-Cookie': voter.setCookie } : {});
  } catch (err) {
    return jsonError(err);
  }
}
