import { and, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { isUniqueViolation } from '../../errors';
import type { PgDb } from '../../postgres';
import type { Invite, User } from '../../schema';
import { accounts, invites, users } from '../../schema-pg';
import { normalizeEmail, type NewAccount } from '../sqlite/users';

/**
 * Postgres twin of db/queries/sqlite/users.ts. Two sign-ups with one email race on the unique
 * index (the second is a 409 conflict); an invite's place is taken by one atomic UPDATE whose
 * WHERE re-checks the uses left, so two redemptions of the last place give one account.
 */

type WithDb = { db?: PgDb };

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

function conflictIfTaken(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError('conflict', 'An account with this email already exists.', { cause: err });
  throw err;
}

export async function getUser(params: WithDb & { id: string }): Promise<User | null> {
  const [row] = await params.db!.select().from(users).where(eq(users.id, params.id)).limit(1);
  return row ?? null;
}

export async function getUserByEmail(params: WithDb & { email: string }): Promise<User | null> {
  const [row] = await params.db!.select().from(users).where(eq(users.email, normalizeEmail(params.email))).limit(1);
  return row ?? null;
}

export async function countAdmins({ db }: WithDb = {}): Promise<number> {
  const [row] = await db!
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)));
  return row.n;
}

export async function createUser(params: WithDb & NewAccount & { now?: number }): Promise<User> {
  try {
    const [row] = await params.db!.insert(users).values(accountRow(params, params.now ?? Date.now())).returning();
    return row;
  } catch (err) {
    conflictIfTaken(err);
  }
}

export async function updateUser(
  params: WithDb & { id: string; set: Partial<Pick<User, 'name' | 'passwordHash' | 'role' | 'disabledAt' | 'disabledReason' | 'lastSignInAt'>> },
): Promise<User | null> {
  const [row] = await params.db!.update(users).set(params.set).where(eq(users.id, params.id)).returning();
  return row ?? null;
}

export async function userByAccount(params: WithDb & { provider: string; providerAccountId: string }): Promise<User | null> {
  const [row] = await params
    .db!.select({ user: users })
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(and(eq(accounts.provider, params.provider), eq(accounts.providerAccountId, params.providerAccountId)))
    .limit(1);
  return row?.user ?? null;
}

export async function linkAccount(params: WithDb & { provider: string; providerAccountId: string; userId: string; now?: number }): Promise<void> {
  await params
    .db!.insert(accounts)
    .values({ provider: params.provider, providerAccountId: params.providerAccountId, userId: params.userId, createdAt: params.now ?? Date.now() })
    .onConflictDoNothing();
}

// --- invites -----------------------------------------------------------------------------

export async function createInvite(
  params: WithDb & { tokenHash: string; note?: string | null; createdBy: string | null; expiresAt?: number | null; maxUses?: number | null; now?: number },
): Promise<Invite> {
  const [row] = await params
    .db!.insert(invites)
    .values({
      tokenHash: params.tokenHash,
      note: params.note ?? null,
      createdBy: params.createdBy,
      createdAt: params.now ?? Date.now(),
      expiresAt: params.expiresAt ?? null,
      maxUses: params.maxUses ?? null,
    })
    .returning();
  return row;
}

export async function listInvites({ db }: WithDb = {}): Promise<Invite[]> {
  return db!.select().from(invites).orderBy(sql`${invites.createdAt} DESC`);
}

export async function revokeInvite(params: WithDb & { id: number; now?: number }): Promise<Invite | null> {
  const [row] = await params.db!.update(invites).set({ revokedAt: params.now ?? Date.now() }).where(eq(invites.id, params.id)).returning();
  return row ?? null;
}

export async function redeemInviteAndCreateUser(
  params: WithDb & { tokenHash: string; user: NewAccount; now?: number },
): Promise<User | null> {
  const now = params.now ?? Date.now();
  try {
    return await params.db!.transaction(async (tx) => {
      // A racing redemption waits on the row lock, then re-evaluates this WHERE on the new uses.
      const used = await tx
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
        .returning({ id: invites.id });
      if (used.length !== 1) return null;
      const [row] = await tx.insert(users).values(accountRow(params.user, now)).returning();
      return row;
    });
  } catch (err) {
    conflictIfTaken(err);
  }
}
