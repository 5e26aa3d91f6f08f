import { AppError } from '../errors';

/**
 * At most one turn of a battle streams at a time: a follow-up, a regenerate or a vote that
 * arrives while answers are streaming is refused (409 not_ready), never queued.
 */
export interface TurnLock {
  /** Whether a turn of this battle is streaming now. */
  isHeld(battleId: string): boolean;
  /** Takes the lock, or throws not_ready when it is held. */
  acquire(battleId: string): void;
  release(battleId: string): void;
}

/**
 * The lock held in this process's memory. Per process: correct for one server process (the
 * SQLite default); several processes serving one store need a lock in the database.
 */
export function processTurnLock(): TurnLock {
  const held = new Set<string>();
  return {
    isHeld: (id) => held.has(id),
    acquire(id) {
      if (held.has(id)) throw new AppError('not_ready', 'Wait until both answers have finished.');
      held.add(id);
    },
    release: (id) => void held.delete(id),
  };
}
