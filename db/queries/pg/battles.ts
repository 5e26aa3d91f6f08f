import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { AppError } from '../../../lib/errors';
import type { PgDb } from '../../postgres';
import type { Battle, Message } from '../../schema';
import { battleImages, battles, messages, votes } from '../../schema-pg';
import { newBattleRow, type AnswerResult, type BattleView, type NewBattleFields, type TurnRows } from '../sqlite/battles';
import { row } from './exec';

/**
 * Postgres twin of db/queries/sqlite/battles.ts. Where the SQLite code reads and then writes in
 * one transaction, this one lets the first write decide: the conditional UPDATE of the battle row
 * (turn counter, status) takes its row lock, so a concurrent turn, regenerate or vote waits for it
 * and then re-checks its own condition against the committed row.
 */

type WithDb = { db?: PgDb };
type Side = 'a' | 'b';

function sidesOf(mode: string): Side[] {
  return mode === 'direct' ? ['a'] : ['a', 'b'];
}

export async function createBattle(params: WithDb & NewBattleFields): Promise<Battle> {
  const [created] = await params.db!.insert(battles).values(newBattleRow(params, params.now ?? Date.now())).returning();
  return created;
}

export async function getBattle(params: WithDb & { id: string }): Promise<Battle | null> {
  const [found] = await params.db!.select().from(battles).where(eq(battles.id, params.id)).limit(1);
  return found ?? null;
}

export async function getBattleMessages(params: WithDb & { battleId: string }): Promise<Message[]> {
  return params.db!.select().from(messages).where(eq(messages.battleId, params.battleId)).orderBy(asc(messages.id));
}

/** The assistant row ids of a multi-row insert, by side. */
function answerIdsOf(inserted: { id: number; side: Side; role: 'user' | 'assistant' }[]): TurnRows['answerIds'] {
  const ids: TurnRows['answerIds'] = {};
  for (const m of inserted) if (m.role === 'assistant') ids[m.side] = m.id;
  return ids;
}

export async function startTurn(
  params: WithDb & {
    battleId: string;
    prompt: string;
    expectedTurns: number;
    images?: { mediaType: string; data: Buffer; sha256: string }[];
    now?: number;
  },
): Promise<TurnRows> {
  const now = params.now ?? Date.now();
  const turn = params.expectedTurns + 1;
  return params.db!.transaction(async (tx) => {
    // The counter moves only from the expected value: of two concurrent turns the second waits on
    // this row's lock, then finds the counter moved and changes nothing.
    const updated = await tx
      .update(battles)
      .set({ turns: turn, status: 'active', updatedAt: now })
      .where(and(eq(battles.id, params.battleId), eq(battles.turns, params.expectedTurns), ne(battles.status, 'voted')))
      .returning({ id: battles.id, mode: battles.mode });
    if (updated.length !== 1) throw new AppError('not_ready', 'This battle changed meanwhile; reload it.');
    const images = params.images ?? [];
    if (images.length > 0) {
      await tx.insert(battleImages).values(
        images.map((img) => ({
          battleId: params.battleId,
          turn,
          mediaType: img.mediaType,
          data: img.data,
          bytes: img.data.length,
          sha256: img.sha256,
          createdAt: now,
        })),
      );
    }
    // Per side the prompt, then its empty answer: ids in the order SQLite writes them.
    const rows = sidesOf(updated[0].mode).flatMap((side) => [
      { battleId: params.battleId, side, turn, role: 'user' as const, content: params.prompt, createdAt: now },
      { battleId: params.battleId, side, turn, role: 'assistant' as const, content: '', createdAt: now },
    ]);
    const inserted = await tx.insert(messages).values(rows).returning({ id: messages.id, side: messages.side, role: messages.role });
    return { turn, answerIds: answerIdsOf(inserted) };
  });
}

export async function supersedeTurn(params: WithDb & { battleId: string; turn: number; now?: number }): Promise<TurnRows> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    // Holds the battle row until commit: a vote racing this regenerate closes the battle after it, or wins and this is refused.
    const reopened = await tx
      .update(battles)
      .set({ status: 'active', updatedAt: now })
      .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')))
      .returning({ id: battles.id, mode: battles.mode });
    if (reopened.length !== 1) throw new AppError('battle_closed', 'This battle is closed: it has been voted on.');
    await tx
      .update(messages)
      .set({ superseded: true })
      .where(
        and(
          eq(messages.battleId, params.battleId),
          eq(messages.turn, params.turn),
          eq(messages.role, 'assistant'),
          eq(messages.superseded, false),
        ),
      );
    const rows = sidesOf(reopened[0].mode).map((side) => ({
      battleId: params.battleId,
      side,
      turn: params.turn,
      role: 'assistant' as const,
      content: '',
      createdAt: now,
    }));
    const inserted = await tx.insert(messages).values(rows).returning({ id: messages.id, side: messages.side, role: messages.role });
    return { turn: params.turn, answerIds: answerIdsOf(inserted) };
  });
}

export async function finishTurn(
  params: WithDb & {
    battleId: string;
    answers: { id: number; result: AnswerResult }[];
    status: Battle['status'];
    now?: number;
  },
): Promise<void> {
  const now = params.now ?? Date.now();
  await params.db!.transaction(async (tx) => {
    for (const { id, result } of params.answers) {
      await tx
        .update(messages)
        .set({
          content: result.content,
          finishReason: result.finishReason,
          tokens: result.tokens ?? null,
          ttftMs: result.ttftMs ?? null,
          durationMs: result.durationMs ?? null,
          error: result.error ?? null,
        })
        .where(eq(messages.id, id));
    }
    // Never overwrites 'voted', checked in the same statement that writes (a vote may commit meanwhile).
    await tx
      .update(battles)
      .set({ status: params.status, updatedAt: now })
      .where(and(eq(battles.id, params.battleId), ne(battles.status, 'voted')));
  });
}

export async function getBattleView(params: WithDb & { id: string }): Promise<BattleView | null> {
  // One snapshot for the four reads, so the battle, its messages and its vote are of the same moment.
  return params.db!.transaction(
    async (tx) => {
      const [battle] = await tx.select().from(battles).where(eq(battles.id, params.id)).limit(1);
      if (!battle) return null;
      const msgs = await tx.select().from(messages).where(eq(messages.battleId, params.id)).orderBy(asc(messages.id));
      const [vote] = await tx.select().from(votes).where(eq(votes.battleId, params.id)).limit(1);
      const images = battle.vision
        ? await tx
            .select({ turn: battleImages.turn, mediaType: battleImages.mediaType, data: battleImages.data, bytes: battleImages.bytes, sha256: battleImages.sha256 })
            .from(battleImages)
            .where(eq(battleImages.battleId, params.id))
            .orderBy(asc(battleImages.id))
        : [];
      return { battle, messages: msgs, vote: vote ?? null, images };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

// --- sharing -----------------------------------------------------------------------------

export async function shareBattle(params: WithDb & { battleId: string; token: string; now?: number }): Promise<string> {
  const now = params.now ?? Date.now();
  return params.db!.transaction(async (tx) => {
    // Locked, so that of two concurrent shares the second sees the first one's token.
    const [current] = await tx
      .select({ token: battles.shareToken })
      .from(battles)
      .where(eq(battles.id, params.battleId))
      .for('update');
    if (!current) throw new AppError('not_found', 'No battle with this id.');
    if (current.token) return current.token;
    await tx.update(battles).set({ shareToken: params.token, sharedAt: now }).where(eq(battles.id, params.battleId));
    return params.token;
  });
}

export async function unshareBattle(params: WithDb & { battleId: string }): Promise<void> {
  await params.db!.update(battles).set({ shareToken: null, sharedAt: null }).where(eq(battles.id, params.battleId));
}

export async function battleIdByShareToken(params: WithDb & { token: string }): Promise<string | null> {
  const [found] = await params.db!.select({ id: battles.id }).from(battles).where(eq(battles.shareToken, params.token)).limit(1);
  return found?.id ?? null;
}
