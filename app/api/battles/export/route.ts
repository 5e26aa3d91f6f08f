import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { jsonError } from '@/lib/http';
import { battleExportStream } from '@/lib/leaderboard/export-battles';

export const dynamic = 'force-dynamic';

const querySchema = z.strictObject({
  format: z.enum(['json', 'jsonl', 'csv']).default('json'),
});

const CONTENT_TYPE = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * GET /api/battles/export?format=json|jsonl|csv — every counted battle in clean_battle form,
 * streamed (a store with millions of battles is never held in memory), without voter identity.
 */
export async function GET(req: Request): Promise<Response> {
  try {
    const parsed = querySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('validation_failed', `Invalid query parameter ${issue.path.join('.')}: ${issue.message}.`.replace(' :', ':'));
    }
    const { format } = parsed.data;
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(battleExportStream({ format }), {
      headers: {
        'Content-Type': CONTENT_TYPE[format],
        'Content-Disposition': `attachment; filename="pairwise-battles-${stamp}.${format}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch (err) {
    return jsonError(err);
  }
}
