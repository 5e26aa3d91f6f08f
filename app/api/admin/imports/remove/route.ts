import { route } from '@/lib/edge/route';
import { removeImport, removeImportSchema } from '@/lib/admin/imports';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Removes an import's battles (they leave the boards); a large one goes on in the background. */
export const POST = route({ role: 'admin', body: removeImportSchema, maxBytes: 1024 }, ({ actor, body }) => removeImport(actor.user!, body.id));
