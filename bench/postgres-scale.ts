/**
 * The app on Postgres at the scale of the real Chatbot Arena data (1.67 M votes), and two
 * instances serving one database.
 *
 *   npx next build && npx tsx bench/postgres-scale.ts   (npm run bench -- postgres-scale)
 *
 * On a throw-away Postgres server of its own with crash safety on (fsync, synchronous commit):
 *
 * 1. Import: `pairwise import` of the votes as one clean_battle JSON array (the file
 *    bench/lib/battles-file.ts keeps under bench/out) with DATABASE_URL set, into an empty
 *    database, as a separate process. Target: under 60 s.
 * 2. Start: instance A (`npm start`) on that database, which has no ratings yet; time from
 *    spawning it until GET /api/leaderboard counts every battle. Target: within 10 s.
 * 3. GET /api/leaderboard: median and p95 over sequential requests. Target: median under 100 ms.
 * 4. Instance B on the same database. Votes cast through the API (a battle streamed from the local
 *    OpenAI-compatible stub, then voted), on A and B in turn: the time from the vote's
 *    acknowledgement until both instances' boards count it, p50 and max. Target: within 2 s.
 * 5. Bounded vote ingest against both instances at once: battles seeded ready for their vote, a
 *    fixed number of votes sent to each instance (autocannon, closed loop), then every
 *    acknowledged vote looked for in the store.
 *
 * Figures are wall-clock; the load average is printed first because the machine may be shared.
 * Exit code 0 whatever the figures (1 only when something fails outright).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { closePostgres, openPostgres } from '../db/postgres';
import { startPostgres } from '../db/testing/postgres-server';
import { startApp, type AppServer } from '../e2e/fixtures/app-server';
import { startOpenAIStub } from '../e2e/fixtures/openai-stub';
import { stubModel } from '../e2e/fixtures/registry';
import { signVoterId } from '../lib/identity/voter-cookie';
import { DATA, ensureData } from './lib/battles-file';
import { seedVotableBattles } from './lib/seed-battles';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const VOTES = Number(process.env.BENCH_VOTES ?? 8);
const INGEST_VOTES = Number(process.env.BENCH_INGEST_VOTES ?? 1_500);
const SECRET = 'bench-secret-0123456789abcdef';
const VOTER = '22222222-2222-4222-8222-222222222222';

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function boardBattles(app: AppServer): Promise<number> {
  const res = await fetch(`${app.url}/api/leaderboard`);
  return res.status === 200 ? ((await res.json()) as { battles: number }).battles : -1;
}

/** One battle through the API of `app` (its own voter cookie), then the vote; resolves at the vote's acknowledgement. */
async function battleAndVote(app: AppServer, k: number): Promise<number> {
  const res = await fetch(`${app.url}/api/battles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: `Question number ${k}: what is ${k} plus ${k}?` }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /api/battles: HTTP ${res.status} ${text.slice(0, 200)}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const first = JSON.parse(text.split('\n')[0]!) as { battleId: string };
  const vote = await fetch(`${app.url}/api/battles/${first.battleId}/vote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ winner: ['model_a', 'model_b', 'tie'][k % 3] }),
  });
  const ackAt = performance.now();
  if (vote.status !== 200) throw new Error(`vote: HTTP ${vote.status} ${await vote.text()}`);
  return ackAt;
}

function voteRun(url: string, ids: string[], cookie: string): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url,
        connections: 8,
        amount: ids.length,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie },
            body: JSON.stringify({ winner: 'tie' }),
            setupRequest: (req) => ({ ...req, path: `/api/battles/${ids[next++ % ids.length]}/vote` }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) throw new Error('no production build in .next: run `npx next build` first');
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} CPUs`);
  await ensureData();
  const server = await startPostgres({ durable: true });
  const stub = await startOpenAIStub();
  const apps: AppServer[] = [];
  try {
    const database = await server.createDatabase();
    const env = { DATABASE_URL: database.url, PAIRWISE_SECRET: SECRET };

    // 1. Import.
    let t0 = performance.now();
    const imported = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', DATA, '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const importMs = performance.now() - t0;
    if (imported.status !== 0) throw new Error(`pairwise import failed (${imported.status}):\n${imported.stderr}`);
    const report = JSON.parse(imported.stdout) as { imported: number; skipped: number };
    console.log(`import: ${report.imported.toLocaleString('en-US')} battles in ${fmt(importMs)} (${Math.round(report.imported / (importMs / 1000)).toLocaleString('en-US')}/s) — target under 60 s: ${verdict(importMs < 60_000)}`);

    // 2. Start and the first board.
    const registry = {
      models: [1, 2].map((n) => stubModel(stub, { id: `pg-${n}`, name: `Postgres ${n}`, model: `stub-echo:words=${8 + n}` })),
    };
    t0 = performance.now();
    const a = await startApp({ registry, databaseUrl: database.url, env: { ...env, PAIRWISE_DISABLE_RATE_LIMITS: '1' } });
    apps.push(a);
    const listening = performance.now() - t0;
    while ((await boardBattles(a)) < report.imported) {
      if (performance.now() - t0 > 120_000) throw new Error('no board counting every battle within 120 s');
      await sleep(100);
    }
    const firstBoard = performance.now() - t0;
    console.log(`first board: ${fmt(firstBoard)} from spawning the server (listening after ${fmt(listening)}) — target within 10 s: ${verdict(firstBoard < 10_000)}`);

    // 3. Leaderboard latency.
    const times: number[] = [];
    for (let k = 0; k < API_REQUESTS; k++) {
      const s = performance.now();
      const res = await fetch(`${a.url}/api/leaderboard`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`GET /api/leaderboard: HTTP ${res.status}`);
      times.push(performance.now() - s);
    }
    console.log(`GET /api/leaderboard (${API_REQUESTS} sequential): median ${fmt(pct(times, 0.5))}, p95 ${fmt(pct(times, 0.95))} — target median under 100 ms: ${verdict(pct(times, 0.5) < 100)}`);

    // 4. A second instance; votes on each in turn, until both boards count them.
    const b = await startApp({ registry, databaseUrl: database.url, env: { ...env, PAIRWISE_DISABLE_RATE_LIMITS: '1' } });
    apps.push(b);
    const delays: number[] = [];
    for (let k = 0; k < VOTES; k++) {
      const before = Math.max(await boardBattles(a), await boardBattles(b));
      const ackAt = await battleAndVote(k % 2 === 0 ? a : b, k);
      for (;;) {
        const [onA, onB] = await Promise.all([boardBattles(a), boardBattles(b)]);
        if (onA > before && onB > before) break;
        if (performance.now() - ackAt > 30_000) throw new Error('a vote did not reach both boards within 30 s');
        await sleep(20);
      }
      delays.push(performance.now() - ackAt);
      await sleep(1_500);
    }
    console.log(
      `vote to both instances' boards (${VOTES} votes, on A and B in turn): p50 ${fmt(pct(delays, 0.5))}, max ${fmt(Math.max(...delays))} — target within 2 s: ${verdict(Math.max(...delays) < 2_000)}` +
        ` (each: ${delays.map(fmt).join(', ')})`,
    );

    // 5. Vote ingest against both instances at once.
    const db = await openPostgres(database.url, { max: 4 });
    try {
      const ids = await seedVotableBattles(db, 2 * INGEST_VOTES, VOTER, ['pg-1', 'pg-2']);
      const cookie = `pw_voter=${signVoterId(VOTER, SECRET)}`;
      t0 = performance.now();
      const [ra, rb] = await Promise.all([voteRun(a.url, ids.slice(0, INGEST_VOTES), cookie), voteRun(b.url, ids.slice(INGEST_VOTES), cookie)]);
      const seconds = (performance.now() - t0) / 1000;
      const acknowledged = ra['2xx'] + rb['2xx'];
      const stored = (await db.execute(sql`SELECT count(*) AS n FROM votes v JOIN battles b ON b.id = v.battle_id WHERE b.voter_id = ${VOTER}`)).rows[0] as { n: number };
      console.log(
        `vote ingest, two instances at once (${INGEST_VOTES} votes each, 8 connections each): ${Math.round(acknowledged / seconds)} votes/s in all; ` +
          `p50 ${ra.latency.p50}/${rb.latency.p50} ms, p99 ${ra.latency.p99}/${rb.latency.p99} ms (A/B); ` +
          `${acknowledged} acknowledged, ${ra.non2xx + rb.non2xx + ra.errors + rb.errors} refused or failed, ${stored.n} stored`,
      );
      if (stored.n !== acknowledged) console.log(`MISMATCH: ${acknowledged} votes acknowledged, ${stored.n} stored`);
    } finally {
      await closePostgres(db);
    }
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await stub.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
