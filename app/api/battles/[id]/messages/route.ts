import { maxBodyBytes, messageBodySchema, promptTooLong } from '@/lib/battle/bodies';
import { turnResponse } from '@/lib/battle/stream-response';
import { prepareFollowUp } from '@/lib/battle/turns';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** A follow-up prompt to both sides (each with its own history), streamed as NDJSON. */
export const POST = route(
  {
    body: messageBodySchema,
    maxBytes: (app) => maxBodyBytes(app.registry().settings),
    tooLarge: (app) => promptTooLong(app.registry().settings),
    arena: true,
  },
  async ({ app, actor, body, params, req }) => turnResponse(app, await prepareFollowUp(app, params.id, body.prompt, actor), req),
);
