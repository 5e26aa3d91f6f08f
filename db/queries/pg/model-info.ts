import { sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { ModelInfo } from '../../schema';
import type { ModelInfoFields } from '../sqlite/model-info';
import { row, rows } from './exec';

/**
 * Postgres twin of db/queries/sqlite/model-info.ts. A write holds a transaction lock on the model's
 * id, so two saves of one model's facts run in turn and each audit entry's `before` is what it replaced.
 */

type WithDb = { db?: PgDb };

export async function listModelInfo({ db }: WithDb = {}): Promise<ModelInfo[]> {
  return rows<ModelInfo>(
    db!,
    sql`SELECT id, name, organization, license, link, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM model_info ORDER BY id`,
  );
}

export async function writeModelInfo(params: WithDb & { id: string; fields: ModelInfoFields; by: string; now?: number }): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`pairwise:model_info:${params.id}`}))`);
    const before = await row<ModelInfoFields>(tx, sql`SELECT name, organization, license, link FROM model_info WHERE id = ${params.id}`);
    const f = params.fields;
    const empty = !f.name && !f.organization && !f.license && !f.link;
    if (empty) await tx.execute(sql`DELETE FROM model_info WHERE id = ${params.id}`);
    else {
      await tx.execute(sql`INSERT INTO model_info (id, name, organization, license, link, updated_at, updated_by)
        VALUES (${params.id}, ${f.name}, ${f.organization}, ${f.license}, ${f.link}, ${now}, ${params.by})
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, organization = excluded.organization, license = excluded.license,
          link = excluded.link, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
    }
    await tx.execute(sql`INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at)
      VALUES (${params.by}, 'model_info.update', ${params.id}, ${before ? JSON.stringify(before) : null}, ${empty ? null : JSON.stringify(f)}, ${now})`);
  });
}

/** The model indexes read by a loose index scan (one seek per distinct name), as on SQLite. */
export async function battleModelNames({ db }: WithDb = {}): Promise<string[]> {
  const distinct = (col: 'model_a' | 'model_b') =>
    sql.raw(`
    WITH RECURSIVE seen(x) AS (
      SELECT (SELECT min(${col}) FROM battles)
      UNION ALL
      SELECT (SELECT min(${col}) FROM battles WHERE ${col} > seen.x) FROM seen WHERE seen.x IS NOT NULL
    ) SELECT x FROM seen WHERE x IS NOT NULL`);
  const names = new Set<string>();
  for (const col of ['model_a', 'model_b'] as const) {
    for (const r of await rows<{ x: string }>(db!, distinct(col))) names.add(r.x);
  }
  return [...names].sort();
}
