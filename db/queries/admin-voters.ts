import { dialect } from '../store';
import * as pg from './pg/admin-voters';
import * as sqlite from './sqlite/admin-voters';

export * from './sqlite/admin-voters';
export const listVoters = dialect(sqlite.listVoters, pg.listVoters);
export const getVoterRow = dialect(sqlite.getVoterRow, pg.getVoterRow);
export const setVoterBan = dialect(sqlite.setVoterBan, pg.setVoterBan);
export const setVoterTrustOverride = dialect(sqlite.setVoterTrustOverride, pg.setVoterTrustOverride);
export const listAccounts = dialect(sqlite.listAccounts, pg.listAccounts);
export const getAccountRow = dialect(sqlite.getAccountRow, pg.getAccountRow);
export const updateAccount = dialect(sqlite.updateAccount, pg.updateAccount);
export const accountLabels = dialect(sqlite.accountLabels, pg.accountLabels);
export const consoleCounts = dialect(sqlite.consoleCounts, pg.consoleCounts);
