import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import { battles, messages, turnLocks } from '../../schema-pg';

/** Postgres twin of db/queries/sqlite/turn-locks.ts. The claim is one atomic upsert, so two processes cannot both take it. */
type WithDb = { db?: PgDb };

export async function claimTurn(params: WithDb & { battleId: string; holder: string; ttlMs: number; now?: number }): Promise<boolean> {
  const now = params.now ?? Date.now();
  const taken = await params
    .db!.insert(turnLocks)
    .values({ battleId: params.battleId, holder: params.holder, expiresAt: now + params.ttlMs })
    .onConflictDoUpdate({
      target: turnLocks.battleId,
      set: { holder: params.holder, expiresAt: now + params.ttlMs },
      where: lt(turnLocks.expiresAt, now),
    })
    .returning({ battleId: turnLocks.battleId });
  return taken.length === 1;
}

export async function releaseTurn(params: WithDb & { battleId: string; holder: string }): Promise<void> {
  await params.db!.delete(turnLocks).where(and(eq(turnLocks.battleId, params.battleId), eq(turnLocks.holder, params.holder)));
}

export async function turnClaimed(params: WithDb & { battleId: string; now?: number }): Promise<boolean> {
  const now = params.now ?? Date.now();
  const found = await params
    .db!.select({ battleId: turnLocks.battleId })
    .from(turnLocks)
    .where(and(eq(turnLocks.battleId, params.battleId), gte(turnLocks.expiresAt, now)))
    .limit(1);
  return found.length === 1;
}

export async function renewTurns(params: WithDb & { battleIds: string[]; holder: string; ttlMs: number; now?: number }): Promise<void> {
  if (params.battleIds.length === 0) return;
  const now = params.now ?? Date.now();
  await params
    .db!.update(turnLocks)
    .set({ expiresAt: now + params.ttlMs })
    .where(and(eq(turnLocks.holder, params.holder), inArray(turnLocks.battleId, params.battleIds)));
}

export async function abortOrphanedAnswers(params: WithDb & { sole?: boolean; now?: number } = {}): Promise<number> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    if (params.sole) await tx.delete(turnLocks);
    const live = sql`(SELECT ${turnLocks.battleId} FROM ${turnLocks} WHERE ${turnLocks.expiresAt} >= ${now})`;
    const orphaned = and(eq(messages.role, 'assistant'), isNull(messages.finishReason), sql`${messages.battleId} NOT IN ${live}`);
    // RETURNING instead of select-then-update: an answer finished meanwhile by its live holder is not touched.
    const stale = await tx
      .update(messages)
      .set({ finishReason: 'aborted', error: 'server stopped while the answer was streaming' })
      .where(orphaned)
      .returning({ battleId: messages.battleId });
    if (stale.length === 0) return 0;
    await tx
      .update(battles)
      .set({ status: 'abandoned', updatedAt: now })
      .where(and(inArray(battles.id, [...new Set(stale.map((s) => s.battleId))]), eq(battles.status, 'active')));
    await tx.delete(turnLocks).where(lt(turnLocks.expiresAt, now));
    return stale.length;
  });
}
