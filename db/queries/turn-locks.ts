import { dialect } from '../store';
import * as pg from './pg/turn-locks';
import * as sqlite from './sqlite/turn-locks';

export const claimTurn = dialect(sqlite.claimTurn, pg.claimTurn);
export const releaseTurn = dialect(sqlite.releaseTurn, pg.releaseTurn);
export const turnClaimed = dialect(sqlite.turnClaimed, pg.turnClaimed);
export const renewTurns = dialect(sqlite.renewTurns, pg.renewTurns);
export const abortOrphanedAnswers = dialect(sqlite.abortOrphanedAnswers, pg.abortOrphanedAnswers);
