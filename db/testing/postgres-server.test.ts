import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { findPostgresBinaries, startPostgres } from './postgres-server';

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('the throw-away Postgres server', () => {
  test('serves fresh databases, and stop() shuts it down and removes its folder', async () => {
    // The run's shared server (global-setup.ts) is not this test's subject: it starts one of its own.
    const shared = process.env.PAIRWISE_TEST_SHARED_SERVER === '1' ? process.env.PAIRWISE_TEST_DATABASE_URL : undefined;
    if (shared) delete process.env.PAIRWISE_TEST_DATABASE_URL;
    const server = await startPostgres().finally(() => {
      if (shared) process.env.PAIRWISE_TEST_DATABASE_URL = shared;
    });
    const own = shared !== undefined || !process.env.PAIRWISE_TEST_DATABASE_URL;
    let dataDir = '';
    try {
      if (own) {
        expect(new URL(server.url).hostname).toBe('127.0.0.1');
        [{ data_directory: dataDir }] = await query<{ data_directory: string }>(server.url, 'SHOW data_directory');
        expect(fs.existsSync(dataDir)).toBe(true);
      }
      const a = await server.createDatabase();
      const b = await server.createDatabase();
      expect(a.name).not.toBe(b.name);
      await query(a.url, 'CREATE TABLE t (x int)');
      // A database of its own: b does not see a's table.
      expect(await query(b.url, "SELECT to_regclass('t') AS t")).toEqual([{ t: null }]);
      const [{ datcollate }] = await query<{ datcollate: string }>(a.url, 'SELECT datcollate FROM pg_database WHERE datname = current_database()');
      expect(datcollate).toBe('C');
      await a.drop();
      await b.drop();
      await expect(query(a.url, 'SELECT 1')).rejects.toThrow(/does not exist/);
    } finally {
      await server.stop();
    }
    if (own) {
      expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  test('missing binaries: says which package to install', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-nopg-'));
    try {
      expect(() => findPostgresBinaries(empty)).toThrow(/Install Debian's postgresql package/);
      fs.mkdirSync(path.join(empty, '15', 'bin'), { recursive: true });
      expect(() => findPostgresBinaries(empty)).toThrow(/PAIRWISE_TEST_DATABASE_URL/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('picks the newest version', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-nopg-'));
    try {
      for (const v of ['9.6', '15', '13']) {
        fs.mkdirSync(path.join(root, v, 'bin'), { recursive: true });
        for (const b of ['initdb', 'pg_ctl']) fs.writeFileSync(path.join(root, v, 'bin', b), '');
      }
      expect(findPostgresBinaries(root)).toBe(path.join(root, '15', 'bin'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
