import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, type Db } from '../../index';
import { preparedQuery } from '../../prepared';
import { battles, voters, type Voter } from '../../schema';

type WithDb = { db?: Db };

const voterById = preparedQuery((db) => db.select().from(voters).where(eq(voters.id, sql.placeholder('id'))).prepare());

/** Read on every request that carries a voter cookie. */
export async function getVoter(params: WithDb & { id: string }): Promise<Voter | null> {
  const db = params.db ?? getDb();
  return voterById(db).get({ id: params.id }) ?? null;
}

/** Records a browser's voter (a second call with the same id changes nothing). */
export async function createVoter(
  params: WithDb & { id: string; network: string | null; userId?: string | null; now?: number },
): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.insert(voters)
    .values({ id: params.id, network: params.network, userId: params.userId ?? null, createdAt: now, lastSeenAt: now })
    .onConflictDoNothing()
    .run();
}

export async function touchVoter(params: WithDb & { id: string; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  db.update(voters).set({ lastSeenAt: params.now ?? Date.now() }).where(eq(voters.id, params.id)).run();
}

/**
 * Someone signed in on this browser: its voter becomes the account's, and so do the battles it
 * started while anonymous (those no account owns yet). Returns false when the voter already
 * belongs to another account, in which case nothing changes.
 */
export async function linkVoterToUser(params: WithDb & { voterId: string; userId: string }): Promise<boolean> {
  const db = params.db ?? getDb();
  return db.transaction((tx) => {
    const voter = tx.select({ userId: voters.userId }).from(voters).where(eq(voters.id, params.voterId)).get();
    if (!voter) return false;
    if (voter.userId !== null) return voter.userId === params.userId;
    tx.update(voters).set({ userId: params.userId }).where(eq(voters.id, params.voterId)).run();
    tx.update(battles)
      .set({ userId: params.userId })
      .where(and(eq(battles.voterId, params.voterId), isNull(battles.userId)))
      .run();
    return true;
  });
}

export async function recordConsent(params: WithDb & { voterId: string; now?: number }): Promise<void> {
  const db = params.db ?? getDb();
  db.update(voters)
    .set({ consentedAt: params.now ?? Date.now() })
    .where(and(eq(voters.id, params.voterId), isNull(voters.consentedAt)))
    .run();
}
