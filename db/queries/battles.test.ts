import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../index';
import {
  abortUnfinishedMessages,
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
import { forgetConversations } from './retention';
import { castVote, getVote } from './votes';

let db: Db;

beforeEach(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-queries-'));
  db = openDb(path.join(dir, 'test.db'));
});

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

describe('battle queries on a real SQLite file', () => {
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
    expect(await abortUnfinishedMessages({ db })).toBe(2);
    const msgs = await getBattleMessages({ db, battleId: b.id });
    expect(msgs.filter((m) => m.role === 'assistant').every((m) => m.finishReason === 'aborted')).toBe(true);
    expect((await getBattle({ db, id: b.id }))!.status).toBe('abandoned');
    expect(await abortUnfinishedMessages({ db })).toBe(0);
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
    expect(db.$client.prepare('SELECT count(*) AS n FROM battle_images').get()).toEqual({ n: 0 });
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
