import { describe, expect, it } from 'vitest';
import type { StreamEvent } from './api-types';
import {
  battleReducer,
  CONNECTION_LOST,
  hasUnvotedAnswers,
  stateFromBattle,
  initialBattleState,
  lastTurnFailed,
  votingEnabled,
  type BattleAction,
  type BattleState,
} from './battle-state';

const run = (actions: BattleAction[], from: BattleState = initialBattleState) => actions.reduce(battleReducer, from);
const ev = (event: StreamEvent): BattleAction => ({ type: 'event', event });

const firstTurn: BattleAction[] = [
  { type: 'send', prompt: 'Hi', mode: 'live' },
  { type: 'accepted' },
  ev({ type: 'battle', battleId: 'b1', turn: 1 }),
  ev({ type: 'delta', side: 'a', text: 'Hel' }),
  ev({ type: 'delta', side: 'b', text: 'Yo' }),
  ev({ type: 'delta', side: 'a', text: 'lo' }),
  ev({ type: 'done', side: 'a', finishReason: 'stop', tokens: 2 }),
  ev({ type: 'done', side: 'b', finishReason: 'length', tokens: 1 }),
];

describe('battleReducer', () => {
  it('streams both sides into the current turn and opens voting only at the end', () => {
    const streaming = run(firstTurn);
    expect(streaming.battleId).toBe('b1');
    expect(streaming.turns[0].a).toMatchObject({ text: 'Hello', status: 'done', tokens: 2 });
    expect(streaming.turns[0].b).toMatchObject({ text: 'Yo', status: 'done', finishReason: 'length' });
    expect(votingEnabled(streaming)).toBe(false);

    const ended = run([ev({ type: 'end', canVote: true, turn: 1, turnsLeft: 4 })], streaming);
    expect(ended.phase).toBe('ready');
    expect(ended.turnsLeft).toBe(4);
    expect(votingEnabled(ended)).toBe(true);
  });

  it('keeps earlier turns when a follow-up streams', () => {
    const state = run([
      ...firstTurn,
      ev({ type: 'end', canVote: true, turn: 1, turnsLeft: 1 }),
      { type: 'send', prompt: 'More', mode: 'live' },
      ev({ type: 'delta', side: 'b', text: 'Sure' }),
    ]);
    expect(state.turns.map((t) => t.prompt)).toEqual(['Hi', 'More']);
    expect(state.turns[0].b.text).toBe('Yo');
    expect(state.turns[1].b).toMatchObject({ text: 'Sure', status: 'streaming' });
    expect(state.turns[1].a.status).toBe('waiting');
    expect(votingEnabled(state)).toBe(false);
  });

  it('a failed side blocks voting even if the server said otherwise', () => {
    const state = run([
      { type: 'send', prompt: 'Hi', mode: 'live' },
      ev({ type: 'battle', battleId: 'b1' }),
      ev({ type: 'error', side: 'b', code: 'provider_error', message: 'Model B could not answer.' }),
      ev({ type: 'done', side: 'a', tokens: 3 }),
      ev({ type: 'end', canVote: true, turnsLeft: 4 }),
    ]);
    expect(lastTurnFailed(state)).toBe(true);
    expect(state.canVote).toBe(false);
    expect(votingEnabled(state)).toBe(false);
    expect(state.turns[0].b.error?.message).toBe('Model B could not answer.');
  });

  it('marks unfinished sides as failed when the body ends without its last line', () => {
    const state = run([
      { type: 'send', prompt: 'Hi', mode: 'live' },
      ev({ type: 'delta', side: 'a', text: 'par' }),
      ev({ type: 'done', side: 'b' }),
      { type: 'stream-closed' },
    ]);
    expect(state.turns[0].a).toMatchObject({ status: 'error', text: 'par' });
    expect(state.turns[0].a.error?.message).toBe(CONNECTION_LOST);
    expect(state.turns[0].b.status).toBe('done');
    expect(votingEnabled(state)).toBe(false);
  });

  it('a refused request restores the turns it replaced and shows why', () => {
    const ready = run([...firstTurn, ev({ type: 'end', canVote: true, turnsLeft: 4 })]);
    const refused = run([{ type: 'regenerate' }, { type: 'request-failed', message: 'Busy.' }], ready);
    expect(refused.turns).toEqual(ready.turns);
    expect(refused.phase).toBe('ready');
    expect(refused.notice).toBe('Busy.');

    const firstRefused = run([{ type: 'send', prompt: 'x', mode: 'live' }, { type: 'request-failed', message: 'Too long.' }]);
    expect(firstRefused.turns).toEqual([]);
    expect(firstRefused.phase).toBe('idle');
  });

  it('regenerate clears only the last turn', () => {
    const state = run([...firstTurn, ev({ type: 'end', canVote: true, turnsLeft: 4 }), { type: 'regenerate' }]);
    expect(state.turns).toHaveLength(1);
    expect(state.turns[0]).toMatchObject({ prompt: 'Hi', a: { text: '', status: 'waiting' }, b: { text: '', status: 'waiting' } });
    expect(state.phase).toBe('streaming');
  });

  it('a vote reveals the models and closes the battle; reset starts over in the same mode', () => {
    const ready = run([...firstTurn, ev({ type: 'end', canVote: true, turnsLeft: 4 })]);
    const voted = run(
      [
        { type: 'vote-start', winner: 'model_b' },
        {
          type: 'voted',
          result: {
            winner: 'model_b',
            models: { a: { id: 'x', name: 'X', organization: 'Ox' }, b: { id: 'y', name: 'Y', organization: 'Oy' } },
          },
        },
      ],
      ready,
    );
    expect(voted.phase).toBe('voted');
    expect(voted.reveal?.models.b.name).toBe('Y');
    expect(votingEnabled(voted)).toBe(false);
    const fresh = battleReducer(voted, { type: 'reset' });
    expect(fresh).toEqual({ ...initialBattleState, mode: 'live' });
  });

  it('a refused vote returns to ready with the reason', () => {
    const ready = run([...firstTurn, ev({ type: 'end', canVote: true, turnsLeft: 4 })]);
    const state = run([{ type: 'vote-start', winner: 'tie' }, { type: 'vote-failed', message: 'Already voted.' }], ready);
    expect(state.phase).toBe('ready');
    expect(state.vote).toBeNull();
    expect(state.notice).toBe('Already voted.');
  });
});

describe('restore, direct chats and unvoted answers', () => {
  const msg = (turn: number, role: 'user' | 'assistant', content: string, state: 'done' | 'streaming' | 'error' = 'done') => ({ turn, role, content, state });

  it('rebuilds a battle read back from the server, a stream cut by the reload shown as lost', () => {
    const s = stateFromBattle({
      id: 'b9',
      status: 'active',
      mode: 'live',
      turn: 2,
      turnsLeft: 3,
      canVote: false,
      canSend: false,
      canRegenerate: true,
      sides: {
        a: [msg(1, 'user', 'Hi'), msg(1, 'assistant', 'Hello'), msg(2, 'user', 'More'), msg(2, 'assistant', 'Mo', 'streaming')],
        b: [msg(1, 'user', 'Hi'), msg(1, 'assistant', 'Yo'), msg(2, 'user', 'More'), msg(2, 'assistant', 'Sure')],
      },
    });
    expect(s).toMatchObject({ phase: 'ready', mode: 'live', battleId: 'b9', turnsLeft: 3, canVote: false, reveal: null, chosen: null });
    expect(s.turns.map((t) => [t.prompt, t.a.text, t.b.text])).toEqual([
      ['Hi', 'Hello', 'Yo'],
      ['More', 'Mo', 'Sure'],
    ]);
    expect(s.turns[1].a).toMatchObject({ status: 'error', error: { message: CONNECTION_LOST } });
    expect(lastTurnFailed(s)).toBe(true);
    // Nothing that could be voted on is lost.
    expect(hasUnvotedAnswers(s)).toBe(false);
    expect(hasUnvotedAnswers({ ...s, turns: s.turns.slice(0, 1), canVote: true })).toBe(true);
  });

  it('a voted battle comes back revealed, with its share token; nothing to lose then', () => {
    const s = stateFromBattle({
      id: 'b1',
      status: 'voted',
      mode: 'named',
      turn: 1,
      turnsLeft: 4,
      canVote: false,
      canSend: false,
      canRegenerate: false,
      sides: { a: [msg(1, 'user', 'Hi'), msg(1, 'assistant', 'A')], b: [msg(1, 'user', 'Hi'), msg(1, 'assistant', 'B')] },
      revealed: { winner: 'tie', models: { a: { id: 'x', name: 'X' }, b: { id: 'y', name: 'Y' } } },
      chosen: { a: { id: 'x', name: 'X' }, b: { id: 'y', name: 'Y' } },
      shareToken: 'tok',
    });
    expect(s).toMatchObject({ phase: 'voted', vote: 'tie', shareToken: 'tok', chosen: { a: { name: 'X' }, b: { name: 'Y' } } });
    expect(hasUnvotedAnswers(s)).toBe(false);
  });

  it('a direct chat streams side a only and has no vote to lose', () => {
    const s = run([
      { type: 'send', prompt: 'Hi', mode: 'direct', chosen: { a: { id: 'x', name: 'X' }, b: null } },
      { type: 'accepted' },
      ev({ type: 'battle', battleId: 'd1', turn: 1 }),
      ev({ type: 'delta', side: 'a', text: 'Hello' }),
      ev({ type: 'done', side: 'a', finishReason: 'stop' }),
      ev({ type: 'end', canVote: false, turn: 1, turnsLeft: 4 }),
    ]);
    expect(s).toMatchObject({ phase: 'ready', mode: 'direct', canVote: false, chosen: { a: { name: 'X' }, b: null } });
    expect(s.turns[0].b.status).toBe('done');
    expect(lastTurnFailed(s)).toBe(false);
    expect(hasUnvotedAnswers(s)).toBe(false);
    // A connection lost mid-answer marks side a only.
    const cut = run([{ type: 'send', prompt: 'More', mode: 'direct' }, { type: 'accepted' }, { type: 'stream-closed' }], s);
    expect(cut.turns[1].a.status).toBe('error');
    expect(cut.turns[1].b.status).toBe('done');
  });

  it('a live battle with answers but no vote asks before it is thrown away', () => {
    const s = run([...firstTurn, ev({ type: 'end', canVote: true, turn: 1, turnsLeft: 4 })]);
    expect(hasUnvotedAnswers(s)).toBe(true);
    // Not while streaming, nor once the vote is on its way.
    expect(hasUnvotedAnswers(run(firstTurn))).toBe(false);
    expect(hasUnvotedAnswers(run([{ type: 'vote-start', winner: 'tie' }], s))).toBe(false);
  });
});
