import { and, eq, ne } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { isUniqueViolation } from '../../errors';
import type { PgDb } from '../../postgres';
import type { Vote, Winner } from '../../schema';
import { battles, votes } from '../../schema-pg';
import { recomputeExclusionsIn } from './exclusions';

/**
 * Postgres twin of db/queries/sqlite/votes.ts. The unique index on votes.battle_id decides
 * "one vote per battle" here too: of two racing votes the second insert waits for the first
 * transaction, then fails with a unique violation, which becomes already_voted.
 */

type WithDb = { db?: PgDb };

export async function castVote(
  params: WithDb & {
    battleId: string;
    winner: Winner;
    voterId: string | null;
    leakReason: string | null;
    now?: number;
  },
): Promise<Vote> {
  const now = params.now ?? Date.now();
  try {
    return await params.db!.transaction(async (tx) => {
      const [{ id }] = await tx
        .insert(votes)
        .values({
          battleId: params.battleId,
          winner: params.winner,
          voterId: params.voterId,
          leakReason: params.leakReason,
          excludedReason: params.leakReason,
          createdAt: now,
        })
        .returning({ id: votes.id });
      // A banned or untrusted voter's vote is kept, and excluded like its others.
      await recomputeExclusionsIn(tx, { voteId: id });
      await tx
        .update(battles)
        .set({ status: 'voted', updatedAt: now })
        .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')));
      const [vote] = await tx.select().from(votes).where(eq(votes.id, id));
      return vote;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('already_voted', 'This battle has already been voted on.', { cause: err });
    throw err;
  }
}

export async function getVote(params: WithDb & { battleId: string }): Promise<Vote | null> {
  const [vote] = await params.db!.select().from(votes).where(eq(votes.battleId, params.battleId)).limit(1);
  return vote ?? null;
}
