import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Sign-up policies, invites and external sign-ins against a real temporary store. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-accounts-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('@/db/index');
const { createInvite, getUserByEmail, updateUser } = await import('@/db/queries/users');
const accounts = await import('./accounts');
const { isAppError } = await import('@/lib/errors');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}

const noGuard = { assertNotLocked: async () => {}, recordFailure: async () => {}, recordSuccess: async () => {} };

describe('sign-up policy', () => {
  it('open: anyone may sign up; the email is normalised and must be new', async () => {
    const u = await accounts.signUpWithPassword({ email: ' Eve@Example.ORG ', password: 'long enough password' }, 'open');
    expect(u.email).toBe('eve@example.org');
    expect(u.role).toBe('voter');
    expect(await codeOf(accounts.signUpWithPassword({ email: 'eve@example.org', password: 'another long one' }, 'open'))).toBe('conflict');
    expect(await codeOf(accounts.signUpWithPassword({ email: 'not-an-email', password: 'long enough password' }, 'open'))).toBe('validation_failed');
    expect(await codeOf(accounts.signUpWithPassword({ email: 'x@y.org', password: 'short' }, 'open'))).toBe('validation_failed');
  });

  it('closed: nobody may sign up', async () => {
    expect(await codeOf(accounts.signUpWithPassword({ email: 'c@example.org', password: 'long enough password' }, 'closed'))).toBe('forbidden');
    expect(await getUserByEmail({ email: 'c@example.org' })).toBeNull();
  });

  it('invite: a valid invite is needed, and its uses run out', async () => {
    expect(await codeOf(accounts.signUpWithPassword({ email: 'i0@example.org', password: 'long enough password' }, 'invite'))).toBe('forbidden');
    const token = accounts.newInviteToken();
    await createInvite({ tokenHash: accounts.hashInviteToken(token), createdBy: null, maxUses: 2 });
    for (const k of [1, 2]) {
      const u = await accounts.signUpWithPassword({ email: `i${k}@example.org`, password: 'long enough password', invite: token }, 'invite');
      expect(u.email).toBe(`i${k}@example.org`);
    }
    expect(await codeOf(accounts.signUpWithPassword({ email: 'i3@example.org', password: 'long enough password', invite: token }, 'invite'))).toBe('forbidden');
    expect(await codeOf(accounts.signUpWithPassword({ email: 'i4@example.org', password: 'long enough password', invite: 'made-up' }, 'invite'))).toBe('forbidden');
    const expired = accounts.newInviteToken();
    await createInvite({ tokenHash: accounts.hashInviteToken(expired), createdBy: null, expiresAt: Date.now() - 1 });
    expect(await codeOf(accounts.signUpWithPassword({ email: 'i5@example.org', password: 'long enough password', invite: expired }, 'invite'))).toBe('forbidden');
  });
});

describe('password sign-in', () => {
  it('accepts the right password, refuses a wrong one, an unknown email and a disabled account alike', async () => {
    const u = await accounts.signUpWithPassword({ email: 'p@example.org', password: 'the right password' }, 'open');
    const ok = await accounts.signInWithPassword({ email: 'P@example.org', password: 'the right password', network: 'n' }, noGuard);
    expect(ok.id).toBe(u.id);
    const wrong = await codeOf(accounts.signInWithPassword({ email: 'p@example.org', password: 'the wrong password', network: 'n' }, noGuard));
    const unknown = await codeOf(accounts.signInWithPassword({ email: 'q@example.org', password: 'the right password', network: 'n' }, noGuard));
    await updateUser({ id: u.id, set: { disabledAt: Date.now(), disabledReason: 'test' } });
    const disabled = await codeOf(accounts.signInWithPassword({ email: 'p@example.org', password: 'the right password', network: 'n' }, noGuard));
    expect([wrong, unknown, disabled]).toEqual(['unauthorized', 'unauthorized', 'unauthorized']);
  });

  it('asks the guard before checking, and reports failures and successes to it', async () => {
    await accounts.signUpWithPassword({ email: 'g@example.org', password: 'guarded password' }, 'open');
    const seen: string[] = [];
    const guard = {
      assertNotLocked: async (e: string) => void seen.push(`check ${e}`),
      recordFailure: async (e: string) => void seen.push(`fail ${e}`),
      recordSuccess: async (e: string) => void seen.push(`ok ${e}`),
    };
    await codeOf(accounts.signInWithPassword({ email: 'g@example.org', password: 'nope nope nope', network: 'n' }, guard));
    await accounts.signInWithPassword({ email: 'g@example.org', password: 'guarded password', network: 'n' }, guard);
    expect(seen).toEqual(['check g@example.org', 'fail g@example.org', 'check g@example.org', 'ok g@example.org']);
  });
});

describe('external sign-in', () => {
  const profile = (id: string, email: string | null, verified: boolean) => ({ provider: 'oidc', providerAccountId: id, email, emailVerified: verified, name: 'X' });

  it('creates an account on first use when sign-up is open, and finds it again', async () => {
    const first = await accounts.signInExternal(profile('sub-1', 'ext@example.org', true), 'open', null);
    const again = await accounts.signInExternal(profile('sub-1', 'ext@example.org', true), 'closed', null);
    expect('user' in first && 'user' in again && first.user.id === again.user.id).toBe(true);
  });

  it('joins an existing account only through a verified email', async () => {
    const existing = await accounts.signUpWithPassword({ email: 'join@example.org', password: 'long enough password' }, 'open');
    const unverified = await accounts.signInExternal(profile('sub-2', 'join@example.org', false), 'closed', null);
    expect(unverified).toEqual({ refused: 'SignUpClosed' });
    const verified = await accounts.signInExternal(profile('sub-3', 'join@example.org', true), 'closed', null);
    expect('user' in verified && verified.user.id).toBe(existing.id);
  });

  it('follows the sign-up policy for new people', async () => {
    expect(await accounts.signInExternal(profile('sub-4', null, false), 'invite', null)).toEqual({ refused: 'InviteRequired' });
    expect(await accounts.signInExternal(profile('sub-5', null, false), 'invite', 'bogus')).toEqual({ refused: 'InviteRequired' });
    const token = accounts.newInviteToken();
    await createInvite({ tokenHash: accounts.hashInviteToken(token), createdBy: null });
    expect('user' in (await accounts.signInExternal(profile('sub-6', null, false), 'invite', token))).toBe(true);
  });
});

describe('first admin', () => {
  it('comes from the environment only while there is no admin', async () => {
    expect(await accounts.ensureFirstAdmin('boss@example.org', 'boss password 1')).toBe('boss@example.org');
    expect((await getUserByEmail({ email: 'boss@example.org' }))!.role).toBe('admin');
    expect(await accounts.ensureFirstAdmin('second@example.org', 'second password')).toBeNull();
    expect(await getUserByEmail({ email: 'second@example.org' })).toBeNull();
  });
});
