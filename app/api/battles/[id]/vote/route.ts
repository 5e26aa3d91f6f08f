import { voteBodySchema } from '@/lib/battle/bodies';
import { voteOnBattle } from '@/lib/battle/vote';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The one vote of a battle, by its owner; the answer reveals both models and their speed. */
export const POST = route({ body: voteBodySchema, maxBytes: 4096, limit: 'vote', arena: true }, ({ app, actor, body, params }) =>
  voteOnBattle(app, params.id, body.winner, actor),
);
