import { describe, expect, it } from 'vitest';
import {
  assertCanRegenerate,
  assertCanSend,
  assertCanVote,
  battleState,
  statusAfterTurn,
  type BattleFacts,
  type MessageFacts,
} from './state';

const user = (side: 'a' | 'b', turn: number): MessageFacts => ({
  side,
  turn,
  role: 'user',
  superseded: false,
  finishReason: null,
  error: null,
});
const answer = (side: 'a' | 'b', turn: number, finishReason: string | null, extra: Partial<MessageFacts> = {}): MessageFacts => ({
  side,
  turn,
  role: 'assistant',
  superseded: false,
  finishReason,
  error: null,
  ...extra,
});

const live = (status: BattleFacts['status'], turns: number): BattleFacts => ({ status, mode: 'live', turns });
const opts = { maxTurns: 3 };

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('battleState', () => {
  const done1 = [user('a', 1), answer('a', 1, 'stop'), user('b', 1), answer('b', 1, 'length')];

  it('is votable once both sides of the latest turn finished', () => {
    const s = battleState(live('active', 1), done1, opts);
    expect(s).toMatchObject({ canVote: true, canSend: true, streaming: false, turnsLeft: 2, turn: 1 });
    expect(codeOf(() => assertCanVote(s))).toBeNull();
  });

  it('is not votable while a side streams, nor while the battle is busy', () => {
    const streaming = [user('a', 1), answer('a', 1, 'stop'), user('b', 1), answer('b', 1, null)];
    const s = battleState(live('active', 1), streaming, opts);
    expect(s.canVote).toBe(false);
    expect(s.streaming).toBe(true);
    expect(codeOf(() => assertCanVote(s))).toBe('not_ready');
    expect(codeOf(() => assertCanSend(s, 'live'))).toBe('not_ready');
    expect(codeOf(() => assertCanRegenerate(s, 'live'))).toBe('not_ready');
    const busy = battleState(live('active', 1), done1, { ...opts, busy: true });
    expect(busy.canVote).toBe(false);
  });

  it('is not votable before any turn', () => {
    const s = battleState(live('active', 0), [], opts);
    expect(s.canVote).toBe(false);
    expect(codeOf(() => assertCanVote(s))).toBe('not_ready');
    expect(codeOf(() => assertCanRegenerate(s, 'live'))).toBe('not_ready');
  });

  it('a failed turn blocks the vote and new messages, but allows regenerate', () => {
    const failed = [user('a', 1), answer('a', 1, 'stop'), user('b', 1), answer('b', 1, 'error', { error: 'boom' })];
    const s = battleState(live('failed', 1), failed, opts);
    expect(s.canVote).toBe(false);
    expect(codeOf(() => assertCanVote(s))).toBe('battle_closed');
    expect(codeOf(() => assertCanSend(s, 'live'))).toBe('not_ready');
    expect(codeOf(() => assertCanRegenerate(s, 'live'))).toBeNull();
  });

  it('a successful regenerate makes it votable again (superseded answers do not count)', () => {
    const msgs = [
      user('a', 1),
      answer('a', 1, 'stop', { superseded: true }),
      user('b', 1),
      answer('b', 1, 'error', { error: 'boom', superseded: true }),
      answer('a', 1, 'stop'),
      answer('b', 1, 'stop'),
    ];
    expect(battleState(live('active', 1), msgs, opts).canVote).toBe(true);
  });

  it('only the latest turn matters', () => {
    const msgs = [...done1, user('a', 2), answer('a', 2, 'stop'), user('b', 2), answer('b', 2, 'aborted')];
    expect(battleState(live('abandoned', 2), msgs, opts).canVote).toBe(false);
  });

  it('is closed after the vote', () => {
    const s = battleState(live('voted', 1), done1, opts);
    expect(s).toMatchObject({ canVote: false, canSend: false, canRegenerate: false });
    expect(codeOf(() => assertCanVote(s))).toBe('already_voted');
    expect(codeOf(() => assertCanSend(s, 'live'))).toBe('battle_closed');
    expect(codeOf(() => assertCanRegenerate(s, 'live'))).toBe('battle_closed');
  });

  it('refuses a turn past the limit and follow-ups in recorded mode', () => {
    const three = [1, 2, 3].flatMap((t) => [user('a', t), answer('a', t, 'stop'), user('b', t), answer('b', t, 'stop')]);
    const s = battleState(live('active', 3), three, opts);
    expect(s.turnsLeft).toBe(0);
    expect(s.canSend).toBe(false);
    expect(s.canVote).toBe(true);
    expect(codeOf(() => assertCanSend(s, 'live'))).toBe('turn_limit');
    const rec = battleState({ status: 'active', mode: 'recorded', turns: 1 }, done1, opts);
    expect(rec.canSend).toBe(false);
    expect(codeOf(() => assertCanSend(rec, 'recorded'))).toBe('conflict');
  });
});

describe('statusAfterTurn', () => {
  it('active when both ok, failed when a side errored, abandoned when the page closed', () => {
    expect(statusAfterTurn([{ ok: true }, { ok: true }])).toBe('active');
    expect(statusAfterTurn([{ ok: true }, { ok: false, code: 'timeout' }])).toBe('failed');
    expect(statusAfterTurn([{ ok: false, code: 'aborted' }, { ok: false, code: 'empty' }])).toBe('failed');
    expect(statusAfterTurn([{ ok: false, code: 'aborted' }, { ok: false, code: 'aborted' }])).toBe('abandoned');
  });
});

describe('named and direct modes', () => {
  const opts = { maxTurns: 3 };
  const answer = (side: 'a' | 'b', turn: number) => ({ side, turn, role: 'assistant' as const, superseded: false, finishReason: 'stop', error: null });
  const user = (side: 'a' | 'b', turn: number) => ({ side, turn, role: 'user' as const, superseded: false, finishReason: null, error: null });

  it('side by side takes follow-ups and a vote like a live battle', () => {
    const s = battleState({ status: 'active', mode: 'named', turns: 1 }, [user('a', 1), answer('a', 1), user('b', 1), answer('b', 1)], opts);
    expect(s).toMatchObject({ canVote: true, canSend: true, canRegenerate: true });
  });

  it('a direct chat has one side, takes follow-ups, and is never voted', () => {
    const s = battleState({ status: 'active', mode: 'direct', turns: 1 }, [user('a', 1), answer('a', 1)], opts);
    expect(s).toMatchObject({ lastTurnComplete: true, canVote: false, canSend: true, canRegenerate: true });
    expect(() => assertCanVote(s, 'direct')).toThrow(/A direct chat has no vote/);
    const streaming = battleState({ status: 'active', mode: 'direct', turns: 2 }, [user('a', 1), answer('a', 1), user('a', 2), { ...answer('a', 2), finishReason: null }], opts);
    expect(streaming).toMatchObject({ streaming: true, canSend: false });
  });
});
