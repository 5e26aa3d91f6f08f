import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { codeOf } from '../testing/app-errors';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import {
  countAdmins,
  createInvite,
  createUser,
  getUser,
  getUserByEmail,
  linkAccount,
  listInvites,
  redeemInviteAndCreateUser,
  revokeInvite,
  updateUser,
  userByAccount,
} from './users';

const T0 = 1_700_000_000_000;

describe.each(STORES)('users on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  test('an account is stored with its email trimmed and lower-cased, and found by any spelling of it', async () => {
    const u = await createUser({ db: store.db, id: 'u1', email: '  Eve@Example.ORG ', passwordHash: 'h', now: T0 });
    expect(u).toEqual({
      id: 'u1',
      email: 'eve@example.org',
      name: null,
      passwordHash: 'h',
      role: 'voter',
      disabledAt: null,
      disabledReason: null,
      createdAt: T0,
      lastSignInAt: null,
    });
    expect(await getUser({ db: store.db, id: 'u1' })).toEqual(u);
    expect(await getUser({ db: store.db, id: 'nobody' })).toBeNull();
    expect(await getUserByEmail({ db: store.db, email: 'EVE@example.org ' })).toEqual(u);
    expect(await getUserByEmail({ db: store.db, email: 'adam@example.org' })).toBeNull();
    // Accounts without an email (external sign-ins) are many.
    await createUser({ db: store.db, id: 'u2', email: null, name: 'No Mail' });
    await createUser({ db: store.db, id: 'u3', email: null });
    expect((await getUser({ db: store.db, id: 'u3' }))!.email).toBeNull();
  });

  test('a taken email is a conflict, however it is spelled', async () => {
    await createUser({ db: store.db, id: 'u1', email: 'eve@example.org' });
    expect(await codeOf(createUser({ db: store.db, id: 'u2', email: 'EVE@example.org' }))).toBe('conflict');
    expect(await getUser({ db: store.db, id: 'u2' })).toBeNull();
  });

  test('two sign-ups with one email at once: one account, the other a conflict', async () => {
    const other = await secondClient(store);
    try {
      const results = await Promise.allSettled([
        createUser({ db: store.db, id: 'u1', email: 'race@example.org' }),
        createUser({ db: other.db, id: 'u2', email: 'Race@Example.org' }),
        createUser({ db: other.db, id: 'u3', email: ' race@example.org' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('conflict');
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>).value.id;
      expect((await getUserByEmail({ db: store.db, email: 'race@example.org' }))!.id).toBe(winner);
    } finally {
      await other.close();
    }
  });

  test('updates, and active admins counted', async () => {
    expect(await countAdmins({ db: store.db })).toBe(0);
    await createUser({ db: store.db, id: 'a1', email: 'a1@example.org', role: 'admin' });
    await createUser({ db: store.db, id: 'a2', email: 'a2@example.org', role: 'admin' });
    await createUser({ db: store.db, id: 'v1', email: 'v1@example.org' });
    expect(await countAdmins({ db: store.db })).toBe(2);
    const disabled = await updateUser({ db: store.db, id: 'a2', set: { disabledAt: T0, disabledReason: 'left' } });
    expect(disabled).toMatchObject({ id: 'a2', role: 'admin', disabledAt: T0, disabledReason: 'left' });
    expect(await countAdmins({ db: store.db })).toBe(1);
    expect(await updateUser({ db: store.db, id: 'v1', set: { role: 'admin', lastSignInAt: T0 + 1, name: 'Vee' } })).toMatchObject({
      role: 'admin',
      lastSignInAt: T0 + 1,
      name: 'Vee',
    });
    expect(await countAdmins({ db: store.db })).toBe(2);
    expect(await updateUser({ db: store.db, id: 'nobody', set: { name: 'x' } })).toBeNull();
  });

  test('external identities: linked once, found again; a second link of the same identity changes nothing', async () => {
    const u1 = await createUser({ db: store.db, id: 'u1', email: 'one@example.org' });
    await createUser({ db: store.db, id: 'u2', email: 'two@example.org' });
    expect(await userByAccount({ db: store.db, provider: 'oidc', providerAccountId: 'sub-1' })).toBeNull();
    await linkAccount({ db: store.db, provider: 'oidc', providerAccountId: 'sub-1', userId: 'u1', now: T0 });
    await linkAccount({ db: store.db, provider: 'oidc', providerAccountId: 'sub-1', userId: 'u2', now: T0 });
    await linkAccount({ db: store.db, provider: 'github', providerAccountId: 'sub-1', userId: 'u2', now: T0 });
    expect(await userByAccount({ db: store.db, provider: 'oidc', providerAccountId: 'sub-1' })).toEqual(u1);
    expect((await userByAccount({ db: store.db, provider: 'github', providerAccountId: 'sub-1' }))!.id).toBe('u2');
  });

  describe('invites', () => {
    test('created, listed newest first, revoked', async () => {
      const a = await createInvite({ db: store.db, tokenHash: 'h-a', createdBy: null, now: T0 });
      expect(a).toEqual({ id: expect.any(Number), tokenHash: 'h-a', note: null, createdBy: null, createdAt: T0, expiresAt: null, maxUses: null, uses: 0, revokedAt: null });
      const b = await createInvite({ db: store.db, tokenHash: 'h-b', note: 'class', createdBy: 'admin-1', expiresAt: T0 + 10, maxUses: 3, now: T0 + 1 });
      expect(b).toMatchObject({ note: 'class', createdBy: 'admin-1', expiresAt: T0 + 10, maxUses: 3, uses: 0 });
      expect((await listInvites({ db: store.db })).map((i) => i.tokenHash)).toEqual(['h-b', 'h-a']);
      expect(await revokeInvite({ db: store.db, id: a.id, now: T0 + 2 })).toMatchObject({ id: a.id, revokedAt: T0 + 2 });
      expect(await revokeInvite({ db: store.db, id: 999_999 })).toBeNull();
    });

    test('a redemption needs a valid invite with uses left, and creates the account', async () => {
      const now = T0 + 100;
      const invite = await createInvite({ db: store.db, tokenHash: 'two', createdBy: null, maxUses: 2, now: T0 });
      const user = (k: number) => ({ id: `u${k}`, email: `U${k}@example.org`, passwordHash: 'h' });
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'two', user: user(1), now })).toMatchObject({ id: 'u1', email: 'u1@example.org', createdAt: now });
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'two', user: user(2), now })).toMatchObject({ id: 'u2' });
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'two', user: user(3), now })).toBeNull();
      expect(await getUser({ db: store.db, id: 'u3' })).toBeNull();
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'made-up', user: user(4), now })).toBeNull();
      await createInvite({ db: store.db, tokenHash: 'expired', createdBy: null, expiresAt: now, now: T0 });
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'expired', user: user(5), now })).toBeNull();
      const revoked = await createInvite({ db: store.db, tokenHash: 'revoked', createdBy: null, now: T0 });
      await revokeInvite({ db: store.db, id: revoked.id, now: T0 + 1 });
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'revoked', user: user(6), now })).toBeNull();
      expect((await listInvites({ db: store.db })).find((i) => i.id === invite.id)!.uses).toBe(2);
    });

    test('a taken email is a conflict and uses no place of the invite', async () => {
      await createUser({ db: store.db, id: 'u0', email: 'taken@example.org' });
      await createInvite({ db: store.db, tokenHash: 'one', createdBy: null, maxUses: 1, now: T0 });
      const taken = { id: 'u1', email: 'Taken@example.org' };
      expect(await codeOf(redeemInviteAndCreateUser({ db: store.db, tokenHash: 'one', user: taken }))).toBe('conflict');
      expect((await listInvites({ db: store.db }))[0].uses).toBe(0);
      expect(await redeemInviteAndCreateUser({ db: store.db, tokenHash: 'one', user: { id: 'u2', email: 'new@example.org' } })).toMatchObject({ id: 'u2' });
    });

    test('the last place redeemed by several sign-ups at once gives exactly one account', async () => {
      await createInvite({ db: store.db, tokenHash: 'last', createdBy: null, maxUses: 1, now: T0 });
      const other = await secondClient(store);
      try {
        const results = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            redeemInviteAndCreateUser({ db: k % 2 ? other.db : store.db, tokenHash: 'last', user: { id: `u${k}`, email: `u${k}@example.org` } }),
          ),
        );
        const created = results.filter((r) => r !== null);
        expect(created).toHaveLength(1);
        expect((await listInvites({ db: store.db }))[0].uses).toBe(1);
        for (let k = 0; k < 4; k++) expect((await getUser({ db: store.db, id: `u${k}` }))?.id ?? null).toBe(created[0]!.id === `u${k}` ? `u${k}` : null);
      } finally {
        await other.close();
      }
    });

    test('one invite redeemed twice at once with one email: one account, one conflict, one place used', async () => {
      await createInvite({ db: store.db, tokenHash: 'many', createdBy: null, maxUses: 5, now: T0 });
      const other = await secondClient(store);
      try {
        const results = await Promise.allSettled([
          redeemInviteAndCreateUser({ db: store.db, tokenHash: 'many', user: { id: 'u1', email: 'same@example.org' } }),
          redeemInviteAndCreateUser({ db: other.db, tokenHash: 'many', user: { id: 'u2', email: 'SAME@example.org' } }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((rejected.reason as { code?: string }).code).toBe('conflict');
        expect((await listInvites({ db: store.db }))[0].uses).toBe(1);
      } finally {
        await other.close();
      }
    });
  });
});
