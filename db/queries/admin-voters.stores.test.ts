import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { codeOf } from '../testing/app-errors';
import { allSql, execSql } from '../testing/raw-sql';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import {
  accountLabels,
  consoleCounts,
  getAccountRow,
  getVoterRow,
  listAccounts,
  listVoters,
  setVoterBan,
  setVoterTrustOverride,
  updateAccount,
  type AccountRow,
  type VoterRow,
} from './admin-voters';
import { listAudit } from './audit';
import { ratingsInputStamp } from './ratings-input';
import { createUser } from './users';
import { createVoter } from './voters';

const T0 = 1_700_000_000_000;

describe.each(STORES)('console voters and accounts on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  let battleNo = 0;
  /** A battle of the voter (owned by the account, if any) with a vote; returns the vote's battle id. */
  async function vote(voterId: string, userId: string | null, extra: { leakReason?: string } = {}): Promise<string> {
    const id = `b-${String(++battleNo).padStart(3, '0')}`;
    await execSql(
      store.db,
      sql`INSERT INTO battles (id, model_a, model_b, mode, status, voter_id, user_id, created_at, updated_at)
          VALUES (${id}, 'm-a', 'm-b', 'live', 'voted', ${voterId}, ${userId}, ${T0}, ${T0})`,
    );
    await execSql(
      store.db,
      sql`INSERT INTO votes (battle_id, winner, voter_id, leak_reason, excluded_reason, created_at)
          VALUES (${id}, 'model_a', ${voterId}, ${extra.leakReason ?? null}, ${extra.leakReason ?? null}, ${T0})`,
    );
    return id;
  }

  const reasons = async (voterId: string) =>
    (await allSql<{ r: string | null }>(store.db, sql`SELECT excluded_reason AS r FROM votes WHERE voter_id = ${voterId} ORDER BY id`)).map((x) => x.r);
  const version = async () => (await ratingsInputStamp({ db: store.db })).version;

  test('voters: newest activity first in keyset pages, with counts, filters and the account email', async () => {
    await createUser({ db: store.db, id: 'u1', email: 'one@example.org' });
    // Ties on last_seen_at are broken by id, so pages are disjoint whatever the times.
    for (let k = 0; k < 7; k++) await createVoter({ db: store.db, id: `v${k}`, network: null, userId: k === 3 ? 'u1' : null, now: T0 + Math.floor(k / 2) * 1000 });
    await vote('v3', 'u1');
    await vote('v3', 'u1', { leakReason: 'identity_leak: m-a' });
    await vote('v5', null);
    const seen: VoterRow[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof listVoters>> = await listVoters({ db: store.db, cursor, limit: 3 });
      expect(page.rows.length).toBeLessThanOrEqual(3);
      seen.push(...page.rows);
      cursor = page.next;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual(['v6', 'v5', 'v4', 'v3', 'v2', 'v1', 'v0']);
    expect(seen.find((r) => r.id === 'v3')).toEqual({
      id: 'v3',
      userId: 'u1',
      userEmail: 'one@example.org',
      firstSeenAt: T0 + 1000,
      lastSeenAt: T0 + 1000,
      bannedAt: null,
      banReason: null,
      trust: null,
      trustFlag: null,
      trustOverride: null,
      votes: 2,
      excludedVotes: 1,
    });
    expect(seen.find((r) => r.id === 'v0')).toMatchObject({ userEmail: null, votes: 0, excludedVotes: 0 });
    expect(await listVoters({ db: store.db, limit: 10, id: 'v5' })).toEqual({ rows: [expect.objectContaining({ id: 'v5', votes: 1 })], next: null });
    await setVoterBan({ db: store.db, voterId: 'v2', banned: true, reason: 'spam', by: 'admin' });
    expect((await listVoters({ db: store.db, limit: 10, banned: true })).rows.map((r) => r.id)).toEqual(['v2']);
    expect((await listVoters({ db: store.db, limit: 10, banned: false })).rows).toHaveLength(6);
    expect(await getVoterRow({ db: store.db, id: 'v3' })).toEqual(seen.find((r) => r.id === 'v3'));
    expect(await getVoterRow({ db: store.db, id: 'nobody' })).toBeNull();
  });

  test('a ban excludes the voter’s votes as banned, bumps the ratings input and is audited; unban counts them again', async () => {
    await createVoter({ db: store.db, id: 'v1', network: null, now: T0 });
    await createVoter({ db: store.db, id: 'v2', network: null, now: T0 });
    await vote('v1', null);
    await vote('v1', null, { leakReason: 'identity_leak: m-a' });
    await vote('v2', null);
    const v0 = await version();
    expect(await setVoterBan({ db: store.db, voterId: 'v1', banned: true, reason: 'script', by: 'admin-1', now: T0 + 5 })).toEqual({ changedVotes: 2 });
    expect(await reasons('v1')).toEqual(['banned', 'banned']);
    expect(await reasons('v2')).toEqual([null]);
    expect(await version()).toBe(v0 + 1);
    expect(await getVoterRow({ db: store.db, id: 'v1' })).toMatchObject({ bannedAt: T0 + 5, banReason: 'script', excludedVotes: 2 });
    // Banned again with another reason: the first ban's time stays, nothing to recompute.
    expect(await setVoterBan({ db: store.db, voterId: 'v1', banned: true, reason: 'scripted', by: 'admin-1', now: T0 + 9 })).toEqual({ changedVotes: 0 });
    expect(await getVoterRow({ db: store.db, id: 'v1' })).toMatchObject({ bannedAt: T0 + 5, banReason: 'scripted' });
    expect(await version()).toBe(v0 + 1);
    expect(await setVoterBan({ db: store.db, voterId: 'v1', banned: false, reason: null, by: 'admin-1', now: T0 + 10 })).toEqual({ changedVotes: 2 });
    expect(await reasons('v1')).toEqual([null, 'identity_leak: m-a']);
    expect(await version()).toBe(v0 + 2);
    const { entries } = await listAudit({ db: store.db, limit: 10 });
    expect(entries.map((e) => [e.action, e.target, e.actorUserId])).toEqual([
      ['voter.unban', 'v1', 'admin-1'],
      ['voter.ban', 'v1', 'admin-1'],
      ['voter.ban', 'v1', 'admin-1'],
    ]);
    expect(JSON.parse(entries[2].before!)).toEqual({ bannedAt: null, banReason: null });
    expect(JSON.parse(entries[2].after!)).toEqual({ bannedAt: T0 + 5, banReason: 'script', changedVotes: 2 });
    expect(entries[2].createdAt).toBe(T0 + 5);
    expect(await codeOf(setVoterBan({ db: store.db, voterId: 'nobody', banned: true, reason: null, by: 'admin-1' }))).toBe('not_found');
  });

  test('the trust override: untrusted excludes, trusted overrides a trust flag, null leaves it to the trust pass', async () => {
    await createVoter({ db: store.db, id: 'v1', network: null, now: T0 });
    await execSql(store.db, sql`UPDATE voters SET trust = 0.25, trust_flag = 'low_trust: burst' WHERE id = 'v1'`);
    await vote('v1', null);
    await execSql(store.db, sql`UPDATE votes SET excluded_reason = 'low_trust: burst'`);
    const v0 = await version();
    expect(await setVoterTrustOverride({ db: store.db, voterId: 'v1', override: 'untrusted', by: 'admin-1' })).toEqual({ changedVotes: 1 });
    expect(await reasons('v1')).toEqual(['low_trust: operator']);
    expect(await setVoterTrustOverride({ db: store.db, voterId: 'v1', override: 'trusted', by: 'admin-1' })).toEqual({ changedVotes: 1 });
    expect(await reasons('v1')).toEqual([null]);
    expect(await getVoterRow({ db: store.db, id: 'v1' })).toMatchObject({ trust: 0.25, trustFlag: 'low_trust: burst', trustOverride: 'trusted' });
    expect(await setVoterTrustOverride({ db: store.db, voterId: 'v1', override: null, by: 'admin-1' })).toEqual({ changedVotes: 1 });
    expect(await reasons('v1')).toEqual(['low_trust: burst']);
    expect(await version()).toBe(v0 + 3);
    const [last] = (await listAudit({ db: store.db, limit: 1 })).entries;
    expect([last.action, JSON.parse(last.before!), JSON.parse(last.after!)]).toEqual(['voter.trust', { trustOverride: 'trusted' }, { trustOverride: null, changedVotes: 1 }]);
    expect(await codeOf(setVoterTrustOverride({ db: store.db, voterId: 'nobody', override: null, by: 'admin-1' }))).toBe('not_found');
  });

  test('accounts: newest first in keyset pages, a search in email or name in any case, a role filter', async () => {
    for (let k = 0; k < 6; k++) {
      await createUser({
        db: store.db,
        id: `u${k}`,
        email: k === 4 ? null : `user${k}@Example.org`,
        name: k === 4 ? 'Ada EXAMPLE' : null,
        role: k < 2 ? 'admin' : 'voter',
        now: T0 + Math.floor(k / 2) * 1000,
      });
    }
    await createVoter({ db: store.db, id: 'v1', network: null, userId: 'u2' });
    await vote('v1', 'u2');
    await vote('v1', 'u2');
    const seen: AccountRow[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof listAccounts>> = await listAccounts({ db: store.db, cursor, limit: 4 });
      seen.push(...page.rows);
      cursor = page.next;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual(['u5', 'u4', 'u3', 'u2', 'u1', 'u0']);
    expect(seen.find((r) => r.id === 'u2')).toEqual({
      id: 'u2',
      email: 'user2@example.org',
      name: null,
      role: 'voter',
      createdAt: T0 + 1000,
      lastSignInAt: null,
      disabledAt: null,
      disabledReason: null,
      battles: 2,
    });
    expect((await listAccounts({ db: store.db, limit: 10, q: 'EXAMPLE' })).rows).toHaveLength(6);
    expect((await listAccounts({ db: store.db, limit: 10, q: 'ada ex' })).rows.map((r) => r.id)).toEqual(['u4']);
    expect((await listAccounts({ db: store.db, limit: 10, q: 'USER3@' })).rows.map((r) => r.id)).toEqual(['u3']);
    expect((await listAccounts({ db: store.db, limit: 10, q: '%' })).rows).toEqual([]);
    expect((await listAccounts({ db: store.db, limit: 10, role: 'admin' })).rows.map((r) => r.id)).toEqual(['u1', 'u0']);
    const first = await listAccounts({ db: store.db, limit: 1, role: 'voter', q: 'user' });
    expect(first.rows.map((r) => r.id)).toEqual(['u5']);
    expect((await listAccounts({ db: store.db, limit: 10, role: 'voter', q: 'user', cursor: first.next })).rows.map((r) => r.id)).toEqual(['u3', 'u2']);
    expect(await getAccountRow({ db: store.db, id: 'u2' })).toEqual(seen.find((r) => r.id === 'u2'));
    expect(await getAccountRow({ db: store.db, id: 'nobody' })).toBeNull();
  });

  test('disabling an account excludes its votes as banned; the last active admin can be neither demoted nor disabled', async () => {
    await createUser({ db: store.db, id: 'a1', email: 'root@example.org', role: 'admin' });
    await createUser({ db: store.db, id: 'u1', email: 'u1@example.org' });
    await createVoter({ db: store.db, id: 'v1', network: null, userId: 'u1' });
    await vote('v1', 'u1');
    await vote('v1', 'u1');
    const v0 = await version();
    expect(await updateAccount({ db: store.db, userId: 'u1', disabled: true, reason: 'abuse', by: 'a1', now: T0 + 1 })).toEqual({ changedVotes: 2 });
    expect(await reasons('v1')).toEqual(['banned', 'banned']);
    expect(await version()).toBe(v0 + 1);
    expect(await getAccountRow({ db: store.db, id: 'u1' })).toMatchObject({ disabledAt: T0 + 1, disabledReason: 'abuse' });
    expect(await updateAccount({ db: store.db, userId: 'u1', disabled: false, by: 'a1', now: T0 + 2 })).toEqual({ changedVotes: 2 });
    expect(await reasons('v1')).toEqual([null, null]);
    expect(await updateAccount({ db: store.db, userId: 'u1', role: 'admin', by: 'a1', now: T0 + 3 })).toEqual({ changedVotes: 0 });
    expect(await updateAccount({ db: store.db, userId: 'u1', role: 'admin', by: 'a1', now: T0 + 4 })).toEqual({ changedVotes: 0 });
    expect(await updateAccount({ db: store.db, userId: 'u1', role: 'voter', by: 'a1', now: T0 + 5 })).toEqual({ changedVotes: 0 });
    expect(await codeOf(updateAccount({ db: store.db, userId: 'a1', role: 'voter', by: 'a1' }))).toBe('conflict');
    expect(await codeOf(updateAccount({ db: store.db, userId: 'a1', disabled: true, by: 'a1' }))).toBe('conflict');
    expect(await codeOf(updateAccount({ db: store.db, userId: 'nobody', disabled: true, by: 'a1' }))).toBe('not_found');
    expect(await getAccountRow({ db: store.db, id: 'a1' })).toMatchObject({ role: 'admin', disabledAt: null });
    const { entries } = await listAudit({ db: store.db, limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['account.role', 'account.update', 'account.role', 'account.enable', 'account.disable']);
    expect(JSON.parse(entries[4].before!)).toEqual({ role: 'voter', disabledAt: null, disabledReason: null });
    expect(JSON.parse(entries[4].after!)).toEqual({ role: 'voter', disabledAt: T0 + 1, disabledReason: 'abuse', changedVotes: 2 });
  });

  test('two admins demoting each other at once: one of them stays an admin', async () => {
    const other = await secondClient(store);
    try {
      // A few rounds: without a lock both would pass the last-admin check in most of them.
      for (let round = 0; round < 4; round++) {
        await execSql(store.db, sql`UPDATE users SET role = 'voter'`);
        await createUser({ db: store.db, id: `a${round}`, email: `a${round}@example.org`, role: 'admin' });
        await createUser({ db: store.db, id: `b${round}`, email: `b${round}@example.org`, role: 'admin' });
        const results = await Promise.allSettled([
          updateAccount({ db: store.db, userId: `a${round}`, role: 'voter', by: `b${round}` }),
          updateAccount({ db: other.db, userId: `b${round}`, disabled: true, by: `a${round}` }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { code?: string }).code).toBe('conflict');
        expect((await consoleCounts({ db: store.db })).admins).toBe(1);
      }
    } finally {
      await other.close();
    }
  });

  test('labels of account ids, and the console’s counts', async () => {
    await createUser({ db: store.db, id: 'u1', email: 'one@example.org', role: 'admin' });
    await createUser({ db: store.db, id: 'u2', email: null, name: 'Two' });
    await createUser({ db: store.db, id: 'u3', email: null });
    await createUser({ db: store.db, id: 'u4', email: 'four@example.org', role: 'admin' });
    await updateAccount({ db: store.db, userId: 'u4', disabled: true, by: 'u1' });
    expect(await accountLabels({ db: store.db, ids: [] })).toEqual(new Map());
    expect(await accountLabels({ db: store.db, ids: ['u1', 'u2', 'u3', 'u1', 'nobody'] })).toEqual(
      new Map([
        ['u1', 'one@example.org'],
        ['u2', 'Two'],
        ['u3', 'u3'],
      ]),
    );
    for (const id of ['v1', 'v2', 'v3']) await createVoter({ db: store.db, id, network: null });
    await setVoterBan({ db: store.db, voterId: 'v2', banned: true, reason: null, by: 'u1' });
    expect(await consoleCounts({ db: store.db })).toEqual({ voters: 3, bannedVoters: 1, accounts: 4, admins: 1 });
  });
});
