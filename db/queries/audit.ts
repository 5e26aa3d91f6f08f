import { dialect } from '../store';
import * as pg from './pg/audit';
import * as sqlite from './sqlite/audit';

export * from './sqlite/audit';
export const recordAudit = dialect(sqlite.recordAudit, pg.recordAudit);
export const listAudit = dialect(sqlite.listAudit, pg.listAudit);
