import { dialect } from '../store';
import * as pg from './pg/retention';
import * as sqlite from './sqlite/retention';

export * from './sqlite/retention';
export const expiredBattles = dialect(sqlite.expiredBattles, pg.expiredBattles);
export const forgetConversations = dialect(sqlite.forgetConversations, pg.forgetConversations);
