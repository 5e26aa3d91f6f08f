import type { BattleMode, BattleResponse, RevealedModel, Side, StreamEvent, VoteResult, WireMessage, Winner } from './api-types';

/**
 * The battle as the page sees it: the turns sent so far with both sides' answers, where the
 * battle stands, and what the vote revealed. Pure, so it can be tested without a browser.
 */

export type AnswerStatus = 'waiting' | 'streaming' | 'done' | 'error';

export interface Answer {
  text: string;
  status: AnswerStatus;
  finishReason?: string;
  tokens?: number | null;
  error?: { code: string; message: string };
}

export interface Turn {
  prompt: string;
  /** Images of the prompt, as data: URLs. */
  images?: string[];
  a: Answer;
  b: Answer;
}

export type Phase =
  /** No battle yet. */
  | 'idle'
  /** A request is out and its answers are arriving. */
  | 'streaming'
  /** Answers are in; the battle waits for a vote, a follow-up or a regenerate. */
  | 'ready'
  | 'voting'
  | 'voted';

export interface BattleState {
  phase: Phase;
  mode: BattleMode;
  battleId: string | null;
  turns: Turn[];
  canVote: boolean;
  /** Follow-up turns still allowed; null until the server has said. */
  turnsLeft: number | null;
  /** Why the last request or vote was refused, shown above the prompt box. */
  notice: string | null;
  vote: Winner | null;
  reveal: VoteResult | null;
  /** What to restore if the request now streaming is refused before it starts. */
  rollback: { turns: Turn[]; phase: Phase } | null;
  /** Side by side and direct chat: the models chosen by name (b is null in a direct chat). */
  chosen: { a: RevealedModel; b: RevealedModel | null } | null;
  /** The share link's token once the battle is shared. */
  shareToken: string | null;
}

export type BattleAction =
  | { type: 'send'; prompt: string; mode: BattleMode; images?: string[]; chosen?: BattleState['chosen'] }
  | { type: 'restore'; battle: BattleResponse }
  | { type: 'shared'; token: string | null }
  /** A refusal that changes nothing else (sharing). */
  | { type: 'notice'; message: string }
  | { type: 'regenerate' }
  | { type: 'accepted' }
  | { type: 'event'; event: StreamEvent }
  | { type: 'stream-closed' }
  | { type: 'request-failed'; message: string }
  | { type: 'vote-start'; winner: Winner }
  | { type: 'voted'; result: VoteResult }
  | { type: 'vote-failed'; message: string }
  | { type: 'dismiss-notice' }
  | { type: 'reset' };

export const CONNECTION_LOST =
  'The connection to the server was lost before this answer finished.';

export const initialBattleState: BattleState = {
  phase: 'idle',
  mode: 'live',
  battleId: null,
  turns: [],
  canVote: false,
  turnsLeft: null,
  notice: null,
  vote: null,
  reveal: null,
  rollback: null,
  chosen: null,
  shareToken: null,
};

const waiting = (): Answer => ({ text: '', status: 'waiting' });

export function battleReducer(state: BattleState, action: BattleAction): BattleState {
  switch (action.type) {
    case 'send': {
      const mode = state.battleId ? state.mode : action.mode;
      // A direct chat has one side: side b stays empty and done.
      const b = mode === 'direct' ? { text: '', status: 'done' as const } : waiting();
      return {
        ...state,
        phase: 'streaming',
        mode,
        chosen: state.battleId ? state.chosen : (action.chosen ?? null),
        turns: [...state.turns, { prompt: action.prompt, ...(action.images?.length ? { images: action.images } : {}), a: waiting(), b }],
        canVote: false,
        notice: null,
        rollback: { turns: state.turns, phase: state.phase },
      };
    }
    case 'regenerate': {
      const last = state.turns.at(-1);
      if (!last) return state;
      return {
        ...state,
        phase: 'streaming',
        turns: [...state.turns.slice(0, -1), { ...last, a: waiting(), b: state.mode === 'direct' ? last.b : waiting() }],
        canVote: false,
        notice: null,
        rollback: { turns: state.turns, phase: state.phase },
      };
    }
    case 'accepted':
      return { ...state, rollback: null };
    case 'request-failed': {
      const back = state.rollback ?? { turns: state.turns, phase: state.turns.length ? 'ready' : 'idle' };
      return { ...state, turns: back.turns, phase: back.phase, rollback: null, notice: action.message, chosen: back.turns.length ? state.chosen : null };
    }
    case 'event':
      return applyEvent(state, action.event);
    case 'stream-closed': {
      // The body ended without its closing line: whatever was still arriving is lost.
      const turns = updateLast(state.turns, (answer) =>
        answer.status === 'waiting' || answer.status === 'streaming'
          ? { ...answer, status: 'error', error: { code: 'connection', message: CONNECTION_LOST } }
          : answer,
      );
      return { ...state, turns, phase: 'ready', canVote: false, rollback: null };
    }
    case 'vote-start':
      return { ...state, phase: 'voting', vote: action.winner, notice: null };
    case 'voted':
      return { ...state, phase: 'voted', vote: action.result.winner, reveal: action.result, canVote: false };
    case 'vote-failed':
      return { ...state, phase: 'ready', vote: null, notice: action.message };
    case 'dismiss-notice':
      return { ...state, notice: null };
    case 'reset':
      return { ...initialBattleState, mode: state.mode };
    case 'restore':
      return stateFromBattle(action.battle);
    case 'shared':
      return { ...state, shareToken: action.token, notice: null };
    case 'notice':
      return { ...state, notice: action.message };
  }
}

function answerFrom(m: WireMessage | undefined): Answer {
  if (!m) return { text: '', status: 'error', error: { code: 'missing', message: 'This answer was not stored.' } };
  if (m.state === 'streaming') {
    // The stream that was writing it belonged to the page before the reload: it is gone.
    return { text: m.content, status: 'error', error: { code: 'connection', message: CONNECTION_LOST } };
  }
  if (m.state === 'error') return { text: m.content, status: 'error', error: m.error ?? { code: 'provider_error', message: 'The model did not answer.' } };
  return { text: m.content, status: 'done', finishReason: m.finishReason, tokens: m.tokens };
}

/** The page's state for a battle read back from the server (a reload, or a link from the history). */
export function stateFromBattle(battle: BattleResponse): BattleState {
  const direct = battle.mode === 'direct';
  const turns: Turn[] = [];
  for (let t = 1; t <= battle.turn; t++) {
    const user = battle.sides.a.find((m) => m.turn === t && m.role === 'user');
    const answer = (side: Side) => battle.sides[side].find((m) => m.turn === t && m.role === 'assistant');
    turns.push({
      prompt: user?.content ?? '',
      ...(user?.images?.length ? { images: user.images } : {}),
      a: answerFrom(answer('a')),
      b: direct ? { text: '', status: 'done' } : answerFrom(answer('b')),
    });
  }
  const voted = battle.status === 'voted' && !!battle.revealed;
  const mode: BattleMode = battle.mode === 'imported' ? 'live' : battle.mode;
  return {
    ...initialBattleState,
    phase: voted ? 'voted' : turns.length ? 'ready' : 'idle',
    mode,
    battleId: battle.id,
    turns,
    canVote: battle.canVote,
    turnsLeft: battle.turnsLeft,
    vote: battle.revealed?.winner ?? null,
    reveal: battle.revealed ?? null,
    chosen: battle.chosen ? { a: battle.chosen.a, b: battle.chosen.b } : null,
    shareToken: battle.shareToken ?? null,
  };
}

/**
 * Answers that a "new battle" would leave unvoted although they could be voted on now. Not while
 * they stream or a vote is on its way, not after a failure (nothing to vote on), and never in a
 * direct chat (no vote to lose).
 */
export function hasUnvotedAnswers(state: BattleState): boolean {
  return state.mode !== 'direct' && votingEnabled(state);
}

function applyEvent(state: BattleState, event: StreamEvent): BattleState {
  switch (event.type) {
    case 'battle':
      return { ...state, battleId: event.battleId };
    case 'delta':
      return {
        ...state,
        turns: updateSide(state.turns, event.side, (answer) => ({
          ...answer,
          text: answer.text + event.text,
          status: answer.status === 'waiting' ? 'streaming' : answer.status,
        })),
      };
    case 'done':
      return {
        ...state,
        turns: updateSide(state.turns, event.side, (answer) => ({
          ...answer,
          status: 'done',
          finishReason: event.finishReason,
          tokens: event.tokens,
        })),
      };
    case 'error':
      return {
        ...state,
        turns: updateSide(state.turns, event.side, (answer) => ({
          ...answer,
          status: 'error',
          error: { code: event.code, message: event.message },
        })),
      };
    case 'end': {
      const last = state.turns.at(-1);
      const failed = !!last && (last.a.status === 'error' || last.b.status === 'error');
      return {
        ...state,
        phase: 'ready',
        rollback: null,
        canVote: event.canVote && !failed,
        turnsLeft: event.turnsLeft ?? state.turnsLeft,
      };
    }
  }
}

function updateLast(turns: Turn[], update: (answer: Answer) => Answer): Turn[] {
  const last = turns.at(-1);
  if (!last) return turns;
  return [...turns.slice(0, -1), { ...last, a: update(last.a), b: update(last.b) }];
}

function updateSide(turns: Turn[], side: Side, update: (answer: Answer) => Answer): Turn[] {
  const last = turns.at(-1);
  if (!last) return turns;
  return [...turns.slice(0, -1), { ...last, [side]: update(last[side]) }];
}

/** True when the latest turn has a side that failed: such a battle cannot be voted. */
export function lastTurnFailed(state: BattleState): boolean {
  const last = state.turns.at(-1);
  return !!last && (last.a.status === 'error' || last.b.status === 'error');
}

export function votingEnabled(state: BattleState): boolean {
  return state.phase === 'ready' && state.canVote && !state.reveal && !lastTurnFailed(state);
}
