import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { FullPassMark, RatingsInputStamp } from '../sqlite/ratings-input';
import { row, type PgExec } from './exec';

/** Postgres twin of db/queries/sqlite/ratings-input.ts (which says what the stamp and the mark are). */
const KEY = 'ratings.input';
const FULL_KEY = 'ratings.full';

type WithDb = { db?: PgDb };

/** Counts a change to votes already counted; inside the caller's transaction when given one. */
export async function bumpRatingsInputIn(db: PgExec, now = Date.now()): Promise<void> {
  await db.execute(sql`INSERT INTO settings (key, value, updated_at) VALUES (${KEY}, '1', ${now})
    ON CONFLICT (key) DO UPDATE SET value = (settings.value::int8 + 1)::text, updated_at = excluded.updated_at`);
}

export async function bumpRatingsInput({ db }: WithDb = {}): Promise<void> {
  await bumpRatingsInputIn(db!);
}

export async function ratingsInputStamp({ db }: WithDb = {}): Promise<RatingsInputStamp> {
  return ratingsInputStampIn(db!);
}

export async function ratingsInputStampIn(db: PgExec): Promise<RatingsInputStamp> {
  const r = await row<RatingsInputStamp>(
    db,
    sql`SELECT (SELECT coalesce(max(id), 0) FROM votes) AS "voteId",
               coalesce((SELECT value::int8 FROM settings WHERE key = ${KEY}), 0) AS version`,
  );
  return r!;
}

export async function storeFullPassMark({ db, input, now = Date.now() }: WithDb & { input: RatingsInputStamp; now?: number }): Promise<void> {
  const mark: FullPassMark = { voteId: input.voteId, version: input.version, finishedAt: now };
  await db!.execute(sql`INSERT INTO settings (key, value, updated_at) VALUES (${FULL_KEY}, ${JSON.stringify(mark)}, ${now})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
}

export async function readFullPassMark({ db }: WithDb = {}): Promise<FullPassMark | null> {
  const r = await row<{ value: string }>(db!, sql`SELECT value FROM settings WHERE key = ${FULL_KEY}`);
  if (!r) return null;
  try {
    return JSON.parse(r.value) as FullPassMark;
  } catch {
    return null;
  }
}
