import type { Env } from '../env';
import type { ModelBackoffStatus } from '../providers/backoff';
import type { ModelProvider } from '../providers/types';
import type { RegistryMode } from '../registry/live';
import type { Registry } from '../registry/schema';
import type { OperatorSettings } from '../settings/schema';

/**
 * What the console's use cases need from the running app. The server passes its AppContext
 * (which satisfies this); unit tests pass a small fake.
 */
export interface ConsoleDeps {
  env: Pick<Env, 'PAIRWISE_MODEL_DIRS'>;
  /** 'file': models.json is the only source and the console shows models read-only. */
  registryMode: RegistryMode;
  registry(): Registry;
  operator(): OperatorSettings;
  /** Re-reads registry and settings now, so a change applies to the next battle. */
  reload(): Promise<void>;
  provider(id: string): ModelProvider;
  isHealthy(id: string): Promise<boolean>;
  modelHealth(id: string): { ok: boolean | null; checkedAt: number | null };
  /** Models out of pairing after a provider 429 or repeated failures (lib/providers/backoff.ts). */
  modelBackoff(): ModelBackoffStatus[];
}

/** The admin acting: every change is audited under this account. */
export interface Operator {
  id: string;
}

/** The folder relative paths and the default model folder are relative to (as in lib/app-context.ts). */
export function appRoot(): string {
  return process.env.PAIRWISE_ROOT ?? process.cwd();
}
