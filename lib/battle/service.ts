import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  createBattle,
  finishTurn,
  getBattleView,
  startTurn,
  supersedeTurn,
  type BattleView,
  type TurnRows,
} from '../../db/queries/battles';
import { castVote } from '../../db/queries/votes';
import type { Message, Winner } from '../../db/schema';
import type { AppContext } from '../app-context';
import { AppError } from '../errors';
import type { ChatMessage } from '../providers/types';
import { liveModels, recordedModelsFor } from '../registry/load';
import type { ModelEntry } from '../registry/schema';
import { categorizePrompt, tagsFor } from './categorize';
import { checkLeak, type ConversationTurn } from './leak-check';
import { runTurn, safeErrorMessage, type SideErrorCode, type SideInput, type TurnEvent } from './run-turn';
import { eligibleCandidates, samplePair, type Rng } from './sampling';
import {
  assertCanRegenerate,
  assertCanSend,
  assertCanVote,
  battleState,
  isAnswerComplete,
  statusAfterTurn,
  type Side,
} from './state';

/**
 * The battle use cases behind the HTTP routes: arena info, create + first turn, follow-up,
 * regenerate, vote, and the battle view. Everything the browser receives is built here, and
 * nothing in it names a model before the vote.
 */

// ---------------------------------------------------------------- request bodies

export const createBattleBodySchema = z.object({
  prompt: z.string().optional(),
  mode: z.enum(['live', 'recorded']).default('live'),
  questionId: z.union([z.string().min(1), z.int().transform(String)]).optional(),
});
export type CreateBattleBody = z.infer<typeof createBattleBodySchema>;

export const messageBodySchema = z.object({ prompt: z.string() });

export const voteBodySchema = z.object({ winner: z.enum(['model_a', 'model_b', 'tie', 'tie (bothbad)']) });

/** Room for maxPromptChars characters even when every one is JSON-escaped (\uXXXX), plus the rest. */
export function maxBodyBytes(ctx: AppContext): number {
  return ctx.registry.settings.maxPromptChars * 6 + 4096;
}

export function promptTooLong(ctx: AppContext): AppError {
  return new AppError(
    'prompt_too_long',
    `The prompt is too long: at most ${ctx.registry.settings.maxPromptChars} characters are allowed.`,
  );
}

function checkPrompt(ctx: AppContext, prompt: string | undefined): string {
  if (prompt === undefined || prompt.trim() === '') {
    throw new AppError('validation_failed', 'Invalid request: prompt: write a prompt first.');
  }
  if ([...prompt].length > ctx.registry.settings.maxPromptChars) throw promptTooLong(ctx);
  return prompt;
}

// ---------------------------------------------------------------- arena

export interface ArenaInfo {
  modes: [
    { id: 'live'; available: boolean },
    { id: 'recorded'; available: boolean; prompts: { questionId: string; text: string; category: string }[] },
  ];
  limits: { maxPromptChars: number; maxTurns: number };
  empty: boolean;
}

async function healthyCandidates(ctx: AppContext, models: ModelEntry[]) {
  const usable = models.filter((m) => m.enabled && m.weight > 0);
  const health = new Map(await Promise.all(usable.map(async (m) => [m.id, await ctx.isHealthy(m.id)] as const)));
  return eligibleCandidates(usable, (id) => health.get(id) === true);
}

export async function arenaInfo(ctx: AppContext): Promise<ArenaInfo> {
  const { settings } = ctx.registry;
  const recordedModels = ctx.registry.models.filter((m) => m.provider.kind === 'recorded');
  const [live, recorded, prompts] = await Promise.all([
    healthyCandidates(ctx, liveModels(ctx.registry)),
    healthyCandidates(ctx, recordedModels),
    ctx.recordedPrompts(),
  ]);
  const recordedAvailable = recorded.length >= 2 && prompts.length > 0;
  return {
    modes: [
      { id: 'live', available: live.length >= 2 },
      {
        id: 'recorded',
        available: recordedAvailable,
        prompts: recordedAvailable
          ? prompts.map((p) => ({ questionId: p.questionId, text: p.text, category: p.category ?? 'general' }))
          : [],
      },
    ],
    limits: { maxPromptChars: settings.maxPromptChars, maxTurns: settings.maxTurns },
    empty: live.length < 2 && !recordedAvailable,
  };
}

// ---------------------------------------------------------------- turns

/** A turn ready to stream: the battle is locked (ctx.busy) until the stream ends. */
export interface PreparedTurn {
  battleId: string;
  rows: TurnRows;
  sides: SideInput[];
  /** True for the first turn of a battle created by this request. */
  newBattle: boolean;
}

function historyFor(messages: Message[], side: Side, upToTurn: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.side !== side || m.superseded || m.turn > upToTurn) continue;
    if (m.role === 'user') out.push({ role: 'user', content: m.content });
    else if (m.turn < upToTurn && m.content) out.push({ role: 'assistant', content: m.content });
  }
  return out;
}

function sideInputs(ctx: AppContext, view: BattleView, turn: number): SideInput[] {
  const ids: Record<Side, string> = { a: view.battle.modelA, b: view.battle.modelB };
  return (['a', 'b'] as const).map((side) => {
    const entry = ctx.models.get(ids[side]);
    if (!entry) {
      console.error(`[pairwise] battle ${view.battle.id}: model "${ids[side]}" is no longer in the registry`);
      throw new AppError('unavailable', 'One of the models of this battle is no longer available. Start a new battle.');
    }
    const system: ChatMessage[] = entry.defaults.systemPrompt ? [{ role: 'system', content: entry.defaults.systemPrompt }] : [];
    return {
      side,
      provider: ctx.provider(entry.id),
      messages: [...system, ...historyFor(view.messages, side, turn)],
      settings: { temperature: entry.defaults.temperature, maxTokens: entry.defaults.maxTokens },
      questionId: view.battle.questionId ?? undefined,
    };
  });
}

/** Takes the battle's lock, or refuses: two turns of one battle never run at once. */
function lock(ctx: AppContext, battleId: string): void {
  if (ctx.busy.has(battleId)) throw new AppError('not_ready', 'Wait until both answers have finished.');
  ctx.busy.add(battleId);
}

async function loadView(battleId: string): Promise<BattleView> {
  const view = await getBattleView({ id: battleId });
  if (!view) throw new AppError('not_found', 'No battle with this id.');
  return view;
}

export async function prepareNewBattle(
  ctx: AppContext,
  body: CreateBattleBody,
  opts: { voterId: string | null; rng?: Rng },
): Promise<PreparedTurn> {
  let prompt: string;
  let pool: ModelEntry[];
  let questionId: string | null = null;
  let questionCategory: string | null = null;
  if (body.mode === 'recorded') {
    if (!body.questionId) throw new AppError('validation_failed', 'Invalid request: questionId: required in recorded mode.');
    const question = (await ctx.recordedPrompts()).find((p) => p.questionId === body.questionId);
    if (!question) throw new AppError('not_found', 'No recorded prompt with this question id.');
    prompt = question.text;
    questionId = question.questionId;
    questionCategory = question.category ?? null;
    pool = await recordedModelsFor(ctx.registry, question.questionId);
  } else {
    prompt = checkPrompt(ctx, body.prompt);
    pool = liveModels(ctx.registry);
  }

  const pair = samplePair(await healthyCandidates(ctx, pool), opts.rng);
  const facts = categorizePrompt(prompt);
  const id = randomUUID();
  await createBattle({
    id,
    modelA: pair.a,
    modelB: pair.b,
    mode: body.mode,
    samplingProbability: pair.probability,
    questionId,
    language: facts.language,
    isCode: facts.isCode,
    promptChars: facts.promptChars,
    tags: tagsFor(prompt, ctx.registry.settings.tagRules, questionCategory),
    judge: opts.voterId,
  });
  lock(ctx, id);
  try {
    const rows = await startTurn({ battleId: id, prompt, expectedTurns: 0 });
    const view = await loadView(id);
    return { battleId: id, rows, sides: sideInputs(ctx, view, rows.turn), newBattle: true };
  } catch (err) {
    ctx.busy.delete(id);
    throw err;
  }
}

export async function prepareFollowUp(ctx: AppContext, battleId: string, rawPrompt: string): Promise<PreparedTurn> {
  const view = await loadView(battleId);
  const { settings } = ctx.registry;
  const state = battleState(view.battle, view.messages, { maxTurns: settings.maxTurns, busy: ctx.busy.has(battleId) });
  assertCanSend(state, view.battle.mode);
  const prompt = checkPrompt(ctx, rawPrompt);
  lock(ctx, battleId);
  try {
    const rows = await startTurn({ battleId, prompt, expectedTurns: view.battle.turns });
    const fresh = await loadView(battleId);
    return { battleId, rows, sides: sideInputs(ctx, fresh, rows.turn), newBattle: false };
  } catch (err) {
    ctx.busy.delete(battleId);
    throw err;
  }
}

export async function prepareRegenerate(ctx: AppContext, battleId: string): Promise<PreparedTurn> {
  const view = await loadView(battleId);
  const state = battleState(view.battle, view.messages, {
    maxTurns: ctx.registry.settings.maxTurns,
    busy: ctx.busy.has(battleId),
  });
  assertCanRegenerate(state, view.battle.mode);
  lock(ctx, battleId);
  try {
    // Built before the old answers are superseded, from the history without the last answers.
    const sides = sideInputs(ctx, view, view.battle.turns);
    const rows = await supersedeTurn({ battleId, turn: view.battle.turns });
    return { battleId, rows, sides, newBattle: false };
  } catch (err) {
    ctx.busy.delete(battleId);
    throw err;
  }
}

export type WireEvent =
  | { type: 'battle'; battleId: string; turn: number }
  | TurnEvent
  | { type: 'end'; canVote: boolean; turn: number; turnsLeft: number };

/**
 * Runs a prepared turn, writes both answers and the battle's new status, releases the lock, and
 * reports every event (the last one being `end`). Never throws: a failure of its own is logged
 * and ends the turn as failed.
 */
export async function executeTurn(
  ctx: AppContext,
  prepared: PreparedTurn,
  opts: { signal?: AbortSignal; emit: (e: WireEvent) => void },
): Promise<void> {
  const { settings } = ctx.registry;
  const { battleId, rows } = prepared;
  let canVote = false;
  try {
    opts.emit({ type: 'battle', battleId, turn: rows.turn });
    const outcomes = await runTurn({
      sides: prepared.sides,
      timeoutMs: settings.timeoutMs,
      signal: opts.signal,
      emit: opts.emit,
    });
    for (const o of outcomes) {
      if (o.error && o.code !== 'aborted') console.error(`[pairwise] battle ${battleId} side ${o.side}: ${o.code}: ${o.error}`);
    }
    const status = statusAfterTurn(outcomes);
    await finishTurn({
      battleId,
      status,
      answers: outcomes.map((o) => ({
        id: rows.answerIds[o.side],
        result: {
          content: o.content,
          finishReason: o.finishReason,
          tokens: o.tokens,
          ttftMs: o.ttftMs,
          durationMs: o.durationMs,
          error: o.error,
        },
      })),
    });
    canVote = status === 'active';
  } catch (err) {
    console.error(`[pairwise] battle ${battleId}: turn ${rows.turn} failed:`, err);
    await finishTurn({
      battleId,
      status: 'failed',
      answers: (['a', 'b'] as const).map((side) => ({
        id: rows.answerIds[side],
        result: { content: '', finishReason: 'provider_error', error: `server error: ${String(err)}` },
      })),
    }).catch((e) => console.error('[pairwise] could not record the failed turn:', e));
  } finally {
    ctx.busy.delete(battleId);
  }
  opts.emit({ type: 'end', canVote, turn: rows.turn, turnsLeft: Math.max(0, settings.maxTurns - rows.turn) });
}

// ---------------------------------------------------------------- view and vote

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
  state: 'streaming' | 'done' | 'error';
  finishReason?: 'stop' | 'length';
  tokens?: number | null;
  error?: { code: SideErrorCode; message: string };
}

export interface BattleResponse {
  id: string;
  status: 'active' | 'voted' | 'failed' | 'abandoned';
  mode: 'live' | 'recorded' | 'imported';
  questionId: string | null;
  turn: number;
  turnsLeft: number;
  canVote: boolean;
  canSend: boolean;
  canRegenerate: boolean;
  sides: Record<Side, WireMessage[]>;
  revealed?: Revealed;
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

function current(messages: Message[]): Message[] {
  return messages.filter((m) => !m.superseded);
}

function sideStats(messages: Message[], side: Side): SideStats {
  const answers = current(messages).filter((m) => m.side === side && m.role === 'assistant' && isAnswerComplete(m));
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

function reveal(ctx: AppContext, view: BattleView, winner: Winner, excluded: boolean): Revealed {
  const entry = (id: string) => {
    const m = ctx.models.get(id);
    return { id, name: m?.name ?? id, organization: m?.organization ?? 'unknown' };
  };
  return {
    winner,
    excluded,
    models: { a: entry(view.battle.modelA), b: entry(view.battle.modelB) },
    stats: { a: sideStats(view.messages, 'a'), b: sideStats(view.messages, 'b') },
  };
}

export function battleResponse(ctx: AppContext, view: BattleView): BattleResponse {
  const { battle } = view;
  const { settings } = ctx.registry;
  const state = battleState(battle, view.messages, { maxTurns: settings.maxTurns, busy: ctx.busy.has(battle.id) });
  const msgs = current(view.messages);
  const voted = Boolean(view.vote) && battle.status === 'voted';
  const side = (s: Side) => msgs.filter((m) => m.side === s).map((m) => wireMessage(m, settings.timeoutMs, voted));
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
  // Names only once the battle has its vote.
  if (voted && view.vote) {
    out.revealed = reveal(ctx, view, view.vote.winner, view.vote.excludedReason !== null);
  }
  return out;
}

export async function getBattleResponse(ctx: AppContext, battleId: string): Promise<BattleResponse> {
  return battleResponse(ctx, await loadView(battleId));
}

function conversation(messages: Message[]): ConversationTurn[] {
  const turns = new Map<number, ConversationTurn>();
  for (const m of current(messages)) {
    const t = turns.get(m.turn) ?? { turn: m.turn, prompt: '', a: '', b: '' };
    if (m.role === 'user') t.prompt = m.content;
    else t[m.side] = m.content;
    turns.set(m.turn, t);
  }
  return [...turns.values()].sort((x, y) => x.turn - y.turn);
}

export async function voteOnBattle(
  ctx: AppContext,
  battleId: string,
  winner: Winner,
  voterId: string | null,
): Promise<Revealed> {
  const view = await loadView(battleId);
  const state = battleState(view.battle, view.messages, {
    maxTurns: ctx.registry.settings.maxTurns,
    busy: ctx.busy.has(battleId),
  });
  if (view.battle.mode === 'imported') throw new AppError('battle_closed', 'Imported battles cannot be voted on here.');
  assertCanVote(state);
  const excludedReason = checkLeak(conversation(view.messages), ctx.leak);
  await castVote({ battleId, winner, voterId, excludedReason });
  return reveal(ctx, view, winner, excludedReason !== null);
}
