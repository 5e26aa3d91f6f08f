import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../index';
import type { Store } from '../store';
import { execSql, getSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { createBattle } from './battles';
import { exclusionCounts, recomputeExclusions } from './exclusions';
import { ratingsInputStamp } from './ratings-input';
import { writeSetting } from './settings';
import { castVote } from './votes';

/** The one definition of an excluded vote, against a real temporary store of each dialect. */

// Voters, accounts and settings are set up with plain statements: their query modules are not on both stores yet.
const createVoter = (db: Store, id: string, userId: string | null = null) =>
  execSql(db, sql`INSERT INTO voters (id, user_id, network, created_at, last_seen_at) VALUES (${id}, ${userId}, NULL, 1, 1)`);
const createUser = (db: Store, id: string) => execSql(db, sql`INSERT INTO users (id, email, created_at) VALUES (${id}, ${`${id}@example.org`}, 1)`);
const reasonOf = async (db: Store, battleId: string) =>
  (await getSql<{ r: string | null }>(db, sql`SELECT excluded_reason AS r FROM votes WHERE battle_id = ${battleId}`))!.r;

async function voted(db: Store, id: string, opts: { voterId: string; userId?: string; mode?: 'live' | 'recorded'; leak?: string | null }) {
  await createBattle({ db, id, modelA: 'x', modelB: 'y', mode: opts.mode ?? 'live', samplingProbability: 1, voterId: opts.voterId, userId: opts.userId ?? null });
  await execSql(db, sql`UPDATE battles SET status = 'active', turns = 1 WHERE id = ${id}`);
  return castVote({ db, battleId: id, winner: 'model_a', voterId: opts.voterId, leakReason: opts.leak ?? null });
}

describe.each(STORES)('excluded_reason on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeAll(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterAll(() => store.close());
  const reason = (battleId: string) => reasonOf(db, battleId);

  it('follows bans, trust flags, operator decisions and the leak check, in that order', async () => {
    await createVoter(db, 'v1');
    await voted(db, 'b1', { voterId: 'v1' });
    await voted(db, 'b2', { voterId: 'v1', leak: 'identity_leak: "claude" in answer a, turn 1' });
    expect([await reason('b1'), await reason('b2')]).toEqual([null, 'identity_leak: "claude" in answer a, turn 1']);

    const stamp = await ratingsInputStamp({ db });
    await execSql(db, sql`UPDATE voters SET banned_at = 1 WHERE id = 'v1'`);
    expect(await recomputeExclusions({ db, scope: { voterId: 'v1' } })).toBe(2);
    expect([await reason('b1'), await reason('b2')]).toEqual(['banned', 'banned']);
    // Changing what counts bumps the rating pass's input.
    expect((await ratingsInputStamp({ db })).version).toBe(stamp.version + 1);

    await execSql(db, sql`UPDATE voters SET banned_at = NULL, trust_flag = 'low_trust: burst' WHERE id = 'v1'`);
    await recomputeExclusions({ db, scope: { voterId: 'v1' } });
    expect([await reason('b1'), await reason('b2')]).toEqual(['low_trust: burst', 'low_trust: burst']);
    await execSql(db, sql`UPDATE voters SET trust_override = 'trusted' WHERE id = 'v1'`);
    await recomputeExclusions({ db, scope: { voterId: 'v1' } });
    expect([await reason('b1'), await reason('b2')]).toEqual([null, 'identity_leak: "claude" in answer a, turn 1']);

    await execSql(db, sql`UPDATE votes SET moderation = 'exclude', moderation_note = 'spam' WHERE battle_id = 'b1'`);
    await execSql(db, sql`UPDATE votes SET moderation = 'restore' WHERE battle_id = 'b2'`);
    await recomputeExclusions({ db, scope: { all: true } });
    expect([await reason('b1'), await reason('b2')]).toEqual(['moderated: spam', null]);
    // Nothing changed: nothing to do, and no new rating pass.
    const again = await ratingsInputStamp({ db });
    expect(await recomputeExclusions({ db, scope: { all: true } })).toBe(0);
    expect(await ratingsInputStamp({ db })).toEqual(again);
  });

  it('a vote cast by a banned voter is excluded from the start', async () => {
    await createVoter(db, 'v2');
    await execSql(db, sql`UPDATE voters SET banned_at = 1 WHERE id = 'v2'`);
    const vote = await voted(db, 'b3', { voterId: 'v2' });
    expect(vote.excludedReason).toBe('banned');
  });

  it("a disabled account's votes are banned, from all its browsers", async () => {
    await createUser(db, 'u1');
    await createVoter(db, 'v3', 'u1');
    await voted(db, 'b4', { voterId: 'v3', userId: 'u1' });
    await execSql(db, sql`UPDATE users SET disabled_at = 1 WHERE id = 'u1'`);
    await recomputeExclusions({ db, scope: { userId: 'u1' } });
    expect(await reason('b4')).toBe('banned');
  });

  it('recorded votes of anonymous voters leave the board while recordedTrustedOnly is on', async () => {
    await createVoter(db, 'v4');
    await createUser(db, 'u2');
    await voted(db, 'b5', { voterId: 'v4', mode: 'recorded' });
    await voted(db, 'b6', { voterId: 'v4', userId: 'u2', mode: 'recorded' });
    await voted(db, 'b7', { voterId: 'v4', mode: 'live' });
    const integrity = (on: boolean) =>
      execSql(
        db,
        sql`INSERT INTO settings (key, value, updated_at) VALUES ('integrity', ${JSON.stringify({ trustScoring: 'exclude', recordedTrustedOnly: on })}, 1)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      );
    await integrity(true);
    expect(await recomputeExclusions({ db, scope: { all: true } })).toBe(1);
    expect([await reason('b5'), await reason('b6'), await reason('b7')]).toEqual(['recorded_public', null, null]);
    const counts = await exclusionCounts({ db });
    expect(counts.excluded.recorded_public).toBe(1);
    expect(counts.excluded.banned).toBe(2);
    // b2 (restored), b6 and b7 count; b1 is moderated, b3 and b4 banned, b5 recorded_public.
    expect(counts.counted).toBe(3);
    await integrity(false);
    await recomputeExclusions({ db, scope: { all: true } });
    expect(await reason('b5')).toBeNull();
  });
});

// The integrity setting recomputes the exclusions when it is written. settings has no Postgres
// twin yet: this part runs on SQLite until it has.
describe('writing the integrity setting on sqlite', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('sqlite');
  });
  afterAll(() => store.close());

  it('recomputes the exclusions at once', async () => {
    const db = store.db as Db;
    await createVoter(db, 'v5');
    await voted(db, 'b8', { voterId: 'v5', mode: 'recorded' });
    await writeSetting({ db, key: 'integrity', value: { trustScoring: 'exclude', recordedTrustedOnly: true }, by: null });
    expect(await reasonOf(db, 'b8')).toBe('recorded_public');
    await writeSetting({ db, key: 'integrity', value: { trustScoring: 'exclude', recordedTrustedOnly: false }, by: null });
    expect(await reasonOf(db, 'b8')).toBeNull();
  });
});
