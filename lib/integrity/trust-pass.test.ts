import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The trust pass over a real temporary store: flags land on the voters and exclude their votes. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-trust-'));
process.env.DATABASE_PATH = path.join(dir, 'store.db');

const { getDb } = await import('@/db/index');
const { createBattle, startTurn, finishTurn } = await import('@/db/queries/battles');
const { castVote } = await import('@/db/queries/votes');
const { createVoter } = await import('@/db/queries/voters');
const { runTrustPass } = await import('./trust-pass');
const { seededRng } = await import('@/lib/battle/sampling');

afterAll(() => {
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const MODELS = ['m0', 'm1', 'm2', 'm3'];
const RATINGS = new Map([
  ['m0', 1150],
  ['m1', 1050],
  ['m2', 950],
  ['m3', 850],
]);
let n = 0;

async function vote(voterId: string, at: number, winner: 'model_a' | 'model_b', pair: [string, string], readMs: number) {
  const id = `b${n++}`;
  await createBattle({ id, modelA: pair[0], modelB: pair[1], mode: 'live', samplingProbability: 1, voterId, now: at - readMs - 5000 });
  const rows = await startTurn({ battleId: id, prompt: 'p', expectedTurns: 0, now: at - readMs - 5000 });
  await finishTurn({
    battleId: id,
    status: 'active',
    answers: (['a', 'b'] as const).map((s) => ({ id: rows.answerIds[s]!, result: { content: 'x'.repeat(1200), finishReason: 'stop', durationMs: 5000 } })),
  });
  await castVote({ battleId: id, winner, voterId, leakReason: null, now: at });
}

describe('trust pass', () => {
  it('excludes a scripted voter, keeps honest ones, and changes nothing when run again', async () => {
    const rng = seededRng(3);
    const t0 = 1_700_000_000_000;
    for (const voter of ['honest-1', 'honest-2', 'script']) await createVoter({ id: voter, network: null });
    for (let k = 0; k < 30; k++) {
      for (const voter of ['honest-1', 'honest-2']) {
        const i = Math.floor(rng() * 4);
        const j = (i + 1 + Math.floor(rng() * 3)) % 4;
        const p = 1 / (1 + 10 ** ((RATINGS.get(MODELS[j])! - RATINGS.get(MODELS[i])!) / 400));
        await vote(voter, t0 + k * 120_000 + (voter === 'honest-2' ? 7_000 : 0), rng() < p ? 'model_a' : 'model_b', [MODELS[i], MODELS[j]], 60_000);
      }
      // The script: a vote every second, half a second after the answers finished.
      await vote('script', t0 + 10_000_000 + k * 1_000, rng() < 0.5 ? 'model_a' : 'model_b', ['m3', 'm0'], 500);
    }
    const db = getDb();
    const first = runTrustPass(db, RATINGS, 'exclude');
    expect(first).toMatchObject({ identities: 3, flagged: 1, votesChanged: 30 });
    const reasons = db.$client
      .prepare(`SELECT voter_id AS voter, excluded_reason AS reason, count(*) AS n FROM votes GROUP BY 1, 2 ORDER BY 1`)
      .all();
    expect(reasons).toEqual([
      { voter: 'honest-1', reason: null, n: 30 },
      { voter: 'honest-2', reason: null, n: 30 },
      { voter: 'script', reason: 'low_trust: burst', n: 30 },
    ]);
    const stored = db.$client.prepare(`SELECT trust, trust_flag AS flag FROM voters WHERE id = 'script'`).get();
    expect(stored).toEqual({ trust: 0, flag: 'low_trust: burst' });
    expect(runTrustPass(db, RATINGS, 'exclude')).toMatchObject({ votesChanged: 0 });

    // Observe only: the scores stay, the exclusions go.
    expect(runTrustPass(db, RATINGS, 'observe')).toMatchObject({ flagged: 0, votesChanged: 30 });
    expect((db.$client.prepare(`SELECT count(*) AS n FROM votes WHERE excluded_reason IS NOT NULL`).get() as { n: number }).n).toBe(0);
  });
});
