import { dialect } from '../store';
import * as pg from './pg/admin-votes';
import * as sqlite from './sqlite/admin-votes';

export * from './sqlite/admin-votes';
export const listVotes = dialect(sqlite.listVotes, pg.listVotes);
export const getVoteRow = dialect(sqlite.getVoteRow, pg.getVoteRow);
export const getVoteRowByBattle = dialect(sqlite.getVoteRowByBattle, pg.getVoteRowByBattle);
export const moderateVote = dialect(sqlite.moderateVote, pg.moderateVote);
