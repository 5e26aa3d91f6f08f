import { and, eq, ne } from 'drizzle-orm';
import { AppError } from '../../lib/errors';
import { isUniqueViolation } from '../errors';
import { getDb, type Db } from '../index';
import { battles, votes, type Vote, type Winner } from '../schema';
import { recomputeExclusionsSync } from './exclusions';

type WithDb = { db?: Db };


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
    /** What the identity-leak check found (null: nothing); the effective reason follows from it and the voter's state. */
    leakReason: string | null;
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
          leakReason: params.leakReason,
          excludedReason: params.leakReason,
          createdAt: now,
        })
        .returning()
        .get();
      // A banned or untrusted voter's vote is kept, and excluded like its others.
      recomputeExclusionsSync(db.$client, { voteId: vote.id });
      tx.update(battles)
        .set({ status: 'voted', updatedAt: now })
        .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')))
        .run();
      return tx.select().from(votes).where(eq(votes.id, vote.id)).get()!;
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
