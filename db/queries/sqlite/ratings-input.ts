import type Database from 'better-sqlite3';
import { getDb, type Db } from '../../index';

/**
 * What the rating pass counts can change in two ways: new votes (the highest vote id grows) and
 * changes to votes already counted (an exclusion or a restore, a deleted import or battle). The
 * second kind bumps this counter, so the refresher notices both with one cheap read.
 */
const KEY = 'ratings.input';

export function bumpRatingsInputSync(client: Database.Database, now = Date.now()): void {
  client
    .prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, '1', ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT), updated_at = excluded.updated_at`,
    )
    .run(KEY, now);
}

/** Makes the next rating pass recount every board (a board setting changed). */
export async function bumpRatingsInput({ db = getDb() }: { db?: Db } = {}): Promise<void> {
  bumpRatingsInputSync(db.$client);
}

export interface RatingsInputStamp {
  /** Highest vote id. */
  voteId: number;
  /** Changes to votes already counted. */
  version: number;
}

export async function ratingsInputStamp({ db = getDb() }: { db?: Db } = {}): Promise<RatingsInputStamp> {
  return ratingsInputStampSync(db.$client);
}

export function ratingsInputStampSync(client: Database.Database): RatingsInputStamp {
  const row = client
    .prepare(
      `SELECT (SELECT coalesce(max(id), 0) FROM votes) AS voteId,
              coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?), 0) AS version`,
    )
    .get(KEY) as RatingsInputStamp;
  return row;
}

export function sameStamp(a: RatingsInputStamp | null, b: RatingsInputStamp | null): boolean {
  return a !== null && b !== null && a.voteId === b.voteId && a.version === b.version;
}

const FULL_KEY = 'ratings.full';

/**
 * What the last full rating pass (over every battle: style control, the rating history, the trust
 * pass, the exclusion counts) counted and when it finished. The plain boards are fitted from the
 * counts within a second or two of a vote; these parts lag behind until the next full pass.
 */
export interface FullPassMark extends RatingsInputStamp {
  finishedAt: number;
}

export async function storeFullPassMark({ db = getDb(), input, now = Date.now() }: { db?: Db; input: RatingsInputStamp; now?: number }): Promise<void> {
  const mark: FullPassMark = { voteId: input.voteId, version: input.version, finishedAt: now };
  db.$client
    .prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
    .run(FULL_KEY, JSON.stringify(mark), now);
}

export async function readFullPassMark({ db = getDb() }: { db?: Db } = {}): Promise<FullPassMark | null> {
  const row = db.$client.prepare('SELECT value FROM settings WHERE key = ?').get(FULL_KEY) as { value: string } | undefined;
  if (!row) return null;
  try {
    return JSON.parse(row.value) as FullPassMark;
  } catch {
    return null;
  }
}
