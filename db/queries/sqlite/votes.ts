import { and, eq, ne, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { isUniqueViolation } from '../../errors';
import { getDb, type Db } from '../../index';
import { preparedQuery } from '../../prepared';
import { battles, votes, type Vote, type Winner } from '../../schema';
import { recomputeExclusionsSync } from './exclusions';

type WithDb = { db?: Db };


const insertVote = preparedQuery((db) =>
  db
    .insert(votes)
    .values({
      battleId: sql.placeholder('battleId'),
      winner: sql.placeholder('winner'),
      voterId: sql.placeholder('voterId'),
      leakReason: sql.placeholder('leakReason'),
      excludedReason: sql.placeholder('leakReason'),
      createdAt: sql.placeholder('now'),
    })
    .returning({ id: votes.id })
    .prepare(),
);
const closeVotedBattle = preparedQuery((db) =>
  db
    .update(battles)
    .set({ status: 'voted', updatedAt: sql`${sql.placeholder('now')}` })
    .where(and(eq(battles.id, sql.placeholder('battleId')), ne(battles.status, 'voted')))
    .prepare(),
);
const voteById = preparedQuery((db) => db.select().from(votes).where(eq(votes.id, sql.placeholder('id'))).prepare());

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
  const args = { battleId: params.battleId, winner: params.winner, voterId: params.voterId, leakReason: params.leakReason, now };
  try {
    return db.transaction(() => {
      const { id } = insertVote(db).get(args)!;
      // A banned or untrusted voter's vote is kept, and excluded like its others.
      recomputeExclusionsSync(db.$client, { voteId: id });
      closeVotedBattle(db).run(args);
      return voteById(db).get({ id })!;
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
