import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Locates the reference data (tiny GGUF models, recorded answers, real arena votes, the rating
 * oracle). In order: PAIRWISE_DATA_DIR, the `shared/data` folder beside the repository, and the
 * cache filled by `npm run fetch-data`. Nothing here downloads anything.
 */
export function sharedDataCandidates(root = process.env.PAIRWISE_ROOT ?? process.cwd()): string[] {
  const list: string[] = [];
  if (process.env.PAIRWISE_DATA_DIR) list.push(path.resolve(process.env.PAIRWISE_DATA_DIR));
  list.push(path.resolve(root, '..', 'shared', 'data'));
  list.push(dataCacheDir());
  return list;
}

export function dataCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pairwise', 'data');
}

/** Absolute path of `relative` inside the first data folder that has it, or null. */
export function findSharedData(relative: string, root?: string): string | null {
  for (const dir of sharedDataCandidates(root)) {
    const p = path.join(dir, relative);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Like findSharedData, but throws a message that says how to get the data. */
export function requireSharedData(relative: string, root?: string): string {
  const found = findSharedData(relative, root);
  if (found) return found;
  throw new Error(
    `Reference data "${relative}" not found. Looked in: ${sharedDataCandidates(root).join(', ')}. ` +
      'Run `npm run fetch-data` (needs internet access to GitHub) or set PAIRWISE_DATA_DIR to a folder that has it.',
  );
}
