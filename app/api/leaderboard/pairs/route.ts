import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { categoryIdSchema } from '@/lib/leaderboard/categories';
import { loadBoard } from '@/lib/leaderboard/load-board';

export const dynamic = 'force-dynamic';

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/**
 * GET /api/leaderboard/pairs?category=…&style=0|1 — the board's outcome tallies per model pair,
 * which the heatmaps draw for whichever models the page picks: `models` names them, each row is
 * [i, j, wins of i, wins of j, ties, ties (bothbad)]. Fetched when the heatmaps come into view,
 * so the page itself stays small however many models the board has.
 */
export const GET = route(
  { query: z.strictObject({ category: categoryIdSchema.default('overall'), style: flag.default(false) }) },
  async ({ query }) => {
    const state = await loadBoard({ category: query.category, styleControl: query.style });
    const board = state.kind === 'ready' ? state.board : null;
    return {
      snapshotId: board?.snapshotId ?? null,
      pairs: board?.result.pairs ?? { models: [], rows: [] },
    };
  },
);
