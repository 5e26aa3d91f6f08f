import { dialect } from '../store';
import * as pg from './pg/voters';
import * as sqlite from './sqlite/voters';

export * from './sqlite/voters';
export const getVoter = dialect(sqlite.getVoter, pg.getVoter);
export const createVoter = dialect(sqlite.createVoter, pg.createVoter);
export const touchVoter = dialect(sqlite.touchVoter, pg.touchVoter);
export const linkVoterToUser = dialect(sqlite.linkVoterToUser, pg.linkVoterToUser);
export const recordConsent = dialect(sqlite.recordConsent, pg.recordConsent);
