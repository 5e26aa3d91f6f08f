import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { storeTurnLock } from '../../lib/battle/turn-lock';
import { isAppError } from '../../lib/errors';
import type { Store } from '../store';
import { openTestStore, secondClient, STORES, type TestStore } from '../testing/stores';
import { createBattle, getBattleView, startTurn } from './battles';
import { abortOrphanedAnswers, claimTurn, releaseTurn, renewTurns, turnClaimed } from './turn-locks';

describe.each(STORES)('the turn lock in the store, on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  test('one holder at a time; an expired claim may be taken over; only the holder releases or renews it', async () => {
    const now = 1_000_000;
    expect(await claimTurn({ db, battleId: 'b1', holder: 'A', ttlMs: 100, now })).toBe(true);
    expect(await claimTurn({ db, battleId: 'b1', holder: 'B', ttlMs: 100, now: now + 50 })).toBe(false);
    expect(await turnClaimed({ db, battleId: 'b1', now: now + 50 })).toBe(true);
    // Renewed by A: still A's at +150.
    await renewTurns({ db, battleIds: ['b1'], holder: 'A', ttlMs: 100, now: now + 90 });
    expect(await claimTurn({ db, battleId: 'b1', holder: 'B', ttlMs: 100, now: now + 150 })).toBe(false);
    // B's release of A's claim changes nothing; B's renewal neither.
    await releaseTurn({ db, battleId: 'b1', holder: 'B' });
    await renewTurns({ db, battleIds: ['b1'], holder: 'B', ttlMs: 10_000, now: now + 150 });
    expect(await turnClaimed({ db, battleId: 'b1', now: now + 150 })).toBe(true);
    // Expired (A stopped renewing): B takes it over.
    expect(await turnClaimed({ db, battleId: 'b1', now: now + 191 })).toBe(false);
    expect(await claimTurn({ db, battleId: 'b1', holder: 'B', ttlMs: 100, now: now + 191 })).toBe(true);
    await releaseTurn({ db, battleId: 'b1', holder: 'B' });
    expect(await turnClaimed({ db, battleId: 'b1', now: now + 192 })).toBe(false);
  });

  test('two processes racing for one battle: exactly one gets it', async () => {
    const other = await secondClient(store);
    try {
      const stores = [db, other.db];
      for (let round = 0; round < 20; round++) {
        const battleId = `race-${round}`;
        const got = await Promise.all(
          Array.from({ length: 8 }, (_, i) => claimTurn({ db: stores[i % 2]!, battleId, holder: `h${i}`, ttlMs: 30_000 })),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });

  test('storeTurnLock: a second process is refused while the first streams, and gets it after the release', async () => {
    const other = await secondClient(store);
    const a = storeTurnLock({ db });
    const b = storeTurnLock({ db: other.db });
    try {
      await a.acquire('b2');
      expect(await b.isHeld('b2')).toBe(true);
      const refused = await b.acquire('b2').then(() => null, (e: unknown) => e);
      expect(isAppError(refused) && refused.code).toBe('not_ready');
      // A second acquire in the same process is refused too.
      expect(await a.acquire('b2').then(() => 'taken', () => 'refused')).toBe('refused');
      await a.release('b2');
      expect(await b.isHeld('b2')).toBe(false);
      await b.acquire('b2');
      await b.release('b2');
    } finally {
      a.stop();
      b.stop();
      await other.close();
    }
  });

  test('abortOrphanedAnswers leaves a live holder\u2019s answers streaming and aborts the rest', async () => {
    const now = Date.now();
    for (const id of ['live', 'dead']) {
      await createBattle({ db, id, modelA: 'm1', modelB: 'm2', mode: 'live', samplingProbability: null });
      await startTurn({ db, battleId: id, prompt: 'hi', expectedTurns: 0 });
    }
    await claimTurn({ db, battleId: 'live', holder: 'A', ttlMs: 30_000, now });
    await claimTurn({ db, battleId: 'dead', holder: 'gone', ttlMs: 1, now: now - 10_000 });
    expect(await abortOrphanedAnswers({ db, now })).toBe(2);
    const dead = (await getBattleView({ db, id: 'dead' }))!;
    expect(dead.battle.status).toBe('abandoned');
    expect(dead.messages.filter((m) => m.role === 'assistant').map((m) => m.finishReason)).toEqual(['aborted', 'aborted']);
    const live = (await getBattleView({ db, id: 'live' }))!;
    expect(live.battle.status).toBe('active');
    expect(live.messages.filter((m) => m.role === 'assistant').map((m) => m.finishReason)).toEqual([null, null]);
    // One process on the store (SQLite): every claim is from its own last run.
    expect(await abortOrphanedAnswers({ db, now, sole: true })).toBe(2);
    expect(await turnClaimed({ db, battleId: 'live', now })).toBe(false);
  });
});
