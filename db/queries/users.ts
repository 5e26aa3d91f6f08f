import { dialect } from '../store';
import * as pg from './pg/users';
import * as sqlite from './sqlite/users';

export * from './sqlite/users';
export const getUser = dialect(sqlite.getUser, pg.getUser);
export const getUserByEmail = dialect(sqlite.getUserByEmail, pg.getUserByEmail);
export const countAdmins = dialect(sqlite.countAdmins, pg.countAdmins);
export const createUser = dialect(sqlite.createUser, pg.createUser);
export const updateUser = dialect(sqlite.updateUser, pg.updateUser);
export const userByAccount = dialect(sqlite.userByAccount, pg.userByAccount);
export const linkAccount = dialect(sqlite.linkAccount, pg.linkAccount);
export const createInvite = dialect(sqlite.createInvite, pg.createInvite);
export const listInvites = dialect(sqlite.listInvites, pg.listInvites);
export const revokeInvite = dialect(sqlite.revokeInvite, pg.revokeInvite);
export const redeemInviteAndCreateUser = dialect(sqlite.redeemInviteAndCreateUser, pg.redeemInviteAndCreateUser);
