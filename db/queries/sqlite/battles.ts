import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import { getDb, type Db } from '../../index';
import { preparedQuery } from '../../prepared';
import { battleImages, battles, messages, votes, type Battle, type Message, type NewBattle, type Vote } from '../../schema';

/**
 * Battle and message queries. Each takes an object; `db` defaults to the app's one client and is
 * passed explicitly by tests and the CLI. better-sqlite3 is synchronous, so every multi-row change
 * runs inside one transaction and cannot interleave with another request.
 */

type WithDb = { db?: Db };
type Side = 'a' | 'b';

/** What a new battle is made of (createBattle on either store). */
export type NewBattleFields = {
  id: string;
  modelA: string;
  modelB: string;
  mode: 'live' | 'recorded' | 'named' | 'direct';
  /** Null for a live or recorded (anonymous) battle, probability 1 for a chosen pair. */
  samplingProbability: number | null;
  /** false for a named battle (clean_battle anony); null otherwise. */
  anony?: boolean | null;
  /** The first prompt carries images. */
  vision?: boolean;
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
};

/** The row of a new battle: active, no turns yet, fought here. */
export function newBattleRow(params: NewBattleFields, now: number): NewBattle {
  return {
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
    anony: params.anony ?? null,
    vision: params.vision ?? false,
    createdAt: now,
    updatedAt: now,
  };
}

export async function createBattle(params: WithDb & NewBattleFields): Promise<Battle> {
  const db = params.db ?? getDb();
  return db.insert(battles).values(newBattleRow(params, params.now ?? Date.now())).returning().get();
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
  /** The empty assistant rows that the answers will be written into (side a only in a direct chat). */
  answerIds: Partial<Record<Side, number>>;
}

/** The sides a battle's turns write: both, or side a alone in a direct chat. */
function sidesOf(mode: string): Side[] {
  return mode === 'direct' ? ['a'] : ['a', 'b'];
}

/**
 * Starts a new user turn: the prompt on both sides, an empty answer row per side (finish reason
 * null marks it as streaming), the turn counter and the battle back to active, in one transaction.
 */
export async function startTurn(
  params: WithDb & {
    battleId: string;
    prompt: string;
    expectedTurns: number;
    /** Images of this prompt, stored once for the turn. */
    images?: { mediaType: string; data: Buffer; sha256: string }[];
    now?: number;
  },
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
      .returning({ id: battles.id, mode: battles.mode })
      .all();
    if (updated.length !== 1) throw new AppError('not_ready', 'This battle changed meanwhile; reload it.');
    for (const img of params.images ?? []) {
      tx.insert(battleImages)
        .values({ battleId: params.battleId, turn, mediaType: img.mediaType, data: img.data, bytes: img.data.length, sha256: img.sha256, createdAt: now })
        .run();
    }
    const ids: TurnRows['answerIds'] = {};
    for (const side of sidesOf(updated[0].mode)) {
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
      .returning({ id: battles.id, mode: battles.mode })
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
    const ids: TurnRows['answerIds'] = {};
    for (const side of sidesOf(reopened[0].mode)) {
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

export interface BattleView {
  battle: Battle;
  messages: Message[];
  vote: Vote | null;
  /** Images of the prompts, by turn (empty for most battles). */
  images: ViewImage[];
}

export interface ViewImage {
  turn: number;
  mediaType: string;
  data: Buffer;
  bytes: number;
  sha256: string;
}

/** A battle with all its messages and its vote, read in one transaction. */
const battleById = preparedQuery((db) => db.select().from(battles).where(eq(battles.id, sql.placeholder('id'))).prepare());
const messagesOfBattle = preparedQuery((db) =>
  db.select().from(messages).where(eq(messages.battleId, sql.placeholder('id'))).orderBy(asc(messages.id)).prepare(),
);
const voteOfBattle = preparedQuery((db) => db.select().from(votes).where(eq(votes.battleId, sql.placeholder('id'))).prepare());
const imagesOfBattle = preparedQuery((db) =>
  db
    .select({ turn: battleImages.turn, mediaType: battleImages.mediaType, data: battleImages.data, bytes: battleImages.bytes, sha256: battleImages.sha256 })
    .from(battleImages)
    .where(eq(battleImages.battleId, sql.placeholder('id')))
    .orderBy(asc(battleImages.id))
    .prepare(),
);

export async function getBattleView(params: WithDb & { id: string }): Promise<BattleView | null> {
  const db = params.db ?? getDb();
  const args = { id: params.id };
  // One read transaction, so the battle, its messages and its vote are of the same moment.
  return db.transaction(() => {
    const battle = battleById(db).get(args);
    if (!battle) return null;
    const msgs = messagesOfBattle(db).all(args);
    const vote = voteOfBattle(db).get(args) ?? null;
    const images = battle.vision ? imagesOfBattle(db).all(args) : [];
    return { battle, messages: msgs, vote, images };
  });
}

// --- sharing -----------------------------------------------------------------------------

/** Sets the battle's share token (keeping one it already has); returns the token in force. */
export async function shareBattle(params: WithDb & { battleId: string; token: string; now?: number }): Promise<string> {
  const db = params.db ?? getDb();
  const now = params.now ?? Date.now();
  return db.transaction((tx) => {
    const row = tx.select({ token: battles.shareToken }).from(battles).where(eq(battles.id, params.battleId)).get();
    if (!row) throw new AppError('not_found', 'No battle with this id.');
    if (row.token) return row.token;
    tx.update(battles).set({ shareToken: params.token, sharedAt: now }).where(eq(battles.id, params.battleId)).run();
    return params.token;
  });
}

/** Revokes the battle's share link: the old token reads nothing any more. */
export async function unshareBattle(params: WithDb & { battleId: string }): Promise<void> {
  const db = params.db ?? getDb();
  db.update(battles).set({ shareToken: null, sharedAt: null }).where(eq(battles.id, params.battleId)).run();
}

/** The id of the battle shared under `token`, or null. */
export async function battleIdByShareToken(params: WithDb & { token: string }): Promise<string | null> {
  const db = params.db ?? getDb();
  return db.select({ id: battles.id }).from(battles).where(eq(battles.shareToken, params.token)).get()?.id ?? null;
}
