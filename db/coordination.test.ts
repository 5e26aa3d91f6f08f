import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { announceBoards, listenForBoards, ratingPassRunning, withRatingPassLock, type BoardsNews } from './coordination';
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

  test('run one rating pass of each kind at a time, across processes, and the two kinds side by side', async () => {
    const inside = { counts: 0, full: 0 };
    const most = { counts: 0, full: 0, both: 0 };
    const pass = (db: Store, kind: 'counts' | 'full', ms: number) =>
      withRatingPassLock(db, kind, async () => {
        inside[kind]++;
        most[kind] = Math.max(most[kind], inside[kind]);
        most.both = Math.max(most.both, inside.counts + inside.full);
        await new Promise((r) => setTimeout(r, ms));
        inside[kind]--;
        return kind;
      });
    const t0 = Date.now();
    // A long full pass on each process, and counts passes on each meanwhile.
    const full = Promise.all([pass(store.db, 'full', 600), pass(other.db, 'full', 600)]);
    const counts = Promise.all([pass(store.db, 'counts', 60), pass(other.db, 'counts', 60), pass(store.db, 'counts', 60)]);
    expect(await counts).toEqual(['counts', 'counts', 'counts']);
    // The counts passes did not wait for a full pass.
    expect(Date.now() - t0).toBeLessThan(600);
    expect(await full).toEqual(['full', 'full']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_200);
    expect(most).toEqual({ counts: 1, full: 1, both: 2 });
  });

  test('a pass that fails releases the lock', async () => {
    await expect(withRatingPassLock(store.db, 'counts', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const t0 = Date.now();
    await withRatingPassLock(other.db, 'counts', async () => {});
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test('tell whether another process is running a pass of a kind, without taking its lock', async () => {
    expect(await ratingPassRunning(store.db, 'full')).toBe(false);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const pass = withRatingPassLock(other.db, 'full', async () => {
      entered();
      await held;
    });
    await inside;
    expect(await ratingPassRunning(store.db, 'full')).toBe(true);
    expect(await ratingPassRunning(store.db, 'counts')).toBe(false);
    release();
    await pass;
    expect(await ratingPassRunning(store.db, 'full')).toBe(false);
    // The probe left no lock behind: a pass here starts at once.
    const t0 = Date.now();
    await withRatingPassLock(other.db, 'full', async () => {});
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
      expect(await withRatingPassLock(store.db, 'full', async () => 7)).toBe(7);
      await announceBoards(store.db, { pass: 'full', input: { voteId: 1, version: 0 } });
      await listenForBoards(store.db, () => {})();
      expect(await ratingPassRunning(store.db, 'full')).toBe(false);
    } finally {
      await store.close();
    }
  });
});
