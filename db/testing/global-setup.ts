import { startPostgres, type PostgresServer } from './postgres-server';

/**
 * vitest global set-up: one throw-away Postgres server for the whole unit run (initdb takes a
 * few seconds; every test file making its own would add up). Test files find it through
 * PAIRWISE_TEST_DATABASE_URL, which the worker processes inherit, and create databases of their
 * own on it. An operator's own PAIRWISE_TEST_DATABASE_URL is used as is.
 */
let server: PostgresServer | undefined;

export async function setup(): Promise<void> {
  if (process.env.PAIRWISE_TEST_DATABASE_URL?.trim()) return;
  server = await startPostgres();
  process.env.PAIRWISE_TEST_DATABASE_URL = server.url;
  process.env.PAIRWISE_TEST_SHARED_SERVER = '1';
}

export async function teardown(): Promise<void> {
  await server?.stop();
  delete process.env.PAIRWISE_TEST_DATABASE_URL;
  delete process.env.PAIRWISE_TEST_SHARED_SERVER;
}
