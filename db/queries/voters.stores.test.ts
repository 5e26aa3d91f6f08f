import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { allSql, execSql } from '../testing/raw-sql';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import { createUser } from './users';
import { createVoter, getVoter, linkVoterToUser, recordConsent, touchVoter } from './voters';

const T0 = 1_700_000_000_000;

describe.each(STORES)('voters on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  const battle = (id: string, voterId: string, userId: string | null) =>
    execSql(
      store.db,
      sql`INSERT INTO battles (id, model_a, model_b, mode, voter_id, user_id, created_at, updated_at)
          VALUES (${id}, 'm-a', 'm-b', 'live', ${voterId}, ${userId}, ${T0}, ${T0})`,
    );

  test('create, read and touch a voter; a second create changes nothing', async () => {
    expect(await getVoter({ db: store.db, id: 'v1' })).toBeNull();
    await createVoter({ db: store.db, id: 'v1', network: 'net-1', now: T0 });
    await createVoter({ db: store.db, id: 'v1', network: 'net-2', userId: 'u-x', now: T0 + 5 });
    expect(await getVoter({ db: store.db, id: 'v1' })).toEqual({
      id: 'v1',
      userId: null,
      network: 'net-1',
      createdAt: T0,
      lastSeenAt: T0,
      bannedAt: null,
      banReason: null,
      trust: null,
      trustFlag: null,
      trustOverride: null,
      consentedAt: null,
    });
    await touchVoter({ db: store.db, id: 'v1', now: T0 + 1000 });
    await touchVoter({ db: store.db, id: 'nobody', now: T0 + 1000 });
    expect(await getVoter({ db: store.db, id: 'v1' })).toMatchObject({ createdAt: T0, lastSeenAt: T0 + 1000 });
    await createVoter({ db: store.db, id: 'v2', network: null, userId: 'u-2', now: T0 });
    expect(await getVoter({ db: store.db, id: 'v2' })).toMatchObject({ network: null, userId: 'u-2' });
  });

  test('consent is recorded once', async () => {
    await createVoter({ db: store.db, id: 'v1', network: null, now: T0 });
    await recordConsent({ db: store.db, voterId: 'v1', now: T0 + 1 });
    await recordConsent({ db: store.db, voterId: 'v1', now: T0 + 2 });
    expect((await getVoter({ db: store.db, id: 'v1' }))!.consentedAt).toBe(T0 + 1);
  });

  test('linking takes the voter and its anonymous battles; another account cannot take it', async () => {
    await createUser({ db: store.db, id: 'u1', email: 'one@example.org' });
    await createUser({ db: store.db, id: 'u2', email: 'two@example.org' });
    await createVoter({ db: store.db, id: 'v1', network: null, now: T0 });
    await battle('b1', 'v1', null);
    await battle('b2', 'v1', 'u2');
    await battle('b3', 'v2', null);
    expect(await linkVoterToUser({ db: store.db, voterId: 'nobody', userId: 'u1' })).toBe(false);
    expect(await linkVoterToUser({ db: store.db, voterId: 'v1', userId: 'u1' })).toBe(true);
    expect((await getVoter({ db: store.db, id: 'v1' }))!.userId).toBe('u1');
    const owners = await allSql<{ id: string; userId: string | null }>(store.db, sql`SELECT id, user_id AS "userId" FROM battles ORDER BY id`);
    expect(owners).toEqual([
      { id: 'b1', userId: 'u1' },
      { id: 'b2', userId: 'u2' },
      { id: 'b3', userId: null },
    ]);
    expect(await linkVoterToUser({ db: store.db, voterId: 'v1', userId: 'u1' })).toBe(true);
    expect(await linkVoterToUser({ db: store.db, voterId: 'v1', userId: 'u2' })).toBe(false);
    expect((await getVoter({ db: store.db, id: 'v1' }))!.userId).toBe('u1');
  });

  test('two accounts signing in on one browser at once: exactly one gets the voter and its battles', async () => {
    await createUser({ db: store.db, id: 'u1', email: 'one@example.org' });
    await createUser({ db: store.db, id: 'u2', email: 'two@example.org' });
    await createVoter({ db: store.db, id: 'v1', network: null, now: T0 });
    for (let k = 0; k < 5; k++) await battle(`b${k}`, 'v1', null);
    const other = await secondClient(store);
    try {
      const [a, b] = await Promise.all([
        linkVoterToUser({ db: store.db, voterId: 'v1', userId: 'u1' }),
        linkVoterToUser({ db: other.db, voterId: 'v1', userId: 'u2' }),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const winner = a ? 'u1' : 'u2';
      expect((await getVoter({ db: store.db, id: 'v1' }))!.userId).toBe(winner);
      const owners = await allSql<{ userId: string }>(store.db, sql`SELECT DISTINCT user_id AS "userId" FROM battles`);
      expect(owners).toEqual([{ userId: winner }]);
    } finally {
      await other.close();
    }
  });
});
