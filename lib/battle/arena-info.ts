import type { RecordedPrompt } from '../providers/types';
import type { ModelEntry, Registry } from '../registry/schema';
import { liveModels } from '../registry/load';
import type { BattleDeps } from './deps';
import { eligibleCandidates } from './sampling';
import { IMAGE_TYPES, seesImages } from './images';

/**
 * What the battle page may offer: modes, recorded prompts, limits, and how many models can take
 * part. Counts only, never a model name: before a vote the browser must not learn who is in the
 * pool. Why a model is unreachable goes to the server log (see startUp in lib/app-context.ts),
 * never here: such reasons name files, endpoints and environment variables.
 */
export interface ArenaInfo {
  modes: [
    LiveModeInfo,
    { id: 'recorded'; available: boolean; prompts: { questionId: string; text: string; category: string }[] },
  ];
  /** The mode the page opens in. */
  defaultMode: 'live' | 'recorded';
  limits: { maxPromptChars: number; maxTurns: number };
  empty: boolean;
  /** Set when `empty`: nothing is configured, or what is configured cannot be reached. */
  emptyReason?: 'none-configured' | 'unreachable';
  /** Enabled models in the registry, and how many of them can be paired now. */
  models: { configured: number; reachable: number };
  /** Whether a prompt may carry an image (two vision models can be paired), and the limits. */
  images: { available: boolean; maxBytes: number; types: readonly string[] };
}

/** A model the voter may choose by name (side by side, direct chat). */
export interface NamedModel {
  id: string;
  name: string;
  organization: string;
  vision: boolean;
}

/**
 * The models offered by name in side by side and direct chat: enabled live models that can be
 * reached now. Only those modes' pickers ask for this list (GET /api/arena/models); the
 * anonymous battle's payloads never carry it.
 */
export async function namedModels(deps: BattleDeps): Promise<{ models: NamedModel[] }> {
  const live = liveModels(deps.registry()).filter((m) => m.enabled);
  const health = await Promise.all(live.map((m) => deps.isHealthy(m.id)));
  return {
    models: live
      .filter((_, k) => health[k])
      .map((m) => ({ id: m.id, name: m.name, organization: m.organization, vision: seesImages(m) }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  };
}

export interface LiveModeInfo {
  id: 'live';
  available: boolean;
  /** Live models that can be paired now. */
  models: number;
  /** True when every one of them is a test fixture (tiny models that write nonsense). */
  onlyFixtures: boolean;
}

/**
 * Fewer live models than this and every battle is (nearly) the same pair, so the page opens in
 * recorded mode when it can, or says how small the pool is.
 */
export const MIN_LIVE_POOL = 3;

export async function healthyCandidates(deps: BattleDeps, models: ModelEntry[]) {
  const usable = models.filter((m) => m.enabled && m.weight > 0);
  const health = new Map(await Promise.all(usable.map(async (m) => [m.id, await deps.isHealthy(m.id)] as const)));
  return eligibleCandidates(usable, (id) => health.get(id) === true);
}

export async function arenaInfo(deps: BattleDeps): Promise<ArenaInfo> {
  const registry = deps.registry();
  const usable = registry.models.filter((m) => m.enabled && m.weight > 0);
  const [health, prompts] = await Promise.all([
    Promise.all(usable.map(async (m) => [m.id, await deps.isHealthy(m.id)] as const)),
    deps.recordedPrompts(),
  ]);
  const healthy = new Set(health.filter(([, ok]) => ok).map(([id]) => id));
  return describeArena(registry, (id) => healthy.has(id), prompts);
}

/** The arena info for a registry, given which models are healthy and the recorded questions. */
export function describeArena(registry: Registry, isHealthy: (id: string) => boolean, prompts: RecordedPrompt[]): ArenaInfo {
  const { settings } = registry;
  const live = eligibleCandidates(liveModels(registry), isHealthy);
  const recorded = eligibleCandidates(
    registry.models.filter((m) => m.provider.kind === 'recorded'),
    isHealthy,
  );
  const recordedAvailable = recorded.length >= 2 && prompts.length > 0;
  const liveAvailable = live.length >= 2;
  const fixtures = new Set(registry.models.filter((m) => m.fixture).map((m) => m.id));
  const onlyFixtures = live.length > 0 && live.every((c) => fixtures.has(c.id));
  const weakLive = !liveAvailable || onlyFixtures || live.length < MIN_LIVE_POOL;
  const configured = registry.models.filter((m) => m.enabled && m.weight > 0).length;
  const empty = !liveAvailable && !recordedAvailable;
  return {
    modes: [
      { id: 'live', available: liveAvailable, models: live.length, onlyFixtures },
      {
        id: 'recorded',
        available: recordedAvailable,
        prompts: recordedAvailable
          ? prompts.map((p) => ({ questionId: p.questionId, text: p.text, category: p.category ?? 'general' }))
          : [],
      },
    ],
    defaultMode: recordedAvailable && weakLive ? 'recorded' : 'live',
    limits: { maxPromptChars: settings.maxPromptChars, maxTurns: settings.maxTurns },
    empty,
    ...(empty ? { emptyReason: configured === 0 ? 'none-configured' : 'unreachable' } : {}),
    models: { configured, reachable: live.length + recorded.length },
    images: {
      available: eligibleCandidates(liveModels(registry).filter(seesImages), isHealthy).length >= 2,
      maxBytes: settings.maxImageBytes,
      types: IMAGE_TYPES,
    },
  };
}
