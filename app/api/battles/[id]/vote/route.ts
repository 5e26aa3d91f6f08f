import { getAppContext } from '@/lib/app-context';
import { voteOnBattle, voteBodySchema } from '@/lib/battle/service';
import { json, jsonError, parseJsonBody } from '@/lib/http';
import { resolveVoter } from '@/lib/voter';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The one vote of a battle; the answer reveals both models and their speed. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const ctx = await getAppContext();
    const voter = resolveVoter(req, ctx.voterSecret);
    const body = await parseJsonBody(req, voteBodySchema, { maxBytes: 4096 });
    const revealed = await voteOnBattle(ctx, id, body.winner, voter.id);
    return json(revealed, { headers: voter.setCookie ? { 'Set-Cookie': voter.setCookie } : {} });
  } catch (err) {
    return jsonError(err);
  }
}
