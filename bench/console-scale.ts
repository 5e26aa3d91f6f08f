/**
 * The operator console at the scale of the real Chatbot Arena data: 1.67 M imported votes plus
 * arena battles of a few hundred voters, some of them excluded.
 *
 *   npx next build && npx tsx bench/console-scale.ts   (npm run bench -- console-scale)
 *
 * 1. Store: `pairwise import` of the 1.67 M votes (the clean_battle JSON array that
 *    bench/leaderboard-scale.ts and bench/ratings.ts use, generated once under bench/out), then
 *    5,000 battles fought by 400 voters with conversations, 2 % of them excluded by the leak check.
 *    The store is kept between runs (BENCH_FRESH=1 rebuilds it).
 * 2. The built server on that store, an admin made with `pairwise admin create`, signed in through
 *    next-auth's credentials route.
 * 3. Each console page (server-rendered HTML) and each console API list: median and p95 over
 *    sequential requests, for the vote browser with every filter and 20 pages deep.
 *    Target: every median under 150 ms.
 * 4. Exclude one vote: the request, then the time until the leaderboard counts one battle fewer.
 * 5. Remove the 1.67 M-battle import (BENCH_KEEP_IMPORT=1 skips it): the time until it is gone,
 *    and GET /api/leaderboard latency meanwhile, which shows whether the arena keeps answering.
 *
 * Figures are wall-clock; the load average is printed first because the machine may be shared.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { openDb } from '../db/index';
import { createBattle } from '../db/queries/battles';
import { castVote } from '../db/queries/votes';
import { createVoter } from '../db/queries/voters';
import { startApp, type AppServer } from '../e2e/fixtures/app-server';
import { startOpenAIStub } from '../e2e/fixtures/openai-stub';
import { stubModel } from '../e2e/fixtures/registry';
import { DATA, ensureData } from './lib/battles-file';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const STORE_DIR = path.join(OUT, 'console-scale');
const STORE = path.join(STORE_DIR, 'store.db');
const IMPORTED = 1_670_250;
const ARENA_BATTLES = 5_000;
const VOTERS = 400;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30);
const TARGET_MS = 150;

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function storeReady(): boolean {
  if (process.env.BENCH_FRESH || !fs.existsSync(STORE)) return false;
  const db = openDb(STORE);
  try {
    const n = (db.$client.prepare(`SELECT count(*) AS n FROM battles`).get() as { n: number }).n;
    return n === IMPORTED + ARENA_BATTLES;
  } finally {
    db.$client.close();
  }
}

async function buildStore(): Promise<void> {
  fs.rmSync(STORE_DIR, { recursive: true, force: true });
  fs.mkdirSync(STORE_DIR, { recursive: true });
  const t0 = performance.now();
  const res = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', DATA], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: STORE },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(`pairwise import failed (${res.status}):\n${res.stderr}`);
  console.log(`  pairwise import: ${fmt(performance.now() - t0)} — ${res.stdout.trim().split('\n')[0]}`);

  const t1 = performance.now();
  const db = openDb(STORE);
  try {
    const models = ['stub-one', 'stub-two', 'stub-three'];
    for (let v = 0; v < VOTERS; v++) await createVoter({ db, id: `bench-voter-${v}`, network: null, now: Date.UTC(2024, 7, 15) + v * 1000 });
    const base = Date.UTC(2024, 7, 15);
    const message = db.$client.prepare(
      `INSERT INTO messages (battle_id, side, turn, role, content, finish_reason, created_at) VALUES (?, ?, 1, ?, ?, CASE WHEN ? = 'assistant' THEN 'stop' END, ?)`,
    );
    for (let k = 0; k < ARENA_BATTLES; k++) {
      const id = `bench-${k}`;
      const now = base + k * 60_000;
      const voterId = `bench-voter-${k % VOTERS}`;
      await createBattle({ db, id, modelA: models[k % 3], modelB: models[(k + 1) % 3], mode: 'live', samplingProbability: 1 / 3, voterId, now });
      for (const side of ['a', 'b'] as const) {
        message.run(id, side, 'user', `Question ${k}: explain how a ${k % 7 ? 'bicycle' : 'sailboat'} works, with an example.`, 'user', now);
        message.run(id, side, 'assistant', `An answer of some length for battle ${k} on side ${side}. `.repeat(12), 'assistant', now);
      }
      await castVote({ db, battleId: id, winner: k % 3 ? 'model_a' : 'model_b', voterId, leakReason: k % 50 === 0 ? 'identity_leak: stub' : null, now: now + 30_000 });
    }
  } finally {
    db.$client.close();
  }
  console.log(`  ${ARENA_BATTLES.toLocaleString('en-US')} arena battles by ${VOTERS} voters added in ${fmt(performance.now() - t1)}`);
}

async function signIn(app: AppServer, email: string, password: string): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL: app.url });
  const { csrfToken } = (await (await ctx.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const res = await ctx.post('/api/auth/callback/credentials', { form: { csrfToken, email, password, callbackUrl: '/' }, maxRedirects: 0 });
  if (res.status() >= 400) throw new Error(`sign-in failed: HTTP ${res.status()}`);
  const me = (await (await ctx.get('/api/account')).json()) as { user: { role: string } | null };
  if (me.user?.role !== 'admin') throw new Error('not signed in as an admin');
  return ctx;
}

async function time(ctx: APIRequestContext, url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    const res = await ctx.get(url);
    await res.body();
    if (res.status() !== 200) throw new Error(`${url}: HTTP ${res.status()}`);
    out.push(performance.now() - t0);
  }
  return out;
}

async function boardBattles(ctx: APIRequestContext): Promise<number> {
  const res = await ctx.get('/api/leaderboard');
  return res.status() === 200 ? ((await res.json()) as { battles: number }).battles : -1;
}

async function main(): Promise<void> {
  const [l1, l5] = os.loadavg();
  console.log(`load average ${l1.toFixed(2)} / ${l5.toFixed(2)} on ${os.cpus().length} cores`);
  await ensureData();
  console.log('\n1. store');
  if (storeReady()) console.log(`  reusing ${path.relative(ROOT, STORE)} (BENCH_FRESH=1 rebuilds it)`);
  else await buildStore();
  console.log(`  ${(fs.statSync(STORE).size / 1e6).toFixed(0)} MB`);

  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    console.log('\nno production build in .next: run `npx next build` for the server figures');
    return;
  }

  console.log('\n2. server');
  const stub = await startOpenAIStub();
  const t0 = performance.now();
  const app = await startApp({
    databasePath: STORE,
    registry: {
      models: [
        stubModel(stub, { id: 'stub-one', name: 'Stub One', model: 'stub-echo:words=5' }),
        stubModel(stub, { id: 'stub-two', name: 'Stub Two', model: 'stub-echo:words=6' }),
        stubModel(stub, { id: 'stub-three', name: 'Stub Three', model: 'stub-echo:words=7' }),
      ],
    },
  });
  let ctx: APIRequestContext | null = null;
  try {
    const expected = IMPORTED + ARENA_BATTLES - ARENA_BATTLES / 50;
    for (;;) {
      const res = await fetch(`${app.url}/api/leaderboard`);
      if (res.status === 200 && ((await res.json()) as { battles: number }).battles >= expected - 1) break;
      if (performance.now() - t0 > 180_000) throw new Error(`board not ready after 180 s:\n${app.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`  board ready after ${fmt(performance.now() - t0)}`);
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'admin', 'create', '--email', 'bench@example.org'], {
      input: 'bench admin password\nbench admin password\n',
      env: { ...process.env, DATABASE_PATH: STORE },
      encoding: 'utf8',
    });
    if (cli.status !== 0) throw new Error(`admin create failed: ${cli.stderr}`);
    ctx = await signIn(app, 'bench@example.org', 'bench admin password');

    // A cursor 20 pages deep into the unfiltered browser.
    let cursor = '';
    for (let k = 0; k < 20; k++) {
      const page = (await (await ctx.get(`/api/admin/votes${cursor ? `?cursor=${cursor}` : ''}`)).json()) as { next: string };
      cursor = page.next;
    }
    const sampleBattle = 'imp1-000800000';

    console.log(`\n3. console pages and API lists, ${REQUESTS} sequential requests each (target: median < ${TARGET_MS} ms)`);
    const cases: [string, string][] = [
      ['page /admin', '/admin'],
      ['page /admin/models', '/admin/models'],
      ['page /admin/votes', '/admin/votes'],
      ['page /admin/votes?model=gpt-4-0613', '/admin/votes?model=gpt-4-0613'],
      ['page /admin/votes?source=arena', '/admin/votes?source=arena'],
      ['page /admin/votes?reason=identity_leak', '/admin/votes?reason=identity_leak'],
      ['page /admin/voters', '/admin/voters'],
      ['page /admin/accounts', '/admin/accounts'],
      ['page /admin/settings', '/admin/settings'],
      ['page /admin/imports', '/admin/imports'],
      ['page /admin/audit', '/admin/audit'],
      ['page /admin/battles/[id]', `/admin/battles/${sampleBattle}`],
      ['api votes', '/api/admin/votes'],
      ['api votes, 20 pages deep', `/api/admin/votes?cursor=${cursor}`],
      ['api votes?model=', '/api/admin/votes?model=gpt-4-0613'],
      ['api votes?model=&from=&to=', '/api/admin/votes?model=claude-3-opus-20240229&from=2024-05-01&to=2024-05-31'],
      ['api votes?source=import&from=', '/api/admin/votes?source=import&from=2023-06-01&to=2023-06-30'],
      ['api votes?source=arena', '/api/admin/votes?source=arena'],
      ['api votes?voter=', '/api/admin/votes?voter=bench-voter-7'],
      ['api votes?reason=counted', '/api/admin/votes?reason=counted'],
      ['api votes?reason=excluded', '/api/admin/votes?reason=excluded'],
      ['api votes?model=&reason=counted', '/api/admin/votes?model=stub-two&reason=counted'],
      ['api voters', '/api/admin/voters'],
      ['api accounts', '/api/admin/accounts'],
      ['api models (health)', '/api/admin/models'],
      ['api model-info (imported names)', '/api/admin/model-info'],
      ['api imports', '/api/admin/imports'],
      ['api audit', '/api/admin/audit'],
      ['api battle detail', `/api/admin/battles/${sampleBattle}`],
    ];
    let missed = 0;
    for (const [label, url] of cases) {
      await ctx.get(url); // warm: the first request compiles nothing in a build, but fills caches
      const times = await time(ctx, url, REQUESTS);
      const median = pct(times, 0.5);
      if (median >= TARGET_MS) missed++;
      console.log(`  ${label.padEnd(38)} median ${fmt(median).padStart(7)}, p95 ${fmt(pct(times, 0.95)).padStart(7)}${median >= TARGET_MS ? '   MISSED' : ''}`);
    }
    console.log(`  ${cases.length - missed} of ${cases.length} under the target`);

    console.log('\n4. exclude one vote');
    const before = await boardBattles(ctx);
    const vote = ((await (await ctx.get('/api/admin/votes?source=import')).json()) as { rows: { voteId: number }[] }).rows[0];
    const t1 = performance.now();
    const res = await ctx.post('/api/admin/votes/moderation', { data: { voteId: vote.voteId, action: 'exclude', note: 'bench' } });
    const requestMs = performance.now() - t1;
    if (res.status() !== 200) throw new Error(`moderation: HTTP ${res.status()}`);
    while ((await boardBattles(ctx)) !== before - 1) {
      if (performance.now() - t1 > 120_000) throw new Error('the board did not change within 120 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`  request ${fmt(requestMs)}; the board counts it out after ${fmt(performance.now() - t1)} (${before.toLocaleString('en-US')} → ${(before - 1).toLocaleString('en-US')} battles)`);
    await ctx.post('/api/admin/votes/moderation', { data: { voteId: vote.voteId, action: 'clear' } });

    if (process.env.BENCH_KEEP_IMPORT) return;
    console.log('\n5. remove the 1.67 M-battle import');
    const t2 = performance.now();
    const started = (await (await ctx.post('/api/admin/imports/remove', { data: { id: 1 } })).json()) as { state: string };
    const during: number[] = [];
    for (;;) {
      const t = performance.now();
      await fetch(`${app.url}/api/leaderboard`).then((r) => r.arrayBuffer());
      during.push(performance.now() - t);
      const list = (await (await ctx.get('/api/admin/imports')).json()) as { imports: unknown[] };
      if (list.imports.length === 0) break;
      if (performance.now() - t2 > 600_000) throw new Error('the import was not removed within 10 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const removedMs = performance.now() - t2;
    console.log(`  first answer: ${started.state}; gone after ${fmt(removedMs)}`);
    console.log(`  GET /api/leaderboard meanwhile: median ${fmt(pct(during, 0.5))}, p95 ${fmt(pct(during, 0.95))}, max ${fmt(Math.max(...during))} (n=${during.length})`);
    while ((await boardBattles(ctx)) > ARENA_BATTLES) {
      if (performance.now() - t2 > 720_000) throw new Error('the board did not drop the import');
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`  the board counts ${(await boardBattles(ctx)).toLocaleString('en-US')} battles after ${fmt(performance.now() - t2)}`);
  } finally {
    await ctx?.dispose();
    await app.stop();
    await stub.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
