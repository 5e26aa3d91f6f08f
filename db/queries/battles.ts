import { dialect } from '../store';
import * as pg from './pg/battles';
import * as sqlite from './sqlite/battles';

export * from './sqlite/battles';
export const createBattle = dialect(sqlite.createBattle, pg.createBattle);
export const getBattle = dialect(sqlite.getBattle, pg.getBattle);
export const getBattleMessages = dialect(sqlite.getBattleMessages, pg.getBattleMessages);
export const startTurn = dialect(sqlite.startTurn, pg.startTurn);
export const supersedeTurn = dialect(sqlite.supersedeTurn, pg.supersedeTurn);
export const finishTurn = dialect(sqlite.finishTurn, pg.finishTurn);
export const getBattleView = dialect(sqlite.getBattleView, pg.getBattleView);
export const shareBattle = dialect(sqlite.shareBattle, pg.shareBattle);
export const unshareBattle = dialect(sqlite.unshareBattle, pg.unshareBattle);
export const battleIdByShareToken = dialect(sqlite.battleIdByShareToken, pg.battleIdByShareToken);
