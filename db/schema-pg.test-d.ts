import { describe, expectTypeOf, test } from 'vitest';
import * as pg from './schema-pg';
import * as sqlite from './schema';

/**
 * The rows the app sees must not depend on the store: each Postgres table's select and insert
 * types equal its SQLite twin's. Checked by the compiler (vitest's typecheck and `tsc --noEmit`).
 */
describe('db/schema-pg.ts has the row types of db/schema.ts', () => {
  test('the same tables', () => {
    expectTypeOf<keyof typeof pg>().toEqualTypeOf<keyof typeof sqlite>();
  });

  test('select types', () => {
    expectTypeOf(pg.imports.$inferSelect).toEqualTypeOf(sqlite.imports.$inferSelect);
    expectTypeOf(pg.voters.$inferSelect).toEqualTypeOf(sqlite.voters.$inferSelect);
    expectTypeOf(pg.users.$inferSelect).toEqualTypeOf(sqlite.users.$inferSelect);
    expectTypeOf(pg.accounts.$inferSelect).toEqualTypeOf(sqlite.accounts.$inferSelect);
    expectTypeOf(pg.invites.$inferSelect).toEqualTypeOf(sqlite.invites.$inferSelect);
    expectTypeOf(pg.settings.$inferSelect).toEqualTypeOf(sqlite.settings.$inferSelect);
    expectTypeOf(pg.models.$inferSelect).toEqualTypeOf(sqlite.models.$inferSelect);
    expectTypeOf(pg.modelInfo.$inferSelect).toEqualTypeOf(sqlite.modelInfo.$inferSelect);
    expectTypeOf(pg.auditLog.$inferSelect).toEqualTypeOf(sqlite.auditLog.$inferSelect);
    expectTypeOf(pg.rateLimits.$inferSelect).toEqualTypeOf(sqlite.rateLimits.$inferSelect);
    expectTypeOf(pg.battles.$inferSelect).toEqualTypeOf(sqlite.battles.$inferSelect);
    expectTypeOf(pg.battleImages.$inferSelect).toEqualTypeOf(sqlite.battleImages.$inferSelect);
    expectTypeOf(pg.messages.$inferSelect).toEqualTypeOf(sqlite.messages.$inferSelect);
    expectTypeOf(pg.votes.$inferSelect).toEqualTypeOf(sqlite.votes.$inferSelect);
    expectTypeOf(pg.ratingSnapshots.$inferSelect).toEqualTypeOf(sqlite.ratingSnapshots.$inferSelect);
    expectTypeOf(pg.pairCounts.$inferSelect).toEqualTypeOf(sqlite.pairCounts.$inferSelect);
    expectTypeOf(pg.pairCountIdentities.$inferSelect).toEqualTypeOf(sqlite.pairCountIdentities.$inferSelect);
    expectTypeOf(pg.pairCountModels.$inferSelect).toEqualTypeOf(sqlite.pairCountModels.$inferSelect);
    expectTypeOf(pg.studies.$inferSelect).toEqualTypeOf(sqlite.studies.$inferSelect);
    expectTypeOf(pg.studyItems.$inferSelect).toEqualTypeOf(sqlite.studyItems.$inferSelect);
    expectTypeOf(pg.studyParticipants.$inferSelect).toEqualTypeOf(sqlite.studyParticipants.$inferSelect);
    expectTypeOf(pg.studySlots.$inferSelect).toEqualTypeOf(sqlite.studySlots.$inferSelect);
    expectTypeOf(pg.turnLocks.$inferSelect).toEqualTypeOf(sqlite.turnLocks.$inferSelect);
  });

  test('insert types', () => {
    expectTypeOf(pg.imports.$inferInsert).toEqualTypeOf(sqlite.imports.$inferInsert);
    expectTypeOf(pg.voters.$inferInsert).toEqualTypeOf(sqlite.voters.$inferInsert);
    expectTypeOf(pg.users.$inferInsert).toEqualTypeOf(sqlite.users.$inferInsert);
    expectTypeOf(pg.accounts.$inferInsert).toEqualTypeOf(sqlite.accounts.$inferInsert);
    expectTypeOf(pg.invites.$inferInsert).toEqualTypeOf(sqlite.invites.$inferInsert);
    expectTypeOf(pg.settings.$inferInsert).toEqualTypeOf(sqlite.settings.$inferInsert);
    expectTypeOf(pg.models.$inferInsert).toEqualTypeOf(sqlite.models.$inferInsert);
    expectTypeOf(pg.modelInfo.$inferInsert).toEqualTypeOf(sqlite.modelInfo.$inferInsert);
    expectTypeOf(pg.auditLog.$inferInsert).toEqualTypeOf(sqlite.auditLog.$inferInsert);
    expectTypeOf(pg.rateLimits.$inferInsert).toEqualTypeOf(sqlite.rateLimits.$inferInsert);
    expectTypeOf(pg.battles.$inferInsert).toEqualTypeOf(sqlite.battles.$inferInsert);
    expectTypeOf(pg.battleImages.$inferInsert).toEqualTypeOf(sqlite.battleImages.$inferInsert);
    expectTypeOf(pg.messages.$inferInsert).toEqualTypeOf(sqlite.messages.$inferInsert);
    expectTypeOf(pg.votes.$inferInsert).toEqualTypeOf(sqlite.votes.$inferInsert);
    expectTypeOf(pg.ratingSnapshots.$inferInsert).toEqualTypeOf(sqlite.ratingSnapshots.$inferInsert);
    expectTypeOf(pg.pairCounts.$inferInsert).toEqualTypeOf(sqlite.pairCounts.$inferInsert);
    expectTypeOf(pg.pairCountIdentities.$inferInsert).toEqualTypeOf(sqlite.pairCountIdentities.$inferInsert);
    expectTypeOf(pg.pairCountModels.$inferInsert).toEqualTypeOf(sqlite.pairCountModels.$inferInsert);
    expectTypeOf(pg.studies.$inferInsert).toEqualTypeOf(sqlite.studies.$inferInsert);
    expectTypeOf(pg.studyItems.$inferInsert).toEqualTypeOf(sqlite.studyItems.$inferInsert);
    expectTypeOf(pg.studyParticipants.$inferInsert).toEqualTypeOf(sqlite.studyParticipants.$inferInsert);
    expectTypeOf(pg.studySlots.$inferInsert).toEqualTypeOf(sqlite.studySlots.$inferInsert);
    expectTypeOf(pg.turnLocks.$inferInsert).toEqualTypeOf(sqlite.turnLocks.$inferInsert);
  });
});
