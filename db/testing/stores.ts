import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../index';
import { closePostgres, openPostgres } from '../postgres';
import { closeStore, openStoreAt, type Store } from '../store';
import { createDatabase, startPostgres, type PostgresServer, type TestDatabase } from './postgres-server';

/**
 * The two stores a query test runs on: a fresh SQLite file, and a fresh database on a real
 * Postgres server (one per test run, started by vitest's global set-up, else by the first test
 * that asks for it). Both are migrated, as the app's own are.
 *
 *   describe.each(STORES)('on %s', (dialect) => {
 *     let store: TestStore;
 *     beforeEach(async () => (store = await openTestStore(dialect)));
 *     afterEach(() => store.close());
 *     test('...', async () => { await castVote({ db: store.db, ... }); });
 *   });
 */
export const STORES = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof STORES)[number];

export interface TestStore {
  dialect: TestDialect;
  db: Store;
  /** A connection URL (Postgres) or a file path (SQLite) for a second client or an app process. */
  location: string;
  close(): Promise<void>;
}

let server: Promise<PostgresServer> | null = null;

/** The run's Postgres server (PAIRWISE_TEST_DATABASE_URL when the global set-up started one). */
export function testPostgresServer(): Promise<PostgresServer> {
  server ??= startPostgres();
  return server;
}

/** A fresh, empty database on the run's Postgres server, and its URL. */
async function createTestDatabase(): Promise<TestDatabase> {
  return (await testPostgresServer()).createDatabase();
}

let template: Promise<string> | null = null;

/**
 * A database migrated once per test process, closed, and then only copied (CREATE DATABASE …
 * TEMPLATE): a fresh migrated store in a fraction of the time migrating one takes. Dropped when
 * the run's server goes (the global set-up's stops with the run).
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const database = await createTestDatabase();
    await closePostgres(await openPostgres(database.url, { max: 1 }));
    return database.name;
  })();
  return template;
}

/** A fresh database with the schema applied, on the run's Postgres server. */
async function createMigratedDatabase(): Promise<TestDatabase> {
  const server = await testPostgresServer();
  return createDatabase(server.url, await migratedTemplate());
}

export async function openTestStore(dialect: TestDialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-store-'));
    const file = path.join(dir, 'pairwise.db');
    const db = openDb(file);
    return {
      dialect,
      db,
      location: file,
      close: async () => {
        if (db.$client.open) db.$client.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createMigratedDatabase();
  const db = await openPostgres(database.url, { max: 4 });
  return {
    dialect,
    db,
    location: database.url,
    close: async () => {
      await closePostgres(db).catch(() => {});
      await database.drop();
    },
  };
}

/**
 * Another client of a test store's database, as a second process would have: a pool of its own
 * on Postgres, a connection of its own on SQLite.
 */
export interface SecondClient {
  db: Store;
  close(): Promise<void>;
}

export async function secondClient(store: TestStore): Promise<SecondClient> {
  const db = await openStoreAt(store.location, { pool: 4 });
  return { db, close: () => closeStore(db) };
}
