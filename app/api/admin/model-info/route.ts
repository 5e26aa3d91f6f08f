import { route } from '@/lib/edge/route';
import { listImportedModels, modelInfoSchema, setModelInfo } from '@/lib/admin/model-info';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Model names found in battles but not in the registry, with the facts set for them. */
export const GET = route({ role: 'admin' }, async ({ app }) => ({ models: await listImportedModels(app) }));

/** Sets a name, organization, licence and link for such a model (all empty: removes them). */
export const PUT = route({ role: 'admin', body: modelInfoSchema, maxBytes: 8192 }, async ({ actor, body }) => {
  await setModelInfo(actor.user!, body);
  return { ok: true };
});
