import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { testDraftModel, testSavedModel } from '@/lib/admin/test-connection';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.union([z.strictObject({ id: z.string().min(1).max(200) }), z.strictObject({ entry: z.unknown() })]);

/** One short real request to a saved model ({ id }) or to the entry in the form ({ entry }). */
export const POST = route({ role: 'admin', body: bodySchema, maxBytes: 32 * 1024 }, ({ app, body }) =>
  'id' in body ? testSavedModel(app, body.id) : testDraftModel(app, body.entry),
);
