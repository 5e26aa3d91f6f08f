import type { Db } from '../index';
import { getStore, isPostgres, type Store } from '../store';
import * as pg from './pg/exports';
import * as sqlite from './sqlite/exports';
import type { ExportBattleRow } from './sqlite/exports';

export * from './sqlite/exports';

/**
 * Counted battles for the export, in batches, on either store. Not `dialect()`: without a `db`,
 * the SQLite side reads through a read-only connection of its own (a download takes a while, and
 * the app's shared connection cannot serve anything else while a query on it is iterated), so
 * it must not be handed the app's connection.
 */
export function iterateExportBattles({ db, batchSize }: { db?: Store; batchSize?: number } = {}): AsyncGenerator<ExportBattleRow[]> {
  const store = db ?? getStore();
  return isPostgres(store) ? pg.iterateExportBattles({ db: store, batchSize }) : sqlite.iterateExportBattles({ db: db as Db | undefined, batchSize });
}
