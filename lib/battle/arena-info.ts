import type { ModelEntry } from '../registry/schema';
import { liveModels } from '../registry/load';
import type { BattleDeps } from './deps';
import { eligibleCandidates } from './sampling';

/** What the battle page may offer: modes, recorded prompts and limits. Never a model name. */
export interface ArenaInfo {
  modes: [
    { id: 'live'; available: boolean },
    { id: 'recorded'; available: boolean; prompts: { questionId: string; text: string; category: string }[] },
  ];
  limits: { maxPromptChars: number; maxTurns: number };
  empty: boolean;
}

export async function healthyCandidates(deps: BattleDeps, models: ModelEntry[]) {
  const usable = models.filter((m) => m.enabled && m.weight > 0);
  const health = new Map(await Promise.all(usable.map(async (m) => [m.id, await deps.isHealthy(m.id)] as const)));
  return eligibleCandidates(usable, (id) => health.get(id) === true);
}

export async function arenaInfo(deps: BattleDeps): Promise<ArenaInfo> {
  const registry = deps.registry();
  const { settings } = registry;
  const recordedModels = registry.models.filter((m) => m.provider.kind === 'recorded');
  const [live, recorded, prompts] = await Promise.all([
    healthyCandidates(deps, liveModels(registry)),
    healthyCandidates(deps, recordedModels),
    deps.recordedPrompts(),
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
