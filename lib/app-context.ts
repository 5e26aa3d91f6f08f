import { databasePath, getDb } from '../db/index';
import { abortUnfinishedMessages } from '../db/queries/battles';
import { buildLeakWords, leakMatcher, type LeakMatcher } from './battle/leak-check';
import { createProvider } from './providers/create-provider';
import type { ModelProvider, RecordedPrompt } from './providers/types';
import { loadRegistry, recordedPrompts } from './registry/load';
import type { ModelEntry, Registry } from './registry/schema';
import { loadVoterSecret } from './voter';

/**
 * What the server loads once per process: the registry, one provider per model (GGUF providers
 * own native memory, so they must not be created per request), a health cache, and the ids of
 * battles with a turn in flight. Kept on globalThis because Next.js bundles instrumentation and
 * each route separately: module-level state would not be shared between them, the process is.
 */
export interface AppContext {
  registry: Registry;
  models: Map<string, ModelEntry>;
  /** HMAC key of the voter cookie. */
  voterSecret: string;
  leak: LeakMatcher;
  provider(id: string): ModelProvider;
  /** Health of a model, from a short-lived cache; a check that hangs counts as unhealthy. */
  isHealthy(id: string): Promise<boolean>;
  /** Questions of the recorded prompt sets that at least two recorded models answer. */
  recordedPrompts(): Promise<RecordedPrompt[]>;
  /** Battles with a turn streaming now; a second turn or a vote on them waits (409 not_ready). */
  busy: Set<string>;
}

const HEALTHY_TTL_MS = 30_000;
const UNHEALTHY_TTL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;

const g = globalThis as unknown as { __pairwiseApp?: Promise<AppContext> };

async function createAppContext(): Promise<AppContext> {
  const registry = await loadRegistry();
  for (const w of registry.warnings ?? []) console.warn(`[pairwise] registry: ${w}`);

  // Opening the store runs the migrations, so a broken database also stops start-up.
  getDb();
  const interrupted = await abortUnfinishedMessages();
  if (interrupted > 0) console.warn(`[pairwise] ${interrupted} answer(s) left streaming by the last run were marked aborted.`);

  const models = new Map(registry.models.map((m) => [m.id, m]));
  const providers = new Map<string, ModelProvider>();
  const health = new Map<string, { ok: boolean; at: number; pending?: Promise<boolean> }>();
  let prompts: Promise<RecordedPrompt[]> | null = null;

  const provider = (id: string): ModelProvider => {
    let p = providers.get(id);
    if (!p) {
      const entry = models.get(id);
      if (!entry) throw new Error(`model "${id}" is not in the registry`);
      p = createProvider(entry);
      providers.set(id, p);
    }
    return p;
  };

  const check = async (id: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
      });
      return await Promise.race([provider(id).healthy(), timeout]);
    } catch (err) {
      console.error(`[pairwise] health check of model "${id}" failed:`, err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  // Stale-while-revalidate: only a model's very first check is awaited. After that a battle is
  // paired from the last known state while an expired entry refreshes in the background, so a
  // remote health probe never sits between "send" and the first token.
  const isHealthy = async (id: string): Promise<boolean> => {
    if (!models.has(id)) return false;
    const cached = health.get(id);
    const fresh = cached && Date.now() - cached.at < (cached.ok ? HEALTHY_TTL_MS : UNHEALTHY_TTL_MS);
    if (fresh) return cached.ok;
    const pending =
      cached?.pending ??
      check(id).then((ok) => {
        health.set(id, { ok, at: Date.now() });
        return ok;
      });
    if (!cached?.pending) health.set(id, { ok: cached?.ok ?? false, at: cached?.at ?? 0, pending });
    return cached && cached.at > 0 ? cached.ok : pending;
  };

  return {
    registry,
    models,
    voterSecret: loadVoterSecret(databasePath()),
    leak: leakMatcher(buildLeakWords(registry.models, registry.settings.leakWords)),
    provider,
    isHealthy,
    recordedPrompts: () => {
      prompts ??= recordedPrompts(registry).catch((err) => {
        console.error('[pairwise] cannot read the recorded prompt sets:', err);
        prompts = null;
        return [];
      });
      return prompts;
    },
    busy: new Set(),
  };
}

/** The process's context, loading it on first use (instrumentation does so at start-up). */
export function getAppContext(): Promise<AppContext> {
  if (!g.__pairwiseApp) {
    g.__pairwiseApp = createAppContext();
    // A failed load is not cached: the next call retries (and reports) it again.
    g.__pairwiseApp.catch(() => {
      g.__pairwiseApp = undefined;
    });
  }
  return g.__pairwiseApp;
}

/**
 * Called once by instrumentation.ts before the server takes requests. A bad registry file or
 * database ends the process with the loader's message (file, entry, field), instead of serving a
 * broken arena: Next.js would log a failed register() and keep serving.
 */
export async function startUp(): Promise<void> {
  try {
    const ctx = await getAppContext();
    const enabled = ctx.registry.models.filter((m) => m.enabled).length;
    console.log(`[pairwise] registry: ${ctx.registry.source} (${enabled} enabled model${enabled === 1 ? '' : 's'})`);
    // Load local weights in the background, so the first battle does not wait for them; a model
    // that fails to load reports itself unhealthy and is left out of pairing.
    for (const m of ctx.registry.models) {
      if (!m.enabled) continue;
      void Promise.resolve()
        .then(() => ctx.provider(m.id).warmup?.())
        .catch((e) => console.error(`[pairwise] model "${m.id}" failed to load:`, e));
    }
  } catch (err) {
    console.error(`\n[pairwise] cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
