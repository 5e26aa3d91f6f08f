import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { eq, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../lib/errors';
import { closePostgres, openPostgres, postgresTarget, type PgDb } from './postgres';
import * as pgSchema from './schema-pg';
import { startPostgres, type PostgresServer } from './testing/postgres-server';

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function openError(url: string): Promise<Error> {
  const err = await openPostgres(url).then(
    (db) => closePostgres(db).then(() => new Error('opened')),
    (e: unknown) => e as Error,
  );
  expect(isAppError(err), String(err)).toBe(true);
  return err;
}

describe('a Postgres server that does not answer', () => {
  test('a closed port: the message names host:port, never the password', async () => {
    const port = await closedPort();
    const err = await openError(`postgres://pairwise:s3cret-pass@127.0.0.1:${port}/pairwise`);
    expect(err.message).toBe(
      `Cannot reach the Postgres server at 127.0.0.1:${port} (connection refused). Is it running, and is DATABASE_URL right?`,
    );
    expect(err).toMatchObject({ code: 'unavailable', status: 503 });
  });

  test('not a postgres URL: said without repeating it', () => {
    for (const url of ['mysql://u:hunter2@db/x', 'not a url hunter2']) {
      expect(() => postgresTarget(url)).toThrow(/must look like postgres:\/\/user:password@host:5432\/database\.$/);
    }
  });

  test('where a URL points', () => {
    expect(postgresTarget('postgres://u:p@db.example/arena')).toEqual({ server: 'db.example:5432', database: 'arena', user: 'u' });
    expect(postgresTarget('postgresql://u@[::1]:6543/a%20b')).toEqual({ server: '[::1]:6543', database: 'a b', user: 'u' });
    expect(postgresTarget('postgres:///arena?host=/run/postgresql&user=app')).toEqual({
      server: '/run/postgresql:5432',
      database: 'arena',
      user: 'app',
    });
  });
});

describe('openPostgres on a real server', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a wrong password, an unknown database: said with host:port and without the password', async () => {
    const { url, drop } = await server.createDatabase();
    try {
      const wrong = new URL(url);
      wrong.password = 'not-the-password';
      const where = `${wrong.hostname}:${wrong.port}`;
      const own = !process.env.PAIRWISE_TEST_DATABASE_URL; // an existing server may trust loopback
      if (own) {
        const err = await openError(wrong.toString());
        expect(err.message).toMatch(new RegExp(`^The Postgres server at ${where} refused user "${wrong.username}" \\(`));
        expect(err.message).not.toContain('not-the-password');
      }
      const unknown = new URL(url);
      unknown.pathname = '/no_such_database';
      const err = await openError(unknown.toString());
      expect(err.message).toBe(
        `The Postgres server at ${where} has no database "no_such_database". Create it (createdb no_such_database) or fix DATABASE_URL.`,
      );
      expect(err.message).not.toContain(decodeURIComponent(unknown.password) || '\0');
    } finally {
      await drop();
    }
  });

  test('applies db/migrations-pg once, also when processes start together', async () => {
    const { url, drop } = await server.createDatabase();
    const dbs: PgDb[] = [];
    try {
      dbs.push(...(await Promise.all([openPostgres(url, { max: 1 }), openPostgres(url), openPostgres(url)])));
      const applied = await dbs[0].execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
      // Each migration of the journal once, and every table of the schema.
      const journal = JSON.parse(fs.readFileSync(path.join('db', 'migrations-pg', 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      expect(applied.rows).toEqual([{ n: journal.entries.length }]);
      const tables = await dbs[0].execute(sql`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rows).toEqual([{ n: Object.values(pgSchema).filter((t) => is(t, PgTable)).length }]);
    } finally {
      await Promise.all(dbs.map(closePostgres));
      await drop();
    }
  });

  test('rows come back with the JS types the SQLite store gives', async () => {
    const { url, drop } = await server.createDatabase();
    const db = await openPostgres(url);
    try {
      const t = Date.UTC(2031, 0, 2, 3, 4, 5, 678); // past 2^31 seconds, let alone milliseconds
      const [imp] = await db.insert(pgSchema.imports).values({ fileSha256: 'f', fileName: 'x.json', format: 'json', createdAt: t }).returning();
      expect(imp).toMatchObject({ id: 1, importedCount: 0, report: '{}', createdAt: t });
      await db.insert(pgSchema.battles).values({ id: 'b1', modelA: 'a', modelB: 'b', mode: 'live', importId: imp.id, createdAt: t, updatedAt: t });
      const [battle] = await db.select().from(pgSchema.battles).where(eq(pgSchema.battles.id, 'b1'));
      expect(battle).toMatchObject({ status: 'active', turns: 0, vision: false, isCode: null, tags: '[]', createdAt: t, importId: 1 });
      const image = Buffer.from([0, 1, 2, 255]);
      await db.insert(pgSchema.battleImages).values({ battleId: 'b1', turn: 1, mediaType: 'image/png', data: image, bytes: 4, sha256: 's', createdAt: t });
      const [row] = await db.select().from(pgSchema.battleImages);
      expect(Buffer.isBuffer(row.data) && row.data.equals(image)).toBe(true);
      const [snapshot] = await db
        .insert(pgSchema.ratingSnapshots)
        .values({ category: 'full', method: 'bt', params: '{}', battleCount: 0, dataHash: 'h', result: '{}' })
        .returning();
      // The default is the insert's time in whole seconds, as milliseconds (SQLite's unixepoch() * 1000).
      expect(snapshot.createdAt % 1000).toBe(0);
      expect(Math.abs(snapshot.createdAt - Date.now())).toBeLessThan(60_000);
      expect(snapshot.styleControl).toBe(false);
      // A foreign key holds as it does in SQLite (foreign_keys = ON).
      await expect(db.insert(pgSchema.votes).values({ battleId: 'nope', winner: 'tie', createdAt: t })).rejects.toThrow();
    } finally {
      await closePostgres(db);
      await drop();
    }
  });

  test('rate_limits: the store rate limiter counts on Postgres, expire read as a Date', async () => {
    const { url, drop } = await server.createDatabase();
    const db = await openPostgres(url);
    try {
      const limiter = new RateLimiterDrizzle({ storeClient: db, schema: pgSchema.rateLimits, keyPrefix: 't', points: 2, duration: 60 });
      await limiter.consume('k');
      await limiter.consume('k');
      await expect(limiter.consume('k')).rejects.toBeInstanceOf(RateLimiterRes);
      const [row] = await db.select().from(pgSchema.rateLimits);
      expect(row.points).toBe(3);
      expect(row.expire).toBeInstanceOf(Date);
      expect(row.expire!.getTime() - Date.now()).toBeGreaterThan(50_000);
    } finally {
      await closePostgres(db);
      await drop();
    }
  });
});
