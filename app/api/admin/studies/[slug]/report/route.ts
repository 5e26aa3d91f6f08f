import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { bundleFiles, bundleZip } from '@/lib/study/bundle';
import { studyReport } from '@/lib/study/console';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const querySchema = z.strictObject({ format: z.enum(['zip', 'json', 'md', 'html', 'csv', 'judgments']).default('json') });

const FILES = {
  json: ['report.json', 'application/json; charset=utf-8'],
  md: ['report.md', 'text/markdown; charset=utf-8'],
  html: ['report.html', 'text/html; charset=utf-8'],
  csv: ['judgments.csv', 'text/csv; charset=utf-8'],
  judgments: ['judgments.json', 'application/json; charset=utf-8'],
} as const;

/**
 * GET /api/admin/studies/:slug/report?format=zip|json|md|html|csv|judgments — the report, computed
 * from the study's votes as they are now, or its whole bundle as a zip.
 */
export const GET = route({ role: 'admin', query: querySchema }, async ({ params, query }) => {
  const { report, rows } = await studyReport(params.slug);
  const headers = (name: string, type: string) => ({
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${report.study.slug}-${name}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (query.format === 'zip') {
    return new Response(Buffer.from(bundleZip(report, rows)), { headers: headers('bundle.zip', 'application/zip') });
  }
  const [name, type] = FILES[query.format];
  return new Response(bundleFiles(report, rows)[name], { headers: headers(name, type) });
});
