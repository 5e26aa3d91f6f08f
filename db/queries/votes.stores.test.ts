import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store';
import { allSql, execSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { createBattle, getBattle } from './battles';
import { ratingsInputStamp } from './ratings-input';
import { castVote, getVote } from './votes';

describe.each(STORES)('votes on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  const battle = (id: string) => createBattle({ db, id, modelA: 'x', modelB: 'y', mode: 'live', samplingProbability: 0.5, now: 1 });

  it('records one vote with its fields, closes the battle, and reads it back', async () => {
    await battle('b1');
    expect(await getVote({ db, battleId: 'b1' })).toBeNull();
    const v = await castVote({ db, battleId: 'b1', winner: 'tie (bothbad)', voterId: 'voter-1', leakReason: null, now: 42 });
    expect(v).toEqual({
      id: expect.any(Number),
      battleId: 'b1',
      winner: 'tie (bothbad)',
      voterId: 'voter-1',
      excludedReason: null,
      leakReason: null,
      moderation: null,
      moderationNote: null,
      moderatedBy: null,
      moderatedAt: null,
      createdAt: 42,
    });
    expect(await getVote({ db, battleId: 'b1' })).toEqual(v);
    expect(await getBattle({ db, id: 'b1' })).toMatchObject({ status: 'voted', updatedAt: 42 });
    // A new vote moves the highest vote id; it changes no vote already counted.
    expect(await ratingsInputStamp({ db })).toEqual({ voteId: v.id, version: 0 });
  });

  it('refuses a second vote with already_voted and keeps the first', async () => {
    await battle('b2');
    await castVote({ db, battleId: 'b2', winner: 'model_a', voterId: 'voter-1', leakReason: null });
    const err = await castVote({ db, battleId: 'b2', winner: 'model_b', voterId: 'voter-1', leakReason: null }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'already_voted', status: 409 });
    expect((await getVote({ db, battleId: 'b2' }))!.winner).toBe('model_a');
  });

  it('racing votes on one battle: exactly one wins, every other is already_voted', async () => {
    await battle('b3');
    const winners = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
    const results = await Promise.allSettled(winners.map((winner, i) => castVote({ db, battleId: 'b3', winner, voterId: `voter-${i}`, leakReason: null })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as { code?: string }).code)).toEqual(['already_voted', 'already_voted', 'already_voted']);
    const stored = await allSql<{ winner: string }>(db, sql`SELECT winner FROM votes WHERE battle_id = 'b3'`);
    expect(stored).toEqual([{ winner: (won[0] as PromiseFulfilledResult<{ winner: string }>).value.winner }]);
    expect((await getBattle({ db, id: 'b3' }))!.status).toBe('voted');
  });

  it('votes on different battles at once all land', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
    for (const id of ids) await battle(id);
    const votes = await Promise.all(ids.map((battleId) => castVote({ db, battleId, winner: 'tie', voterId: null, leakReason: null })));
    expect(new Set(votes.map((v) => v.id)).size).toBe(ids.length);
    for (const id of ids) expect((await getBattle({ db, id }))!.status).toBe('voted');
  });

  it("keeps a leak and an untrusted voter's vote, excluded, from the start", async () => {
    await battle('d1');
    await battle('d2');
    await execSql(db, sql`INSERT INTO voters (id, network, created_at, last_seen_at, trust_override) VALUES ('sus', NULL, 1, 1, 'untrusted')`);
    expect((await castVote({ db, battleId: 'd1', winner: 'model_a', voterId: null, leakReason: 'identity_leak: "gpt"' })).excludedReason).toBe('identity_leak: "gpt"');
    const v = await castVote({ db, battleId: 'd2', winner: 'model_a', voterId: 'sus', leakReason: 'identity_leak: "gpt"' });
    expect(v).toMatchObject({ excludedReason: 'low_trust: operator', leakReason: 'identity_leak: "gpt"' });
  });

  it('a vote on a battle that does not exist is refused and stores nothing', async () => {
    await expect(castVote({ db, battleId: 'missing', winner: 'tie', voterId: null, leakReason: null })).rejects.toThrow();
    expect(await allSql(db, sql`SELECT id FROM votes`)).toEqual([]);
  });
});
