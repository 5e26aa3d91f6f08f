import { dialect } from '../store';
import * as pg from './pg/owned-battles';
import * as sqlite from './sqlite/owned-battles';

export * from './sqlite/owned-battles';
export const listOwnedBattles = dialect(sqlite.listOwnedBattles, pg.listOwnedBattles);
export const deleteOwnedBattles = dialect(sqlite.deleteOwnedBattles, pg.deleteOwnedBattles);
