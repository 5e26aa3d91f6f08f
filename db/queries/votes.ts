import { dialect } from '../store';
import * as pg from './pg/votes';
import * as sqlite from './sqlite/votes';

export * from './sqlite/votes';
export const castVote = dialect(sqlite.castVote, pg.castVote);
export const getVote = dialect(sqlite.getVote, pg.getVote);
