import type { RecordedPrompt } from '../providers/types';
import { readAnswers, readQuestions, type RecordedQuestion } from './recorded-set';
import type { ModelEntry, Registry } from './schema';

/**
 * Which models can take part in which kind of battle. Live battles use every enabled model that can
 * answer any prompt; recorded battles use recorded models on a question of their prompt set that at
 * least two of them have answered.
 */

type RecordedEntry = ModelEntry & { provider: Extract<ModelEntry['provider'], { kind: 'recorded' }> };

function isRecorded(m: ModelEntry): m is RecordedEntry {
  return m.provider.kind === 'recorded';
}

/** Enabled models that answer arbitrary prompts (everything but recorded answers). */
export function liveModels(registry: Registry): ModelEntry[] {
  return registry.models.filter((m) => m.enabled && m.provider.kind !== 'recorded');
}

interface SetCoverage {
  questions: RecordedQuestion[];
  /** question id → ids of the models that answered it */
  answeredBy: Map<string, string[]>;
  models: RecordedEntry[];
}

/** Enabled recorded models grouped by prompt set; unreadable sets and answer files are left out. */
async function coverage(registry: Registry): Promise<SetCoverage[]> {
  const bySet = new Map<string, RecordedEntry[]>();
  for (const m of registry.models) {
    if (!m.enabled || !isRecorded(m)) continue;
    const list = bySet.get(m.provider.set) ?? [];
    list.push(m);
    bySet.set(m.provider.set, list);
  }
  const sets: SetCoverage[] = [];
  for (const [setDir, models] of bySet) {
    let questions: RecordedQuestion[];
    try {
      questions = await readQuestions(setDir);
    } catch {
      continue;
    }
    const answeredBy = new Map<string, string[]>();
    const usable: RecordedEntry[] = [];
    for (const m of models) {
      let answers: Map<string, string>;
      try {
        answers = await readAnswers(m.provider.answers);
      } catch {
        continue;
      }
      usable.push(m);
      for (const q of questions) {
        if (!answers.get(q.questionId)?.trim()) continue;
        const list = answeredBy.get(q.questionId) ?? [];
        list.push(m.id);
        answeredBy.set(q.questionId, list);
      }
    }
    sets.push({ questions, answeredBy, models: usable });
  }
  return sets;
}

/**
 * Questions that at least two enabled recorded models can answer, in file order. Question ids are
 * the set's own `question_id`s; if two sets reuse an id, the set with more answering models keeps it.
 */
export async function recordedPrompts(registry: Registry): Promise<RecordedPrompt[]> {
  const best = new Map<string, { prompt: RecordedPrompt; count: number; order: number }>();
  let order = 0;
  for (const set of await coverage(registry)) {
    for (const q of set.questions) {
      const count = set.answeredBy.get(q.questionId)?.length ?? 0;
      order++;
      if (count < 2) continue;
      const prev = best.get(q.questionId);
      if (prev && prev.count >= count) continue;
      const prompt: RecordedPrompt = { questionId: q.questionId, text: q.text };
      if (q.category) prompt.category = q.category;
      best.set(q.questionId, { prompt, count, order: prev?.order ?? order });
    }
  }
  return [...best.values()].sort((a, b) => a.order - b.order).map((v) => v.prompt);
}

/**
 * The enabled recorded models that can answer `questionId` (all from the one set that offers it,
 * so both sides answer the same question text). Empty when fewer than two can.
 */
export async function recordedModelsFor(registry: Registry, questionId: string): Promise<ModelEntry[]> {
  let chosen: ModelEntry[] = [];
  for (const set of await coverage(registry)) {
    const ids = set.answeredBy.get(questionId) ?? [];
    if (ids.length >= 2 && ids.length > chosen.length) chosen = set.models.filter((m) => ids.includes(m.id));
  }
  return chosen;
}

/**
 * The pool of a recorded battle on `questionId`: the recorded models that answered it and, when
 * `withLive` (the operator's pairing.liveInRecorded), every enabled live model, which answers the
 * question's text live. Live models join only a question that recorded models can fight over
 * (at least two answered it), so the recorded pool is what decides which questions are offered.
 */
export async function recordedPool(registry: Registry, questionId: string, { withLive = false }: { withLive?: boolean } = {}): Promise<ModelEntry[]> {
  const recorded = await recordedModelsFor(registry, questionId);
  if (!withLive || recorded.length === 0) return recorded;
  return [...recorded, ...liveModels(registry)];
}
