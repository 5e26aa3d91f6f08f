/**
 * What a participant gets next, as a pure rule the store's assignment transaction applies
 * (db/queries/studies.ts): an attention check when one is due, else the first open slot of the
 * design (in hand-out order) on a cell they have not judged, until their quota; then nothing.
 */

export interface CheckPolicy {
  /** Attention checks of the study. */
  checks: number;
  /** One check falls due after every `every` judgments. */
  every: number;
  /** Most design judgments per participant (null: as many as there are cells). */
  quota: number | null;
}

export type NextStep = { kind: 'check'; index: number } | { kind: 'item' } | { kind: 'done' };

export function nextStep(p: CheckPolicy & { itemsDone: number; checksDone: number; seq: number }): NextStep {
  const due = p.every > 0 ? Math.min(p.checks, Math.floor(p.itemsDone / p.every)) : 0;
  // Participants meet the checks in a rotated order, so each check is seen early by someone.
  if (p.checksDone < due) return { kind: 'check', index: (p.checksDone + p.seq) % p.checks };
  if (p.quota !== null && p.itemsDone >= p.quota) return { kind: 'done' };
  return { kind: 'item' };
}

/**
 * Where a participant stands: judgments done, and the total they will reach given their quota,
 * the cells still open to them and the checks that will fall due on the way.
 */
export function participantProgress(
  p: CheckPolicy & { itemsDone: number; checksDone: number; cellsLeft: number; holding: boolean },
): { done: number; total: number } {
  const room = p.quota === null ? Infinity : Math.max(0, p.quota - p.itemsDone);
  const itemsLeft = Math.min(room, p.cellsLeft + (p.holding ? 1 : 0));
  const items = p.itemsDone + itemsLeft;
  const checks = Math.max(p.checksDone, p.every > 0 ? Math.min(p.checks, Math.floor(items / p.every)) : 0);
  const done = p.itemsDone + p.checksDone;
  return { done, total: Math.max(done + (p.holding ? 1 : 0), items + checks) };
}

/** The cell number of attention check `index` (design cells are 0, 1, ...; checks are negative). */
export function checkCell(index: number): number {
  return -(index + 1);
}

/** The study's voter id on a participant's battles: only the study's routes can reach them. */
export function studyVoterId(participantId: string): string {
  return `study:${participantId}`;
}

export function annotatorLabel(seq: number): string {
  return `annotator-${String(seq).padStart(2, '0')}`;
}
