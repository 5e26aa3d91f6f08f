import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { deriveKey } from '@/lib/identity/voter-cookie';
import { battleExportStream, pseudonymizer } from '@/lib/leaderboard/export-battles';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const querySchema = z.strictObject({
  format: z.enum(['json', 'jsonl', 'csv']).default('json'),
  /** Opt-in: each voter gets a stable pseudonym as its judge instead of "arena_user". */
  pseudonyms: flag.default(false),
});

const CONTENT_TYPE = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * GET /api/battles/export?format=json|jsonl|csv[&pseudonyms=1] — every counted battle in
 * clean_battle form with its conversations, streamed (a store with millions of battles is never
 * held in memory), without voter identity. Conversations are private: admins only, or a script
 * with PAIRWISE_EXPORT_TOKEN. The leaderboard and its API stay public.
 */
export const GET = route({ query: querySchema, role: 'admin', exportToken: true }, ({ app, query }) => {
  const stamp = new Date().toISOString().slice(0, 10);
  const pseudonyms = query.pseudonyms ? pseudonymizer(deriveKey(app.identity.secret, 'pseudonym')) : undefined;
  return new Response(battleExportStream({ format: query.format, pseudonyms }), {
    headers: {
      'Content-Type': CONTENT_TYPE[query.format],
      'Content-Disposition': `attachment; filename="pairwise-battles-${stamp}.${query.format}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
});
