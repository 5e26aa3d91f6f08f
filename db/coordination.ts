import pg from 'pg';
import { isPostgres, type Store } from './store';

/**
 * What processes sharing one Postgres store tell each other about the rating passes. On SQLite
 * (one process per file) each of these is a no-op: the pass lock is the refresher's own
 * one-at-a-time rule, and there is nobody to tell.
 */

/**
 * One advisory-lock key per kind of rating pass: two passes of one kind never run at once. A counts
 * pass never waits for a full pass's seconds of work (a vote is on the board within a second or
 * two whatever the store's size); the refresher, for its part, starts no full pass while a counts
 * pass of its own runs or it sees another process's full pass running (ratingPassRunning).
 */
const PASS_LOCK_SQL = {
  counts: `hashtext('pairwise:rating-pass:counts')`,
  full: `hashtext('pairwise:rating-pass:full')`,
} as const;
export const BOARDS_CHANNEL = 'pairwise_boards';

/** What a process announces after a pass has stored boards: which pass, and what they count. */
export interface BoardsNews {
  pass: 'counts' | 'full';
  input: { voteId: number; version: number };
  /** How long the pass took (a full pass's, so every process paces full passes by the last one run anywhere). */
  ms?: number;
}

/**
 * Runs `fn` as the only rating pass of its kind on the database: a session advisory lock, on a
 * connection of its own for the length of the pass; a second process's pass of that kind waits
 * for it, then finds its work done (the counts' cursor, the full pass's mark). The lock goes with
 * the connection if the process dies.
 */
export async function withRatingPassLock<T>(store: Store, pass: BoardsNews['pass'], fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(store)) return fn();
  const key = PASS_LOCK_SQL[pass];
  const client = await store.$client.connect();
  let broken = false;
  try {
    await client.query(`SELECT pg_advisory_lock(${key})`);
    try {
      return await fn();
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${key})`).catch(() => (broken = true));
    }
  } finally {
    // A connection whose unlock failed is not given back holding the lock.
    client.release(broken);
  }
}

/** Tells every process listening on the database that new boards are stored. */
export async function announceBoards(store: Store, news: BoardsNews): Promise<void> {
  if (!isPostgres(store)) return;
  await store.$client.query('SELECT pg_notify($1, $2)', [BOARDS_CHANNEL, JSON.stringify(news)]);
}

/**
 * Whether a pass of this kind holds the database's lock now (another process's: this one asks
 * before starting its own). One statement, so the probe's lock, if it got it, is let go on the
 * connection that took it. Always false on SQLite.
 */
export async function ratingPassRunning(store: Store, pass: BoardsNews['pass']): Promise<boolean> {
  if (!isPostgres(store)) return false;
  const key = PASS_LOCK_SQL[pass];
  const r = await store.$client.query<{ held: boolean }>(
    `SELECT CASE WHEN pg_try_advisory_lock(${key}) THEN NOT pg_advisory_unlock(${key}) ELSE true END AS held`,
  );
  return r.rows[0].held;
}

/**
 * Listens for other processes' board announcements on a connection of its own, reconnecting
 * after a lost connection; returns a function that stops listening. No-op on SQLite.
 */
export function listenForBoards(store: Store, onNews: (news: BoardsNews) => void): () => Promise<void> {
  if (!isPostgres(store)) return async () => {};
  const options = store.$client.options;
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async () => {
    const c = new pg.Client({ ...options });
    client = c;
    c.on('notification', (msg) => {
      if (msg.channel !== BOARDS_CHANNEL || !msg.payload) return;
      try {
        onNews(JSON.parse(msg.payload) as BoardsNews);
      } catch {
        // Not ours (or not JSON): ignored.
      }
    });
    c.on('error', () => reconnect());
    c.on('end', () => reconnect());
    try {
      await c.connect();
      await c.query(`LISTEN ${BOARDS_CHANNEL}`);
    } catch (err) {
      console.error('[leaderboard] cannot listen for other servers\u2019 boards:', (err as Error).message);
      reconnect();
    }
  };
  const reconnect = () => {
    if (stopped || retry) return;
    const old = client;
    client = null;
    old?.removeAllListeners();
    void old?.end().catch(() => {});
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, 1_000);
    retry.unref();
  };
  void connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    c?.removeAllListeners();
    await c?.end().catch(() => {});
  };
}
