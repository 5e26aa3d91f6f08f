import { dialect } from '../store';
import * as pg from './pg/admin-imports';
import * as sqlite from './sqlite/admin-imports';

export * from './sqlite/admin-imports';
export const deleteImport = dialect(sqlite.deleteImport, pg.deleteImport);
