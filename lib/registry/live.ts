import path from 'node:path';
import { modelEntrySchema, type ArenaSettings, type ModelEntry, type Registry } from './schema';
import { DATA_PREFIX, resolveEntryPaths } from './resolve-paths';

/**
 * The registry as data. The registry file (or discovery) seeds the `models` table on a store's
 * first start; from then on the table is the registry and the console edits it. With
 * PAIRWISE_REGISTRY=file the file stays the only source: the table is rewritten from it at every
 * start and the console shows the models read-only. Either way the file's `settings` are the
 * defaults that the console's arena settings override.
 */

export type RegistryMode = 'database' | 'file';

/** A file entry as stored: relative paths made absolute against the file's folder; "@data/" kept. */
export function storableEntry(entry: ModelEntry, fileDir: string): ModelEntry {
  const abs = (p: string) => (p.startsWith(DATA_PREFIX) || path.isAbsolute(p) ? p : path.resolve(fileDir, p));
  const provider = entry.provider;
  if (provider.kind === 'gguf') return { ...entry, provider: { ...provider, path: abs(provider.path) } };
  if (provider.kind === 'recorded') return { ...entry, provider: { ...provider, set: abs(provider.set) } };
  return entry;
}

/**
 * Stored rows to registry entries, paths resolved. A row that no longer validates (written by an
 * older version, or by hand) is left out with a warning instead of stopping the arena.
 */
export function entriesFromRows(rows: { id: string; entry: string }[], root: string): { models: ModelEntry[]; warnings: string[] } {
  const models: ModelEntry[] = [];
  const warnings: string[] = [];
  for (const row of rows) {
    let raw: unknown;
    try {
      raw = JSON.parse(row.entry);
    } catch {
      warnings.push(`model "${row.id}": the stored entry is not JSON; left out`);
      continue;
    }
    const parsed = modelEntrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      warnings.push(`model "${row.id}": ${issue?.path.join('.') || 'entry'}: ${issue?.message}; left out`);
      continue;
    }
    const resolved = resolveEntryPaths(parsed.data, { baseDir: root, root });
    warnings.push(...resolved.warnings);
    models.push(resolved.entry);
  }
  return { models, warnings };
}

export function composeRegistry(source: string, settings: ArenaSettings, models: ModelEntry[], warnings: string[] = []): Registry {
  return { source, settings, models, warnings };
}
