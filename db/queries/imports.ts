import { dialect } from '../store';
import * as pg from './pg/imports';
import * as sqlite from './sqlite/imports';

export * from './sqlite/imports';
export const findImportBySha256 = dialect(sqlite.findImportBySha256, pg.findImportBySha256);
export const listImports = dialect(sqlite.listImports, pg.listImports);
export const beginImport = dialect(sqlite.beginImport, pg.beginImport);
export const discardImport = dialect(sqlite.discardImport, pg.discardImport);
export const finishImport = dialect(sqlite.finishImport, pg.finishImport);
export const insertImportBatch = dialect(sqlite.insertImportBatch, pg.insertImportBatch);
export const openImportWriter = dialect(sqlite.openImportWriter, pg.openImportWriter);
