import { z } from 'zod';
import { deleteImport } from '../../db/queries/admin-imports';
import { listImports, RUNNING_REPORT, type ImportRow } from '../../db/queries/imports';
import { AppError } from '../errors';
import type { Operator } from './deps';

/**
 * Imports of clean_battle files and their removal. Removing a large import takes a while (it
 * goes in short batches so the arena keeps answering), so it runs in the background and the
 * page shows its progress. The running removals are per process; one cut short by a restart
 * leaves the import listed with fewer battles, and removing it again finishes the job.
 */

export interface ConsoleImport extends Omit<ImportRow, 'report'> {
  state: 'done' | 'running' | 'removing';
  /** Battles removed so far while it is being removed. */
  removed: number | null;
  report: { skipped?: Record<string, number> } & Record<string, unknown>;
}

const g = globalThis as unknown as { __pairwiseImportRemovals?: Map<number, { removed: number; done: Promise<unknown> }> };
const removals = (g.__pairwiseImportRemovals ??= new Map());

function parseReport(text: string): ConsoleImport['report'] {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as ConsoleImport['report']) : {};
  } catch {
    return {};
  }
}

export async function listConsoleImports(): Promise<ConsoleImport[]> {
  return (await listImports())
    .reverse()
    .map(({ report, ...row }) => {
      const removal = removals.get(row.id);
      return {
        ...row,
        state: removal ? 'removing' : report === RUNNING_REPORT ? 'running' : 'done',
        removed: removal?.removed ?? null,
        report: parseReport(report),
      };
    });
}

export const removeImportSchema = z.strictObject({ id: z.int().positive() });

/**
 * Starts removing an import and waits up to `waitMs` for it: a small import is gone when this
 * returns; a large one goes on in the background.
 */
export async function removeImport(by: Operator, id: number, waitMs = 3_000): Promise<{ state: 'removed' | 'removing'; removed: number }> {
  let removal = removals.get(id);
  if (!removal) {
    if (!(await listImports()).some((i) => i.id === id)) throw new AppError('not_found', 'No import with this id.');
    const entry = { removed: 0, done: Promise.resolve() as Promise<unknown> };
    entry.done = deleteImport({ importId: id, by: by.id, onProgress: (n) => (entry.removed = n) })
      .catch((err) => console.error(`[pairwise] removing import #${id} failed:`, err))
      .finally(() => removals.delete(id));
    removals.set(id, entry);
    removal = entry;
  }
  const current = removal;
  const finished = await Promise.race([current.done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref())]);
  return { state: finished ? 'removed' : 'removing', removed: current.removed };
}
