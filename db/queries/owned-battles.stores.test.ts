import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store';
import { getSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import { createBattle, finishTurn, getBattle, shareBattle, startTurn } from './battles';
import { deleteOwnedBattles, listOwnedBattles } from './owned-battles';
import { ratingsInputStamp } from './ratings-input';
import { castVote } from './votes';

describe.each(STORES)('owned battles on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  async function battle(id: string, opts: { userId?: string | null; voterId?: string; mode?: 'live' | 'named' | 'direct'; now: number; prompt?: string; image?: boolean }) {
    await createBattle({ db, id, modelA: `${id}-a`, modelB: `${id}-b`, mode: opts.mode ?? 'live', samplingProbability: 1, voterId: opts.voterId ?? 'browser-1', userId: opts.userId ?? null, vision: opts.image, now: opts.now });
    if (opts.prompt === undefined) return;
    const images = opts.image ? [{ mediaType: 'image/png', data: Buffer.from([1, 2, 3]), sha256: 'x' }] : [];
    const t = await startTurn({ db, battleId: id, prompt: opts.prompt, expectedTurns: 0, images });
    const answers = Object.values(t.answerIds).map((answerId) => ({ id: answerId, result: { content: 'answer', finishReason: 'stop' } }));
    await finishTurn({ db, battleId: id, status: 'active', answers });
  }
  const count = async (table: 'battles' | 'messages' | 'votes' | 'battle_images') =>
    (await getSql<{ n: number }>(db, sql`SELECT count(*) AS n FROM ${sql.raw(table)}`))!.n;

  it("lists a person's battles newest first, names models only once voted or chosen by name, and pages by time", async () => {
    const long = `${'é'.repeat(150)}${'x'.repeat(100)}`;
    await battle('old', { userId: 'u1', now: 100, prompt: 'first prompt' });
    await startTurn({ db, battleId: 'old', prompt: 'second prompt', expectedTurns: 1 });
    await battle('mid', { userId: 'u1', now: 200, prompt: long });
    await castVote({ db, battleId: 'mid', winner: 'model_b', voterId: 'browser-1', leakReason: null });
    await battle('named', { userId: 'u1', mode: 'named', now: 300 });
    await battle('anon', { userId: null, voterId: 'browser-2', now: 400, prompt: 'anonymous' });
    await battle('other', { userId: 'u2', now: 500 });

    const page = await listOwnedBattles({ db, owner: { userId: 'u1' }, limit: 10 });
    expect(page).toEqual([
      { id: 'named', createdAt: 300, status: 'active', mode: 'named', turns: 0, prompt: null, winner: null, modelA: 'named-a', modelB: 'named-b' },
      { id: 'mid', createdAt: 200, status: 'voted', mode: 'live', turns: 1, prompt: long.slice(0, 200), winner: 'model_b', modelA: 'mid-a', modelB: 'mid-b' },
      { id: 'old', createdAt: 100, status: 'active', mode: 'live', turns: 2, prompt: 'first prompt', winner: null, modelA: null, modelB: null },
    ]);
    // 200 characters, not bytes.
    expect([...page[1].prompt!].length).toBe(200);
    expect((await listOwnedBattles({ db, owner: { userId: 'u1' }, limit: 2 })).map((b) => b.id)).toEqual(['named', 'mid']);
    expect((await listOwnedBattles({ db, owner: { userId: 'u1' }, limit: 2, before: 200 })).map((b) => b.id)).toEqual(['old']);
    // A browser's list is its anonymous battles only.
    expect((await listOwnedBattles({ db, owner: { voterId: 'browser-2' }, limit: 10 })).map((b) => b.id)).toEqual(['anon']);
    expect(await listOwnedBattles({ db, owner: { voterId: 'browser-1' }, limit: 10 })).toEqual([]);
  });

  it('orders battles of the same moment by id, descending', async () => {
    for (const id of ['b', 'a', 'C', 'c']) await battle(id, { userId: 'u1', now: 7 });
    // Byte order on both stores: lower case after upper case.
    expect((await listOwnedBattles({ db, owner: { userId: 'u1' }, limit: 10 })).map((b) => b.id)).toEqual(['c', 'b', 'a', 'C']);
  });

  it("deletes an account's battles with their messages, images and votes, and bumps the ratings input when votes go", async () => {
    await battle('v1', { userId: 'u1', now: 1, prompt: 'hi', image: true });
    await castVote({ db, battleId: 'v1', winner: 'model_a', voterId: 'browser-1', leakReason: null });
    await battle('v2', { userId: 'u1', now: 2, prompt: 'hello' });
    await shareBattle({ db, battleId: 'v2', token: 'tok' });
    await battle('keep', { userId: 'u2', now: 3, prompt: 'mine' });
    await castVote({ db, battleId: 'keep', winner: 'tie', voterId: 'browser-3', leakReason: null });
    const before = await ratingsInputStamp({ db });

    expect(await deleteOwnedBattles({ db, userId: 'u1' })).toBe(2);
    expect(await getBattle({ db, id: 'v1' })).toBeNull();
    expect(await getBattle({ db, id: 'v2' })).toBeNull();
    expect(await getBattle({ db, id: 'keep' })).not.toBeNull();
    expect([await count('battles'), await count('messages'), await count('votes'), await count('battle_images')]).toEqual([1, 4, 1, 0]);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);

    // Nothing left to delete: nothing bumped.
    expect(await deleteOwnedBattles({ db, userId: 'u1' })).toBe(0);
    // Unvoted battles only: no vote went, no new rating pass.
    await battle('unvoted', { userId: 'u3', now: 4, prompt: 'x' });
    expect(await deleteOwnedBattles({ db, userId: 'u3' })).toBe(1);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);
  });

  it('two deletions of one account at once delete each battle once', async () => {
    for (let i = 0; i < 5; i++) {
      await battle(`r${i}`, { userId: 'u1', now: i, prompt: 'p' });
      await castVote({ db, battleId: `r${i}`, winner: 'tie', voterId: null, leakReason: null });
    }
    const before = await ratingsInputStamp({ db });
    const counts = await Promise.all([deleteOwnedBattles({ db, userId: 'u1' }), deleteOwnedBattles({ db, userId: 'u1' })]);
    expect(counts.sort()).toEqual([0, 5]);
    expect([await count('battles'), await count('messages'), await count('votes')]).toEqual([0, 0, 0]);
    expect((await ratingsInputStamp({ db })).version).toBe(before.version + 1);
  });
});
