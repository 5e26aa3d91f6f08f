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

/** The participant's planned number of judgments, checks included ("12 of 40"). */
export function plannedJudgments(p: CheckPolicy & { cells: number }): number {
  const items = Math.min(p.quota ?? p.cells, p.cells);
  const checks = p.every > 0 ? Math.min(p.checks, Math.floor(items / p.every)) : 0;
  return items + checks;
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
