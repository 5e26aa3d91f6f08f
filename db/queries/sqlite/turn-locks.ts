import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { getDb, type Db } from '../../index';
import { battles, messages, turnLocks } from '../../schema';

/**
 * The per-battle turn lock kept in the store (lib/battle/turn-lock.ts says how it is used): a
 * claim per battle with a holder and an expiry that the holder renews while it streams.
 */
type WithDb = { db?: Db };

/** Takes the battle's claim for `holder` unless another holder's claim is still live; whether it was taken. */
export async function claimTurn(params: WithDb & { battleId: string; holder: string; ttlMs: number; now?: number }): Promise<boolean> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  const taken = db
    .insert(turnLocks)
    .values({ battleId: params.battleId, holder: params.holder, expiresAt: now + params.ttlMs })
    .onConflictDoUpdate({
      target: turnLocks.battleId,
      set: { holder: params.holder, expiresAt: now + params.ttlMs },
      where: lt(turnLocks.expiresAt, now),
    })
    .returning({ battleId: turnLocks.battleId })
    .all();
  return taken.length === 1;
}

export async function releaseTurn(params: WithDb & { battleId: string; holder: string }): Promise<void> {
  const db = params.db ?? getDb();
  db.delete(turnLocks).where(and(eq(turnLocks.battleId, params.battleId), eq(turnLocks.holder, params.holder))).run();
}

/** Whether anyone holds a live claim on the battle. */
export async function turnClaimed(params: WithDb & { battleId: string; now?: number }): Promise<boolean> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  const row = db
    .select({ battleId: turnLocks.battleId })
    .from(turnLocks)
    .where(and(eq(turnLocks.battleId, params.battleId), gte(turnLocks.expiresAt, now)))
    .get();
  return row !== undefined;
}

/** Extends the holder's claims on these battles (it is still streaming them). */
export async function renewTurns(params: WithDb & { battleIds: string[]; holder: string; ttlMs: number; now?: number }): Promise<void> {
  if (params.battleIds.length === 0) return;
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.update(turnLocks)
    .set({ expiresAt: now + params.ttlMs })
    .where(and(eq(turnLocks.holder, params.holder), inArray(turnLocks.battleId, params.battleIds)))
    .run();
}

/**
 * Marks answers left streaming by a process that stopped as aborted, and their battles as
 * abandoned: those of battles with no live claim. `sole` (one process serves the store, as on
 * SQLite): every claim belonged to an earlier run of this process, so all of them are dropped
 * first. Returns how many answers were aborted.
 */
export async function abortOrphanedAnswers(params: WithDb & { sole?: boolean; now?: number } = {}): Promise<number> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    if (params.sole) tx.delete(turnLocks).run();
    const live = sql`(SELECT ${turnLocks.battleId} FROM ${turnLocks} WHERE ${turnLocks.expiresAt} >= ${now})`;
    const orphaned = and(eq(messages.role, 'assistant'), isNull(messages.finishReason), sql`${messages.battleId} NOT IN ${live}`);
    const stale = tx
      .update(messages)
      .set({ finishReason: 'aborted', error: 'server stopped while the answer was streaming' })
      .where(orphaned)
      .returning({ battleId: messages.battleId })
      .all();
    if (stale.length === 0) return 0;
    tx.update(battles)
      .set({ status: 'abandoned', updatedAt: now })
      .where(and(inArray(battles.id, [...new Set(stale.map((s) => s.battleId))]), eq(battles.status, 'active')))
      .run();
    tx.delete(turnLocks).where(lt(turnLocks.expiresAt, now)).run();
    return stale.length;
  });
}
