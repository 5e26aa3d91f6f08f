import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { readRatingHistory } from '@/lib/leaderboard/read-board';

export const dynamic = 'force-dynamic';

function decodeId(m: string): string {
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}

/**
 * GET /api/leaderboard/history?models=a,b — the overall board as of each day, by vote time
 * (lib/leaderboard/history.ts), for the named models (at most 50; ids joined by commas, each
 * URL-encoded). `points` is empty until the first rating pass has fitted it.
 */
export const GET = route(
  {
    query: z.strictObject({
      models: z
        .string()
        .max(20_000)
        .transform((s) => s.split(',').map(decodeId).filter(Boolean))
        .refine((list) => list.length > 0 && list.length <= 50, 'between 1 and 50 model ids, joined by commas'),
    }),
  },
  async ({ query }) => {
    const history = await readRatingHistory({ models: query.models });
    return { stride: history?.stride ?? null, points: history?.points ?? [] };
  },
);
