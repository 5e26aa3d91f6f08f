import fs from 'node:fs';
import path from 'node:path';
import { findSharedData, sharedDataCandidates } from '../shared-data';
import type { ModelEntry } from './schema';

/** Prefix of paths that live in the reference data folder (../shared/data or its cache). */
export const DATA_PREFIX = '@data/';

export interface ResolveOptions {
  /** Folder that relative paths are relative to (the registry file's folder). */
  baseDir: string;
  /** Repository root used to find the reference data (defaults as in lib/shared-data.ts). */
  root?: string;
}

/**
 * Absolute form of a path written in the registry. A missing "@data/" file still resolves (to the
 * first place it would be looked for) so that start-up goes on; the provider then reports itself
 * unhealthy and the caller gets a warning that says how to fetch the data.
 */
export function resolveRegistryPath(p: string, { baseDir, root }: ResolveOptions): { path: string; missingData?: string } {
  if (p.startsWith(DATA_PREFIX)) {
    const relative = p.slice(DATA_PREFIX.length);
    // Besides the usual places, look beside the registry file too: the demo models.json at the
    // repository root then finds ../shared/data whatever the working directory is.
    const found = findSharedData(relative, root) ?? findSharedData(relative, baseDir);
    if (found) return { path: found };
    return { path: path.join(sharedDataCandidates(root)[0], relative), missingData: relative };
  }
  return { path: path.resolve(baseDir, p) };
}

/** Returns the entry with its file paths made absolute, plus warnings about missing reference data. */
export function resolveEntryPaths(entry: ModelEntry, options: ResolveOptions): { entry: ModelEntry; warnings: string[] } {
  const warnings: string[] = [];
  const note = (r: { path: string; missingData?: string }) => {
    if (r.missingData) {
      warnings.push(
        `model "${entry.id}": reference data "${r.missingData}" not found; run \`npm run fetch-data\` or set PAIRWISE_DATA_DIR`,
      );
    } else if (!fs.existsSync(r.path)) {
      // Not fatal: the file may appear later (a download in progress); the model stays unhealthy until then.
      warnings.push(`model "${entry.id}": ${r.path} does not exist`);
    }
    return r.path;
  };
  const provider = entry.provider;
  if (provider.kind === 'gguf') {
    return { entry: { ...entry, provider: { ...provider, path: note(resolveRegistryPath(provider.path, options)) } }, warnings };
  }
  if (provider.kind === 'recorded') {
    const set = note(resolveRegistryPath(provider.set, options));
    // The answer file is named relative to its prompt set, unless it says otherwise.
    const answers = note(resolveRegistryPath(provider.answers, { ...options, baseDir: set }));
    return { entry: { ...entry, provider: { ...provider, set, answers } }, warnings };
  }
  return { entry, warnings };
}
