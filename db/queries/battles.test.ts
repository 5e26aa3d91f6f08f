import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store';
import { getSql } from '../testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '../testing/stores';
import {
  createBattle,
  finishTurn,
  getBattle,
  getBattleMessages,
  battleIdByShareToken,
  getBattleView,
  shareBattle,
  startTurn,
  supersedeTurn,
  unshareBattle,
} from './battles';
import { abortOrphanedAnswers } from './turn-locks';
import { forgetConversations } from './retention';
import { castVote, getVote } from './votes';

describe.each(STORES)('on %s', (dialect) => {
  let store: TestStore;
  let db: Store;

  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
  });
  afterEach(() => store.close());

  async function newBattle(id = crypto.randomUUID()) {
    return createBattle({
      db,
      id,
      modelA: 'model-x',
      modelB: 'model-y',
      mode: 'live',
      samplingProbability: 0.25,
      language: 'English',
      isCode: false,
      promptChars: 5,
      judge: 'voter-1',
      now: 1000,
    });
  }

  const ok = (content: string) => ({ content, finishReason: 'stop', tokens: 3, ttftMs: 10, durationMs: 50 });

  describe('battle queries', () => {
    it('creates a battle and reads it back', async () => {
      const b = await newBattle();
      expect(b).toMatchObject({ status: 'active', turns: 0, samplingProbability: 0.25, mode: 'live', source: 'arena' });
      expect(await getBattle({ db, id: b.id })).toEqual(b);
      expect(await getBattle({ db, id: 'nope' })).toBeNull();
      expect(b.tags).toBe('[]');
    });

    it('stores custom tags as a JSON array', async () => {
      const b = await createBattle({ db, id: crypto.randomUUID(), modelA: 'x', modelB: 'y', mode: 'recorded', samplingProbability: 1, tags: ['math', 'travel'] });
      expect(JSON.parse((await getBattle({ db, id: b.id }))!.tags)).toEqual(['math', 'travel']);
    });

    it('starts a turn with the prompt on both sides and empty streaming answers', async () => {
      const b = await newBattle();
      const rows = await startTurn({ db, battleId: b.id, prompt: 'Hello', expectedTurns: 0 });
      expect(rows.turn).toBe(1);
      const msgs = await getBattleMessages({ db, battleId: b.id });
      expect(msgs.map((m) => [m.side, m.role, m.content, m.finishReason])).toEqual([
        ['a', 'user', 'Hello', null],
        ['a', 'assistant', '', null],
        ['b', 'user', 'Hello', null],
        ['b', 'assistant', '', null],
      ]);
      expect((await getBattle({ db, id: b.id }))!.turns).toBe(1);
      // A second start based on a stale turn count is refused and changes nothing.
      await expect(startTurn({ db, battleId: b.id, prompt: 'again', expectedTurns: 0 })).rejects.toThrow();
      expect(await getBattleMessages({ db, battleId: b.id })).toHaveLength(4);
    });

    it('finishes a turn, supersedes it on regenerate and keeps the old answers', async () => {
      const b = await newBattle();
      const t1 = await startTurn({ db, battleId: b.id, prompt: 'Hi', expectedTurns: 0 });
      await finishTurn({
        db,
        battleId: b.id,
        status: 'failed',
        answers: [
          { id: t1.answerIds.a!, result: ok('first a') },
          { id: t1.answerIds.b!, result: { content: '', finishReason: 'error', error: 'HTTP 500 from http://x' } },
        ],
      });
      expect((await getBattle({ db, id: b.id }))!.status).toBe('failed');

      const re = await supersedeTurn({ db, battleId: b.id, turn: 1 });
      expect((await getBattle({ db, id: b.id }))!.status).toBe('active');
      await finishTurn({
        db,
        battleId: b.id,
        status: 'active',
        answers: [
          { id: re.answerIds.a!, result: ok('second a') },
          { id: re.answerIds.b!, result: ok('second b') },
        ],
      });
      const view = await getBattleView({ db, id: b.id });
      const answers = view!.messages.filter((m) => m.role === 'assistant');
      expect(answers.map((m) => [m.side, m.content, m.superseded])).toEqual([
        ['a', 'first a', true],
        ['b', '', true],
        ['a', 'second a', false],
        ['b', 'second b', false],
      ]);
      expect(answers[1].error).toBe('HTTP 500 from http://x');
      expect(answers[2]).toMatchObject({ tokens: 3, ttftMs: 10, durationMs: 50, finishReason: 'stop' });
      expect(view!.vote).toBeNull();
    });

    it('casts one vote, closes the battle, and refuses a second with already_voted', async () => {
      const b = await newBattle();
      const v = await castVote({ db, battleId: b.id, winner: 'model_a', voterId: 'voter-1', leakReason: null, now: 5 });
      expect(v).toMatchObject({ winner: 'model_a', voterId: 'voter-1', leakReason: null, createdAt: 5 });
      expect((await getBattle({ db, id: b.id }))!.status).toBe('voted');
      await expect(
        castVote({ db, battleId: b.id, winner: 'tie', voterId: 'voter-2', leakReason: null }),
      ).rejects.toMatchObject({ code: 'already_voted', status: 409 });
      expect((await getVote({ db, battleId: b.id }))!.winner).toBe('model_a');
      // Finishing a turn afterwards never reopens a voted battle.
      await finishTurn({ db, battleId: b.id, status: 'failed', answers: [] });
      expect((await getBattle({ db, id: b.id }))!.status).toBe('voted');
      // Nor does a turn or a regenerate that raced the vote.
      await expect(startTurn({ db, battleId: b.id, prompt: 'late', expectedTurns: 0 })).rejects.toMatchObject({ code: 'not_ready' });
      await expect(supersedeTurn({ db, battleId: b.id, turn: 1 })).rejects.toMatchObject({ code: 'battle_closed' });
      expect(await getBattleMessages({ db, battleId: b.id })).toHaveLength(0);
      expect((await getBattle({ db, id: b.id }))!.status).toBe('voted');
    });

    it('stores the exclusion reason of a leaking vote', async () => {
      const b = await newBattle();
      await castVote({ db, battleId: b.id, winner: 'tie (bothbad)', voterId: null, leakReason: 'identity_leak: "x"' });
      expect((await getVote({ db, battleId: b.id }))!.excludedReason).toBe('identity_leak: "x"');
    });

    it('marks answers left streaming by a stopped server as aborted', async () => {
      const b = await newBattle();
      await startTurn({ db, battleId: b.id, prompt: 'Hi', expectedTurns: 0 });
      expect(await abortOrphanedAnswers({ db, sole: true })).toBe(2);
      const msgs = await getBattleMessages({ db, battleId: b.id });
      expect(msgs.filter((m) => m.role === 'assistant').every((m) => m.finishReason === 'aborted')).toBe(true);
      expect((await getBattle({ db, id: b.id }))!.status).toBe('abandoned');
      expect(await abortOrphanedAnswers({ db, sole: true })).toBe(0);
    });
  });

  describe('direct chats, images and share tokens', () => {
    it('a direct chat writes side a only, on every turn and regenerate', async () => {
      await createBattle({ db, id: 'd1', modelA: 'model-x', modelB: 'model-x', mode: 'direct', samplingProbability: null });
      const t1 = await startTurn({ db, battleId: 'd1', prompt: 'hi', expectedTurns: 0 });
      expect(Object.keys(t1.answerIds)).toEqual(['a']);
      const re = await supersedeTurn({ db, battleId: 'd1', turn: 1 });
      expect(Object.keys(re.answerIds)).toEqual(['a']);
      expect(new Set((await getBattleMessages({ db, battleId: 'd1' })).map((m) => m.side))).toEqual(new Set(['a']));
    });

    it('stores a prompt image once per turn, reads it with the battle, and forgets it with the conversation', async () => {
      await createBattle({ db, id: 'v1', modelA: 'model-x', modelB: 'model-y', mode: 'live', samplingProbability: 0.5, vision: true });
      const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
      await startTurn({ db, battleId: 'v1', prompt: 'look', expectedTurns: 0, images: [{ mediaType: 'image/png', data, sha256: 'abc' }] });
      const view = (await getBattleView({ db, id: 'v1' }))!;
      expect(view.images).toEqual([{ turn: 1, mediaType: 'image/png', data, bytes: data.length, sha256: 'abc' }]);
      await shareBattle({ db, battleId: 'v1', token: 'tok-v1' });
      await forgetConversations({ db, voted: [], unvoted: ['v1'] });
      expect(await getSql(db, sql`SELECT count(*) AS n FROM battle_images`)).toEqual({ n: 0 });
      expect(await battleIdByShareToken({ db, token: 'tok-v1' })).toBeNull();
    });

    it('keeps one share token until it is revoked; a revoked token finds nothing', async () => {
      await newBattle('s1');
      expect(await shareBattle({ db, battleId: 's1', token: 'first' })).toBe('first');
      expect(await shareBattle({ db, battleId: 's1', token: 'second' })).toBe('first');
      expect(await battleIdByShareToken({ db, token: 'first' })).toBe('s1');
      await unshareBattle({ db, battleId: 's1' });
      expect(await battleIdByShareToken({ db, token: 'first' })).toBeNull();
      expect(await shareBattle({ db, battleId: 's1', token: 'third' })).toBe('third');
      await expect(shareBattle({ db, battleId: 'missing', token: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    });
  });
  describe('races', () => {
    const settled = async <T>(ps: Promise<T>[]) => {
      const results = await Promise.allSettled(ps);
      return {
        won: results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value),
        lost: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as { code?: string }),
      };
    };

    it('two turns started at once on the same count: one wins, the other is not_ready and writes nothing', async () => {
      const b = await newBattle();
      const { won, lost } = await settled([
        startTurn({ db, battleId: b.id, prompt: 'one', expectedTurns: 0 }),
        startTurn({ db, battleId: b.id, prompt: 'two', expectedTurns: 0 }),
      ]);
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual(['not_ready']);
      expect(won[0].turn).toBe(1);
      expect((await getBattle({ db, id: b.id }))!.turns).toBe(1);
      const msgs = await getBattleMessages({ db, battleId: b.id });
      expect(msgs).toHaveLength(4);
      expect(new Set(msgs.filter((m) => m.role === 'user').map((m) => m.content)).size).toBe(1);
      // The answer ids handed back are the winner's empty rows.
      const answers = msgs.filter((m) => m.role === 'assistant');
      expect(answers.map((m) => m.id)).toEqual([won[0].answerIds.a, won[0].answerIds.b]);
    });

    it('turns started at once on successive counts all land, in order', async () => {
      const b = await newBattle();
      await startTurn({ db, battleId: b.id, prompt: 't1', expectedTurns: 0 });
      const { won, lost } = await settled([
        startTurn({ db, battleId: b.id, prompt: 't2', expectedTurns: 1 }),
        startTurn({ db, battleId: b.id, prompt: 't2 again', expectedTurns: 1 }),
        startTurn({ db, battleId: b.id, prompt: 't2 once more', expectedTurns: 1 }),
      ]);
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual(['not_ready', 'not_ready']);
      expect((await getBattle({ db, id: b.id }))!.turns).toBe(2);
      expect(await getBattleMessages({ db, battleId: b.id })).toHaveLength(8);
    });

    it('a regenerate racing a vote: the battle ends voted, and a refused regenerate writes nothing', async () => {
      const b = await newBattle();
      const t1 = await startTurn({ db, battleId: b.id, prompt: 'Hi', expectedTurns: 0 });
      await finishTurn({ db, battleId: b.id, status: 'active', answers: [{ id: t1.answerIds.a!, result: ok('a') }, { id: t1.answerIds.b!, result: ok('b') }] });
      const [regen, vote] = await Promise.allSettled([
        supersedeTurn({ db, battleId: b.id, turn: 1 }),
        castVote({ db, battleId: b.id, winner: 'model_b', voterId: null, leakReason: null }),
      ]);
      expect(vote.status).toBe('fulfilled');
      const msgs = await getBattleMessages({ db, battleId: b.id });
      if (regen.status === 'rejected') {
        expect((regen.reason as { code: string }).code).toBe('battle_closed');
        expect(msgs).toHaveLength(4);
      } else {
        expect(msgs).toHaveLength(6);
      }
      // A regenerate that landed first never reopens the battle once the vote is in.
      expect((await getBattle({ db, id: b.id }))!.status).toBe('voted');
    });

    it('two shares at once agree on one token', async () => {
      await newBattle('s2');
      const tokens = await Promise.all([
        shareBattle({ db, battleId: 's2', token: 'tok-1' }),
        shareBattle({ db, battleId: 's2', token: 'tok-2' }),
      ]);
      expect(tokens[0]).toBe(tokens[1]);
      expect(await battleIdByShareToken({ db, token: tokens[0] })).toBe('s2');
      expect((await getBattle({ db, id: 's2' }))!.sharedAt).toEqual(expect.any(Number));
    });
  });

  describe('start-up and views', () => {
    it('aborts only unfinished answers, and abandons only active battles', async () => {
      const streaming = await newBattle('stream');
      const done = await newBattle('done');
      const failed = await newBattle('failed');
      await startTurn({ db, battleId: streaming.id, prompt: 'x', expectedTurns: 0 });
      const t = await startTurn({ db, battleId: done.id, prompt: 'y', expectedTurns: 0 });
      await finishTurn({ db, battleId: done.id, status: 'active', answers: [{ id: t.answerIds.a!, result: ok('a') }, { id: t.answerIds.b!, result: ok('b') }] });
      const f = await startTurn({ db, battleId: failed.id, prompt: 'z', expectedTurns: 0 });
      await finishTurn({ db, battleId: failed.id, status: 'failed', answers: [{ id: f.answerIds.a!, result: ok('a') }] });
      expect(await abortOrphanedAnswers({ db, now: 777, sole: true })).toBe(3);
      expect(await getBattle({ db, id: 'stream' })).toMatchObject({ status: 'abandoned', updatedAt: 777 });
      expect((await getBattle({ db, id: 'done' }))!.status).toBe('active');
      expect((await getBattle({ db, id: 'failed' }))!.status).toBe('failed');
      const failedAnswers = (await getBattleMessages({ db, battleId: 'failed' })).filter((m) => m.role === 'assistant');
      expect(failedAnswers.map((m) => [m.side, m.finishReason, m.error])).toEqual([
        ['a', 'stop', null],
        ['b', 'aborted', 'server stopped while the answer was streaming'],
      ]);
      const doneAnswers = (await getBattleMessages({ db, battleId: 'done' })).filter((m) => m.role === 'assistant');
      expect(doneAnswers.map((m) => m.finishReason)).toEqual(['stop', 'stop']);
    });

    it('reads a whole battle view with its vote, and images only for a vision battle', async () => {
      expect(await getBattleView({ db, id: 'nope' })).toBeNull();
      await createBattle({ db, id: 'v2', modelA: 'x', modelB: 'y', mode: 'recorded', samplingProbability: 1, vision: true, now: 5 });
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
      const jpg = Buffer.from([0xff, 0xd8, 0xff, 0]);
      await startTurn({ db, battleId: 'v2', prompt: 'p1', expectedTurns: 0, images: [{ mediaType: 'image/png', data: png, sha256: 'p' }, { mediaType: 'image/jpeg', data: jpg, sha256: 'j' }] });
      await startTurn({ db, battleId: 'v2', prompt: 'p2', expectedTurns: 1 });
      const vote = await castVote({ db, battleId: 'v2', winner: 'tie', voterId: 'voter-9', leakReason: null, now: 9 });
      const view = (await getBattleView({ db, id: 'v2' }))!;
      expect(view.battle).toMatchObject({ id: 'v2', status: 'voted', turns: 2, vision: true, anony: null, isCode: null });
      expect(view.vote).toEqual(vote);
      expect(view.messages).toHaveLength(8);
      expect(view.messages.every((m) => typeof m.superseded === 'boolean' && typeof m.id === 'number')).toBe(true);
      expect(view.images).toEqual([
        { turn: 1, mediaType: 'image/png', data: png, bytes: png.length, sha256: 'p' },
        { turn: 1, mediaType: 'image/jpeg', data: jpg, bytes: jpg.length, sha256: 'j' },
      ]);
      expect(Buffer.isBuffer(view.images[0].data)).toBe(true);
      // Without vision no images are read.
      const plain = await newBattle('plain');
      expect((await getBattleView({ db, id: plain.id }))!).toMatchObject({ images: [], messages: [], vote: null });
    });
  });
});
