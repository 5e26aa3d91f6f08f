import type { ModelProvider, RecordedPrompt } from '../providers/types';
import type { Registry } from '../registry/schema';
import type { OperatorSettings } from '../settings/schema';
import type { LeakMatcher } from './leak-check';
import type { TurnLock } from './turn-lock';

/**
 * What the battle use cases need from the running app, and nothing more. The server passes its
 * AppContext (which satisfies this); tests pass fakes.
 */
export interface BattleDeps {
  /** The registry as it is now: entries and arena settings. A turn reads it once, when it starts. */
  registry(): Registry;
  /** The provider of a registry entry (created once per entry and kept: GGUF providers own native memory). */
  provider(id: string): ModelProvider;
  /** Health of a model, from a short-lived cache. */
  isHealthy(id: string): Promise<boolean>;
  /** Questions of the recorded prompt sets that at least two recorded models answer. */
  recordedPrompts(): Promise<RecordedPrompt[]>;
  /** Words that, found in a conversation, keep its vote out of the ratings. */
  leak(): LeakMatcher;
  /** One turn of a battle at a time. */
  turns: TurnLock;
  /** Operator settings (the console's); without it, pairing uses its defaults. */
  operator?(): Pick<OperatorSettings, 'pairing'>;
}

/** Who is acting, as far as battles care: the browser's voter, its account, and its network. */
export interface BattleActor {
  voterId: string | null;
  userId: string | null;
  /** Keyed hash of the client's network (lib/identity/network.ts). */
  network: string | null;
  /** A voter minted by this request, stored only when a battle is actually created. */
  mintedVoter?: boolean;
}
