import { databasePath, getDb } from '../db/index';
import { abortUnfinishedMessages } from '../db/queries/battles';
import type { BattleDeps } from './battle/deps';
import { buildLeakWords, leakMatcher, type LeakMatcher } from './battle/leak-check';
import { processTurnLock } from './battle/turn-lock';
import { policyFrom, type OriginPolicy } from './edge/origin';
import { storeRateLimits, type RateLimits } from './edge/rate-limits';
import { env, type Env } from './env';
import type { IdentityDeps } from './identity/actor';
import { deriveKey, loadVoterSecret } from './identity/voter-cookie';
import { createBackoff, withBackoff, type ModelBackoffStatus } from './providers/backoff';
import { createProvider } from './providers/create-provider';
import type { ModelProvider, RecordedPrompt } from './providers/types';
import { loadRegistry, recordedPrompts } from './registry/load';
import { installLifecycleHooks } from './shutdown';
import { findModel } from './registry/lookup';
import type { Registry } from './registry/schema';

/**
 * What the server loads once per process: the registry, one provider per model (GGUF providers
 * own native memory, so they must not be created per request), a health cache, the turn lock,
 * and what the request edge needs (identity keys, origin policy, rate limits). Kept on
 * globalThis because Next.js bundles instrumentation and each route separately: module-level
 * state would not be shared between them, the process is.
 *
 * Per process: the health cache, provider back-off, the providers and the turn lock (see
 * lib/battle/turn-lock.ts).
 * Shared through the store: rate-limit counters.
 */
export interface AppContext extends BattleDeps {
  env: Env;
  origin: OriginPolicy;
  identity: IdentityDeps;
  limits: RateLimits;
  /**
   * Models that are out of pairing after a provider 429 or repeated failures, or that have failed
   * recently (for operators: the reason may name the provider, so it never goes to the arena page).
   */
  modelHealth(): ModelBackoffStatus[];
}

const HEALTHY_TTL_MS = 30_000;
const UNHEALTHY_TTL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;

const g = globalThis as unknown as { __pairwiseApp?: Promise<AppContext> };

async function createAppContext(): Promise<AppContext> {
  const config = env();
  const registry = await loadRegistry();
  for (const w of registry.warnings ?? []) console.warn(`[pairwise] registry: ${w}`);

  // Opening the store runs the migrations, so a broken database also stops start-up.
  getDb();
  installLifecycleHooks();
  const interrupted = await abortUnfinishedMessages();
  if (interrupted > 0) console.warn(`[pairwise] ${interrupted} answer(s) left streaming by the last run were marked aborted.`);

  const providers = new Map<string, ModelProvider>();
  const probes = new Map<string, Promise<boolean>>();
  const health = new Map<string, { ok: boolean; at: number; pending?: Promise<boolean> }>();
  const backoff = createBackoff({
    onChange: (id, s) => {
      if (s.state === 'ok') console.log(`[pairwise] model "${id}" passed its health check and is back in pairing.`);
      else console.warn(`[pairwise] model "${id}" is out of pairing until ${new Date(s.until!).toISOString()}: ${s.reason}.`);
    },
  });
  let prompts: Promise<RecordedPrompt[]> | null = null;
  const leak: LeakMatcher = leakMatcher(buildLeakWords(registry.models, registry.settings.leakWords));

  const provider = (id: string): ModelProvider => {
    let p = providers.get(id);
    if (!p) {
      const entry = findModel(registry, id);
      if (!entry) throw new Error(`model "${id}" is not in the registry`);
      p = withBackoff(id, createProvider(entry), backoff);
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
    if (!findModel(registry, id)) return false;
    // Paused after a 429 or repeated failures: out of pairing, no probe needed.
    if (backoff.paused(id)) return false;
    // The pause is over: a fresh health check (awaited) decides whether it comes back.
    if (backoff.probing(id)) {
      let probe = probes.get(id);
      if (!probe) {
        probe = check(id).then((ok) => {
          probes.delete(id);
          health.set(id, { ok, at: Date.now() });
          if (ok) backoff.recovered(id);
          else backoff.stillDown(id, UNHEALTHY_TTL_MS);
          return ok;
        });
        probes.set(id, probe);
      }
      return probe;
    }
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

  const secret = loadVoterSecret(databasePath());
  const origin = policyFrom(config.PAIRWISE_PUBLIC_URL);
  return {
    env: config,
    origin,
    identity: {
      secret,
      networkKey: deriveKey(secret, 'network'),
      trustProxy: config.PAIRWISE_TRUST_PROXY,
      sessionUser: async () => null,
      secureCookies: origin.publicOrigin?.startsWith('https:') ?? false,
      cookiePath: '/',
    },
    modelHealth: () => backoff.all(),
    limits: storeRateLimits(() => registry.settings.limits, { enabled: !config.PAIRWISE_DISABLE_RATE_LIMITS }),
    registry: () => registry,
    provider,
    isHealthy,
    leak: () => leak,
    recordedPrompts: () => {
      prompts ??= recordedPrompts(registry).catch((err) => {
        console.error('[pairwise] cannot read the recorded prompt sets:', err);
        prompts = null;
        return [];
      });
      return prompts;
    },
    turns: processTurnLock(),
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
    const registry = ctx.registry();
    const enabled = registry.models.filter((m) => m.enabled).length;
    console.log(`[pairwise] registry: ${registry.source} (${enabled} enabled model${enabled === 1 ? '' : 's'})`);
    // Load local weights in the background, so the first battle does not wait for them; a model
    // that fails to load reports itself unhealthy and is left out of pairing.
    for (const m of registry.models) {
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
