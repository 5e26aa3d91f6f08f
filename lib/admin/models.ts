import { z } from 'zod';
import { insertModelRow, listModelRows, updateModelRow } from '../../db/queries/models';
import { AppError } from '../errors';
import { findModel } from '../registry/lookup';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { unreachableReason } from '../registry/unreachable-reason';
import { appRoot, type ConsoleDeps, type Operator } from './deps';
import { confineEntryPaths, listModelFiles, modelFolders, type ModelFileChoices } from './model-folders';

/**
 * The live registry in the console: every model with its health (and, for operators only, why it
 * cannot be used), adding and editing entries, and the quick switches (enabled, deprecated,
 * weight). A change is stored with its audit entry, then the app re-reads the registry, so the
 * next battle sees it; battles in flight keep the registry and providers they started with.
 */

/** 'paused': out of pairing after a provider 429 or repeated failures, until its health check passes. */
export type ModelStatus = 'ready' | 'paused' | 'unreachable' | 'disabled' | 'unchecked' | 'invalid';

export interface ConsoleModel {
  id: string;
  /** The entry as stored (paths as entered, "@data/" kept), defaults filled in. Null when it no longer validates. */
  entry: ModelEntry | null;
  source: 'file' | 'console' | 'import';
  updatedAt: number;
  status: ModelStatus;
  /** Why it is not ready, for operators (may name files, endpoints and variables). */
  reason: string | null;
  checkedAt: number | null;
}

export interface ConsoleModels {
  mode: 'database' | 'file';
  models: ConsoleModel[];
  /** Folders GGUF files and recorded sets must lie in, and what is found there. */
  folders: string[];
  files: ModelFileChoices;
}

/** Time allowed for finding out why an unhealthy model fails (the page waits for it). */
const REASON_TIMEOUT_MS = 1_500;

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.length ? issue.path.join('.') : 'entry'}: ${issue?.message}`;
}

function parseEntry(raw: unknown): ModelEntry {
  const parsed = modelEntrySchema.safeParse(raw);
  if (!parsed.success) throw new AppError('validation_failed', `Invalid model: ${describeIssue(parsed.error)}.`);
  return parsed.data;
}

function assertEditable(deps: ConsoleDeps): void {
  if (deps.registryMode === 'file') {
    throw new AppError('conflict', 'The registry is read from the registry file (PAIRWISE_REGISTRY=file): edit models.json and restart.');
  }
}

async function storedEntries(): Promise<Map<string, { raw: unknown; source: ConsoleModel['source']; updatedAt: number }>> {
  const out = new Map<string, { raw: unknown; source: ConsoleModel['source']; updatedAt: number }>();
  for (const row of await listModelRows()) {
    let raw: unknown = null;
    try {
      raw = JSON.parse(row.entry);
    } catch {
      /* shown as invalid */
    }
    out.set(row.id, { raw, source: row.source, updatedAt: row.updatedAt });
  }
  return out;
}

async function statusOf(deps: ConsoleDeps, entry: ModelEntry | null, id: string): Promise<Pick<ConsoleModel, 'status' | 'reason' | 'checkedAt'>> {
  if (!entry) return { status: 'invalid', reason: 'the stored entry does not validate any more; edit it', checkedAt: null };
  const live = findModel(deps.registry(), id);
  if (!live) return { status: 'invalid', reason: 'left out of the registry (see the server log)', checkedAt: null };
  if (!live.enabled) return { status: 'disabled', reason: null, checkedAt: null };
  const pause = deps.modelBackoff().find((b) => b.model === id && b.state !== 'ok');
  if (pause) {
    const until = pause.state === 'paused' && pause.until !== null ? `until ${new Date(pause.until).toISOString().replace('T', ' ').slice(0, 19)} UTC` : 'until its next health check passes';
    return { status: 'paused', reason: `out of pairing ${until}${pause.reason ? `: ${pause.reason}` : ''}`, checkedAt: deps.modelHealth(id).checkedAt };
  }
  let ok: boolean;
  try {
    ok = await deps.isHealthy(id);
  } catch {
    ok = false;
  }
  const checkedAt = deps.modelHealth(id).checkedAt;
  if (ok) return { status: 'ready', reason: live.weight === 0 ? 'weight 0: not drawn for new battles' : null, checkedAt };
  const found = await unreachableReason(live, { timeoutMs: REASON_TIMEOUT_MS }).catch((err) => String(err));
  // Null: nothing is wrong now; the last check failed (the model may be loading or back up).
  const reason = found ?? 'its last health check failed; it answers now';
  return { status: checkedAt === null ? 'unchecked' : 'unreachable', reason, checkedAt };
}

/** Every stored model with its health; the checks run in parallel. */
export async function listConsoleModels(deps: ConsoleDeps): Promise<ConsoleModels> {
  const stored = await storedEntries();
  const models = await Promise.all(
    [...stored].map(async ([id, s]) => {
      const parsed = modelEntrySchema.safeParse(s.raw);
      const entry = parsed.success ? parsed.data : null;
      return { id, entry, source: s.source, updatedAt: s.updatedAt, ...(await statusOf(deps, entry, id)) };
    }),
  );
  return { models, ...(await modelFormChoices(deps)) };
}

/** What the add and edit forms offer: the allowed folders and the files found in them. */
export async function modelFormChoices(deps: Pick<ConsoleDeps, 'env' | 'registryMode'>): Promise<Pick<ConsoleModels, 'mode' | 'folders' | 'files'>> {
  const folders = modelFolders(deps.env.PAIRWISE_MODEL_DIRS, appRoot());
  return { mode: deps.registryMode, folders: folders.dirs, files: listModelFiles(folders) };
}

/** One stored model, as the edit form shows it. */
export async function getConsoleModel(deps: ConsoleDeps, id: string): Promise<ConsoleModel> {
  const s = (await storedEntries()).get(id);
  if (!s) throw new AppError('not_found', 'No model with this id.');
  const parsed = modelEntrySchema.safeParse(s.raw);
  const entry = parsed.success ? parsed.data : null;
  return { id, entry, source: s.source, updatedAt: s.updatedAt, ...(await statusOf(deps, entry, id)) };
}

/** Validates a submitted entry and fences its paths (those that differ from `previous`). */
export function prepareEntry(deps: ConsoleDeps, raw: unknown, previous: ModelEntry | null): ModelEntry {
  const entry = parseEntry(raw);
  return confineEntryPaths(entry, modelFolders(deps.env.PAIRWISE_MODEL_DIRS, appRoot()), previous);
}

export async function createModel(deps: ConsoleDeps, by: Operator, raw: unknown): Promise<ConsoleModel> {
  assertEditable(deps);
  const entry = prepareEntry(deps, raw, null);
  await insertModelRow({ id: entry.id, entry, by: by.id });
  await deps.reload();
  return getConsoleModel(deps, entry.id);
}

function previousEntry(raw: unknown): ModelEntry | null {
  const parsed = modelEntrySchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Replaces a model's entry (its id stays). */
export async function updateModel(deps: ConsoleDeps, by: Operator, raw: unknown): Promise<ConsoleModel> {
  assertEditable(deps);
  const id = z.object({ id: z.string() }).safeParse(raw);
  if (!id.success) throw new AppError('validation_failed', 'Invalid model: id: required.');
  const s = (await storedEntries()).get(id.data.id);
  if (!s) throw new AppError('not_found', 'No model with this id.');
  const entry = prepareEntry(deps, raw, previousEntry(s.raw));
  await updateModelRow({ id: entry.id, entry, action: 'model.update', by: by.id });
  await deps.reload();
  return getConsoleModel(deps, entry.id);
}

export const modelSwitchesSchema = z.strictObject({
  id: z.string().min(1).max(200),
  enabled: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  weight: z.number().min(0).max(1_000_000).optional(),
});

/** Enable or disable, deprecate or undeprecate, re-weight: one field at a time, each audited as what it is. */
export async function setModelSwitches(deps: ConsoleDeps, by: Operator, input: z.infer<typeof modelSwitchesSchema>): Promise<ConsoleModel> {
  assertEditable(deps);
  const s = (await storedEntries()).get(input.id);
  if (!s) throw new AppError('not_found', 'No model with this id.');
  const current = previousEntry(s.raw);
  if (!current) throw new AppError('conflict', 'The stored entry does not validate any more: edit it first.');
  const actions: string[] = [];
  const next = { ...current };
  if (input.enabled !== undefined && input.enabled !== current.enabled) {
    next.enabled = input.enabled;
    actions.push(input.enabled ? 'model.enable' : 'model.disable');
  }
  if (input.deprecated !== undefined && input.deprecated !== current.deprecated) {
    next.deprecated = input.deprecated;
    actions.push(input.deprecated ? 'model.deprecate' : 'model.undeprecate');
  }
  if (input.weight !== undefined && input.weight !== current.weight) {
    next.weight = input.weight;
    actions.push('model.weight');
  }
  if (actions.length > 0) {
    await updateModelRow({ id: input.id, entry: parseEntry(next), action: actions.join(','), by: by.id });
    await deps.reload();
  }
  return getConsoleModel(deps, input.id);
}
