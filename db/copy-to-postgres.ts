import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { escapeCopyText } from './pg-copy';
import type { Db } from './index';
import type { PgDb } from './postgres';

/**
 * Copies every table of a SQLite store into an empty Postgres store of the same schema (both
 * brought up to date by their own migrations), as one Postgres transaction: either all of it
 * lands, with the counts checked table by table, or nothing does. The SQLite side is read in one
 * read transaction, so a store that is still serving is copied as of one moment.
 *
 * Rows go through COPY ... FROM STDIN in Postgres's text format, converted column by column to
 * the target's type (SQLite keeps booleans as 0/1 and blobs as bytes); integers are read as
 * BigInt so that no value is rounded on the way.
 */

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export class CopyStoreError extends Error {}

interface TargetColumn {
  name: string;
  type: string;
}

interface TablePlan {
  table: string;
  columns: TargetColumn[];
  rows: number;
}

/** SQLite's own tables, and each store's migration journal (each keeps its own). */
const SKIP_SQLITE = /^(sqlite_|__drizzle_migrations$)/;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function sqliteTables(source: Database.Database): string[] {
  return (source.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]).filter(
    (t) => !SKIP_SQLITE.test(t),
  );
}

/** The columns a row is copied through: stored ones (generated columns are computed again on the target). */
function sqliteColumns(source: Database.Database, table: string): string[] {
  return (source.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`).all(table) as { name: string; hidden: number }[])
    .filter((c) => c.hidden === 0)
    .map((c) => c.name);
}

/** Tables in an order where every table comes after the tables its foreign keys point at. */
export function dependencyOrder(source: Database.Database, tables: string[]): string[] {
  const deps = new Map(
    tables.map((t) => [
      t,
      new Set((source.prepare(`SELECT "table" AS ref FROM pragma_foreign_key_list(?)`).pluck().all(t) as string[]).filter((r) => r !== t)),
    ]),
  );
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: string, path: string[]) => {
    if (state.get(t) === 'done') return;
    if (state.get(t) === 'visiting') throw new CopyStoreError(`foreign keys form a cycle: ${[...path, t].join(' -> ')}`);
    state.set(t, 'visiting');
    for (const ref of deps.get(t) ?? []) if (deps.has(ref)) visit(ref, [...path, t]);
    state.set(t, 'done');
    ordered.push(t);
  };
  for (const t of tables) visit(t, []);
  return ordered;
}

async function targetColumns(target: PoolClient): Promise<Map<string, TargetColumn[]>> {
  const { rows } = await target.query<{ table_name: string; column_name: string; data_type: string; is_generated: string }>(
    `SELECT table_name, column_name, data_type, is_generated FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const byTable = new Map<string, TargetColumn[]>();
  for (const r of rows) {
    if (r.is_generated !== 'NEVER') continue;
    let list = byTable.get(r.table_name);
    if (!list) byTable.set(r.table_name, (list = []));
    list.push({ name: r.column_name, type: r.data_type });
  }
  return byTable;
}

/**
 * Checks that the two stores have the same tables and stored columns, and that the target is
 * empty; returns what to copy, in foreign-key order.
 */
async function plan(source: Database.Database, target: PoolClient): Promise<TablePlan[]> {
  const tables = sqliteTables(source);
  const targetTables = await targetColumns(target);
  const missing = tables.filter((t) => !targetTables.has(t));
  const extra = [...targetTables.keys()].filter((t) => !tables.includes(t) && !t.startsWith('__drizzle'));
  if (missing.length || extra.length) {
    throw new CopyStoreError(
      `the two stores have different tables (${[missing.length ? `only in SQLite: ${missing.join(', ')}` : '', extra.length ? `only in Postgres: ${extra.join(', ')}` : ''].filter(Boolean).join('; ')}); are both on the same version?`,
    );
  }
  const plans: TablePlan[] = [];
  for (const table of dependencyOrder(source, tables)) {
    const names = sqliteColumns(source, table);
    const columns = targetTables.get(table)!;
    const targetNames = columns.map((c) => c.name);
    const differ = [...names.filter((n) => !targetNames.includes(n)), ...targetNames.filter((n) => !names.includes(n))];
    if (differ.length) throw new CopyStoreError(`table ${table} has different columns in the two stores (${differ.join(', ')}); are both on the same version?`);
    const { rows } = await target.query(`SELECT EXISTS (SELECT 1 FROM ${quote(table)}) AS has`);
    if (rows[0].has) throw new CopyStoreError(`the Postgres store is not empty (table ${table} has rows): copy into a new database`);
    const count = source.prepare(`SELECT count(*) FROM ${quote(table)}`).pluck().get() as number;
    plans.push({ table, columns, rows: count });
  }
  return plans;
}

/**
 * The encoder of one column into COPY's text format: backslash escapes for the separators, \N
 * for NULL, each value converted to the target column's type.
 */
function columnEncoder(table: string, column: TargetColumn): (value: unknown, row: number) => string {
  switch (column.type) {
    case 'boolean':
      return (v) => (v === null ? '\\N' : v === 0n || v === 0 ? 'f' : 't');
    case 'bytea':
      // The hex form, its backslash escaped for the text format.
      return (v) => (v === null ? '\\N' : `\\\\x${Buffer.from(v as Uint8Array).toString('hex')}`);
    default:
      return (v, row) => {
        if (v === null) return '\\N';
        if (typeof v === 'bigint' || typeof v === 'number') return String(v);
        const text = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
        if (text.includes('\0')) throw new CopyStoreError(`row ${row} of ${table}, column ${column.name}, holds a NUL character, which Postgres text cannot store`);
        return escapeCopyText(text);
      };
  }
}

/** The rows of one table as COPY text, in chunks of about 256 KB. */
function* copyText(source: Database.Database, plan: TablePlan, onRows: (n: number) => void): Generator<string> {
  const select = source.prepare(`SELECT ${plan.columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(plan.table)}`).raw(true).safeIntegers(true);
  const encoders = plan.columns.map((c) => columnEncoder(plan.table, c));
  const width = encoders.length;
  let chunk = '';
  let rows = 0;
  let n = 0;
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    n++;
    let line = encoders[0](row[0], n);
    for (let i = 1; i < width; i++) line += `\t${encoders[i](row[i], n)}`;
    chunk += `${line}\n`;
    rows++;
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      onRows(rows);
      chunk = '';
      rows = 0;
    }
  }
  if (chunk) yield chunk;
  if (rows) onRows(rows);
}

/**
 * Drops the foreign keys and the indexes that back no constraint, and returns the statements
 * that make them again. Checking a foreign key row by row and keeping a dozen indexes up to date
 * through millions of inserts costs far more than building each index once and checking each
 * foreign key with one join afterwards (what pg_restore does): on the 1.67 M imported battles the
 * copy took about 50 s this way against about 75 s with them in place. All of it inside the
 * copy's transaction, so a failed copy leaves the schema as it was. Primary keys and unique
 * constraints stay.
 */
async function dropForLoad(target: PoolClient): Promise<string[]> {
  const indexes = await target.query<{ name: string; def: string }>(
    `SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE n.nspname = current_schema()
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
  );
  const foreignKeys = await target.query<{ t: string; name: string; def: string }>(
    `SELECT quote_ident(cl.relname) AS t, quote_ident(c.conname) AS name, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE n.nspname = current_schema() AND c.contype = 'f'`,
  );
  for (const { name } of indexes.rows) await target.query(`DROP INDEX ${name}`);
  for (const { t, name } of foreignKeys.rows) await target.query(`ALTER TABLE ${t} DROP CONSTRAINT ${name}`);
  return [...indexes.rows.map((r) => r.def), ...foreignKeys.rows.map((r) => `ALTER TABLE ${r.t} ADD CONSTRAINT ${r.name} ${r.def}`)];
}

/** Moves every sequence (identity and serial columns) past the largest id copied. */
async function resetSequences(target: PoolClient, plans: TablePlan[]): Promise<void> {
  for (const { table, columns } of plans) {
    for (const { name } of columns) {
      const { rows } = await target.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [quote(table), name]);
      const seq = rows[0]?.seq;
      if (!seq) continue;
      await target.query(`SELECT setval($1, COALESCE((SELECT max(${quote(name)}) FROM ${quote(table)}), 0) + 1, false)`, [seq]);
    }
  }
}

export interface CopyStoreOptions {
  source: Database.Database;
  /** A client of its own (not shared meanwhile): the copy runs in one transaction on it. */
  target: PoolClient;
  /** Called once with the total number of rows, then with each batch copied. */
  onStart?: (plans: readonly { table: string; rows: number }[]) => void;
  onRows?: (table: string, rows: number) => void;
}

export async function copyStoreToPostgres({ source, target, onStart, onRows }: CopyStoreOptions): Promise<TableCount[]> {
  // One read transaction on SQLite: every table as of the same moment, writers go on meanwhile (WAL).
  source.exec('BEGIN');
  try {
    await target.query('BEGIN');
    try {
      const plans = await plan(source, target);
      onStart?.(plans);
      const rebuild = await dropForLoad(target);
      for (const p of plans) {
        if (p.rows === 0) continue;
        const sql = `COPY ${quote(p.table)} (${p.columns.map((c) => quote(c.name)).join(', ')}) FROM STDIN`;
        await pipeline(Readable.from(copyText(source, p, (n) => onRows?.(p.table, n))), target.query(copyFrom(sql)));
      }
      // More memory for the index builds, for this transaction only.
      await target.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const statement of rebuild) await target.query(statement);
      await resetSequences(target, plans);
      const counts: TableCount[] = [];
      for (const p of plans) {
        const { rows } = await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(p.table)}`);
        counts.push({ table: p.table, source: p.rows, target: Number(rows[0].n) });
      }
      const wrong = counts.filter((c) => c.source !== c.target);
      if (wrong.length) {
        throw new CopyStoreError(`the counts differ after the copy (${wrong.map((c) => `${c.table}: ${c.source} in SQLite, ${c.target} in Postgres`).join('; ')}); nothing was kept`);
      }
      await target.query('COMMIT');
      await target.query('ANALYZE');
      return counts;
    } catch (err) {
      await target.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    source.exec('COMMIT');
  }
}

/** `copyStoreToPostgres` between two stores: the copy runs on a connection of the target's pool taken for it. */
export async function copyStore({ source, target, ...options }: { source: Db; target: PgDb } & Pick<CopyStoreOptions, 'onStart' | 'onRows'>): Promise<TableCount[]> {
  const client = await target.$client.connect();
  try {
    return await copyStoreToPostgres({ source: source.$client, target: client, ...options });
  } finally {
    client.release();
  }
}
