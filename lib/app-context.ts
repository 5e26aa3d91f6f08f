import path from 'node:path';
import { databasePath } from '../db/index';
import { abortOrphanedAnswers } from '../db/queries/turn-locks';
import { isPostgres, openAppStore } from '../db/store';
import { listModelRows, modelsVersion, replaceModelsFromFile, seedModelsOnce } from '../db/queries/models';
import { readSettingRows, settingsVersion } from '../db/queries/settings';
import { describeArena } from './battle/arena-info';
import type { BattleDeps } from './battle/deps';
import { buildLeakWords, leakMatcher, type LeakMatcher } from './battle/leak-check';
import { CLAIM_TTL_MS, storeTurnLock } from './battle/turn-lock';
import { BASE_PATH } from './base-path';
import { policyFrom, type OriginPolicy } from './edge/origin';
import { storeRateLimits, type RateLimits } from './edge/rate-limits';
import { CHALLENGE_TTL_SECONDS, createProofOfWork, type ProofOfWork } from './integrity/proof-of-work';
import { storeSpendOnce } from '../db/rate-limit-store';
import { env, type Env } from './env';
import { ensureFirstAdmin, type SignInGuard } from './identity/accounts';
import type { IdentityDeps } from './identity/actor';
import type { AuthDeps } from './identity/auth-options';
import { sessionUser } from './identity/session';
import { storeSignInGuard } from './identity/sign-in-guard';
import { deriveKey, loadVoterSecret } from './identity/voter-cookie';
import { createBackoff, withBackoff, type ModelBackoffStatus } from './providers/backoff';
import { createProvider } from './providers/create-provider';
import type { ModelProvider, RecordedPrompt } from './providers/types';
import { composeRegistry, entriesFromRows, storableEntry, type RegistryMode } from './registry/live';
import { loadRegistry, recordedPrompts } from './registry/load';
import { installLifecycleHooks } from './shutdown';
import { findModel } from './registry/lookup';
import type { ModelEntry, Registry } from './registry/schema';
import { unreachableReason } from './registry/unreachable-reason';
import { effectiveArenaSettings, parseOperatorSettings, type OperatorSettings } from './settings/schema';

/**
 * What the server holds per process: the live registry and operator settings (re-read when the
 * store says they changed), one provider per model configuration (GGUF providers own native
 * memory, so they must not be created per request), a health cache, the turn lock, and what the
 * request edge needs (identity keys, origin policy, rate limits, next-auth). Kept on globalThis
 * because Next.js bundles instrumentation and each route separately: module-level state would
 * not be shared between them, the process is.
 *
 * Per process: providers, the health cache and provider back-off. Shared through the store: the
 * registry and settings (each process notices a change within REFRESH_MS), the turn lock
 * (lib/battle/turn-lock.ts), rate-limit and sign-in failure counters.
 */
export interface AppContext extends BattleDeps {
  env: Env;
  origin: OriginPolicy;
  identity: IdentityDeps;
  limits: RateLimits;
  /** The proof-of-work gate of anonymous battles (integrity.proofOfWork). */
  proofOfWork: ProofOfWork;
  auth: AuthDeps;
  registryMode: RegistryMode;
  /** Operator settings as they are now (console, else defaults). */
  operator(): OperatorSettings;
  /** Re-reads registry and settings now (after this process changed them). */
  reload(): Promise<void>;
  /** Health of a model as last checked, for operators: never sent to voters. */
  modelHealth(id: string): { ok: boolean | null; checkedAt: number | null };
  /**
   * Models that are out of pairing after a provider 429 or repeated failures, or that have failed
   * recently (for operators: the reason may name the provider, so it never goes to the arena page).
   */
  modelBackoff(): ModelBackoffStatus[];
}

const HEALTHY_TTL_MS = 30_000;
const UNHEALTHY_TTL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;
/** Before the start report calls a model unreachable, it probes it once more after this long. */
const REPORT_RETRY_MS = 3_000;
const REFRESH_MS = 1_500;

const g = globalThis as unknown as { __pairwiseApp?: Promise<AppContext> };

/** A provider serves one configuration of a model: an edited entry gets a new one, in-flight turns keep theirs. */
function configKey(entry: ModelEntry): string {
  return `${entry.id}\u0000${JSON.stringify(entry.provider)}`;
}

interface LiveState {
  registry: Registry;
  operator: OperatorSettings;
  leak: LeakMatcher;
  version: string;
}

async function createAppContext(): Promise<AppContext> {
  const config = env();
  const file = await loadRegistry();
  for (const w of file.warnings ?? []) console.warn(`[pairwise] registry: ${w}`);
  const root = process.env.PAIRWISE_ROOT ?? process.cwd();
  const fileDir = path.isAbsolute(file.source) ? path.dirname(file.source) : root;
  const registryMode: RegistryMode = config.PAIRWISE_REGISTRY;

  // Opening the store runs the migrations, so a broken database (or a Postgres server that does
  // not answer) also stops start-up.
  const store = await openAppStore();
  installLifecycleHooks();
  // One process serves a SQLite file: whatever was left streaming is from its last run. Processes
  // sharing Postgres abort only what a stopped process left (its turn locks have expired), at
  // start-up and then now and again, since a crashed process may not come back.
  const sole = !isPostgres(store);
  const abortOrphans = async () => {
    const interrupted = await abortOrphanedAnswers({ sole });
    if (interrupted > 0) console.warn(`[pairwise] ${interrupted} answer(s) left streaming by a stopped server were marked aborted.`);
  };
  await abortOrphans();
  if (!sole) {
    setInterval(() => void abortOrphans().catch((err) => console.error('[pairwise] cannot check for abandoned answers:', err)), CLAIM_TTL_MS).unref();
  }

  const fileEntries = file.models.map((m) => ({ id: m.id, entry: storableEntry(m, fileDir) }));
  if (registryMode === 'file') await replaceModelsFromFile({ entries: fileEntries });
  else if (await seedModelsOnce({ entries: fileEntries, source: file.source })) {
    console.log(`[pairwise] registry: ${fileEntries.length} model(s) copied from ${file.source} into the store`);
  }

  const readState = async (): Promise<LiveState> => {
    const version = `${await modelsVersion()}/${await settingsVersion()}`;
    const operator = parseOperatorSettings(await readSettingRows(), (m) => console.warn(`[pairwise] ${m}`));
    const { models, warnings } = entriesFromRows(await listModelRows(), root);
    for (const w of warnings) console.warn(`[pairwise] registry: ${w}`);
    const source = registryMode === 'file' ? file.source : `the store (seeded from ${file.source})`;
    const registry = composeRegistry(source, effectiveArenaSettings(file.settings, operator.arena), models, warnings);
    return { registry, operator, leak: leakMatcher(buildLeakWords(models, registry.settings.leakWords)), version };
  };
  let state = await readState();
  let refreshing: Promise<void> | null = null;
  const refresh = async (force: boolean) => {
    const version = `${await modelsVersion()}/${await settingsVersion()}`;
    if (force || version !== state.version) state = await readState();
  };
  const timer = setInterval(() => {
    refreshing ??= refresh(false)
      .catch((err) => console.error('[pairwise] cannot re-read the registry:', err))
      .finally(() => (refreshing = null));
  }, REFRESH_MS);
  timer.unref();

  const providers = new Map<string, ModelProvider>();
  const probes = new Map<string, Promise<boolean>>();
  const health = new Map<string, { ok: boolean; at: number; pending?: Promise<boolean> }>();
  let prompts: { registry: Registry; list: Promise<RecordedPrompt[]> } | null = null;
  const backoff = createBackoff({
    onChange: (id, s) => {
      if (s.state === 'ok') console.log(`[pairwise] model "${id}" passed its health check and is back in pairing.`);
      else console.warn(`[pairwise] model "${id}" is out of pairing until ${new Date(s.until!).toISOString()}: ${s.reason}.`);
    },
  });

  const provider = (id: string): ModelProvider => {
    const entry = findModel(state.registry, id);
    if (!entry) throw new Error(`model "${id}" is not in the registry`);
    const key = configKey(entry);
    let p = providers.get(key);
    if (!p) {
      p = withBackoff(id, createProvider(entry), backoff);
      providers.set(key, p);
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
    const entry = findModel(state.registry, id);
    if (!entry) return false;
    const key = configKey(entry);
    // Paused after a 429 or repeated failures: out of pairing, no probe needed.
    if (backoff.paused(id)) return false;
    // The pause is over: a fresh health check (awaited) decides whether it comes back.
    if (backoff.probing(id)) {
      let probe = probes.get(id);
      if (!probe) {
        probe = check(id).then((ok) => {
          probes.delete(id);
          health.set(key, { ok, at: Date.now() });
          if (ok) backoff.recovered(id);
          else backoff.stillDown(id, UNHEALTHY_TTL_MS);
          return ok;
        });
        probes.set(id, probe);
      }
      return probe;
    }
    const cached = health.get(key);
    const fresh = cached && Date.now() - cached.at < (cached.ok ? HEALTHY_TTL_MS : UNHEALTHY_TTL_MS);
    if (fresh) return cached.ok;
    const pending =
      cached?.pending ??
      check(id).then((ok) => {
        health.set(key, { ok, at: Date.now() });
        return ok;
      });
    if (!cached?.pending) health.set(key, { ok: cached?.ok ?? false, at: cached?.at ?? 0, pending });
    return cached && cached.at > 0 ? cached.ok : pending;
  };

  const secret = loadVoterSecret(databasePath());
  const origin = policyFrom(config.PAIRWISE_PUBLIC_URL);
  const secureCookies = origin.publicOrigin?.startsWith('https:') ?? false;
  const sessionSecret = deriveKey(secret, 'session');
  const networkKey = deriveKey(secret, 'network');
  const guard: SignInGuard = storeSignInGuard();

  const first = await ensureFirstAdmin(config.PAIRWISE_ADMIN_EMAIL, config.PAIRWISE_ADMIN_PASSWORD);
  if (first) console.log(`[pairwise] created the first admin account: ${first}`);

  return {
    env: config,
    origin,
    identity: {
      secret,
      networkKey,
      trustProxy: config.PAIRWISE_TRUST_PROXY,
      sessionUser: (req) => sessionUser(req.headers.get('cookie'), { secret: sessionSecret, secure: secureCookies }),
      secureCookies,
      cookiePath: BASE_PATH || '/',
    },
    auth: { env: config, sessionSecret, secureCookies, networkKey, signUpPolicy: () => state.operator.access.signUp, guard },
    limits: storeRateLimits(() => state.registry.settings.limits, { enabled: !config.PAIRWISE_DISABLE_RATE_LIMITS }),
    proofOfWork: createProofOfWork({
      signatureSecret: deriveKey(secret, 'proof'),
      keySecret: deriveKey(secret, 'proof-key'),
      spendOnce: storeSpendOnce(CHALLENGE_TTL_SECONDS),
    }),
    registryMode,
    operator: () => state.operator,
    reload: () => refresh(true),
    registry: () => state.registry,
    modelHealth: (id) => {
      const entry = findModel(state.registry, id);
      const h = entry ? health.get(configKey(entry)) : undefined;
      return { ok: h && h.at > 0 ? h.ok : null, checkedAt: h && h.at > 0 ? h.at : null };
    },
    modelBackoff: () => backoff.all(),
    provider,
    isHealthy,
    leak: () => state.leak,
    recordedPrompts: () => {
      const registry = state.registry;
      if (!prompts || prompts.registry !== registry) {
        const list = recordedPrompts(registry).catch((err) => {
          console.error('[pairwise] cannot read the recorded prompt sets:', err);
          prompts = null;
          return [];
        });
        prompts = { registry, list };
      }
      return prompts.list;
    },
    turns: storeTurnLock(),
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
    const built = BASE_PATH;
    const wanted = ctx.env.PAIRWISE_BASE_PATH ?? '';
    if (built !== wanted) {
      throw new Error(
        `this build serves ${built ? `the sub-path ${built}` : 'the root path'}, but PAIRWISE_BASE_PATH is ${wanted ? `"${wanted}"` : 'not set'}. ` +
          'Next.js fixes the base path when it builds: run `npm run build` again with the same PAIRWISE_BASE_PATH.',
      );
    }
    const registry = ctx.registry();
    const enabled = registry.models.filter((m) => m.enabled).length;
    console.log(`[pairwise] registry: ${registry.source} (${enabled} enabled model${enabled === 1 ? '' : 's'})`);
    const { access } = ctx.operator();
    console.log(
      `[pairwise] voting: ${access.voting === 'anonymous' ? 'open to anonymous visitors' : 'signed-in accounts only'}; sign-up: ${access.signUp}`,
    );
    // In the background, so the first battle does not wait for local weights or remote probes.
    void reportModels(ctx);
  } catch (err) {
    console.error(`\n[pairwise] cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

/**
 * Loads local weights (a model that fails to load reports itself unhealthy and is left out of
 * pairing), then names in the log every enabled model that cannot be used, and why, and says
 * what the arena will offer. Its probes are its own (lib/registry/unreachable-reason.ts), not the
 * health cache: a probe that times out while the process is still busy starting must not keep a
 * model out of the first battles. A model found unreachable is probed once more a little later
 * before it is reported. The page shows voters counts only; the reasons are for operators.
 */
async function reportModels(ctx: AppContext): Promise<void> {
  const registry = ctx.registry();
  const models = registry.models.filter((m) => m.enabled);
  const diagnose = async (m: ModelEntry): Promise<string | null> => {
    let loadError: unknown;
    try {
      await ctx.provider(m.id).warmup?.();
    } catch (err) {
      loadError = err ?? 'unknown error';
    }
    return unreachableReason(m, { loadError });
  };
  let checked = await Promise.all(models.map(async (m) => ({ m, why: await diagnose(m) })));
  if (checked.some((c) => c.why)) {
    await new Promise((resolve) => setTimeout(resolve, REPORT_RETRY_MS).unref());
    checked = await Promise.all(checked.map(async (c) => (c.why ? { m: c.m, why: await unreachableReason(c.m) } : c)));
  }
  for (const { m, why } of checked) {
    if (why) console.warn(`[pairwise] model "${m.id}" is unreachable: ${why}. It is left out of battles.`);
  }
  const reachable = new Set(checked.filter((c) => !c.why).map((c) => c.m.id));
  const info = describeArena(registry, (id) => reachable.has(id), await ctx.recordedPrompts());
  const live = info.modes[0];
  const recorded = info.modes[1];
  const parts = [
    `${live.models} live model${live.models === 1 ? '' : 's'}${live.onlyFixtures ? ' (test fixtures only)' : ''}`,
    recorded.available ? `recorded answers to ${recorded.prompts.length} questions` : 'no recorded answers',
  ];
  const unreachable = checked.length - reachable.size;
  if (unreachable) parts.push(`${unreachable} of ${models.length} enabled models unreachable`);
  const opens = info.empty ? 'the arena shows its empty state' : `the arena opens in ${info.defaultMode} mode`;
  console.log(`[pairwise] arena: ${parts.join(', ')}; ${opens}.`);
}
