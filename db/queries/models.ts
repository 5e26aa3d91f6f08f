import { dialect } from '../store';
import * as pg from './pg/models';
import * as sqlite from './sqlite/models';

export * from './sqlite/models';
export const listModelRows = dialect(sqlite.listModelRows, pg.listModelRows);
export const modelsVersion = dialect(sqlite.modelsVersion, pg.modelsVersion);
export const seedModelsOnce = dialect(sqlite.seedModelsOnce, pg.seedModelsOnce);
export const replaceModelsFromFile = dialect(sqlite.replaceModelsFromFile, pg.replaceModelsFromFile);
export const insertModelRow = dialect(sqlite.insertModelRow, pg.insertModelRow);
export const updateModelRow = dialect(sqlite.updateModelRow, pg.updateModelRow);
