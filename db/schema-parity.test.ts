import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from './index';
import { closePostgres, openPostgres } from './postgres';
import * as sqliteSchema from './schema';
import { diffCatalogs, postgresCatalog, sqliteCatalog, type Catalog } from './testing/schema-catalog';
import { startPostgres, type PostgresServer } from './testing/postgres-server';

/**
 * The two stores' migrations make the same schema: db/migrations applied to a SQLite file and
 * db/migrations-pg applied to a real Postgres database, compared catalog to catalog. A schema
 * change made in db/schema.ts alone (or in db/schema-pg.ts alone) fails here.
 */

/** SQLite has no boolean type; db/schema.ts knows which INTEGER columns hold booleans. */
const booleanColumns = new Set(
  Object.values(sqliteSchema)
    .filter((v) => is(v, SQLiteTable))
    .flatMap((t) => {
      const { name, columns } = getTableConfig(t as SQLiteTable);
      return columns.filter((c) => c.columnType === 'SQLiteBoolean').map((c) => `${name}.${c.name}`);
    }),
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-parity-'));
let server: PostgresServer;
let files = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Both stores migrated from scratch, then `change`d (statements per store), then read. */
async function migratedCatalogs(change: { sqlite?: string[]; postgres?: string[] } = {}): Promise<{ sqlite: Catalog; postgres: Catalog }> {
  const lite = openDb(path.join(dir, `store-${++files}.db`));
  let sqlite: Catalog;
  try {
    for (const statement of change.sqlite ?? []) lite.$client.exec(statement);
    sqlite = sqliteCatalog(lite.$client, booleanColumns);
  } finally {
    lite.$client.close();
  }
  const database = await server.createDatabase();
  try {
    const db = await openPostgres(database.url);
    try {
      for (const statement of change.postgres ?? []) await db.$client.query(statement);
      return { sqlite, postgres: await postgresCatalog(db.$client) };
    } finally {
      await closePostgres(db);
    }
  } finally {
    await database.drop();
  }
}

describe('SQLite and Postgres migrations make the same schema', () => {
  test('tables, columns, keys, foreign keys, indexes and defaults match', async () => {
    const { sqlite, postgres } = await migratedCatalogs();
    expect(diffCatalogs(sqlite, postgres)).toEqual([]);
    // The comparison saw the whole schema, not two empty catalogs.
    expect(Object.keys(sqlite)).toHaveLength(23);
    expect(sqlite.battles.indexes.battles_arena_idx).toEqual({ columns: ['created_at'], unique: false, predicate: "source='arena'" });
    expect(postgres.pair_count_identities.indexes.pair_count_identities_capped_idx.predicate).toBe('weight<>votes');
    expect(postgres.votes.foreignKeys).toEqual(['(battle_id) → battles(id) on delete no action on update no action']);
    expect(postgres.battles.columns.vision).toEqual({ type: 'boolean', notNull: true, default: 'false', autoIncrement: false, generated: false });
    expect(postgres.rating_snapshots.columns.created_at.default).toBe('expression');
    expect(postgres.imports.columns.id.autoIncrement).toBe(true);
    expect(sqlite.imports.columns.id.autoIncrement).toBe(true);
    expect(sqlite.study_slots.primaryKey).toEqual(['id']);
    expect(postgres.pair_counts.primaryKey).toEqual(['category', 'model_a', 'model_b', 'outcome']);
    expect(postgres.study_participants.unique).toContain('study_id,label');
  });

  test('a difference on one side is reported', async () => {
    const { sqlite, postgres } = await migratedCatalogs({
      sqlite: ['DROP INDEX votes_excluded_idx', 'ALTER TABLE battles ADD extra_lite real'],
      postgres: [
        'ALTER TABLE votes ADD COLUMN extra text',
        'CREATE INDEX votes_extra_idx ON votes (extra)',
        'ALTER TABLE battles ALTER COLUMN language SET NOT NULL',
        'ALTER TABLE battles ALTER COLUMN tags DROP DEFAULT',
        'ALTER TABLE battles ALTER COLUMN prompt_chars TYPE numeric',
        'DROP INDEX pair_count_identities_capped_idx',
        'CREATE INDEX pair_count_identities_capped_idx ON pair_count_identities (identity)',
        'ALTER TABLE votes DROP CONSTRAINT votes_battle_id_battles_id_fk',
        'ALTER TABLE votes ADD FOREIGN KEY (battle_id) REFERENCES battles (id) ON DELETE CASCADE',
        'ALTER TABLE pair_count_models DROP CONSTRAINT pair_count_models_category_model_pk',
        'ALTER TABLE pair_count_models ADD PRIMARY KEY (model, category)',
        'ALTER TABLE studies DROP CONSTRAINT studies_slug_unique',
        'ALTER TABLE invites ADD CHECK (uses >= 0)',
        'CREATE TABLE extra_table (id int)',
      ],
    });
    expect(diffCatalogs(sqlite, postgres)).toEqual([
      'column battles.extra_lite: only in SQLite',
      'column battles.language notNull: false in SQLite, true in Postgres',
      'column battles.prompt_chars type: integer in SQLite, other: numeric in Postgres',
      "column battles.tags default: '[]' in SQLite, none in Postgres",
      'table extra_table: only in Postgres',
      'table invites check constraints: 0 in SQLite, 1 in Postgres',
      'index pair_count_identities_capped_idx predicate: weight<>votes in SQLite, none in Postgres',
      'table pair_count_models primary key: (category,model) in SQLite, (model,category) in Postgres',
      'unique (slug) on studies: only in SQLite',
      'index studies_slug_unique on studies: only in SQLite',
      'column votes.extra: only in Postgres',
      'foreign key votes(battle_id) → battles(id) on delete cascade on update no action: only in Postgres',
      'foreign key votes(battle_id) → battles(id) on delete no action on update no action: only in SQLite',
      'index votes_excluded_idx on votes: only in Postgres',
      'index votes_extra_idx on votes: only in Postgres',
    ]);
  });
});
