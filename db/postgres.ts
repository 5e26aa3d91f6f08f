import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { AppError } from '../lib/errors';
import * as schema from './schema-pg';

/**
 * The Postgres store: a connection pool with drizzle over it, its schema (db/schema-pg.ts)
 * brought up to date from db/migrations-pg. db/store.ts picks it when DATABASE_URL is set.
 */
export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/**
 * int8 (counts, ids, unix milliseconds) and numeric (sums of int8) are read as JS numbers, as
 * SQLite returns them; node-postgres would return strings, since int8 may exceed 2^53 (none of
 * ours do). Set on the driver's shared type table: drizzle reads every type it does not parse
 * itself from there, and ignores a pool's own.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));

/** A server that does not answer within this time is reported as such, not waited for. */
const CONNECT_TIMEOUT_MS = 10_000;

function migrationsFolder(): string {
  return path.resolve(process.env.PAIRWISE_ROOT ?? process.cwd(), 'db', 'migrations-pg');
}

/** What a message may say about a connection URL: where it points, never its password. */
export type PostgresTarget = { server: string; database: string; user: string };

export function postgresTarget(url: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    u = new URL('invalid:');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    // The URL itself is not repeated: it may hold a password.
    throw new AppError('unavailable', 'The Postgres URL (DATABASE_URL) must look like postgres://user:password@host:5432/database.');
  }
  // A socket folder may stand in the query (postgres:///db?host=/run/postgresql).
  const host = u.hostname || u.searchParams.get('host') || 'localhost';
  const port = u.port || u.searchParams.get('port') || '5432';
  const user = decodeURIComponent(u.username) || u.searchParams.get('user') || process.env.PGUSER || 'postgres';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  return { server: `${host}:${port}`, database, user };
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOENT: 'no socket at that path',
};

/** The node error code of a failed connect; Node reports one per address tried when a name has several. */
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: { code?: unknown }[] } | null;
  const code = e?.code ?? e?.errors?.find((x) => x?.code)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a failure to connect into a message that says where and why, without the password. */
export function connectionError(err: unknown, target: PostgresTarget, setting = 'DATABASE_URL'): AppError {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const at = `the Postgres server at ${target.server}`;
  let text: string;
  if (code && NETWORK_REASONS[code]) {
    text = `Cannot reach ${at} (${NETWORK_REASONS[code]}). Is it running, and is ${setting} right?`;
  } else if (/timeout/i.test(message)) {
    text = `Cannot reach ${at}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s. Is it running, and is ${setting} right?`;
  } else if (code === '28P01' || code === '28000' || /password|SASL|SCRAM/i.test(message)) {
    text = `${capitalise(at)} refused user "${target.user}" (${message.replace(/\.$/, '')}). Check the user and password in ${setting}.`;
  } else if (code === '3D000') {
    text = `${capitalise(at)} has no database "${target.database}". Create it (createdb ${target.database}) or fix ${setting}.`;
  } else if (code === '57P03') {
    text = `${capitalise(at)} is starting up or shutting down. Try again in a moment.`;
  } else {
    text = `Cannot connect to ${at}: ${message}`;
  }
  return new AppError('unavailable', text, { cause: err });
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Opens a pool on `url`, checks that the server answers, and applies db/migrations-pg. A server
 * that does not answer, refuses the credentials or lacks the database is an AppError naming
 * host:port (never the password).
 */
export async function openPostgres(
  url: string,
  options: {
    max?: number;
    /** Where the URL came from, for messages. */
    setting?: string;
    /** false: the schema is known to be up to date (a worker of a process that migrated it). */
    migrate?: boolean;
  } = {},
): Promise<PgDb> {
  const target = postgresTarget(url);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection the server drops (a restart) must not take the process down; the next
  // query opens a new one.
  pool.on('error', (err) => console.error(`Postgres connection to ${target.server} lost:`, err.message));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => {});
    throw connectionError(err, target, options.setting);
  }
  if (options.migrate === false) {
    client.release();
    return drizzle({ client: pool, schema }) as PgDb;
  }
  try {
    // Processes that start together on one database migrate one after the other: the rest find
    // the migrations applied. On the lock's own connection, so a pool of one does not wait on itself.
    await client.query(`SELECT pg_advisory_lock(hashtext('pairwise:migrations'))`);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: migrationsFolder() });
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('pairwise:migrations'))`);
    }
  } catch (err) {
    client.release(true);
    await pool.end().catch(() => {});
    throw err;
  }
  client.release();
  const db = drizzle({ client: pool, schema }) as PgDb;
  return db;
}

/** Closes the pool: waits for checked-out connections to come back, then ends them all. */
export async function closePostgres(db: PgDb): Promise<void> {
  await db.$client.end();
}
