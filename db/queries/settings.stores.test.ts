import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { allSql, execSql } from '../testing/raw-sql';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import { listAudit } from './audit';
import { bumpRatingsInput, ratingsInputStamp } from './ratings-input';
import { readSettingRows, settingsVersion, writeSetting } from './settings';

const T0 = 1_700_000_000_000;

describe.each(STORES)('settings on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(dialect);
  });
  afterEach(() => store.close());

  test('written with their audit entry, read back parsed; a row that is not JSON is skipped', async () => {
    expect(await readSettingRows({ db: store.db })).toEqual({});
    await writeSetting({ db: store.db, key: 'access', value: { signUp: 'invite' }, by: 'admin-1', now: T0 });
    await writeSetting({ db: store.db, key: 'access', value: { signUp: 'open' }, by: null, now: T0 + 1 });
    await writeSetting({ db: store.db, key: 'theme', value: 'dark', by: 'admin-1', now: T0 + 2 });
    await execSql(store.db, sql`INSERT INTO settings (key, value, updated_at) VALUES ('broken', 'not json', ${T0})`);
    expect(await readSettingRows({ db: store.db })).toEqual({ access: { signUp: 'open' }, theme: 'dark' });
    const stored = await allSql<{ key: string; updatedBy: string | null; updatedAt: number }>(
      store.db,
      sql`SELECT key, updated_by AS "updatedBy", updated_at AS "updatedAt" FROM settings WHERE key = 'access'`,
    );
    expect(stored).toEqual([{ key: 'access', updatedBy: null, updatedAt: T0 + 1 }]);
    const { entries } = await listAudit({ db: store.db, limit: 10 });
    expect(entries.map((e) => [e.action, e.target, e.actorUserId, e.before, e.after, e.createdAt])).toEqual([
      ['settings.update', 'theme', 'admin-1', null, '"dark"', T0 + 2],
      ['settings.update', 'access', null, '{"signUp":"invite"}', '{"signUp":"open"}', T0 + 1],
      ['settings.update', 'access', 'admin-1', null, '{"signUp":"invite"}', T0],
    ]);
  });

  test('the version is the newest change of a setting; internal counters do not change it', async () => {
    expect(await settingsVersion({ db: store.db })).toBe(0);
    await writeSetting({ db: store.db, key: 'access', value: {}, by: null, now: T0 });
    expect(await settingsVersion({ db: store.db })).toBe(T0);
    await bumpRatingsInput({ db: store.db });
    expect(await settingsVersion({ db: store.db })).toBe(T0);
    await writeSetting({ db: store.db, key: 'access', value: { x: 1 }, by: null, now: T0 + 7 });
    expect(await settingsVersion({ db: store.db })).toBe(T0 + 7);
  });

  test('saving the integrity section re-evaluates which votes count, and bumps the ratings input when it changed any', async () => {
    const battle = (id: string, mode: string, userId: string | null) =>
      execSql(
        store.db,
        sql`INSERT INTO battles (id, model_a, model_b, mode, status, voter_id, user_id, created_at, updated_at)
            VALUES (${id}, 'm-a', 'm-b', ${mode}, 'voted', 'v1', ${userId}, ${T0}, ${T0})`,
      );
    await execSql(store.db, sql`INSERT INTO users (id, email, role, created_at) VALUES ('u1', 'u1@example.org', 'voter', ${T0})`);
    await battle('rec-anon', 'recorded', null);
    await battle('rec-user', 'recorded', 'u1');
    await battle('live-anon', 'live', null);
    for (const id of ['rec-anon', 'rec-user', 'live-anon']) {
      await execSql(store.db, sql`INSERT INTO votes (battle_id, winner, voter_id, created_at) VALUES (${id}, 'tie', 'v1', ${T0})`);
    }
    const reasons = async () =>
      allSql<{ battleId: string; r: string | null }>(store.db, sql`SELECT battle_id AS "battleId", excluded_reason AS r FROM votes ORDER BY battle_id`);
    const version = async () => (await ratingsInputStamp({ db: store.db })).version;
    await writeSetting({ db: store.db, key: 'integrity', value: { recordedTrustedOnly: true, voterCap: 0.1 }, by: 'admin-1', now: T0 });
    expect(await reasons()).toEqual([
      { battleId: 'live-anon', r: null },
      { battleId: 'rec-anon', r: 'recorded_public' },
      { battleId: 'rec-user', r: null },
    ]);
    expect(await version()).toBe(1);
    // The same rule saved again changes no vote: no bump.
    await writeSetting({ db: store.db, key: 'integrity', value: { recordedTrustedOnly: true, voterCap: 0.2 }, by: 'admin-1', now: T0 + 1 });
    expect(await version()).toBe(1);
    // Another section does not re-evaluate (the vote stays as it is until the next integrity save).
    await execSql(store.db, sql`UPDATE votes SET excluded_reason = NULL WHERE battle_id = 'rec-anon'`);
    await writeSetting({ db: store.db, key: 'access', value: { recordedTrustedOnly: false }, by: 'admin-1', now: T0 + 2 });
    expect((await reasons())[1].r).toBeNull();
    await writeSetting({ db: store.db, key: 'integrity', value: { recordedTrustedOnly: true }, by: 'admin-1', now: T0 + 3 });
    expect((await reasons())[1].r).toBe('recorded_public');
    await writeSetting({ db: store.db, key: 'integrity', value: { recordedTrustedOnly: false }, by: 'admin-1', now: T0 + 4 });
    expect((await reasons()).map((r) => r.r)).toEqual([null, null, null]);
    expect(await version()).toBe(3);
  });

  test('saves of one section at once run in turn: each audit entry’s before is what it replaced', async () => {
    const other = await secondClient(store);
    try {
      await writeSetting({ db: store.db, key: 'board', value: 0, by: null, now: T0 });
      await Promise.all(
        [1, 2, 3, 4, 5, 6].map((k) => writeSetting({ db: k % 2 ? other.db : store.db, key: 'board', value: k, by: null, now: T0 + k })),
      );
      const chain = (await listAudit({ db: store.db, limit: 10 })).entries.reverse().map((e) => [e.before, e.after]);
      expect(chain).toHaveLength(7);
      for (let i = 1; i < chain.length; i++) expect(chain[i][0]).toBe(chain[i - 1][1]);
      expect((await readSettingRows({ db: store.db })).board).toBe(JSON.parse(chain.at(-1)![1]!));
    } finally {
      await other.close();
    }
  });
});
