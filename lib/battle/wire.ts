import type { BattleView } from '../../db/queries/battles';
import type { Message, Winner } from '../../db/schema';
import type { ModelEntry } from '../registry/schema';
import { safeErrorMessage, type SideErrorCode, type TurnEvent } from './run-turn';
import { battleState, isAnswerComplete, type Side } from './state';

/**
 * What the browser receives about a battle. Everything here is built from sides `a` and `b`
 * only; model names appear in `revealed`, which exists once the battle has its vote.
 */

export type WireEvent =
  | { type: 'battle'; battleId: string; turn: number }
  | TurnEvent
  | { type: 'end'; canVote: boolean; turn: number; turnsLeft: number };

export interface SideStats {
  ttftMs: number | null;
  tokensPerSecond: number | null;
  tokens: number;
}

export interface Revealed {
  winner: Winner;
  excluded: boolean;
  models: Record<Side, { id: string; name: string; organization: string }>;
  stats: Record<Side, SideStats>;
}

export interface WireMessage {
  turn: number;
  role: 'user' | 'assistant';
  content: string;
  /** The prompt's images, as data URLs (the voter's own upload). */
  images?: string[];
  state: 'streaming' | 'done' | 'error';
  finishReason?: 'stop' | 'length';
  tokens?: number | null;
  error?: { code: SideErrorCode; message: string };
}

export interface BattleResponse {
  id: string;
  status: 'active' | 'voted' | 'failed' | 'abandoned';
  mode: 'live' | 'recorded' | 'imported' | 'named' | 'direct';
  questionId: string | null;
  turn: number;
  turnsLeft: number;
  canVote: boolean;
  canSend: boolean;
  canRegenerate: boolean;
  sides: Record<Side, WireMessage[]>;
  revealed?: Revealed;
  /**
   * Side by side and direct chat only: the models the voter chose, by name, from the start
   * (an anonymous battle never has this field).
   */
  chosen?: { a: ChosenModel; b: ChosenModel | null };
  /** The share link's token, once the owner shared the battle. */
  shareToken?: string | null;
}

export interface ChosenModel {
  id: string;
  name: string;
  organization: string;
}

/** Modes in which the voter chose the models by name. */
export function isNamedMode(mode: string): mode is 'named' | 'direct' {
  return mode === 'named' || mode === 'direct';
}

export function imageDataUrls(view: Pick<BattleView, 'images'>, turn: number): string[] {
  return view.images.filter((i) => i.turn === turn).map((i) => `data:${i.mediaType};base64,${i.data.toString('base64')}`);
}

const ERROR_CODES = new Set<string>(['provider_error', 'timeout', 'empty', 'aborted']);

/** Token counts appear only once revealed: characters per token would hint at the tokenizer. */
function wireMessage(m: Message, timeoutMs: number, revealed: boolean): WireMessage {
  if (m.role === 'user') return { turn: m.turn, role: 'user', content: m.content, state: 'done' };
  if (m.finishReason === null) return { turn: m.turn, role: 'assistant', content: m.content, state: 'streaming' };
  if (isAnswerComplete(m)) {
    return {
      turn: m.turn,
      role: 'assistant',
      content: m.content,
      state: 'done',
      finishReason: m.finishReason === 'length' ? 'length' : 'stop',
      ...(revealed ? { tokens: m.tokens } : {}),
    };
  }
  const code = (ERROR_CODES.has(m.finishReason) ? m.finishReason : 'provider_error') as SideErrorCode;
  return {
    turn: m.turn,
    role: 'assistant',
    content: m.content,
    state: 'error',
    error: { code, message: safeErrorMessage(m.side, code, timeoutMs) },
  };
}

export function currentMessages(messages: Message[]): Message[] {
  return messages.filter((m) => !m.superseded);
}

function sideStats(messages: Message[], side: Side): SideStats {
  const answers = currentMessages(messages).filter((m) => m.side === side && m.role === 'assistant' && isAnswerComplete(m));
  const ttfts = answers.map((m) => m.ttftMs).filter((x): x is number => x !== null);
  const tokens = answers.reduce((s, m) => s + (m.tokens ?? 0), 0);
  // Generation speed after the first token, over all of this side's answers.
  const genMs = answers.reduce((s, m) => s + Math.max(0, (m.durationMs ?? 0) - (m.ttftMs ?? 0)), 0);
  return {
    ttftMs: ttfts.length ? Math.round(ttfts.reduce((s, x) => s + x, 0) / ttfts.length) : null,
    tokensPerSecond: genMs > 0 && tokens > 0 ? Math.round((tokens / (genMs / 1000)) * 10) / 10 : null,
    tokens,
  };
}

export function reveal(models: (id: string) => ModelEntry | undefined, view: BattleView, winner: Winner, excluded: boolean): Revealed {
  const entry = (id: string) => {
    const m = models(id);
    return { id, name: m?.name ?? id, organization: m?.organization ?? 'unknown' };
  };
  return {
    winner,
    excluded,
    models: { a: entry(view.battle.modelA), b: entry(view.battle.modelB) },
    stats: { a: statsOf(view, 'a'), b: statsOf(view, 'b') },
  };
}

/** Recorded answers are replayed at a set pace: their timings would be made-up speeds. */
function statsOf(view: BattleView, side: Side): SideStats {
  const stats = sideStats(view.messages, side);
  return view.battle.mode === 'recorded' ? { ...stats, ttftMs: null, tokensPerSecond: null } : stats;
}

export function battleResponse(
  view: BattleView,
  opts: { maxTurns: number; timeoutMs: number; busy: boolean; models: (id: string) => ModelEntry | undefined },
): BattleResponse {
  const { battle } = view;
  const state = battleState(battle, view.messages, { maxTurns: opts.maxTurns, busy: opts.busy });
  const msgs = currentMessages(view.messages);
  const voted = Boolean(view.vote) && battle.status === 'voted';
  const side = (s: Side) =>
    msgs
      .filter((m) => m.side === s)
      .map((m) => {
        const w = wireMessage(m, opts.timeoutMs, voted);
        if (m.role !== 'user' || view.images.length === 0) return w;
        const images = imageDataUrls(view, m.turn);
        return images.length ? { ...w, images } : w;
      });
  const out: BattleResponse = {
    id: battle.id,
    status: battle.status,
    mode: battle.mode,
    questionId: battle.questionId,
    turn: state.turn,
    turnsLeft: state.turnsLeft,
    canVote: state.canVote,
    canSend: state.canSend,
    canRegenerate: state.canRegenerate,
    sides: { a: side('a'), b: side('b') },
  };
  // Names only once the battle has its vote (or, in the named modes, the ones the voter chose).
  if (voted && view.vote) out.revealed = reveal(opts.models, view, view.vote.winner, view.vote.excludedReason !== null);
  if (isNamedMode(battle.mode)) {
    const entry = (id: string): ChosenModel => {
      const m = opts.models(id);
      return { id, name: m?.name ?? id, organization: m?.organization ?? 'unknown' };
    };
    out.chosen = { a: entry(battle.modelA), b: battle.mode === 'direct' ? null : entry(battle.modelB) };
  }
  if (battle.shareToken) out.shareToken = battle.shareToken;
  return out;
}
