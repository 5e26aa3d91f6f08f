import { dialect } from '../store';
import * as pg from './pg/model-info';
import * as sqlite from './sqlite/model-info';

export * from './sqlite/model-info';
export const listModelInfo = dialect(sqlite.listModelInfo, pg.listModelInfo);
export const writeModelInfo = dialect(sqlite.writeModelInfo, pg.writeModelInfo);
export const battleModelNames = dialect(sqlite.battleModelNames, pg.battleModelNames);
