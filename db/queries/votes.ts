import { and, eq, ne } from 'drizzle-orm';
import { AppError } from '../../lib/errors';
import { getDb, type Db } from '../index';
import { battles, votes, type Vote, type Winner } from '../schema';

type WithDb = { db?: Db };

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Records the one vote of a battle and closes it, in one transaction. The unique index on
 * votes.battle_id is the final word on "one vote per battle": a second vote, even a racing one,
 * becomes already_voted.
 */
export async function castVote(
  params: WithDb & {
    battleId: string;
    winner: Winner;
    voterId: string | null;
    excludedReason: string | null;
    now?: number;
  },
): Promise<Vote> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  try {
    return db.transaction((tx) => {
      const vote = tx
        .insert(votes)
        .values({
          battleId: params.battleId,
          winner: params.winner,
          voterId: params.voterId,
          excludedReason: params.excludedReason,
          createdAt: now,
        })
        .returning()
        .get();
      tx.update(battles)
        .set({ status: 'voted', updatedAt: now })
        .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')))
        .run();
      return vote;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('already_voted', 'This battle has already been voted on.', { cause: err });
    throw err;
  }
}

export async function getVote(params: WithDb & { battleId: string }): Promise<Vote | null> {
  const db = params.db ?? getDb();
  return db.select().from(votes).where(eq(votes.battleId, params.battleId)).get() ?? null;
}
