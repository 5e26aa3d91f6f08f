import { and, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { isUniqueViolation } from '../../errors';
import { getDb, type Db } from '../../index';
import { accounts, invites, users, type Invite, type User } from '../../schema';

type WithDb = { db?: Db };


/** Emails are compared and stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function getUser(params: WithDb & { id: string }): Promise<User | null> {
  const db = params.db ?? getDb();
  return db.select().from(users).where(eq(users.id, params.id)).get() ?? null;
}

export async function getUserByEmail(params: WithDb & { email: string }): Promise<User | null> {
  const db = params.db ?? getDb();
  return db.select().from(users).where(eq(users.email, normalizeEmail(params.email))).get() ?? null;
}

export async function countAdmins({ db = getDb() }: WithDb = {}): Promise<number> {
  return db.select({ n: sql<number>`count(*)` }).from(users).where(and(eq(users.role, 'admin'), isNull(users.disabledAt))).get()!.n;
}

export interface NewAccount {
  id: string;
  email: string | null;
  name?: string | null;
  passwordHash?: string | null;
  role?: 'voter' | 'admin';
}

function accountRow(u: NewAccount, now: number) {
  return {
    id: u.id,
    email: u.email === null ? null : normalizeEmail(u.email),
    name: u.name ?? null,
    passwordHash: u.passwordHash ?? null,
    role: u.role ?? 'voter',
    createdAt: now,
  };
}

/** Creates an account; a taken email is a 409 conflict. */
export async function createUser(params: WithDb & NewAccount & { now?: number }): Promise<User> {
  const db = params.db ?? getDb();
  try {
    return db.insert(users).values(accountRow(params, params.now ?? Date.now())).returning().get();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', 'An account with this email already exists.', { cause: err });
    throw err;
  }
}

export async function updateUser(
  params: WithDb & { id: string; set: Partial<Pick<User, 'name' | 'passwordHash' | 'role' | 'disabledAt' | 'disabledReason' | 'lastSignInAt'>> },
): Promise<User | null> {
  const db = params.db ?? getDb();
  return db.update(users).set(params.set).where(eq(users.id, params.id)).returning().get() ?? null;
}

/** The user an external identity (provider + its account id) is linked to. */
export async function userByAccount(params: WithDb & { provider: string; providerAccountId: string }): Promise<User | null> {
  const db = params.db ?? getDb();
  const row = db
    .select({ user: users })
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(and(eq(accounts.provider, params.provider), eq(accounts.providerAccountId, params.providerAccountId)))
    .get();
  return row?.user ?? null;
}

export async function linkAccount(params: WithDb & { provider: string; providerAccountId: string; userId: string; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  db.insert(accounts)
    .values({ provider: params.provider, providerAccountId: params.providerAccountId, userId: params.userId, createdAt: params.now ?? Date.now() })
    .onConflictDoNothing()
    .run();
}

// --- invites -----------------------------------------------------------------------------

export async function createInvite(
  params: WithDb & { tokenHash: string; note?: string | null; createdBy: string | null; expiresAt?: number | null; maxUses?: number | null; now?: number },
): Promise<Invite> {
  const db = params.db ?? getDb();
  return db
    .insert(invites)
    .values({
      tokenHash: params.tokenHash,
      note: params.note ?? null,
      createdBy: params.createdBy,
      createdAt: params.now ?? Date.now(),
      expiresAt: params.expiresAt ?? null,
      maxUses: params.maxUses ?? null,
    })
    .returning()
    .get();
}

export async function listInvites({ db = getDb() }: WithDb = {}): Promise<Invite[]> {
  return db.select().from(invites).orderBy(sql`${invites.createdAt} DESC`).all();
}

export async function revokeInvite(params: WithDb & { id: number; now?: number }): Promise<Invite | null> {
  const db = params.db ?? getDb();
  return db.update(invites).set({ revokedAt: params.now ?? Date.now() }).where(eq(invites.id, params.id)).returning().get() ?? null;
}

/**
 * Uses one place of a valid invite (not revoked, not expired, uses left) and creates the account
 * in the same transaction, so two sign-ups cannot share the last place. Returns null when the
 * invite is not valid.
 */
export async function redeemInviteAndCreateUser(
  params: WithDb & { tokenHash: string; user: NewAccount; now?: number },
): Promise<User | null> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  try {
    return db.transaction((tx) => {
      const used = tx
        .update(invites)
        .set({ uses: sql`${invites.uses} + 1` })
        .where(
          and(
            eq(invites.tokenHash, params.tokenHash),
            isNull(invites.revokedAt),
            sql`(${invites.expiresAt} IS NULL OR ${invites.expiresAt} > ${now})`,
            sql`(${invites.maxUses} IS NULL OR ${invites.uses} < ${invites.maxUses})`,
          ),
        )
        .returning({ id: invites.id })
        .all();
      if (used.length !== 1) return null;
      return tx.insert(users).values(accountRow(params.user, now)).returning().get();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', 'An account with this email already exists.', { cause: err });
    throw err;
  }
}
