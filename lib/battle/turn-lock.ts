import { randomUUID } from 'node:crypto';
import { claimTurn, releaseTurn, renewTurns, turnClaimed } from '../../db/queries/turn-locks';
import type { Store } from '../../db/store';
import { AppError } from '../errors';

/**
 * At most one turn of a battle streams at a time: a follow-up, a regenerate or a vote that
 * arrives while answers are streaming is refused (409 not_ready), never queued.
 */
export interface TurnLock {
  /** Whether a turn of this battle is streaming now (in any process serving the store). */
  isHeld(battleId: string): Promise<boolean>;
  /** Takes the lock, or throws not_ready when it is held. */
  acquire(battleId: string): Promise<void>;
  release(battleId: string): Promise<void>;
}

/** How long a claim holds without renewal, and how often a holder renews the claims it holds. */
export const CLAIM_TTL_MS = 30_000;
const RENEW_MS = 10_000;

/**
 * The lock kept in the store (table turn_locks), so that it holds across every process serving
 * one database: a claim per battle, taken by one atomic upsert, renewed while this process
 * streams, released when the turn ends. A process that stops without releasing (a crash) leaves
 * claims that expire after CLAIM_TTL_MS; then another process may take the battle over, and the
 * answers it left streaming are marked aborted (abortOrphanedAnswers). What this process holds is
 * also kept in memory, so its own checks and renewals do not wait on the store.
 */
export function storeTurnLock(options: { db?: Store; ttlMs?: number; renewMs?: number } = {}): TurnLock & { stop(): void } {
  const { db } = options;
  const ttlMs = options.ttlMs ?? CLAIM_TTL_MS;
  const holder = randomUUID();
  const held = new Set<string>();
  const timer = setInterval(() => {
    if (held.size === 0) return;
    renewTurns({ db, battleIds: [...held], holder, ttlMs }).catch((err) => console.error('[pairwise] cannot renew turn locks:', err));
  }, options.renewMs ?? RENEW_MS);
  timer.unref();
  const busy = () => new AppError('not_ready', 'Wait until both answers have finished.');
  return {
    isHeld: async (id) => held.has(id) || turnClaimed({ db, battleId: id }),
    async acquire(id) {
      // Reserved here first: a second request to this process waits on nothing and is refused.
      if (held.has(id)) throw busy();
      held.add(id);
      let claimed = false;
      try {
        claimed = await claimTurn({ db, battleId: id, holder, ttlMs });
      } finally {
        if (!claimed) held.delete(id);
      }
      if (!claimed) throw busy();
    },
    async release(id) {
      if (!held.delete(id)) return;
      await releaseTurn({ db, battleId: id, holder }).catch((err) => console.error(`[pairwise] cannot release the turn lock of battle ${id}:`, err));
    },
    stop: () => clearInterval(timer),
  };
}
