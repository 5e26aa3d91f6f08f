/** A write refused by a unique or primary-key constraint (e.g. a second vote on a battle), on either store. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  // drizzle wraps a Postgres error in a DrizzleQueryError whose cause is the driver's error.
  const code = e?.code ?? e?.cause?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
