import { createBattleBodySchema, createTooLarge, maxCreateBodyBytes } from '@/lib/battle/bodies';
import { turnResponse } from '@/lib/battle/stream-response';
import { prepareNewBattle } from '@/lib/battle/turns';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Creates a battle (pairing, sides, probability) and streams its first turn as NDJSON. */
export const POST = route(
  {
    body: createBattleBodySchema,
    // The one route that takes images: room for the first prompt's image.
    maxBytes: (app) => maxCreateBodyBytes(app.registry().settings),
    tooLarge: (app) => createTooLarge(app.registry().settings),
    limit: 'battle',
    mintVoter: true,
    arena: true,
    proofOfWork: true,
  },
  async ({ app, actor, body, req }) => turnResponse(app, await prepareNewBattle(app, body, actor), req),
);
