import { and, eq, isNull, sql } from 'drizzle-orm';
import type { PgDb } from '../../postgres';
import type { Voter } from '../../schema';
import { battles, voters } from '../../schema-pg';

/** Postgres twin of db/queries/sqlite/voters.ts. */

type WithDb = { db?: PgDb };

/** Built once per pool (drizzle's costly part), then only executed; a named statement per connection. */
const voterByIdQueries = new WeakMap<PgDb, ReturnType<typeof buildVoterById>>();
function buildVoterById(db: PgDb) {
  return db
    .select()
    .from(voters)
    .where(eq(voters.id, sql.placeholder('id')))
    .limit(1)
    .prepare('pairwise_voter_by_id');
}

/** Read on every request that carries a voter cookie. */
export async function getVoter(params: WithDb & { id: string }): Promise<Voter | null> {
  const db = params.db!;
  let query = voterByIdQueries.get(db);
  if (!query) voterByIdQueries.set(db, (query = buildVoterById(db)));
  const [row] = await query.execute({ id: params.id });
  return row ?? null;
}

export async function createVoter(
  params: WithDb & { id: string; network: string | null; userId?: string | null; now?: number },
): Promise<void> {
  const now = params.now ?? Date.now();
  await params
    .db!.insert(voters)
    .values({ id: params.id, network: params.network, userId: params.userId ?? null, createdAt: now, lastSeenAt: now })
    .onConflictDoNothing();
}

export async function touchVoter(params: WithDb & { id: string; now?: number }): Promise<void> {
  await params.db!.update(voters).set({ lastSeenAt: params.now ?? Date.now() }).where(eq(voters.id, params.id));
}

/**
 * The voter is claimed by one atomic UPDATE (… WHERE user_id IS NULL): of two sign-ins racing on
 * one browser with different accounts, the second waits for the first and then finds it taken.
 */
export async function linkVoterToUser(params: WithDb & { voterId: string; userId: string }): Promise<boolean> {
  return params.db!.transaction(async (tx) => {
    const claimed = await tx
      .update(voters)
      .set({ userId: params.userId })
      .where(and(eq(voters.id, params.voterId), isNull(voters.userId)))
      .returning({ id: voters.id });
    if (claimed.length === 0) {
      const [voter] = await tx.select({ userId: voters.userId }).from(voters).where(eq(voters.id, params.voterId));
      return voter ? voter.userId === params.userId : false;
    }
    await tx
      .update(battles)
      .set({ userId: params.userId })
      .where(and(eq(battles.voterId, params.voterId), isNull(battles.userId)));
    return true;
  });
}

export async function recordConsent(params: WithDb & { voterId: string; now?: number }): Promise<void> {
  await params
    .db!.update(voters)
    .set({ consentedAt: params.now ?? Date.now() })
    .where(and(eq(voters.id, params.voterId), isNull(voters.consentedAt)));
}
