import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { announceBoards, listenForBoards, withRatingPassLock, type BoardsNews } from './coordination';
import type { Store } from './store';
import { openTestStore, secondClient, type SecondClient, type TestStore } from './testing/stores';

describe('processes sharing one Postgres store', () => {
  let store: TestStore;
  let other: SecondClient;
  beforeAll(async () => {
    store = await openTestStore('postgres');
    other = await secondClient(store);
  });
  afterAll(async () => {
    await other.close();
    await store.close();
  });

  test('run one rating pass at a time, across processes', async () => {
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const pass = (db: Store, name: string) =>
      withRatingPassLock(db, async () => {
        inside++;
        most = Math.max(most, inside);
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 60));
        order.push(`${name}-`);
        inside--;
        return name;
      });
    const results = await Promise.all([pass(store.db, 'a1'), pass(other.db, 'b1'), pass(store.db, 'a2'), pass(other.db, 'b2')]);
    expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(most).toBe(1);
    // Each pass ended before the next began.
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.slice(0, -1)).toBe(order[i + 1]!.slice(0, -1));
  });

  test('a pass that fails releases the lock', async () => {
    await expect(withRatingPassLock(store.db, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const t0 = Date.now();
    await withRatingPassLock(other.db, async () => {});
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test('hear each other\u2019s board announcements', async () => {
    const heard: BoardsNews[] = [];
    const stop = listenForBoards(other.db, (news) => heard.push(news));
    try {
      const news: BoardsNews = { pass: 'counts', input: { voteId: 42, version: 3 } };
      // The listener connects in the background: announce until it hears.
      await expect
        .poll(async () => {
          await announceBoards(store.db, news);
          return heard.length > 0;
        }, { timeout: 5_000, interval: 100 })
        .toBe(true);
      expect(heard[0]).toEqual(news);
    } finally {
      await stop();
    }
  });
});

describe('one process on a SQLite store', () => {
  test('the pass lock and the announcements are no-ops', async () => {
    const store = await openTestStore('sqlite');
    try {
      expect(await withRatingPassLock(store.db, async () => 7)).toBe(7);
      await announceBoards(store.db, { pass: 'full', input: { voteId: 1, version: 0 } });
      await listenForBoards(store.db, () => {})();
    } finally {
      await store.close();
    }
  });
});
