import { z } from 'zod';
import { myBattles, deleteMyData } from '@/lib/account/my-data';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const querySchema = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** Your battles: the account's when signed in, this browser's otherwise. Names appear only for voted battles. */
export const GET = route({ query: querySchema }, ({ app, actor, query }) => myBattles(app, actor, query));

/** Deletes every battle of the signed-in account (conversations and votes). */
export const DELETE = route({ role: 'user', body: z.strictObject({ confirm: z.literal('delete my data') }), maxBytes: 1024 }, ({ actor }) =>
  deleteMyData(actor),
);
