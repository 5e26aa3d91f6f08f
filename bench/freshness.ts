/**
 * How soon a vote reaches the leaderboard on a store of the 1.67 M real Chatbot Arena votes.
 *
 *   npx next build && npx tsx bench/freshness.ts   (npm run bench -- freshness)
 *
 * 1. Store: `pairwise import` of the 1.67 M votes (the clean_battle JSON array under bench/out that
 *    bench/leaderboard-scale.ts and bench/ratings.ts use) into a temporary store, kept as
 *    BENCH_STORE_DIR/imported.db (default /tmp/pairwise-bench-freshness) and reused by later runs
 *    when it holds exactly those battles (BENCH_FRESH=1 imports again). Each run works on a copy.
 * 2. The built server (server.mjs) on the copy, with three models served by the local
 *    OpenAI-compatible stub: the time until the first board, until the first full pass, and until
 *    the board comes from the counts (built from every vote at the first start).
 * 3. Votes cast through the API (a real battle, streamed, then voted), one every few seconds: the
 *    time from the vote's acknowledgement until GET /api/leaderboard counts it, p50 and max.
 *    Target: within 2 s.
 * 4. The passes on their own, in this process on the same copy: one counts pass after one new vote
 *    (fold + refit of the boards whose counts changed), the counts rebuilt from nothing (what a
 *    change to counted votes costs), and one full pass over every battle.
 *
 * Figures are wall-clock; the load average is printed first because the machine may be shared.
 * Exit code 0 whatever the figures (1 only when something fails outright).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { openDb } from '../db/index';
import { createBattle } from '../db/queries/battles';
import { clearPairCounts } from '../db/queries/pair-counts';
import { castVote } from '../db/queries/votes';
import { startApp } from '../e2e/fixtures/app-server';
import { startOpenAIStub } from '../e2e/fixtures/openai-stub';
import { stubModel } from '../e2e/fixtures/registry';
import { computeBoardsFromCounts, type CountsCache } from '../lib/leaderboard/count-boards';
import { computeSnapshots } from '../lib/leaderboard/compute-snapshots';
import { ensureImportedStore, IMPORTED, IMPORTED_STORE, STORE_DIR } from './lib/imported-store';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK_STORE = path.join(STORE_DIR, 'run.db');
const VOTES = Number(process.env.BENCH_VOTES ?? 8);
const TARGET_MS = 2_000;

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function copyStore(): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(WORK_STORE + suffix, { force: true });
  fs.copyFileSync(IMPORTED_STORE, WORK_STORE);
}

interface Board {
  battles: number;
  freshness: { throughVoteId: number; pass: string; fullPass: { asOf: string; lagging: boolean } | null } | null;
}

async function board(url: string): Promise<Board | null> {
  const res = await fetch(`${url}/api/leaderboard`);
  return res.status === 200 ? ((await res.json()) as Board) : null;
}

/** One battle through the API: stream it, then vote; resolves at the vote's acknowledgement. */
async function battleAndVote(ctx: APIRequestContext, k: number): Promise<number> {
  const res = await ctx.post('/api/battles', { data: { prompt: `Question number ${k}: what is ${k} plus ${k}?` } });
  const text = await res.text();
  if (res.status() !== 200) throw new Error(`POST /api/battles: HTTP ${res.status()} ${text.slice(0, 200)}`);
  const first = JSON.parse(text.split('\n')[0]) as { type: string; battleId: string };
  if (first.type !== 'battle') throw new Error(`unexpected stream: ${text.slice(0, 200)}`);
  const vote = await ctx.post(`/api/battles/${first.battleId}/vote`, { data: { winner: ['model_a', 'model_b', 'tie'][k % 3] } });
  const ackAt = performance.now();
  if (vote.status() !== 200) throw new Error(`vote: HTTP ${vote.status()} ${await vote.text()}`);
  return ackAt;
}

async function serverFigures(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    console.log('\nno production build in .next: run `npx next build` for the server figures');
    return;
  }
  console.log('\n2. server');
  copyStore();
  const stub = await startOpenAIStub();
  const t0 = performance.now();
  const app = await startApp({
    databasePath: WORK_STORE,
    env: { PAIRWISE_DISABLE_RATE_LIMITS: '1' },
    registry: {
      models: [
        stubModel(stub, { id: 'stub-one', name: 'Stub One', model: 'stub-echo:words=5' }),
        stubModel(stub, { id: 'stub-two', name: 'Stub Two', model: 'stub-echo:words=6' }),
        stubModel(stub, { id: 'stub-three', name: 'Stub Three', model: 'stub-echo:words=7' }),
      ],
    },
  });
  const ctx = await playwrightRequest.newContext({ baseURL: app.url });
  try {
    // The store has no counts yet: the counts pass builds them from every vote at start-up, while
    // the full pass runs too. The votes below are timed once both are done (the steady state).
    const seen = new Set<string>();
    for (;;) {
      const b = await board(app.url);
      if (b && b.battles === IMPORTED) {
        const pass = b.freshness?.pass ?? 'none';
        if (!seen.has(pass)) {
          seen.add(pass);
          console.log(`  first board from the ${pass} pass after ${fmt(performance.now() - t0)}`);
        }
        if (b.freshness?.fullPass && !seen.has('full pass')) {
          seen.add('full pass');
          console.log(`  first full pass done after ${fmt(performance.now() - t0)}`);
        }
        if (pass === 'counts' && b.freshness?.fullPass) break;
      }
      if (performance.now() - t0 > 900_000) throw new Error(`no board from the counts within 900 s:\n${app.logs()}`);
      await sleep(250);
    }

    console.log(`\n3. ${VOTES} votes through the API, one every ~3 s (target: on the board within ${fmt(TARGET_MS)})`);
    const lags: number[] = [];
    let expected = IMPORTED;
    for (let k = 1; k <= VOTES; k++) {
      const ackAt = await battleAndVote(ctx, k);
      expected++;
      let polls = 0;
      for (;;) {
        const b = await board(app.url);
        polls++;
        if (b && b.battles >= expected) {
          const lag = performance.now() - ackAt;
          lags.push(lag);
          console.log(`  vote ${k}: on the board after ${fmt(lag)} (${polls} polls; full pass ${b.freshness?.fullPass?.lagging ? 'lagging' : 'current'})`);
          break;
        }
        if (performance.now() - ackAt > 120_000) throw new Error(`vote ${k} not on the board within 120 s:\n${app.logs().slice(-3000)}`);
        await sleep(50);
      }
      await sleep(3_000);
    }
    const p50 = pct(lags, 0.5);
    const max = Math.max(...lags);
    console.log(`  vote acknowledged → on /api/leaderboard: p50 ${fmt(p50)}, max ${fmt(max)} over ${lags.length} votes (target ${fmt(TARGET_MS)}: ${max <= TARGET_MS ? 'OK' : 'MISSED'})`);
  } finally {
    await ctx.dispose();
    await app.stop();
    await stub.close();
  }
}

/** The passes on their own, on the run's copy (the server has stopped). */
async function passFigures(): Promise<void> {
  console.log('\n4. the passes on their own (in this process)');
  if (!fs.existsSync(WORK_STORE)) copyStore();
  const db = openDb(WORK_STORE);
  db.$client.pragma('mmap_size = 1073741824');
  try {
    // Bring the counts up to date first, then time a pass with one new vote in it: with the counts
    // kept in memory (as the server's counts worker keeps them), and read from the store (the
    // first pass of a process, or after another process folded).
    const cache: CountsCache = {};
    await computeBoardsFromCounts({ db, cache });
    const oneVote = async (k: number) => {
      const now = Date.now();
      const id = `bench-freshness-${now}-${k}`;
      await createBattle({ db, id, modelA: 'gpt-4-0613', modelB: 'claude-3-opus-20240229', mode: 'live', samplingProbability: 0.01, voterId: 'bench-voter', now });
      await castVote({ db, battleId: id, winner: 'model_a', voterId: 'bench-voter', leakReason: null, now });
    };
    for (const [label, withCache] of [
      ['counts in memory', cache],
      ['counts read from the store', undefined],
    ] as const) {
      await oneVote(label.length);
      const fast = await computeBoardsFromCounts({ db, cache: withCache });
      console.log(
        `  counts pass, one new vote, ${label}: ${fmt(fast.ms)} (fold ${fmt(fast.fold.ms)}, ${fast.fitted} of ${fast.boards.length} boards refitted in ${fmt(fast.fitMs)})`,
      );
    }
    clearPairCounts({ db });
    const rebuild = await computeBoardsFromCounts({ db });
    console.log(`  counts rebuilt from nothing (a change to counted votes): ${fmt(rebuild.ms)} (fold ${fmt(rebuild.fold.ms)}, ${rebuild.fold.folded.toLocaleString('en-US')} votes)`);
    const t = performance.now();
    const full = await computeSnapshots({ db });
    console.log(`  full pass over every battle: ${fmt(performance.now() - t)} (read ${fmt(full.readMs)}, fit + store ${fmt(full.fitMs)}, history ${fmt(full.history?.ms ?? 0)})`);
  } finally {
    db.$client.close();
  }
}

async function main(): Promise<void> {
  const [l1, l5] = os.loadavg();
  console.log(`load average ${l1.toFixed(2)} / ${l5.toFixed(2)} on ${os.cpus().length} cores`);
  console.log('\n1. store');
  await ensureImportedStore();
  await serverFigures();
  await passFigures();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
