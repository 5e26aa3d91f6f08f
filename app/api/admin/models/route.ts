import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { createModel, listConsoleModels, modelSwitchesSchema, setModelSwitches, updateModel } from '@/lib/admin/models';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The entry is validated by the registry's own schema in the use case, so its errors name the field. */
const entryBody = z.strictObject({ entry: z.unknown() });

/** Every model in the live registry with its health (reasons are for operators only). */
export const GET = route({ role: 'admin' }, ({ app }) => listConsoleModels(app));

/** Adds a model; it takes part in the next battle. */
export const POST = route({ role: 'admin', body: entryBody, maxBytes: 32 * 1024 }, ({ app, actor, body }) => createModel(app, actor.user!, body.entry));

/** Replaces a model's entry (same id). */
export const PUT = route({ role: 'admin', body: entryBody, maxBytes: 32 * 1024 }, ({ app, actor, body }) => updateModel(app, actor.user!, body.entry));

/** Enable/disable, deprecate, re-weight. */
export const PATCH = route({ role: 'admin', body: modelSwitchesSchema, maxBytes: 4096 }, ({ app, actor, body }) => setModelSwitches(app, actor.user!, body));
