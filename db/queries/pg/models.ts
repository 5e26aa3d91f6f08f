import { asc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import type { PgDb } from '../../postgres';
import type { ModelRow } from '../../schema';
import { auditLog, models, settings } from '../../schema-pg';
import { row, type PgExec } from './exec';

/**
 * Postgres twin of db/queries/sqlite/models.ts. Every write to the registry table holds one
 * transaction lock, so that processes starting together seed it once, and a console edit cannot
 * interleave with another (a taken id stays a conflict, positions stay distinct, audit entries
 * name the entry they replaced).
 */

type WithDb = { db?: PgDb };

const SEEDED_KEY = 'registry.seeded';

/** Rows per INSERT: 6 parameters each, well under Postgres's 65535 per statement. */
const BATCH = 1000;

async function lockRegistry(tx: PgExec): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('pairwise:models'))`);
}

export async function listModelRows({ db }: WithDb = {}): Promise<ModelRow[]> {
  return db!.select().from(models).orderBy(asc(models.position), asc(models.id));
}

export async function modelsVersion({ db }: WithDb = {}): Promise<string> {
  const r = await row<{ n: number; t: number }>(db!, sql`SELECT count(*) AS n, coalesce(max(updated_at), 0) AS t FROM models`);
  return `${r!.n}:${r!.t}`;
}

export async function seedModelsOnce(params: WithDb & { entries: { id: string; entry: unknown }[]; source: string; now?: number }): Promise<boolean> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    // A second process waits here for the first to commit, then finds the mark.
    await lockRegistry(tx);
    const [seeded] = await tx.select({ key: settings.key }).from(settings).where(eq(settings.key, SEEDED_KEY));
    if (seeded) return false;
    const rows = params.entries.map((e, position) => ({
      id: e.id,
      entry: JSON.stringify(e.entry),
      position,
      source: 'file' as const,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += BATCH) await tx.insert(models).values(rows.slice(i, i + BATCH)).onConflictDoNothing();
    await tx
      .insert(settings)
      .values({ key: SEEDED_KEY, value: JSON.stringify({ from: params.source, at: now, models: params.entries.length }), updatedAt: now });
    return true;
  });
}

export async function replaceModelsFromFile(params: WithDb & { entries: { id: string; entry: unknown }[]; now?: number }): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    await lockRegistry(tx);
    const current = new Map((await tx.select().from(models)).map((r) => [r.id, r]));
    const wanted = new Set(params.entries.map((e) => e.id));
    const gone = [...current.keys()].filter((id) => !wanted.has(id));
    for (let i = 0; i < gone.length; i += BATCH) await tx.delete(models).where(inArray(models.id, gone.slice(i, i + BATCH)));
    // An id listed twice in the file: its last entry and position win, as the SQLite twin's row-by-row upserts leave it.
    const changed = new Map<string, { id: string; entry: string; position: number; source: 'file'; createdAt: number; updatedAt: number }>();
    params.entries.forEach((e, position) => {
      const entry = JSON.stringify(e.entry);
      const r = current.get(e.id);
      if (r && r.entry === entry && r.position === position) return;
      changed.set(e.id, { id: e.id, entry, position, source: 'file', createdAt: now, updatedAt: now });
    });
    const rows = [...changed.values()];
    for (let i = 0; i < rows.length; i += BATCH) {
      await tx
        .insert(models)
        .values(rows.slice(i, i + BATCH))
        .onConflictDoUpdate({
          target: models.id,
          set: { entry: sql`excluded.entry`, position: sql`excluded.position`, source: 'file', updatedAt: now },
        });
    }
  });
}

export async function insertModelRow(params: WithDb & { id: string; entry: unknown; by: string | null; now?: number }): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    await lockRegistry(tx);
    const [taken] = await tx.select({ id: models.id }).from(models).where(eq(models.id, params.id));
    if (taken) throw new AppError('conflict', `A model with the id "${params.id}" exists already.`);
    const [{ p: position }] = await tx.select({ p: sql<number>`coalesce(max(${models.position}) + 1, 0)` }).from(models);
    const entry = JSON.stringify(params.entry);
    await tx.insert(models).values({ id: params.id, entry, position, source: 'console', createdAt: now, updatedAt: now });
    await tx.insert(auditLog).values({ actorUserId: params.by, action: 'model.create', target: params.id, before: null, after: entry, createdAt: now });
  });
}

export async function updateModelRow(params: WithDb & { id: string; entry: unknown; action: string; by: string | null; now?: number }): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    await lockRegistry(tx);
    const [r] = await tx.select().from(models).where(eq(models.id, params.id));
    if (!r) throw new AppError('not_found', 'No model with this id.');
    const entry = JSON.stringify(params.entry);
    await tx.update(models).set({ entry, updatedAt: now }).where(eq(models.id, params.id));
    await tx.insert(auditLog).values({ actorUserId: params.by, action: params.action, target: params.id, before: r.entry, after: entry, createdAt: now });
  });
}
