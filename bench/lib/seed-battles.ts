import { randomUUID } from 'node:crypto';
import type { Store } from '../../db/store';
import { createBattle, finishTurn, startTurn } from '../../db/queries/battles';

/** Writes `n` finished one-turn battles owned by `voterId`, ready for their vote; returns their ids. */
export async function seedVotableBattles(db: Store, n: number, voterId: string, models: [string, string]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await createBattle({ db, id, modelA: models[0], modelB: models[1], mode: 'live', samplingProbability: 1, voterId, judge: voterId });
    const rows = await startTurn({ db, battleId: id, prompt: `Seeded prompt ${i}`, expectedTurns: 0 });
    await finishTurn({
      db,
      battleId: id,
      status: 'active',
      answers: (['a', 'b'] as const).map((side) => ({
        id: rows.answerIds[side]!,
        result: { content: `Seeded answer ${side} ${i}`, finishReason: 'stop', tokens: 4, ttftMs: 10, durationMs: 20 },
      })),
    });
    ids.push(id);
  }
  return ids;
}
