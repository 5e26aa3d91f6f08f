import { z } from 'zod';
import { retryLater } from '@/lib/errors';
import { route } from '@/lib/edge/route';
import { storedExclusionCounts } from '@/db/queries/exclusions';
import { categoryIdSchema } from '@/lib/leaderboard/categories';
import { buildRows, filterRows, metaLookup, rowsToCsv, type RegistryLike } from '@/lib/leaderboard/board-view';
import { loadBoard, type BoardFreshness } from '@/lib/leaderboard/load-board';
import { boardModelEntries } from '@/lib/admin/model-info';

export const dynamic = 'force-dynamic';

const flag = z.enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no']).transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

const querySchema = z.strictObject({
  format: z.enum(['json', 'csv']).default('json'),
  category: categoryIdSchema.default('overall'),
  style: flag.default(false),
  /** Leave out models with fewer votes (the page's threshold). */
  minVotes: z.coerce.number().int().min(0).max(1e9).default(0),
  /** Deprecated models are included unless this is off. */
  deprecated: flag.default(true),
  /** Keep models whose id, name or organization contains this. */
  q: z.string().max(200).optional(),
});

/** How long a request waits for the very first rating pass before answering 503. */
const FIRST_PASS_WAIT_MS = 8_000;

/**
 * GET /api/leaderboard?format=json|csv&category=…&style=0|1 — the newest stored board. JSON has
 * the fields of `pairwise ratings --format json` (`battles`, `models[]` with component,
 * provisional flag and reason, both win rates and battles to separate; `diagnostics`) plus, per
 * model, the "new" mark and its first vote, and the board's category, style setting, method,
 * parameters, data hash and computation time, and `freshness`: what the board counts and whether
 * the parts fitted by the slower full pass (style control, history, trust) lag behind it. A board
 * that could not be fitted (too few battles, or too few with style) has no models and says why in
 * `diagnostics.status`.
 */
export const GET = route({ query: querySchema }, async ({ app, query: q }) => {
  const state = await loadBoard({ category: q.category, styleControl: q.style, waitMs: FIRST_PASS_WAIT_MS });
  if (state.kind === 'computing') throw retryLater('The ratings are being computed for the first time; try again in a few seconds.', 3);

  const entries: RegistryLike[] = await boardModelEntries(app.registry().models);
  const board = state.kind === 'ready' ? state.board : null;
  const rows = board ? filterRows(buildRows(board.result, metaLookup(entries)), { minVotes: q.minVotes, includeDeprecated: q.deprecated, search: q.q }) : [];
  const marks = new Map(rows.map((r) => [r.model, { new: r.isNew, firstVoteAt: r.firstVoteAt === null ? null : new Date(r.firstVoteAt).toISOString() }]));

  if (q.format === 'csv') {
    const name = `pairwise-leaderboard-${q.category.replace(/[^A-Za-z0-9_-]+/g, '_')}${q.style ? '-style' : ''}.csv`;
    return new Response(rowsToCsv(rows, board?.result.diagnostics), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Cache-Control': 'no-store',
      },
    });
  }
  return {
    battles: board?.result.battles ?? 0,
    models: board ? board.result.models.filter((m) => marks.has(m.model)).map((m) => ({ ...m, ...marks.get(m.model)! })) : [],
    diagnostics: board?.result.diagnostics ?? null,
    // Imported battles without a tstamp (online Elo takes them in file order: diagnostics.elo.order).
    untimedBattles: board?.result.untimedBattles ?? 0,
    category: q.category,
    styleControl: q.style,
    ...(board?.result.style ? { style: board.result.style } : {}),
    method: board?.method ?? null,
    params: board?.params ?? null,
    dataHash: board?.dataHash ?? null,
    computedAt: board ? new Date(board.computedAt).toISOString() : null,
    // Votes kept but not counted, by reason (identity_leak, low_trust, banned, moderated, recorded_public); as of the last full pass.
    excluded: (await storedExclusionCounts())?.excluded ?? {},
    // How current the board is: plain boards follow the votes within seconds; style control, the
    // rating history, trust scores and the exclusion counts come from the slower full pass.
    freshness: state.kind === 'ready' ? freshnessJson(state.freshness) : null,
  };
});

function freshnessJson(f: BoardFreshness) {
  const iso = (at: number) => new Date(at).toISOString();
  return {
    latestVoteId: f.latestVoteId,
    throughVoteId: f.throughVoteId,
    pass: f.pass,
    styleControl: f.styleControl ? { asOf: iso(f.styleControl.asOf), throughVoteId: f.styleControl.throughVoteId, lagging: f.styleControl.lagging } : null,
    fullPass: f.fullPass ? { asOf: iso(f.fullPass.asOf), throughVoteId: f.fullPass.throughVoteId, lagging: f.fullPass.lagging } : null,
  };
}
