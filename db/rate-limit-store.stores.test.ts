import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { storeRateLimiter, storeSpendOnce } from './rate-limit-store';
import { openTestStore, secondClient, STORES, type SecondClient, type TestStore } from './testing/stores';

/** Limits counted in the store hold across processes: two clients of one database share them. */
describe.each(STORES)('store rate limits on %s', (dialect) => {
  let store: TestStore;
  let other: SecondClient;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    other = await secondClient(store);
  });
  afterEach(async () => {
    await other.close();
    await store.close();
  });

  const limiters = (points: number) => [store.db, other.db].map((db) => storeRateLimiter({ keyPrefix: 'test', points, durationSeconds: 60, db }));

  test('a limit holds across two clients of the same database', async () => {
    const [a, b] = limiters(3);
    await a.consume('net-1');
    await b.consume('net-1');
    expect((await a.consume('net-1')).remainingPoints).toBe(0);
    await expect(b.consume('net-1')).rejects.toBeInstanceOf(RateLimiterRes);
    await expect(a.consume('net-1')).rejects.toBeInstanceOf(RateLimiterRes);
    // Another key has its own count, and a reward or delete is seen by the other client.
    expect((await b.consume('net-2')).remainingPoints).toBe(2);
    const seen = await a.get('net-1');
    expect(seen?.consumedPoints).toBe(5);
    expect(seen!.msBeforeNext).toBeGreaterThan(50_000);
    await b.delete('net-1');
    expect(await a.get('net-1')).toBeNull();
    expect((await a.consume('net-1')).remainingPoints).toBe(2);
  });

  test('racing requests from both clients are counted exactly', async () => {
    const [a, b] = limiters(5);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, k) => (k % 2 ? a : b).consume('burst')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect((await b.get('burst'))?.consumedPoints).toBe(12);
  });

  test('a one-time key is spent once, whichever client replays it', async () => {
    const spendA = storeSpendOnce(60, { db: store.db });
    const spendB = storeSpendOnce(60, { db: other.db });
    expect(await spendA('challenge-1')).toBe(true);
    expect(await spendB('challenge-1')).toBe(false);
    expect(await spendA('challenge-1')).toBe(false);
    const race = await Promise.all([spendA('challenge-2'), spendB('challenge-2'), spendA('challenge-2'), spendB('challenge-2')]);
    expect(race.filter(Boolean)).toHaveLength(1);
  });
});
