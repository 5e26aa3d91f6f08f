import { asc, eq, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { getDb, type Db } from '../../index';
import { auditLog, models, settings, type ModelRow } from '../../schema';

type WithDb = { db?: Db };

/** Settings key that records that the registry file seeded the models table (it happens once). */
const SEEDED_KEY = 'registry.seeded';

export async function listModelRows({ db = getDb() }: WithDb = {}): Promise<ModelRow[]> {
  return db.select().from(models).orderBy(asc(models.position), asc(models.id)).all();
}

/** Newest change of the model table, a cheap check whether another process edited the registry. */
export async function modelsVersion({ db = getDb() }: WithDb = {}): Promise<string> {
  const row = db.$client.prepare('SELECT count(*) AS n, coalesce(max(updated_at), 0) AS t FROM models').get() as { n: number; t: number };
  return `${row.n}:${row.t}`;
}

/**
 * The first start of a store copies the registry file's entries into the table; later starts
 * leave it alone (an operator may have edited or removed them). Returns whether it seeded.
 */
export async function seedModelsOnce(params: WithDb & { entries: { id: string; entry: unknown }[]; source: string; now?: number }): Promise<boolean> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    const seeded = tx.select({ key: settings.key }).from(settings).where(eq(settings.key, SEEDED_KEY)).get();
    if (seeded) return false;
    params.entries.forEach((e, position) => {
      tx.insert(models)
        .values({ id: e.id, entry: JSON.stringify(e.entry), position, source: 'file', createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .run();
    });
    tx.insert(settings)
      .values({ key: SEEDED_KEY, value: JSON.stringify({ from: params.source, at: now, models: params.entries.length }), updatedAt: now })
      .run();
    return true;
  });
}

/** Replaces the table with the file's entries (PAIRWISE_REGISTRY=file: the file is the only source). */
export async function replaceModelsFromFile(params: WithDb & { entries: { id: string; entry: unknown }[]; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.transaction((tx) => {
    const current = new Map(tx.select().from(models).all().map((r) => [r.id, r]));
    const wanted = new Set(params.entries.map((e) => e.id));
    for (const id of current.keys()) if (!wanted.has(id)) tx.delete(models).where(eq(models.id, id)).run();
    params.entries.forEach((e, position) => {
      const entry = JSON.stringify(e.entry);
      const row = current.get(e.id);
      if (row && row.entry === entry && row.position === position) return;
      tx.insert(models)
        .values({ id: e.id, entry, position, source: 'file', createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: models.id, set: { entry, position, source: 'file', updatedAt: now } })
        .run();
    });
  });
}

/** Adds a model (console); its id must be new. The audit entry is written in the same transaction. */
export async function insertModelRow(params: WithDb & { id: string; entry: unknown; by: string | null; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.transaction((tx) => {
    if (tx.select({ id: models.id }).from(models).where(eq(models.id, params.id)).get()) {
      throw new AppError('conflict', `A model with the id "${params.id}" exists already.`);
    }
    const position = tx.select({ p: sql<number>`coalesce(max(${models.position}) + 1, 0)` }).from(models).get()!.p;
    const entry = JSON.stringify(params.entry);
    tx.insert(models).values({ id: params.id, entry, position, source: 'console', createdAt: now, updatedAt: now }).run();
    tx.insert(auditLog).values({ actorUserId: params.by, action: 'model.create', target: params.id, before: null, after: entry, createdAt: now }).run();
  });
}

/** Replaces a model's entry (edit, enable/disable, deprecate, re-weight), with its audit entry. */
export async function updateModelRow(params: WithDb & { id: string; entry: unknown; action: string; by: string | null; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.transaction((tx) => {
    const row = tx.select().from(models).where(eq(models.id, params.id)).get();
    if (!row) throw new AppError('not_found', 'No model with this id.');
    const entry = JSON.stringify(params.entry);
    tx.update(models).set({ entry, updatedAt: now }).where(eq(models.id, params.id)).run();
    tx.insert(auditLog).values({ actorUserId: params.by, action: params.action, target: params.id, before: row.entry, after: entry, createdAt: now }).run();
  });
}
