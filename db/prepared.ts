import type { Db } from './index';

/**
 * A query on the hot path (a vote, a battle's view, a browser's voter), built by drizzle once per
 * store and then only executed. Building a query is drizzle's costly part: under a vote load it
 * was about a third of the server's CPU time, while running the compiled statement is a fraction
 * of that. The query takes its inputs as `sql.placeholder(...)`s; one set of compiled queries is
 * kept per store (tests and the CLI open stores of their own), and goes with it.
 *
 *   const voterById = preparedQuery((db) =>
 *     db.select().from(voters).where(eq(voters.id, sql.placeholder('id'))).prepare());
 *   voterById(db).get({ id });
 */
export function preparedQuery<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const byStore = new WeakMap<Db, Q>();
  return (db) => {
    let query = byStore.get(db);
    if (query === undefined) {
      query = build(db);
      byStore.set(db, query);
    }
    return query;
  };
}
