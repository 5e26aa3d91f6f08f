import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { joinStudy, participantView } from '@/lib/study/participate';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({
  /** The participant code of an invitation. */
  code: z.string().trim().min(4).max(40).optional(),
  /** Agrees to the study's consent and qualification statements. */
  agree: z.boolean().optional(),
});

/** POST /api/study/:slug/join — takes part (code, account or this browser), agreeing when asked. */
export const POST = route({ body: bodySchema, maxBytes: 2048, mintVoter: true }, async ({ app, actor, body, params }) => {
  await joinStudy(params.slug, actor, body);
  return participantView(app, params.slug, actor);
});
