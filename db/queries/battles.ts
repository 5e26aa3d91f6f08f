import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import { AppError } from '../../lib/errors';
import { getDb, type Db } from '../index';
import { battles, messages, votes, type Battle, type Message, type NewBattle, type Vote } from '../schema';

/**
 * Battle and message queries. Each takes an object; `db` defaults to the app's one client and is
 * passed explicitly by tests and the CLI. better-sqlite3 is synchronous, so every multi-row change
 * runs inside one transaction and cannot interleave with another request.
 */

type WithDb = { db?: Db };
type Side = 'a' | 'b';

export async function createBattle(
  params: WithDb & {
    id: string;
    modelA: string;
    modelB: string;
    mode: 'live' | 'recorded';
    samplingProbability: number;
    questionId?: string | null;
    language?: string | null;
    isCode?: boolean | null;
    promptChars?: number | null;
    /** Custom tags (leaderboard categories "tag:<name>"). */
    tags?: string[];
    judge?: string | null;
    /** Owner: the browser's voter and, when signed in, the account. */
    voterId?: string | null;
    userId?: string | null;
    network?: string | null;
    /** A study's judgment (never counted on the main board). */
    studyId?: string | null;
    now?: number;
  },
): Promise<Battle> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  const row: NewBattle = {
    id: params.id,
    modelA: params.modelA,
    modelB: params.modelB,
    mode: params.mode,
    samplingProbability: params.samplingProbability,
    status: 'active',
    turns: 0,
    questionId: params.questionId ?? null,
    language: params.language ?? null,
    isCode: params.isCode ?? null,
    promptChars: params.promptChars ?? null,
    tags: JSON.stringify(params.tags ?? []),
    source: 'arena',
    judge: params.judge ?? null,
    voterId: params.voterId ?? null,
    userId: params.userId ?? null,
    network: params.network ?? null,
    studyId: params.studyId ?? null,
    createdAt: now,
    updatedAt: now,
  };
  return db.insert(battles).values(row).returning().get();
}

export async function getBattle(params: WithDb & { id: string }): Promise<Battle | null> {
  const db = params.db ?? getDb();
  return db.select().from(battles).where(eq(battles.id, params.id)).get() ?? null;
}

/** Every message of a battle (superseded ones too), in the order they were written. */
export async function getBattleMessages(params: WithDb & { battleId: string }): Promise<Message[]> {
  const db = params.db ?? getDb();
  return db.select().from(messages).where(eq(messages.battleId, params.battleId)).orderBy(asc(messages.id)).all();
}

export interface TurnRows {
  turn: number;
  /** The empty assistant rows that the answers will be written into. */
  answerIds: Record<Side, number>;
}

/**
 * Starts a new user turn: the prompt on both sides, an empty answer row per side (finish reason
 * null marks it as streaming), the turn counter and the battle back to active, in one transaction.
 */
export async function startTurn(
  params: WithDb & { battleId: string; prompt: string; expectedTurns: number; now?: number },
): Promise<TurnRows> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    const turn = params.expectedTurns + 1;
    // Optimistic check: a concurrent turn would have moved the counter already.
    const updated = tx
      .update(battles)
      .set({ turns: turn, status: 'active', updatedAt: now })
      .where(and(eq(battles.id, params.battleId), eq(battles.turns, params.expectedTurns), ne(battles.status, 'voted')))
      .returning({ id: battles.id })
      .all();
    if (updated.length !== 1) throw new AppError('not_ready', 'This battle changed meanwhile; reload it.');
    const ids = {} as Record<Side, number>;
    for (const side of ['a', 'b'] as const) {
      tx.insert(messages)
        .values({ battleId: params.battleId, side, turn, role: 'user', content: params.prompt, createdAt: now })
        .run();
      ids[side] = tx
        .insert(messages)
        .values({ battleId: params.battleId, side, turn, role: 'assistant', content: '', createdAt: now })
        .returning({ id: messages.id })
        .get().id;
    }
    return { turn, answerIds: ids };
  });
}

/**
 * Regenerate: the current answers of `turn` are kept but marked superseded, and fresh empty answer
 * rows take their place; the battle goes back to active while they stream.
 */
export async function supersedeTurn(
  params: WithDb & { battleId: string; turn: number; now?: number },
): Promise<TurnRows> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    const reopened = tx
      .update(battles)
      .set({ status: 'active', updatedAt: now })
      .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')))
      .returning({ id: battles.id })
      .all();
    if (reopened.length !== 1) throw new AppError('battle_closed', 'This battle is closed: it has been voted on.');
    tx.update(messages)
      .set({ superseded: true })
      .where(
        and(
          eq(messages.battleId, params.battleId),
          eq(messages.turn, params.turn),
          eq(messages.role, 'assistant'),
          eq(messages.superseded, false),
        ),
      )
      .run();
    const ids = {} as Record<Side, number>;
    for (const side of ['a', 'b'] as const) {
      ids[side] = tx
        .insert(messages)
        .values({ battleId: params.battleId, side, turn: params.turn, role: 'assistant', content: '', createdAt: now })
        .returning({ id: messages.id })
        .get().id;
    }
    return { turn: params.turn, answerIds: ids };
  });
}

export interface AnswerResult {
  content: string;
  finishReason: string;
  tokens?: number | null;
  ttftMs?: number | null;
  durationMs?: number | null;
  /** Full error text for operators (never sent to the browser). */
  error?: string | null;
}

/** Writes both answers of a turn and the battle's resulting status at once. */
export async function finishTurn(
  params: WithDb & {
    battleId: string;
    answers: { id: number; result: AnswerResult }[];
    status: Battle['status'];
    now?: number;
  },
): Promise<void> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  db.transaction((tx) => {
    for (const { id, result } of params.answers) {
      tx.update(messages)
        .set({
          content: result.content,
          finishReason: result.finishReason,
          tokens: result.tokens ?? null,
          ttftMs: result.ttftMs ?? null,
          durationMs: result.durationMs ?? null,
          error: result.error ?? null,
        })
        .where(eq(messages.id, id))
        .run();
    }
    // A vote cannot land while a turn streams, but never overwrite 'voted' regardless.
    const current = tx.select({ status: battles.status }).from(battles).where(eq(battles.id, params.battleId)).get();
    if (current && current.status !== 'voted') {
      tx.update(battles).set({ status: params.status, updatedAt: now }).where(eq(battles.id, params.battleId)).run();
    }
  });
}

/**
 * Answers left unfinished by a server that stopped mid-stream are marked aborted at start-up,
 * and their battles abandoned, so nothing waits forever on a stream that no longer exists.
 */
export async function abortUnfinishedMessages(params: WithDb & { now?: number } = {}): Promise<number> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    const stale = tx
      .select({ id: messages.id, battleId: messages.battleId })
      .from(messages)
      .where(and(eq(messages.role, 'assistant'), isNull(messages.finishReason)))
      .all();
    if (stale.length === 0) return 0;
    tx.update(messages)
      .set({ finishReason: 'aborted', error: 'server stopped while the answer was streaming' })
      .where(and(eq(messages.role, 'assistant'), isNull(messages.finishReason)))
      .run();
    for (const battleId of new Set(stale.map((s) => s.battleId))) {
      tx.update(battles)
        .set({ status: 'abandoned', updatedAt: now })
        .where(and(eq(battles.id, battleId), eq(battles.status, 'active')))
        .run();
    }
    return stale.length;
  });
}

export interface BattleView {
  battle: Battle;
  messages: Message[];
  vote: Vote | null;
}

/** A battle with all its messages and its vote, read in one transaction. */
export async function getBattleView(params: WithDb & { id: string }): Promise<BattleView | null> {
  const db = params.db ?? getDb();
  return db.transaction((tx) => {
    const battle = tx.select().from(battles).where(eq(battles.id, params.id)).get();
    if (!battle) return null;
    const msgs = tx.select().from(messages).where(eq(messages.battleId, params.id)).orderBy(asc(messages.id)).all();
    const vote = tx.select().from(votes).where(eq(votes.battleId, params.id)).get() ?? null;
    return { battle, messages: msgs, vote };
  });
}
