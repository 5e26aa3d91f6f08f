import { randomUUID } from 'node:crypto';
import { createBattle, finishTurn, getBattleView, startTurn, supersedeTurn, type BattleView, type TurnRows, type ViewImage } from '../../db/queries/battles';
import type { Message } from '../../db/schema';
import { AppError } from '../errors';
import type { ChatMessage } from '../providers/types';
import { liveModels } from '../registry/load';
import { recordedPool } from '../registry/recorded-prompts';
import { boardSamplingState } from '../leaderboard/sampling-state';
import { findModel } from '../registry/lookup';
import type { ModelEntry, Registry } from '../registry/schema';
import { ensureVoterStored } from '../identity/actor';
import { loadOwnedView } from './access';
import { healthyCandidates } from './arena-info';
import { checkPrompt, type CreateBattleBody } from './bodies';
import { decodeImage, seesImages, type PromptImage } from './images';
import { categorizePrompt, tagsFor } from './categorize';
import type { BattleActor, BattleDeps } from './deps';
import { runTurn, type SideInput } from './run-turn';
import { drawActivePair, samplePair, type Candidate, type DrawnPair, type Rng } from './sampling';
import { equalPace } from './equal-pace';
import { assertCanRegenerate, assertCanSend, battleState, statusAfterTurn, type Side } from './state';
import type { WireEvent } from './wire';

/**
 * The turns of a battle: the first one (which creates the battle and pairs the models), a
 * follow-up, and a regenerate. Each is prepared (checked, locked, rows written) before the
 * response starts, so a refusal is an ordinary JSON error; then it is executed while streaming.
 */

/** A turn ready to stream: the battle's turn lock is held until the stream ends. */
export interface PreparedTurn {
  battleId: string;
  rows: TurnRows;
  sides: SideInput[];
  /** The registry the turn started with: a change made meanwhile applies to the next turn. */
  registry: Registry;
  /** True for the first turn of a battle created by this request. */
  newBattle: boolean;
}

function historyFor(messages: Message[], side: Side, upToTurn: number, images: ViewImage[] = []): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.side !== side || m.superseded || m.turn > upToTurn) continue;
    if (m.role === 'user') {
      const own = images.filter((i) => i.turn === m.turn).map((i) => ({ mediaType: i.mediaType, data: i.data }));
      out.push(own.length ? { role: 'user', content: m.content, images: own } : { role: 'user', content: m.content });
    }
    else if (m.turn < upToTurn && m.content) out.push({ role: 'assistant', content: m.content });
  }
  return out;
}

function sideInputs(deps: BattleDeps, registry: Registry, view: BattleView, turn: number): SideInput[] {
  const ids: Record<Side, string> = { a: view.battle.modelA, b: view.battle.modelB };
  const sides: Side[] = view.battle.mode === 'direct' ? ['a'] : ['a', 'b'];
  const inputs = sides.map((side) => {
    const entry = findModel(registry, ids[side]);
    if (!entry) {
      console.error(`[pairwise] battle ${view.battle.id}: model "${ids[side]}" is no longer in the registry`);
      throw new AppError('unavailable', 'One of the models of this battle is no longer available. Start a new battle.');
    }
    const system: ChatMessage[] = entry.defaults.systemPrompt ? [{ role: 'system', content: entry.defaults.systemPrompt }] : [];
    return {
      side,
      provider: deps.provider(entry.id),
      messages: [...system, ...historyFor(view.messages, side, turn, view.images)],
      settings: { temperature: entry.defaults.temperature, maxTokens: entry.defaults.maxTokens },
      questionId: view.battle.questionId ?? undefined,
    };
  });
  // A recorded model against a live one: both shown together, at the recorded model's pace.
  const entries = sides.map((side) => findModel(registry, ids[side])!);
  const recorded = entries.find((e) => e.provider.kind === 'recorded');
  if (recorded && entries.some((e) => e.provider.kind !== 'recorded')) {
    const pace = recorded.provider.kind === 'recorded' ? recorded.provider.charsPerSecond : 400;
    const paced = equalPace(
      inputs.map((i) => i.provider),
      pace,
    );
    return inputs.map((input, k) => ({ ...input, provider: paced[k] }));
  }
  return inputs;
}

/**
 * The pairing of a new battle, by the operator's policy (settings section `pairing`): active
 * sampling on the stored overall board's state by default, or registry weights alone.
 */
async function drawPair(deps: BattleDeps, candidates: Candidate[], rng?: Rng): Promise<DrawnPair> {
  const policy = deps.operator?.().pairing.policy ?? 'active';
  if (policy === 'weighted') return samplePair(candidates, rng);
  const { key, state } = await boardSamplingState();
  return drawActivePair(candidates, state, key, rng);
}

/** Runs `fn` holding the battle's turn lock, releasing it if `fn` fails (on success the turn keeps it). */
async function lockedTurn<T>(deps: BattleDeps, battleId: string, fn: () => Promise<T>): Promise<T> {
  await deps.turns.acquire(battleId);
  try {
    return await fn();
  } catch (err) {
    await deps.turns.release(battleId);
    throw err;
  }
}

async function reload(battleId: string): Promise<BattleView> {
  const view = await getBattleView({ id: battleId });
  if (!view) throw new AppError('not_found', 'No battle with this id.');
  return view;
}

/** The models of a new battle and how they were chosen. */
interface Pairing {
  a: string;
  b: string;
  /** Probability of the drawn pair; null for a pair the voter chose. */
  probability: number | null;
}

/** A model the voter chose by name: an enabled live model of the registry, healthy now. */
async function chosenModel(deps: BattleDeps, registry: Registry, id: string, needsVision: boolean): Promise<ModelEntry> {
  const entry = liveModels(registry).find((m) => m.id === id && m.enabled);
  if (!entry) throw new AppError('validation_failed', `Invalid request: model: "${id}" is not one of the arena's models.`);
  if (needsVision && !seesImages(entry)) throw new AppError('validation_failed', `Invalid request: images: ${entry.name} cannot read images.`);
  if (!(await deps.isHealthy(entry.id))) throw new AppError('unavailable', `${entry.name} cannot be reached right now. Choose another model.`);
  return entry;
}

/** Only vision models are paired for a prompt with images; at least two must be ready. */
async function visionPool(deps: BattleDeps, pool: ModelEntry[]): Promise<ModelEntry[]> {
  const vision = pool.filter(seesImages);
  const ready = await healthyCandidates(deps, vision);
  if (ready.length < 2) {
    throw new AppError(
      'no_models',
      ready.length === 0
        ? 'Images need two models that can read them, and this arena has none available. Send the prompt without the image.'
        : 'Images need two models that can read them, and this arena has only one available. Send the prompt without the image.',
    );
  }
  return vision;
}

export async function prepareNewBattle(
  deps: BattleDeps,
  body: CreateBattleBody,
  actor: BattleActor,
  opts: { rng?: Rng } = {},
): Promise<PreparedTurn> {
  const registry = deps.registry();
  let prompt: string;
  let questionId: string | null = null;
  let questionCategory: string | null = null;
  let pairing: Pairing;
  const images: PromptImage[] = (body.images ?? []).map((img) => decodeImage(img, registry.settings.maxImageBytes));
  if (body.mode === 'recorded') {
    if (!body.questionId) throw new AppError('validation_failed', 'Invalid request: questionId: required in recorded mode.');
    if (images.length) throw new AppError('validation_failed', 'Invalid request: images: recorded battles have no images.');
    const question = (await deps.recordedPrompts()).find((p) => p.questionId === body.questionId);
    if (!question) throw new AppError('not_found', 'No recorded prompt with this question id.');
    prompt = question.text;
    questionId = question.questionId;
    questionCategory = question.category ?? null;
    const pool = await recordedPool(registry, question.questionId, { withLive: deps.operator?.().pairing.liveInRecorded ?? false });
    pairing = await drawPair(deps, await healthyCandidates(deps, pool), opts.rng);
  } else if (body.mode === 'named') {
    if (!body.models) throw new AppError('validation_failed', 'Invalid request: models: choose two models for side by side.');
    if (body.models[0] === body.models[1]) throw new AppError('validation_failed', 'Invalid request: models: choose two different models.');
    prompt = checkPrompt(registry.settings, body.prompt);
    const [a, b] = await Promise.all(body.models.map((id) => chosenModel(deps, registry, id, images.length > 0)));
    pairing = { a: a.id, b: b.id, probability: null };
  } else if (body.mode === 'direct') {
    if (!body.model) throw new AppError('validation_failed', 'Invalid request: model: choose a model to chat with.');
    prompt = checkPrompt(registry.settings, body.prompt);
    const entry = await chosenModel(deps, registry, body.model, images.length > 0);
    pairing = { a: entry.id, b: entry.id, probability: null };
  } else {
    prompt = checkPrompt(registry.settings, body.prompt);
    const pool = images.length ? await visionPool(deps, liveModels(registry)) : liveModels(registry);
    pairing = await drawPair(deps, await healthyCandidates(deps, pool), opts.rng);
  }

  const facts = categorizePrompt(prompt);
  const id = randomUUID();
  await ensureVoterStored({ voterId: actor.voterId, userId: actor.userId, network: actor.network, mintedVoter: actor.mintedVoter ?? false });
  await createBattle({
    id,
    modelA: pairing.a,
    modelB: pairing.b,
    mode: body.mode,
    samplingProbability: pairing.probability,
    anony: body.mode === 'named' ? false : null,
    vision: images.length > 0,
    questionId,
    language: facts.language,
    isCode: facts.isCode,
    promptChars: facts.promptChars,
    tags: tagsFor(prompt, registry.settings.tagRules, questionCategory),
    judge: actor.voterId,
    voterId: actor.voterId,
    userId: actor.userId,
    network: actor.network,
  });
  return lockedTurn(deps, id, async () => {
    const rows = await startTurn({ battleId: id, prompt, expectedTurns: 0, images });
    const view = await reload(id);
    return { battleId: id, rows, sides: sideInputs(deps, registry, view, rows.turn), registry, newBattle: true };
  });
}

export async function prepareFollowUp(deps: BattleDeps, battleId: string, rawPrompt: string, actor: BattleActor): Promise<PreparedTurn> {
  const registry = deps.registry();
  const view = await loadOwnedView(battleId, actor);
  const state = battleState(view.battle, view.messages, { maxTurns: registry.settings.maxTurns, busy: await deps.turns.isHeld(battleId) });
  assertCanSend(state, view.battle.mode);
  const prompt = checkPrompt(registry.settings, rawPrompt);
  return lockedTurn(deps, battleId, async () => {
    const rows = await startTurn({ battleId, prompt, expectedTurns: view.battle.turns });
    const fresh = await reload(battleId);
    return { battleId, rows, sides: sideInputs(deps, registry, fresh, rows.turn), registry, newBattle: false };
  });
}

export async function prepareRegenerate(deps: BattleDeps, battleId: string, actor: BattleActor): Promise<PreparedTurn> {
  const registry = deps.registry();
  const view = await loadOwnedView(battleId, actor);
  const state = battleState(view.battle, view.messages, { maxTurns: registry.settings.maxTurns, busy: await deps.turns.isHeld(battleId) });
  assertCanRegenerate(state, view.battle.mode);
  return lockedTurn(deps, battleId, async () => {
    // Built before the old answers are superseded, from the history without the last answers.
    const sides = sideInputs(deps, registry, view, view.battle.turns);
    const rows = await supersedeTurn({ battleId, turn: view.battle.turns });
    return { battleId, rows, sides, registry, newBattle: false };
  });
}

/**
 * Runs a prepared turn, writes both answers and the battle's new status, releases the lock, and
 * reports every event (the last one being `end`). Never throws: a failure of its own is logged
 * and ends the turn as failed.
 */
export async function executeTurn(
  deps: BattleDeps,
  prepared: PreparedTurn,
  opts: { signal?: AbortSignal; emit: (e: WireEvent) => void },
): Promise<void> {
  const { settings } = prepared.registry;
  const { battleId, rows } = prepared;
  let canVote = false;
  try {
    opts.emit({ type: 'battle', battleId, turn: rows.turn });
    const outcomes = await runTurn({
      sides: prepared.sides,
      timeoutMs: settings.timeoutMs,
      signal: opts.signal,
      emit: opts.emit,
      maxAnswerChars: settings.maxAnswerChars,
      framing: { frameMs: settings.frameMs, startTogether: settings.startTogether },
    });
    for (const o of outcomes) {
      if (o.error && o.code !== 'aborted') console.error(`[pairwise] battle ${battleId} side ${o.side}: ${o.code}: ${o.error}`);
    }
    const status = statusAfterTurn(outcomes);
    await finishTurn({
      battleId,
      status,
      answers: outcomes.map((o) => ({
        id: rows.answerIds[o.side]!,
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
    // A direct chat (one side) has no vote.
    canVote = status === 'active' && prepared.sides.length === 2;
  } catch (err) {
    console.error(`[pairwise] battle ${battleId}: turn ${rows.turn} failed:`, err);
    await finishTurn({
      battleId,
      status: 'failed',
      answers: prepared.sides.map(({ side }) => ({
        id: rows.answerIds[side]!,
        result: { content: '', finishReason: 'provider_error', error: `server error: ${String(err)}` },
      })),
    }).catch((e) => console.error('[pairwise] could not record the failed turn:', e));
  } finally {
    await deps.turns.release(battleId);
  }
  opts.emit({ type: 'end', canVote, turn: rows.turn, turnsLeft: Math.max(0, settings.maxTurns - rows.turn) });
}
