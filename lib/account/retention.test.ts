import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Retention forgets old conversations, keeps their votes and style features, and leaves the boards as they were. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-retention-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('@/db/index');
const { createBattle, startTurn, finishTurn } = await import('@/db/queries/battles');
const { castVote } = await import('@/db/queries/votes');
const { computeSnapshots } = await import('@/lib/leaderboard/compute-snapshots');
const { readBoard } = await import('@/lib/leaderboard/read-board');
const { applyRetention } = await import('./retention');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

async function battle(id: string, createdAt: number, opts: { vote: boolean; answers: [string, string] }) {
  await createBattle({ id, modelA: 'alpha', modelB: 'bravo', mode: 'live', samplingProbability: 1, now: createdAt });
  const rows = await startTurn({ battleId: id, prompt: `prompt of ${id}`, expectedTurns: 0, now: createdAt });
  await finishTurn({
    battleId: id,
    status: 'active',
    answers: (['a', 'b'] as const).map((side, k) => ({ id: rows.answerIds[side]!, result: { content: opts.answers[k], finishReason: 'stop', tokens: 10 } })),
    now: createdAt,
  });
  if (opts.vote) await castVote({ battleId: id, winner: 'model_a', voterId: null, leakReason: null, now: createdAt + 1000 });
}

describe('retention', () => {
  it('forgets old conversations but keeps the votes, the style features and the boards', async () => {
    const now = Date.now();
    const old = now - 40 * DAY;
    await battle('old-voted', old, { vote: true, answers: ['# Title\n- one\n- two **bold**', 'plain answer'] });
    await battle('old-unvoted', old, { vote: false, answers: ['x', 'y'] });
    await battle('recent', now - DAY, { vote: true, answers: ['## h\nsome text', '1. a\n2. b'] });
    const db = getDb();
    await computeSnapshots({ db });
    const before = await readBoard({ category: 'overall', styleControl: true });

    expect(await applyRetention({ days: 30, now })).toEqual({ forgotten: 1, deleted: 1 });
    const c = db.$client;
    const count = (sql: string, ...a: unknown[]) => (c.prepare(sql).get(...a) as { n: number }).n;
    expect(count(`SELECT count(*) AS n FROM messages WHERE battle_id = 'old-voted'`)).toBe(0);
    expect(count(`SELECT count(*) AS n FROM battles WHERE id = 'old-unvoted'`)).toBe(0);
    expect(count(`SELECT count(*) AS n FROM messages WHERE battle_id = 'recent'`)).toBe(4);
    expect(count(`SELECT count(*) AS n FROM votes`)).toBe(2);
    const kept = JSON.parse((c.prepare(`SELECT style_features AS s FROM battles WHERE id = 'old-voted'`).get() as { s: string }).s);
    expect(kept.a).toMatchObject({ headers: 1, listItems: 2, bold: 1 });

    await computeSnapshots({ db });
    const after = await readBoard({ category: 'overall', styleControl: true });
    expect(after!.result.models).toEqual(before!.result.models);
    // A second run finds nothing more to do.
    expect(await applyRetention({ days: 30, now })).toEqual({ forgotten: 0, deleted: 0 });
    expect(await applyRetention({ days: null, now })).toEqual({ forgotten: 0, deleted: 0 });
  });
});
