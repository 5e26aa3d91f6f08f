import { sql } from 'drizzle-orm';
import type { Db } from '../index';
import type { PgDb } from '../postgres';
import * as sqliteSchema from '../schema';
import * as pgSchema from '../schema-pg';

/**
 * Copies the rows votes are counted from (users, voters, imports, battles, messages, votes and the
 * settings) from a SQLite store to a Postgres one, replacing what it held, for tests that drive a
 * store through query functions not yet on both dialects and compare what the two stores compute.
 * Settings whose keys are in `keep` stay as the target has them (state the target keeps itself).
 */
const TABLES = [
  [sqliteSchema.users, pgSchema.users],
  [sqliteSchema.voters, pgSchema.voters],
  [sqliteSchema.imports, pgSchema.imports],
  [sqliteSchema.battles, pgSchema.battles],
  [sqliteSchema.messages, pgSchema.messages],
  [sqliteSchema.votes, pgSchema.votes],
] as const;

export async function mirrorToPostgres(source: Db, target: PgDb, { keep = [] }: { keep?: string[] } = {}): Promise<void> {
  await target.transaction(async (tx) => {
    for (const [, t] of [...TABLES].reverse()) await tx.delete(t);
    await tx.execute(sql`DELETE FROM settings WHERE NOT (key = ANY(${sql.param(keep)}::text[]))`);
    for (const [from, to] of TABLES) {
      const all = source.select().from(from).all();
      for (let i = 0; i < all.length; i += 500) await tx.insert(to).values(all.slice(i, i + 500) as never);
    }
    const settings = source.select().from(sqliteSchema.settings).all().filter((r) => !keep.includes(r.key));
    if (settings.length) await tx.insert(pgSchema.settings).values(settings);
  });
}
