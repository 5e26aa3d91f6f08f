import type Database from 'better-sqlite3';
import type pg from 'pg';

/**
 * The shape of a migrated store as its own catalog describes it (SQLite's PRAGMAs, Postgres's
 * information_schema and pg_catalog), in terms both stores share, so the two can be compared
 * (db/schema-parity.test.ts). Types are reduced to a class; what the class is made of (int8 or
 * INTEGER) is the schemas' business (db/schema-pg.ts says why).
 */
export type TypeClass = 'integer' | 'real' | 'text' | 'blob' | 'boolean' | `other: ${string}`;

export type ColumnInfo = {
  type: TypeClass;
  notNull: boolean;
  /** The default: a literal as written ('active', 0, false), `expression`, or null for none. */
  default: string | null;
  /** Numbered by the store on insert (AUTOINCREMENT, an identity column). */
  autoIncrement: boolean;
  generated: boolean;
};

export type IndexInfo = {
  columns: string[];
  unique: boolean;
  /** The WHERE of a partial index, normalised (see normalisePredicate); null when not partial. */
  predicate: string | null;
};

export type TableInfo = {
  columns: Record<string, ColumnInfo>;
  primaryKey: string[];
  /** Column lists that a unique index or constraint (not partial) holds unique. */
  unique: string[];
  /** `(cols) → table(cols) on delete X on update Y`. */
  foreignKeys: string[];
  /** Indexes by name, primary keys' own indexes left out. */
  indexes: Record<string, IndexInfo>;
  checks: number;
};

export type Catalog = Record<string, TableInfo>;

/** Left out of the comparison: each store's own bookkeeping. */
const SQLITE_INTERNAL = /^(sqlite_|__drizzle_migrations$)/;

/** SQLite's type affinity of a declared type (its rules, https://sqlite.org/datatype3.html 3.1). */
function sqliteTypeClass(declared: string): TypeClass {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t.includes('BLOB') || t === '') return 'blob';
  if (/REAL|FLOA|DOUB/.test(t)) return 'real';
  return `other: numeric (${declared})`;
}

const PG_TYPE_CLASS: Record<string, TypeClass> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  real: 'real',
  'double precision': 'real',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  bytea: 'blob',
  boolean: 'boolean',
};

/** Postgres types by information_schema's data_type; others (numeric, timestamps, json) are their own class. */
function pgTypeClass(dataType: string): TypeClass {
  return PG_TYPE_CLASS[dataType] ?? `other: ${dataType}`;
}

/** A type cast as Postgres prints it (::text, ::double precision, ::"bytea"). */
const CAST = /::"?[a-z_][a-z0-9_]*"?(\s+(precision|varying|with(out)? time zone))?(\[\])?/gi;

/** A literal default as written ('active', 0, false; casts and wrapping parentheses dropped), else `expression`. */
function normaliseDefault(value: string | null): string | null {
  if (value === null) return null;
  let v = value.replace(CAST, '').trim();
  while (/^\(.*\)$/.test(v)) v = v.slice(1, -1).trim();
  if (/^null$/i.test(v)) return null;
  if (/^(true|false)$/i.test(v)) return v.toLowerCase();
  if (/^'([^']|'')*'$/.test(v) || /^-?\d+(\.\d+)?$/.test(v)) return v;
  return 'expression';
}

/** Casts, parentheses, quotes and spaces removed, lower case: `(weight <> (votes)::double precision)` → `weight<>votes`. */
export function normalisePredicate(predicate: string): string {
  return predicate.replace(CAST, '').replace(/[()"`\s]/g, '').toLowerCase();
}

const sortedKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The SQLite catalog. SQLite has no boolean type: `booleanColumns` (`table.column`, from
 * db/schema.ts) names the INTEGER columns that hold booleans.
 */
export function sqliteCatalog(db: Database.Database, booleanColumns: ReadonlySet<string>): Catalog {
  const catalog: Catalog = {};
  const tables = db
    .prepare(`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name`)
    .all() as { name: string }[];
  for (const { name: table } of tables) {
    if (SQLITE_INTERNAL.test(table)) continue;
    const sql = (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table) as { sql: string }).sql;
    const columns: Record<string, ColumnInfo> = {};
    const pk: { name: string; pk: number }[] = [];
    const xinfo = db.prepare(`SELECT * FROM pragma_table_xinfo(?)`).all(table) as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
      hidden: number;
    }[];
    for (const c of xinfo) {
      if (c.hidden === 1) continue; // a virtual table's hidden column
      const autoIncrement = new RegExp(`[\`"]?${c.name}[\`"]?\\s+integer\\s+primary\\s+key\\s+autoincrement`, 'i').test(sql);
      columns[c.name] = {
        type: booleanColumns.has(`${table}.${c.name}`) ? 'boolean' : sqliteTypeClass(c.type),
        notNull: c.notnull === 1 || c.pk > 0,
        default: normaliseDefault(c.dflt_value),
        autoIncrement,
        generated: c.hidden === 2 || c.hidden === 3,
      };
      if (c.pk > 0) pk.push({ name: c.name, pk: c.pk });
    }

    const indexes: Record<string, IndexInfo> = {};
    const unique: string[] = [];
    const list = db.prepare(`SELECT * FROM pragma_index_list(?)`).all(table) as {
      name: string;
      unique: number;
      origin: 'c' | 'u' | 'pk';
      partial: number;
    }[];
    for (const ix of list) {
      if (ix.origin === 'pk') continue;
      const cols = (db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(ix.name) as { name: string | null }[]).map(
        (c) => c.name ?? '<expression>',
      );
      let predicate: string | null = null;
      if (ix.partial) {
        const ixSql = (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).get(ix.name) as { sql: string }).sql;
        predicate = normalisePredicate(ixSql.replace(/^[\s\S]*?\bWHERE\b/i, ''));
      }
      indexes[ix.name] = { columns: cols, unique: ix.unique === 1, predicate };
      if (ix.unique && !ix.partial) unique.push(cols.join(','));
    }

    const fks = new Map<number, { table: string; from: string[]; to: string[]; onDelete: string; onUpdate: string }>();
    const fkRows = db.prepare(`SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`).all(table) as {
      id: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }[];
    for (const f of fkRows) {
      const fk = fks.get(f.id) ?? { table: f.table, from: [], to: [], onDelete: f.on_delete, onUpdate: f.on_update };
      fk.from.push(f.from);
      fk.to.push(f.to ?? '<primary key>');
      fks.set(f.id, fk);
    }

    catalog[table] = {
      columns: sortedKeys(columns),
      primaryKey: pk.sort((a, b) => a.pk - b.pk).map((c) => c.name),
      unique: unique.sort(),
      foreignKeys: [...fks.values()].map((f) => foreignKey(f.from, f.table, f.to, f.onDelete, f.onUpdate)).sort(),
      indexes: sortedKeys(indexes),
      checks: (sql.match(/\bCHECK\s*\(/gi) ?? []).length,
    };
  }
  return catalog;
}

function foreignKey(from: string[], table: string, to: string[], onDelete: string, onUpdate: string): string {
  return `(${from.join(',')}) → ${table}(${to.join(',')}) on delete ${onDelete.toLowerCase()} on update ${onUpdate.toLowerCase()}`;
}

const PG_FK_ACTION: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** The Postgres catalog of the `public` schema (drizzle keeps its migration table in `drizzle`). */
export async function postgresCatalog(client: pg.Pool | pg.ClientBase, schema = 'public'): Promise<Catalog> {
  const q = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => (await client.query<T>(text, [schema])).rows;
  const catalog: Catalog = {};
  const tables = await q<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  for (const { table_name } of tables) {
    catalog[table_name] = { columns: {}, primaryKey: [], unique: [], foreignKeys: [], indexes: {}, checks: 0 };
  }

  const columns = await q<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
    is_identity: 'YES' | 'NO';
    is_generated: 'ALWAYS' | 'NEVER';
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity, is_generated
       FROM information_schema.columns WHERE table_schema = $1`,
  );
  for (const c of columns) {
    const table = catalog[c.table_name];
    if (!table) continue; // a view's column
    const serial = c.column_default?.startsWith('nextval(') ?? false;
    table.columns[c.column_name] = {
      type: pgTypeClass(c.data_type),
      notNull: c.is_nullable === 'NO',
      default: serial || c.is_generated === 'ALWAYS' ? null : normaliseDefault(c.column_default),
      autoIncrement: c.is_identity === 'YES' || serial,
      generated: c.is_generated === 'ALWAYS',
    };
  }

  const indexes = await q<{ table: string; name: string; primary: boolean; unique: boolean; predicate: string | null; columns: string[] }>(
    `SELECT t.relname AS table, i.relname AS name, ix.indisprimary AS primary, ix.indisunique AS unique,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            array(SELECT coalesce(a.attname::text, '<expression>')
                    FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                   ORDER BY k.ord) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1
      ORDER BY t.relname, i.relname`,
  );
  for (const ix of indexes) {
    const table = catalog[ix.table];
    if (!table) continue;
    if (ix.primary) {
      table.primaryKey = ix.columns;
      continue;
    }
    table.indexes[ix.name] = { columns: ix.columns, unique: ix.unique, predicate: ix.predicate && normalisePredicate(ix.predicate) };
    if (ix.unique && !ix.predicate) table.unique.push(ix.columns.join(','));
  }

  const constraints = await q<{ table: string; type: 'f' | 'c'; columns: string[]; ref_table: string | null; ref_columns: string[] | null; on_delete: string; on_update: string }>(
    `SELECT t.relname AS table, c.contype AS type,
            array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            r.relname AS ref_table,
            array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
            c.confdeltype AS on_delete, c.confupdtype AS on_update
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_class r ON r.oid = c.confrelid
      WHERE n.nspname = $1 AND c.contype IN ('f', 'c')`,
  );
  for (const c of constraints) {
    const table = catalog[c.table];
    if (!table) continue;
    if (c.type === 'c') table.checks++;
    else table.foreignKeys.push(foreignKey(c.columns, c.ref_table!, c.ref_columns!, PG_FK_ACTION[c.on_delete], PG_FK_ACTION[c.on_update]));
  }

  for (const table of Object.values(catalog)) {
    table.columns = sortedKeys(table.columns);
    table.indexes = sortedKeys(table.indexes);
    table.unique.sort();
    table.foreignKeys.sort();
  }
  return catalog;
}

/**
 * Every difference between two catalogs, one line each (empty when they match), e.g.
 * `column votes.extra: only in Postgres`, `index battles_arena_idx: predicate source='arena' in SQLite, none in Postgres`.
 */
export function diffCatalogs(left: Catalog, right: Catalog, names: [string, string] = ['SQLite', 'Postgres']): string[] {
  const out: string[] = [];
  const only = (inLeft: boolean) => `only in ${inLeft ? names[0] : names[1]}`;
  const show = (v: unknown) => (v === null ? 'none' : Array.isArray(v) ? `(${v.join(',')})` : String(v));
  const differs = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${what}: ${show(a)} in ${names[0]}, ${show(b)} in ${names[1]}`);
  };
  const union = (a: object, b: object) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();

  for (const name of union(left, right)) {
    const [a, b] = [left[name], right[name]];
    if (!a || !b) {
      out.push(`table ${name}: ${only(!!a)}`);
      continue;
    }
    for (const col of union(a.columns, b.columns)) {
      const [ca, cb] = [a.columns[col], b.columns[col]];
      if (!ca || !cb) {
        out.push(`column ${name}.${col}: ${only(!!ca)}`);
        continue;
      }
      for (const key of Object.keys(ca) as (keyof ColumnInfo)[]) differs(`column ${name}.${col} ${key}`, ca[key], cb[key]);
    }
    differs(`table ${name} primary key`, a.primaryKey, b.primaryKey);
    for (const u of [...new Set([...a.unique, ...b.unique])].sort()) {
      if (a.unique.includes(u) !== b.unique.includes(u)) out.push(`unique (${u}) on ${name}: ${only(a.unique.includes(u))}`);
    }
    for (const fk of [...new Set([...a.foreignKeys, ...b.foreignKeys])].sort()) {
      if (a.foreignKeys.includes(fk) !== b.foreignKeys.includes(fk)) out.push(`foreign key ${name}${fk}: ${only(a.foreignKeys.includes(fk))}`);
    }
    for (const ix of union(a.indexes, b.indexes)) {
      const [ia, ib] = [a.indexes[ix], b.indexes[ix]];
      if (!ia || !ib) {
        out.push(`index ${ix} on ${name}: ${only(!!ia)}`);
        continue;
      }
      for (const key of Object.keys(ia) as (keyof IndexInfo)[]) differs(`index ${ix} ${key}`, ia[key], ib[key]);
    }
    differs(`table ${name} check constraints`, a.checks, b.checks);
  }
  return out;
}
