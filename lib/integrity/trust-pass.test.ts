import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBattle, finishTurn, startTurn } from '@/db/queries/battles';
import { createVoter } from '@/db/queries/voters';
import { castVote } from '@/db/queries/votes';
import type { Store } from '@/db/store';
import { allSql } from '@/db/testing/raw-sql';
import { openTestStore, STORES, type TestStore } from '@/db/testing/stores';
import { seededRng } from '@/lib/battle/sampling';
import { runTrustPass } from './trust-pass';

/**
 * The trust pass over a real temporary store, SQLite and Postgres: flags land on the voters and
 * exclude their votes. The same votes are cast on each store through the query functions.
 */

const MODELS = ['m0', 'm1', 'm2', 'm3'];
const RATINGS = new Map([
  ['m0', 1150],
  ['m1', 1050],
  ['m2', 950],
  ['m3', 850],
]);

async function vote(db: Store, n: number, voterId: string, at: number, winner: 'model_a' | 'model_b', pair: [string, string], readMs: number) {
  const id = `b${n}`;
  await createBattle({ db, id, modelA: pair[0], modelB: pair[1], mode: 'live', samplingProbability: 1, voterId, now: at - readMs - 5000 });
  const rows = await startTurn({ db, battleId: id, prompt: 'p', expectedTurns: 0, now: at - readMs - 5000 });
  await finishTurn({
    db,
    battleId: id,
    status: 'active',
    answers: (['a', 'b'] as const).map((s) => ({ id: rows.answerIds[s]!, result: { content: 'x'.repeat(1200), finishReason: 'stop', durationMs: 5000 } })),
  });
  await castVote({ db, battleId: id, winner, voterId, leakReason: null, now: at });
}

/** Two honest voters and a script, 30 votes each. */
async function castVotes(db: Store): Promise<void> {
  const rng = seededRng(3);
  const t0 = 1_700_000_000_000;
  let n = 0;
  for (const voter of ['honest-1', 'honest-2', 'script']) await createVoter({ db, id: voter, network: null });
  for (let k = 0; k < 30; k++) {
    for (const voter of ['honest-1', 'honest-2']) {
      const i = Math.floor(rng() * 4);
      const j = (i + 1 + Math.floor(rng() * 3)) % 4;
      const p = 1 / (1 + 10 ** ((RATINGS.get(MODELS[j])! - RATINGS.get(MODELS[i])!) / 400));
      await vote(db, n++, voter, t0 + k * 120_000 + (voter === 'honest-2' ? 7_000 : 0), rng() < p ? 'model_a' : 'model_b', [MODELS[i], MODELS[j]], 60_000);
    }
    // The script: a vote every second, half a second after the answers finished.
    await vote(db, n++, 'script', t0 + 10_000_000 + k * 1_000, rng() < 0.5 ? 'model_a' : 'model_b', ['m3', 'm0'], 500);
  }
}

describe.each(STORES)('trust pass on %s', (dialect) => {
  let store: TestStore;
  let db: Store;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    db = store.db;
    await castVotes(db);
  });
  afterEach(() => store.close());

  it('excludes a scripted voter, keeps honest ones, and changes nothing when run again', async () => {
    const first = await runTrustPass(db, RATINGS, 'exclude');
    expect(first).toMatchObject({ identities: 3, flagged: 1, votesChanged: 30 });
    const reasons = await allSql<{ voter: string; reason: string | null; n: number }>(
      db,
      sql`SELECT voter_id AS voter, excluded_reason AS reason, count(*) AS n FROM votes GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(reasons).toEqual([
      { voter: 'honest-1', reason: null, n: 30 },
      { voter: 'honest-2', reason: null, n: 30 },
      { voter: 'script', reason: 'low_trust: burst', n: 30 },
    ]);
    const stored = await allSql(db, sql`SELECT trust, trust_flag AS flag FROM voters WHERE id = 'script'`);
    expect(stored).toEqual([{ trust: 0, flag: 'low_trust: burst' }]);
    expect(await runTrustPass(db, RATINGS, 'exclude')).toMatchObject({ votesChanged: 0 });

    // Observe only: the scores stay, the exclusions go.
    expect(await runTrustPass(db, RATINGS, 'observe')).toMatchObject({ flagged: 0, votesChanged: 30 });
    expect(await allSql(db, sql`SELECT count(*) AS n FROM votes WHERE excluded_reason IS NOT NULL`)).toEqual([{ n: 0 }]);
  });

  it('two passes at once change each vote once', async () => {
    const [a, b] = await Promise.all([runTrustPass(db, RATINGS, 'exclude'), runTrustPass(db, RATINGS, 'exclude')]);
    expect(a.flagged + b.flagged).toBe(2);
    expect(a.votesChanged + b.votesChanged).toBe(30);
    expect(await allSql(db, sql`SELECT voter_id AS voter, count(*) AS n FROM votes WHERE excluded_reason IS NOT NULL GROUP BY 1`)).toEqual([
      { voter: 'script', n: 30 },
    ]);
    expect(await allSql(db, sql`SELECT value FROM settings WHERE key = 'ratings.input'`)).toEqual([{ value: '1' }]);
  });
});
