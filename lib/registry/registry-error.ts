/**
 * A registry file that cannot be used. The message is written for the person who edits the file:
 * it names the file, the entry (index and id when known) and the field. It is a start-up error for
 * the server log and the terminal, never for the browser (it names models and paths).
 */
export interface RegistryProblem {
  /** Index in `models`, when the problem is inside one entry. */
  entryIndex?: number;
  /** The entry's id, when it has a readable one. */
  entryId?: string;
  /** Dotted path of the field inside the entry (or the file, outside `models`). */
  field?: string;
  message: string;
}

export class RegistryError extends Error {
  readonly file: string;
  readonly problems: RegistryProblem[];

  constructor(file: string, problems: RegistryProblem[], options?: { cause?: unknown }) {
    super(formatRegistryProblems(file, problems), options);
    this.name = 'RegistryError';
    this.file = file;
    this.problems = problems;
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

function describeProblem(p: RegistryProblem): string {
  const where: string[] = [];
  if (p.entryIndex !== undefined) {
    where.push(p.entryId ? `models[${p.entryIndex}] (id "${p.entryId}")` : `models[${p.entryIndex}]`);
  }
  if (p.field) where.push(`field "${p.field}"`);
  return where.length ? `${where.join(', ')}: ${p.message}` : p.message;
}

function formatRegistryProblems(file: string, problems: RegistryProblem[]): string {
  if (problems.length === 1) return `Invalid model registry ${file}: ${describeProblem(problems[0])}`;
  const shown = problems.slice(0, 10).map((p) => `  - ${describeProblem(p)}`);
  if (problems.length > 10) shown.push(`  - ... and ${problems.length - 10} more`);
  return `Invalid model registry ${file}: ${problems.length} problems\n${shown.join('\n')}`;
}
