import { AppError } from '../errors';

/**
 * The battle state machine, as pure functions over what is stored.
 *
 *   active ──turn ok──▶ active ──vote──▶ voted (closed)
 *     │                    ▲
 *     ├─a side errored──▶ failed ────regenerate ok──┘
 *     └─page closed────▶ abandoned ──regenerate ok──┘
 *
 * A turn in which a side failed (provider error, timeout, empty answer) or was stopped because
 * the page closed leaves the battle unvotable: voting on half a conversation would put a bias
 * into the ratings that nobody could see. The battle stays open for a regenerate of that turn
 * (which supersedes both answers), and becomes active again when both sides then finish.
 * New messages are refused until then, because one side's history would lack an answer.
 */

export type BattleStatus = 'active' | 'voted' | 'failed' | 'abandoned';
/** 'named': side by side with chosen models (not anonymous); 'direct': one chosen model, side a only, no vote. */
export type BattleMode = 'live' | 'recorded' | 'imported' | 'named' | 'direct';

/** Modes whose battles take follow-up prompts. */
const CONVERSATIONAL = new Set<BattleMode>(['live', 'named', 'direct']);
export type Side = 'a' | 'b';

/** Just the fields of a stored message the state machine looks at. */
export interface MessageFacts {
  side: Side;
  turn: number;
  role: 'user' | 'assistant';
  superseded: boolean;
  /** Null while the answer is still streaming. */
  finishReason: string | null;
  error: string | null;
}

export interface BattleFacts {
  status: BattleStatus;
  mode: BattleMode;
  turns: number;
}

export interface BattleState {
  status: BattleStatus;
  turn: number;
  turnsLeft: number;
  /** An answer of the latest turn has not finished yet (or a turn is being set up). */
  streaming: boolean;
  /** Both answers of the latest turn finished without error. */
  lastTurnComplete: boolean;
  canVote: boolean;
  canSend: boolean;
  canRegenerate: boolean;
}

/** Finish reasons that count as a complete answer. */
const OK_FINISH = new Set(['stop', 'length']);

export function isAnswerComplete(m: MessageFacts): boolean {
  return m.finishReason !== null && OK_FINISH.has(m.finishReason) && !m.error;
}

export function latestAnswers(messages: readonly MessageFacts[], turn: number): Partial<Record<Side, MessageFacts>> {
  const out: Partial<Record<Side, MessageFacts>> = {};
  for (const m of messages) {
    if (m.role === 'assistant' && m.turn === turn && !m.superseded) out[m.side] = m;
  }
  return out;
}

export function battleState(
  battle: BattleFacts,
  messages: readonly MessageFacts[],
  opts: { maxTurns: number; busy?: boolean },
): BattleState {
  const turn = battle.turns;
  const answers = latestAnswers(messages, turn);
  // A direct chat has one side.
  const sides = battle.mode === 'direct' ? [answers.a] : [answers.a, answers.b];
  const streaming = !!opts.busy || sides.some((m) => m !== undefined && m.finishReason === null);
  const lastTurnComplete = turn > 0 && sides.every((m) => m !== undefined && isAnswerComplete(m));
  const open = battle.status !== 'voted' && battle.mode !== 'imported';
  const canVote = open && battle.mode !== 'direct' && battle.status === 'active' && !streaming && lastTurnComplete;
  return {
    status: battle.status,
    turn,
    turnsLeft: Math.max(0, opts.maxTurns - turn),
    streaming,
    lastTurnComplete,
    canVote,
    canSend:
      open && CONVERSATIONAL.has(battle.mode) && battle.status === 'active' && !streaming && lastTurnComplete && turn < opts.maxTurns,
    canRegenerate: open && !streaming && turn > 0,
  };
}

/** Throws the AppError that explains why a new message is refused; returns when it is allowed. */
export function assertCanSend(state: BattleState, mode: BattleMode): void {
  if (state.status === 'voted' || mode === 'imported') throw new AppError('battle_closed', 'This battle is closed: it has been voted on.');
  if (mode === 'recorded') {
    throw new AppError('conflict', 'Recorded battles have one prompt; start a new battle to ask another.');
  }
  if (state.streaming) throw new AppError('not_ready', 'Wait until both answers have finished.');
  if (state.turnsLeft === 0) {
    throw new AppError('turn_limit', 'This battle has reached its turn limit; vote or start a new battle.');
  }
  if (!state.lastTurnComplete || state.status !== 'active') {
    throw new AppError('not_ready', 'The last turn did not finish on both sides; regenerate it or start a new battle.');
  }
}

export function assertCanRegenerate(state: BattleState, mode: BattleMode): void {
  if (state.status === 'voted' || mode === 'imported') throw new AppError('battle_closed', 'This battle is closed: it has been voted on.');
  if (state.streaming) throw new AppError('not_ready', 'Wait until both answers have finished.');
  if (state.turn === 0) throw new AppError('not_ready', 'There is no answer to regenerate yet.');
}

export function assertCanVote(state: BattleState, mode?: BattleMode): void {
  if (mode === 'direct') throw new AppError('conflict', 'A direct chat has no vote.');
  if (state.status === 'voted') throw new AppError('already_voted', 'This battle has already been voted on.');
  if (state.streaming) throw new AppError('not_ready', 'Wait until both answers have finished before voting.');
  if (state.status === 'failed' || state.status === 'abandoned') {
    throw new AppError(
      'battle_closed',
      'A side did not answer in this battle, so it cannot be voted on. Regenerate the answers or start a new battle.',
    );
  }
  if (!state.canVote) throw new AppError('not_ready', 'Both sides must finish answering before you vote.');
}

/** Status after a turn: any side failing makes the battle failed; a closed page abandons it. */
export function statusAfterTurn(outcomes: readonly { ok: boolean; code?: string }[]): BattleStatus {
  if (outcomes.every((o) => o.ok)) return 'active';
  if (outcomes.some((o) => !o.ok && o.code !== 'aborted')) return 'failed';
  return 'abandoned';
}
