import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from './index';
import { copyStoreToPostgres, dependencyOrder } from './copy-to-postgres';
import { closePostgres, openPostgres } from './postgres';
import { postgresCatalog } from './testing/schema-catalog';
import { startPostgres, type PostgresServer } from './testing/postgres-server';

/**
 * The copy of a SQLite store into Postgres, on a real SQLite file and a real Postgres server:
 * every table of the schema gets rows with awkward values (the text format's separators,
 * backslashes, quotes, emoji, 2^53 - 1, fractions, bytes 0-255, NULLs), and every row must come
 * back equal, value for value, from Postgres.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-copy-pg-'));
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Column {
  name: string;
  notnull: number;
  pk: number;
  hidden: number;
}

/** The target's type of every column, "table.column" → data_type. */
async function targetTypes(client: pg.PoolClient): Promise<Map<string, string>> {
  const { rows } = await client.query<{ t: string; c: string; type: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  return new Map(rows.map((r) => [`${r.t}.${r.c}`, r.type]));
}

const ROWS = 3;

/** Rows in every table, parents first; row 1 leaves every nullable column NULL. */
function fillEveryTable(source: Database.Database, types: Map<string, string>): string[] {
  const tables = (source.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'`).pluck().all() as string[]);
  const ordered = dependencyOrder(source, tables);
  for (const table of ordered) {
    const columns = (source.prepare(`SELECT name, "notnull", pk, hidden FROM pragma_table_xinfo(?)`).all(table) as Column[]).filter((c) => c.hidden === 0);
    const fks = new Map(
      (source.prepare(`SELECT "from", "table", "to" FROM pragma_foreign_key_list(?)`).all(table) as { from: string; table: string; to: string }[]).map((f) => [f.from, f]),
    );
    for (let i = 0; i < ROWS; i++) {
      const values = columns.map((c) => {
        const fk = fks.get(c.name);
        if (fk) return source.prepare(`SELECT "${fk.to}" FROM "${fk.table}" ORDER BY rowid LIMIT 1 OFFSET ?`).pluck().get(i);
        if (i === 1 && !c.notnull && !c.pk) return null;
        const type = types.get(`${table}.${c.name}`);
        switch (type) {
          case 'boolean':
            return i % 2;
          case 'bigint':
          case 'integer':
          case 'smallint':
            if (c.pk) return i + 1;
            return type === 'bigint' ? BigInt(Number.MAX_SAFE_INTEGER) - BigInt(i) : 2_147_483_647 - i;
          case 'double precision':
          case 'real':
            return 0.1 + i / 3;
          case 'bytea':
            return Buffer.from(Array.from({ length: 256 }, (_, b) => (b + i) % 256));
          case 'json':
          case 'jsonb':
            return JSON.stringify({ s: `a\tb\\c "q" ${i}`, n: i });
          default:
            return `${table}.${c.name}.${i} tab\there, line\nbreak, cr\r, back\\slash \\N "quote" 'apos' ✓ 雪 😀`;
        }
      });
      source.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...values);
    }
  }
  return ordered;
}

/** A value as text, the same from either store (booleans as 0/1, bytes as hex). */
function normalise(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return String(v);
}

/** A new SQLite file and a new Postgres database, both migrated. */
async function freshStores(name: string) {
  const database = await server.createDatabase();
  const store = await openPostgres(database.url);
  const source = openDb(path.join(dir, `${name}.db`)).$client;
  const target = await store.$client.connect();
  const close = async () => {
    target.release();
    await closePostgres(store);
    source.close();
    await database.drop();
  };
  return { source, target, close };
}

describe('copying a SQLite store into Postgres', () => {
  it('copies every table, value for value, and resets the sequences', async () => {
    const s = await freshStores('copy_all');
    try {
      const schemaBefore = await postgresCatalog(s.target);
      const types = await targetTypes(s.target);
      const tables = fillEveryTable(s.source, types);
      expect(tables.length).toBeGreaterThanOrEqual(20);
      const counts = await copyStoreToPostgres({ source: s.source, target: s.target });
      expect(counts.map((c) => c.table).sort()).toEqual([...tables].sort());
      for (const c of counts) expect(c, c.table).toMatchObject({ source: ROWS, target: ROWS });
      // The indexes and foreign keys dropped for the load are all back, as they were.
      expect(await postgresCatalog(s.target)).toEqual(schemaBefore);

      for (const table of tables) {
        const columns = (s.source.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).pluck().all(table) as string[]).map((c) => `"${c}"`);
        const order = columns.join(', ');
        const fromSqlite = (s.source.prepare(`SELECT ${order} FROM "${table}"`).raw(true).safeIntegers(true).all() as unknown[][]).map((r) => r.map(normalise));
        const fromPg = (await s.target.query({ text: `SELECT ${order} FROM "${table}"`, rowMode: 'array' })).rows.map((r: unknown[]) => r.map(normalise));
        const key = (r: (string | null)[]) => JSON.stringify(r);
        expect(fromPg.map(key).sort(), table).toEqual(fromSqlite.map(key).sort());
      }

      // A row added after the copy gets the next id, not one that was copied.
      const { rows: sequences } = await s.target.query<{ t: string; c: string; seq: string }>(
        `SELECT table_name AS t, column_name AS c, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
           FROM information_schema.columns WHERE table_schema = current_schema() AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL`,
      );
      expect(sequences.length).toBeGreaterThan(0);
      for (const { t, c, seq } of sequences) {
        const next = Number((await s.target.query(`SELECT nextval($1) AS n`, [seq])).rows[0].n);
        const max = Number((await s.target.query(`SELECT max("${c}") AS m FROM "${t}"`)).rows[0].m);
        expect(next, `${t}.${c}`).toBeGreaterThan(max);
      }
    } finally {
      await s.close();
    }
  });

  it('refuses a Postgres store that already holds rows, and changes nothing', async () => {
    const s = await freshStores('copy_not_empty');
    try {
      fillEveryTable(s.source, await targetTypes(s.target));
      await s.target.query(`INSERT INTO settings (key, value, updated_at) VALUES ('already', 'here', 1)`);
      await expect(copyStoreToPostgres({ source: s.source, target: s.target })).rejects.toThrow(/not empty \(table settings has rows\)/);
      expect((await s.target.query(`SELECT count(*)::int AS n FROM battles`)).rows[0].n).toBe(0);
      expect((await s.target.query(`SELECT count(*)::int AS n FROM settings`)).rows[0].n).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('keeps nothing when a value cannot be stored in Postgres', async () => {
    const s = await freshStores('copy_nul');
    try {
      const schemaBefore = await postgresCatalog(s.target);
      fillEveryTable(s.source, await targetTypes(s.target));
      s.source.prepare(`UPDATE messages SET content = ? WHERE rowid = (SELECT max(rowid) FROM messages)`).run('before\0after');
      await expect(copyStoreToPostgres({ source: s.source, target: s.target })).rejects.toThrow(/of messages, column content, holds a NUL character/);
      for (const t of ['imports', 'battles', 'messages', 'votes']) {
        expect((await s.target.query(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0].n, t).toBe(0);
      }
      // The indexes and foreign keys dropped for the load came back with the rollback.
      expect(await postgresCatalog(s.target)).toEqual(schemaBefore);
    } finally {
      await s.close();
    }
  });

  it('says so when the two schemas differ', async () => {
    const s = await freshStores('copy_schema');
    try {
      await s.target.query(`ALTER TABLE votes ADD COLUMN only_here text`);
      await expect(copyStoreToPostgres({ source: s.source, target: s.target })).rejects.toThrow(/table votes has different columns in the two stores \(only_here\)/);
    } finally {
      await s.close();
    }
  });
});
