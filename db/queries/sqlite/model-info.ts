import { getDb, type Db } from '../../index';
import type { ModelInfo } from '../../schema';

/**
 * Facts about models that are not in the registry (names found only in imported battles): the
 * console sets them, the leaderboard shows them. The table is small (one row per such model).
 */

type WithDb = { db?: Db };

export async function listModelInfo({ db = getDb() }: WithDb = {}): Promise<ModelInfo[]> {
  return db.$client
    .prepare(
      `SELECT id, name, organization, license, link, updated_at AS updatedAt, updated_by AS updatedBy FROM model_info ORDER BY id`,
    )
    .all() as ModelInfo[];
}

export type ModelInfoFields = Pick<ModelInfo, 'name' | 'organization' | 'license' | 'link'>;

/** Sets (or, with every field empty, removes) one model's facts, with its audit entry. */
export async function writeModelInfo(params: WithDb & { id: string; fields: ModelInfoFields; by: string; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  const c = db.$client;
  const now = params.now ?? Date.now();
  c.transaction(() => {
    const before = c.prepare('SELECT name, organization, license, link FROM model_info WHERE id = ?').get(params.id) as ModelInfoFields | undefined;
    const f = params.fields;
    const empty = !f.name && !f.organization && !f.license && !f.link;
    if (empty) c.prepare('DELETE FROM model_info WHERE id = ?').run(params.id);
    else {
      c.prepare(
        `INSERT INTO model_info (id, name, organization, license, link, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, organization = excluded.organization, license = excluded.license,
           link = excluded.link, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ).run(params.id, f.name, f.organization, f.license, f.link, now, params.by);
    }
    c.prepare('INSERT INTO audit_log (actor_user_id, action, target, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      params.by,
      'model_info.update',
      params.id,
      before ? JSON.stringify(before) : null,
      empty ? null : JSON.stringify(f),
      now,
    );
  })();
}

/**
 * Every model name that appears in a battle, from the model indexes by a loose index scan (one
 * seek per distinct name), so it costs about a hundred lookups rather than a pass over millions
 * of battles.
 */
export async function battleModelNames({ db = getDb() }: WithDb = {}): Promise<string[]> {
  const distinct = (col: 'model_a' | 'model_b') => `
    WITH RECURSIVE seen(x) AS (
      SELECT (SELECT min(${col}) FROM battles)
      UNION ALL
      SELECT (SELECT min(${col}) FROM battles WHERE ${col} > seen.x) FROM seen WHERE seen.x IS NOT NULL
    ) SELECT x FROM seen WHERE x IS NOT NULL`;
  const c = db.$client;
  const names = new Set<string>();
  for (const col of ['model_a', 'model_b'] as const) {
    for (const r of c.prepare(distinct(col)).all() as { x: string }[]) names.add(r.x);
  }
  return [...names].sort();
}
