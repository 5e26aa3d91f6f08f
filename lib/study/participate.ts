import { randomUUID } from 'node:crypto';
import { createBattle, getBattleView, startTurn, supersedeTurn, type BattleView } from '../../db/queries/battles';
import {
  assignNext,
  attachBattle,
  bindCodeParticipant,
  cellsLeftFor,
  currentSlot,
  findParticipant,
  getItem,
  getStudy,
  joinParticipant,
  participantCounts,
  recordConsent,
  slotByBattle,
  studyItems,
} from '../../db/queries/studies';
import { castVote } from '../../db/queries/votes';
import type { Study, StudyItem, StudyParticipant, StudySlot, Winner } from '../../db/schema';
import type { BattleActor, BattleDeps } from '../battle/deps';
import { checkLeak } from '../battle/leak-check';
import type { SideInput } from '../battle/run-turn';
import { assertCanVote, battleState, type Side } from '../battle/state';
import type { PreparedTurn } from '../battle/turns';
import { currentMessages, type WireEvent } from '../battle/wire';
import { AppError } from '../errors';
import { hashInviteToken } from '../identity/accounts';
import { findModel } from '../registry/lookup';
import { participantProgress, studyVoterId, type CheckPolicy } from './assignment';
import { storedDefinition } from './create';
import type { CheckSpec } from './definition';
import { FixedAnswerProvider } from './fixed-answer';

/**
 * A participant's side of a study: joining (account, browser or invite code), consent, the next
 * item and the judgment. A judgment is a battle of the arena's machinery (streaming, failures,
 * regenerate, the one vote), owned by the study's voter id for this participant, so the arena's
 * own routes cannot open it and nothing names a model to the participant, before or after the
 * vote: a study stays blind to the end.
 */

export interface ParticipantActor extends BattleActor {
  user: { id: string } | null;
}

const NOT_FOUND = 'No study with this address.';

export async function openStudy(slug: string): Promise<Study> {
  const study = await getStudy({ slug });
  if (!study || study.kind !== 'native') throw new AppError('not_found', NOT_FOUND);
  return study;
}

function assertOpen(study: Study): void {
  if (study.status === 'draft') throw new AppError('forbidden', 'This study has not started yet.');
  if (study.status === 'closed') throw new AppError('forbidden', 'This study is closed. Thank you for your interest.');
}

/** The participant this request is, or null (no row yet, or an invite code still to be entered). */
export async function participantOf(study: Study, actor: ParticipantActor): Promise<StudyParticipant | null> {
  if (study.access === 'signed-in') return actor.userId ? findParticipant({ studyId: study.id, userId: actor.userId }) : null;
  return actor.voterId ? findParticipant({ studyId: study.id, voterId: actor.voterId }) : null;
}

function policyOf(study: Study, checks: number): CheckPolicy & { cells: number; leaseMs: number } {
  const def = storedDefinition(study);
  return {
    checks,
    every: def.attentionChecks?.every ?? 0,
    quota: def.quota ?? null,
    cells: def.balance?.cells ?? 0,
    leaseMs: def.leaseMinutes * 60_000,
  };
}

export interface Progress {
  done: number;
  total: number;
}

export interface ParticipantView {
  study: { slug: string; title: string; instructions: string | null; status: Study['status']; access: Study['access'] };
  /** What the page must ask for before the first item. */
  needs: 'sign-in' | 'code' | 'join' | 'consent' | null;
  consent: string | null;
  qualification: string | null;
  participant: { label: string } | null;
  excluded: boolean;
  progress: Progress | null;
  /** The item being judged, when its answers are complete (after a reload). */
  current: CurrentItem | null;
  finished: boolean;
}

export interface CurrentItem {
  battleId: string;
  prompt: string;
  answers: Record<Side, string>;
  canVote: boolean;
}

async function progressOf(study: Study, participant: StudyParticipant): Promise<Progress> {
  const checks = (await studyItems({ studyId: study.id })).filter((i) => i.kind === 'check').length;
  const policy = policyOf(study, checks);
  const done = await participantCounts({ participantId: participant.id });
  const cellsLeft = await cellsLeftFor({ studyId: study.id, participantId: participant.id, leaseMs: policy.leaseMs });
  const holding = (await currentSlot({ participantId: participant.id })) !== null;
  return participantProgress({ ...policy, ...done, cellsLeft, holding });
}

async function currentItem(view: BattleView, deps: BattleDeps): Promise<CurrentItem | null> {
  const state = battleState(view.battle, view.messages, { maxTurns: 1, busy: await deps.turns.isHeld(view.battle.id) });
  if (!state.canVote) return null;
  const msgs = currentMessages(view.messages);
  const answer = (side: Side) => msgs.find((m) => m.side === side && m.role === 'assistant')?.content ?? '';
  return {
    battleId: view.battle.id,
    prompt: msgs.find((m) => m.role === 'user')?.content ?? '',
    answers: { a: answer('a'), b: answer('b') },
    canVote: true,
  };
}

/** What the participant page shows now. */
export async function participantView(deps: BattleDeps, slug: string, actor: ParticipantActor): Promise<ParticipantView> {
  const study = await openStudy(slug);
  const def = storedDefinition(study);
  const participant = await participantOf(study, actor);
  let needs: ParticipantView['needs'] = null;
  if (study.access === 'signed-in' && !actor.userId) needs = 'sign-in';
  else if (!participant) needs = study.access === 'invite' ? 'code' : 'join';
  else if ((def.consent || def.qualification) && participant.consentedAt === null) needs = 'consent';
  let current: CurrentItem | null = null;
  let progress: Progress | null = null;
  let finished = false;
  if (participant) {
    progress = await progressOf(study, participant);
    const slot = await currentSlot({ participantId: participant.id });
    if (slot?.battleId) {
      const view = await getBattleView({ id: slot.battleId });
      if (view) current = await currentItem(view, deps);
    }
    finished = !slot && progress.done >= progress.total;
  }
  return {
    study: { slug: study.slug, title: study.title, instructions: def.instructions ?? null, status: study.status, access: study.access },
    needs,
    consent: def.consent ?? null,
    qualification: def.qualification ?? null,
    participant: participant ? { label: participant.label } : null,
    excluded: participant?.excludedAt != null,
    progress,
    current,
    finished,
  };
}

/** Normalises a participant code as typed: case, spaces and dashes do not matter. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/** Joins the study: with an invite code, or as this account or browser; agreeing to the consent when given. */
export async function joinStudy(slug: string, actor: ParticipantActor, body: { code?: string; agree?: boolean }): Promise<StudyParticipant> {
  const study = await openStudy(slug);
  assertOpen(study);
  const def = storedDefinition(study);
  let participant: StudyParticipant | null;
  if (study.access === 'invite') {
    participant = await participantOf(study, actor);
    if (body.code) {
      if (!actor.voterId) throw new AppError('bad_request', 'Cookies are needed to take part in this study.');
      participant = await bindCodeParticipant({ studyId: study.id, codeHash: hashInviteToken(normalizeCode(body.code)), voterId: actor.voterId });
      if (!participant) throw new AppError('forbidden', 'This participant code is not valid for this study.');
    }
    if (!participant) throw new AppError('forbidden', 'Enter the participant code of your invitation.');
  } else if (study.access === 'signed-in') {
    if (!actor.userId) throw new AppError('unauthorized', 'Sign in to take part in this study.');
    participant = await joinParticipant({ studyId: study.id, userId: actor.userId, voterId: null });
  } else {
    if (!actor.voterId) throw new AppError('bad_request', 'Cookies are needed to take part in this study.');
    participant = await joinParticipant({ studyId: study.id, userId: null, voterId: actor.voterId });
  }
  if (body.agree) await recordConsent({ participantId: participant.id });
  else if ((def.consent || def.qualification) && participant.consentedAt === null && body.agree === false) {
    throw new AppError('consent_required', 'You can take part only after agreeing.');
  }
  return (await findParticipant({ studyId: study.id, id: participant.id }))!;
}

async function activeParticipant(study: Study, actor: ParticipantActor): Promise<StudyParticipant> {
  assertOpen(study);
  const participant = await participantOf(study, actor);
  if (!participant) throw new AppError('forbidden', study.access === 'invite' ? 'Enter the participant code of your invitation first.' : 'Join the study first.');
  const def = storedDefinition(study);
  if ((def.consent || def.qualification) && participant.consentedAt === null) {
    throw new AppError('consent_required', 'Read the consent text and agree to it before the first item.');
  }
  if (participant.excludedAt !== null) throw new AppError('forbidden', 'Your participation in this study has ended. Thank you.');
  return participant;
}

function modelSide(deps: BattleDeps, side: Side, modelId: string, prompt: string, questionId: string): SideInput {
  const entry = findModel(deps.registry(), modelId);
  if (!entry) {
    console.error(`[pairwise] study: model "${modelId}" is no longer in the registry`);
    throw new AppError('unavailable', 'This item cannot be shown right now. Please try again later.');
  }
  const system = entry.defaults.systemPrompt ? [{ role: 'system' as const, content: entry.defaults.systemPrompt }] : [];
  return {
    side,
    provider: deps.provider(entry.id),
    messages: [...system, { role: 'user', content: prompt }],
    settings: { temperature: entry.defaults.temperature, maxTokens: entry.defaults.maxTokens },
    questionId,
  };
}

function checkSide(deps: BattleDeps, side: Side, sound: boolean, spec: CheckSpec, prompt: string): SideInput {
  if (spec.kind === 'recorded') return modelSide(deps, side, spec.model, prompt, sound ? spec.questionId : spec.offTopicQuestionId);
  return {
    side,
    provider: new FixedAnswerProvider(sound ? spec.good : spec.bad),
    messages: [{ role: 'user', content: prompt }],
    settings: { temperature: 0, maxTokens: 4096 },
  };
}

function slotSides(deps: BattleDeps, slot: StudySlot, item: StudyItem): SideInput[] {
  if (slot.kind === 'check') {
    const spec = JSON.parse(item.check ?? 'null') as CheckSpec;
    return (['a', 'b'] as const).map((side) => checkSide(deps, side, (side === 'a') === (slot.expected === 'model_a'), spec, item.text));
  }
  return [modelSide(deps, 'a', slot.modelA, item.text, item.key), modelSide(deps, 'b', slot.modelB, item.text, item.key)];
}

export type NextResult =
  | { kind: 'done'; progress: Progress }
  | { kind: 'turn'; prepared: PreparedTurn; prompt: string; progress: Progress }
  | { kind: 'replay'; events: WireEvent[]; prompt: string; progress: Progress };

/**
 * The participant's next item as a battle turn ready to stream: the item they hold (its answers
 * replayed when complete, regenerated when a side failed or the page was closed), else a newly
 * assigned one. `done` when nothing is left for them.
 */
export async function nextItem(deps: BattleDeps, slug: string, actor: ParticipantActor): Promise<NextResult> {
  const study = await openStudy(slug);
  const participant = await activeParticipant(study, actor);
  const items = await studyItems({ studyId: study.id });
  const checkItems = items.filter((i) => i.kind === 'check').map((i) => i.id);
  const policy = policyOf(study, checkItems.length);
  const assignment = await assignNext({
    studyId: study.id,
    participant,
    policy,
    checkItems,
    leaseMs: policy.leaseMs,
  });
  if ('done' in assignment) return { kind: 'done', progress: await progressOf(study, participant) };
  const { slot } = assignment;
  const item = (await getItem({ id: slot.itemId }))!;
  const voterId = studyVoterId(participant.id);
  const existing = slot.battleId ? await getBattleView({ id: slot.battleId }) : null;

  if (existing) {
    if (await deps.turns.isHeld(existing.battle.id)) throw new AppError('not_ready', 'This item is still loading in another tab.');
    const state = battleState(existing.battle, existing.messages, { maxTurns: 1, busy: false });
    if (state.canVote) return { kind: 'replay', events: replay(existing), prompt: item.text, progress: await progressOf(study, participant) };
    // A side failed or the page was closed mid-answer: the same item, answered again.
    const sides = slotSides(deps, slot, item);
    await deps.turns.acquire(existing.battle.id);
    try {
      const rows = await supersedeTurn({ battleId: existing.battle.id, turn: Math.max(1, existing.battle.turns) });
      return {
        kind: 'turn',
        prepared: { battleId: existing.battle.id, rows, sides, registry: deps.registry(), newBattle: false },
        prompt: item.text,
        progress: await progressOf(study, participant),
      };
    } catch (err) {
      await deps.turns.release(existing.battle.id);
      throw err;
    }
  }

  const sides = slotSides(deps, slot, item);
  const recordedOnly = [slot.modelA, slot.modelB].every((id) => findModel(deps.registry(), id)?.provider.kind === 'recorded');
  const battle = await createBattle({
    id: randomUUID(),
    modelA: slot.modelA,
    modelB: slot.modelB,
    mode: slot.kind === 'check' || recordedOnly ? 'recorded' : 'live',
    samplingProbability: 1,
    questionId: item.key,
    promptChars: [...item.text].length,
    judge: voterId,
    voterId,
    userId: null,
    network: actor.network,
    studyId: study.id,
  });
  if (!(await attachBattle({ slotId: slot.id, participantId: participant.id, battleId: battle.id }))) {
    throw new AppError('conflict', 'This item was given to someone else meanwhile. Please try again.');
  }
  await deps.turns.acquire(battle.id);
  try {
    const rows = await startTurn({ battleId: battle.id, prompt: item.text, expectedTurns: 0 });
    return {
      kind: 'turn',
      prepared: { battleId: battle.id, rows, sides, registry: deps.registry(), newBattle: true },
      prompt: item.text,
      progress: await progressOf(study, participant),
    };
  } catch (err) {
    await deps.turns.release(battle.id);
    throw err;
  }
}

/** The events of a complete turn, sent again (a reload, a second tab). */
function replay(view: BattleView): WireEvent[] {
  const msgs = currentMessages(view.messages);
  const events: WireEvent[] = [{ type: 'battle', battleId: view.battle.id, turn: view.battle.turns }];
  for (const side of ['a', 'b'] as const) {
    const answer = msgs.find((m) => m.side === side && m.role === 'assistant');
    events.push({ type: 'delta', side, text: answer?.content ?? '' });
    events.push({ type: 'done', side, finishReason: answer?.finishReason === 'length' ? 'length' : 'stop' });
  }
  events.push({ type: 'end', canVote: true, turn: view.battle.turns, turnsLeft: 0 });
  return events;
}

/** The participant's judgment of the item they hold: the battle's one vote. Returns their progress. */
export async function judgeItem(deps: BattleDeps, slug: string, actor: ParticipantActor, body: { battleId: string; winner: Winner }): Promise<{ progress: Progress }> {
  const study = await openStudy(slug);
  const participant = await activeParticipant(study, actor);
  const slot = await slotByBattle({ battleId: body.battleId });
  if (!slot || slot.studyId !== study.id || slot.participantId !== participant.id) {
    throw new AppError('conflict', 'This item is no longer assigned to you (it waited too long). Go on with the next one.');
  }
  const view = await getBattleView({ id: body.battleId });
  if (!view) throw new AppError('not_found', 'No such item.');
  assertCanVote(battleState(view.battle, view.messages, { maxTurns: 1, busy: await deps.turns.isHeld(body.battleId) }));
  const turns = currentMessages(view.messages);
  const leak =
    slot.kind === 'item'
      ? checkLeak(
          [
            {
              turn: 1,
              prompt: turns.find((m) => m.role === 'user')?.content ?? '',
              a: turns.find((m) => m.side === 'a' && m.role === 'assistant')?.content ?? '',
              b: turns.find((m) => m.side === 'b' && m.role === 'assistant')?.content ?? '',
            },
          ],
          deps.leak(),
        )
      : null;
  await castVote({ battleId: body.battleId, winner: body.winner, voterId: studyVoterId(participant.id), leakReason: leak });
  return { progress: await progressOf(study, participant) };
}
