import { AppError } from '../lib/errors';
import { databasePath, getDb, openDb, type Db } from './index';
import { closePostgres, openPostgres, type PgDb } from './postgres';

/**
 * The app's store: SQLite (db/index.ts) by default, Postgres (db/postgres.ts) when DATABASE_URL
 * is set. Every query function in db/queries takes either in its `db` parameter and runs the
 * implementation of that dialect (db/queries/sqlite, db/queries/pg); without one it uses the
 * app's store. Nothing above db/ needs to know which store it runs on.
 */
export type Store = Db | PgDb;

/** better-sqlite3's client has `pragma`; a pg pool has not. (Not instanceof: Next.js bundles modules more than once.) */
export function isPostgres(store: Store): store is PgDb {
  return typeof (store.$client as { pragma?: unknown }).pragma !== 'function';
}

const g = globalThis as unknown as { __pairwisePg?: PgDb; __pairwisePgOpening?: Promise<PgDb>; __pairwisePgClosed?: boolean };

/** The Postgres URL the app runs on, or null for SQLite. */
export function databaseUrl(): string | null {
  return process.env.DATABASE_URL?.trim() || null;
}

/**
 * Opens the app's store before it serves: on Postgres the pool is connected and migrated here
 * (asynchronous, so once at start-up); on SQLite the file is opened and migrated.
 */
export async function openAppStore(): Promise<Store> {
  const url = databaseUrl();
  if (!url) return getDb();
  if (g.__pairwisePg) return g.__pairwisePg;
  g.__pairwisePgOpening ??= openPostgres(url, { max: poolSize() }).then(
    (db) => (g.__pairwisePg = db),
    (err: unknown) => {
      g.__pairwisePgOpening = undefined;
      throw err;
    },
  );
  return g.__pairwisePgOpening;
}

/** PAIRWISE_PG_POOL: connections per process (default 10); lib/env.ts validates it. */
function poolSize(): number {
  const n = Number(process.env.PAIRWISE_PG_POOL);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/** The app's store (opened by `openAppStore()` at start-up when it is Postgres). */
export function getStore(): Store {
  if (g.__pairwisePg) return g.__pairwisePg;
  if (databaseUrl()) {
    throw new AppError('unavailable', g.__pairwisePgClosed ? 'The server is shutting down. Try again in a moment.' : 'The store is not open yet. Try again in a moment.');
  }
  return getDb();
}

/** Closes the app's Postgres pool, if it runs on one (SQLite: db/index.ts closeDb). */
export async function closeAppStore(): Promise<void> {
  const db = g.__pairwisePg;
  g.__pairwisePg = undefined;
  g.__pairwisePgClosed = true;
  if (db) await closePostgres(db);
}

/** A stable name of a store, for caches kept per store (a file path, or the server and database). */
export function storeKey(store: Store): string {
  if (!isPostgres(store)) return store.$client.name;
  const o = store.$client.options;
  return `postgres:${o.connectionString ?? `${o.host}:${o.port}/${o.database}`}`;
}

type SwapDb<T, D> = T extends object ? Omit<T, 'db'> & { db?: D } : T;
type WithStore<A extends unknown[], D> = { [K in keyof A]: SwapDb<A[K], D> };

/**
 * One query function over both dialects: `params.db` (else the app's store) picks the
 * implementation. Both take the same parameters bar the store's type, and return the same.
 */
export function dialect<A extends [params?: unknown], R>(
  onSqlite: (...args: A) => R,
  onPostgres: (...args: WithStore<A, PgDb>) => R,
): (...args: WithStore<A, Store>) => R {
  return (...args) => {
    const params = args[0] as { db?: Store } | undefined;
    const store = params?.db ?? getStore();
    const withStore = params?.db ? params : { ...params, db: store };
    return isPostgres(store)
      ? onPostgres(...([withStore] as unknown as WithStore<A, PgDb>))
      : onSqlite(...([withStore] as unknown as A));
  };
}

/**
 * Where the app's store is, as a string a worker thread can be handed: the Postgres URL, or the
 * SQLite file's path.
 */
export function appStoreLocation(): string {
  return databaseUrl() ?? databasePath();
}

/**
 * Opens a store of its own at a location from `appStoreLocation()` (a worker thread's, or a
 * tool's), whose schema the app has brought up to date. `scan`: it will read the whole store
 * (SQLite maps the file into memory for that).
 */
export async function openStoreAt(location: string, options: { scan?: boolean; pool?: number } = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(location)) return openPostgres(location, { max: options.pool ?? 2, migrate: false });
  const db = openDb(location);
  // Memory-mapped reads save a copy per page of a pass over every battle.
  if (options.scan) db.$client.pragma('mmap_size = 1073741824');
  return db;
}

/** Closes a store opened by `openStoreAt`. */
export async function closeStore(store: Store): Promise<void> {
  if (isPostgres(store)) await closePostgres(store);
  else if (store.$client.open) store.$client.close();
}
