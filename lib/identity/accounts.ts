import crypto from 'node:crypto';
import {
  countAdmins,
  createUser,
  getUserByEmail,
  linkAccount,
  normalizeEmail,
  redeemInviteAndCreateUser,
  updateUser,
  userByAccount,
} from '../../db/queries/users';
import type { User } from '../../db/schema';
import { AppError } from '../errors';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './password';

/**
 * Account use cases behind sign-in and sign-up: email and password, external identities (GitHub,
 * Google, OpenID Connect), invites, and the first admin. Framework-free: next-auth's callbacks
 * (auth-options.ts), the sign-up route and the CLI call these.
 */

export type SignUpPolicy = 'open' | 'invite' | 'closed';

export interface SignInGuard {
  /** Throws when this email or network has failed too often lately. */
  assertNotLocked(email: string, network: string): Promise<void>;
  recordFailure(email: string, network: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

export function hashInviteToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

export function newInviteToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export const BAD_CREDENTIALS = 'Wrong email or password.';

/**
 * Email + password sign-in. An unknown email is checked against a dummy hash, so the time taken
 * does not tell which emails have accounts; a disabled account gets the same answer as a wrong
 * password.
 */
export async function signInWithPassword(
  input: { email: string; password: string; network: string },
  guard: SignInGuard,
  now = Date.now(),
): Promise<User> {
  const email = normalizeEmail(input.email);
  await guard.assertNotLocked(email, input.network);
  const user = email ? await getUserByEmail({ email }) : null;
  const ok = user?.passwordHash ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !ok || user.disabledAt !== null) {
    await guard.recordFailure(email, input.network);
    throw new AppError('unauthorized', BAD_CREDENTIALS);
  }
  await guard.recordSuccess(email);
  await updateUser({ id: user.id, set: { lastSignInAt: now } });
  return user;
}

function validEmail(email: string): string {
  const e = normalizeEmail(email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) || e.length > 254) throw new AppError('validation_failed', 'Enter a valid email address.');
  return e;
}

/** A new account with email and password, as the sign-up policy allows. */
export async function signUpWithPassword(
  input: { email: string; password: string; name?: string | null; invite?: string | null },
  policy: SignUpPolicy,
): Promise<User> {
  const email = validEmail(input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw new AppError('validation_failed', problem);
  if (policy === 'closed') throw new AppError('forbidden', 'Sign-up is closed on this arena. Ask an admin for an account.');
  if (policy === 'invite' && !input.invite) throw new AppError('forbidden', 'Sign-up needs an invite link on this arena.');
  const user = {
    id: crypto.randomUUID(),
    email,
    name: input.name?.trim() || null,
    passwordHash: await hashPassword(input.password),
  };
  if (policy === 'invite') {
    const created = await redeemInviteAndCreateUser({ tokenHash: hashInviteToken(input.invite!), user });
    if (!created) throw new AppError('forbidden', 'This invite link is not valid any more (used up, expired or revoked).');
    return created;
  }
  return createUser(user);
}

export interface ExternalProfile {
  provider: string;
  providerAccountId: string;
  email: string | null;
  /** Only an email the provider says it verified may join an existing account. */
  emailVerified: boolean;
  name: string | null;
}

/**
 * Sign-in through an external identity: the linked account, else an existing account with the
 * same verified email (an admin may create it ahead), else a new account if the policy allows.
 * Returns the user, or a refusal code for next-auth's error page.
 */
export async function signInExternal(
  profile: ExternalProfile,
  policy: SignUpPolicy,
  invite: string | null,
  now = Date.now(),
): Promise<{ user: User } | { refused: 'AccessDenied' | 'SignUpClosed' | 'InviteRequired' }> {
  let user = await userByAccount({ provider: profile.provider, providerAccountId: profile.providerAccountId });
  if (!user && profile.email && profile.emailVerified) {
    user = await getUserByEmail({ email: profile.email });
    if (user) await linkAccount({ provider: profile.provider, providerAccountId: profile.providerAccountId, userId: user.id });
  }
  if (!user) {
    if (policy === 'closed') return { refused: 'SignUpClosed' };
    if (policy === 'invite' && !invite) return { refused: 'InviteRequired' };
    const email = profile.email && profile.emailVerified && !(await getUserByEmail({ email: profile.email })) ? profile.email : null;
    const fresh = { id: crypto.randomUUID(), email, name: profile.name };
    user = policy === 'invite' ? await redeemInviteAndCreateUser({ tokenHash: hashInviteToken(invite!), user: fresh }) : await createUser(fresh);
    if (!user) return { refused: 'InviteRequired' };
    await linkAccount({ provider: profile.provider, providerAccountId: profile.providerAccountId, userId: user.id });
  }
  if (user.disabledAt !== null) return { refused: 'AccessDenied' };
  await updateUser({ id: user.id, set: { lastSignInAt: now } });
  return { user };
}

/**
 * An admin account with email and password (`pairwise admin create`, or the environment at first
 * start). An existing account with that email is made an admin and gets the new password.
 */
export async function createOrPromoteAdmin(input: { email: string; password: string; name?: string | null }): Promise<{ user: User; created: boolean }> {
  const email = validEmail(input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw new AppError('validation_failed', problem);
  const passwordHash = await hashPassword(input.password);
  const existing = await getUserByEmail({ email });
  if (existing) {
    const user = (await updateUser({ id: existing.id, set: { role: 'admin', passwordHash, disabledAt: null, disabledReason: null } }))!;
    return { user, created: false };
  }
  const user = await createUser({ id: crypto.randomUUID(), email, name: input.name ?? null, passwordHash, role: 'admin' });
  return { user, created: true };
}

/** PAIRWISE_ADMIN_EMAIL / PAIRWISE_ADMIN_PASSWORD create the first admin when the store has none. */
export async function ensureFirstAdmin(email: string | undefined, password: string | undefined): Promise<string | null> {
  if (!email || !password) return null;
  if ((await countAdmins()) > 0) return null;
  const { user } = await createOrPromoteAdmin({ email, password });
  return user.email;
}
