/**
 * Load benchmark (`npx tsx bench/load.ts [--build] [--connections N] [--votes N]`), loopback only
 * and bounded in requests and time:
 *
 * 1. Battle creation: POST /api/battles (pairing, rows, both answers streamed from the local
 *    OpenAI-compatible stub, answers stored), closed loop for 8 s, then at half that rate.
 * 2. Vote ingest: POST /api/battles/:id/vote on battles seeded ready for their vote, closed loop
 *    (a fixed number of votes), then at half the measured rate.
 * 3. The floor: a bare node:http + better-sqlite3 server doing the same vote transaction on a store
 *    of the same schema, measured the same way in the same run.
 * 4. The framework's own cost: GET /api/health, a route handler that answers constant JSON, on the
 *    same server (what any route pays Next.js and the request edge before it does its work).
 *
 * Rate limits are off (PAIRWISE_DISABLE_RATE_LIMITS=1): with them on, one client could not send
 * more than the per-identity limit. Targets: vote ingest at least a quarter of the floor, and p99
 * under 50 ms at half the measured maximum rate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDb } from '../db/index';
import { signVoterId } from '../lib/identity/voter-cookie';
import { freePort, ROOT, startApp } from '../e2e/fixtures/app-server';
import { startOpenAIStub } from '../e2e/fixtures/openai-stub';
import { cpuMs } from './lib/process-stats';
import { seedVotableBattles } from './lib/seed-battles';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer`);
  return n;
}

const CONNECTIONS = flag('--connections', 8);
const VOTES = flag('--votes', 6_000);
const CREATE_SECONDS = 8;
const ID_MARGIN = 100;
const SECRET = 'bench-secret-0123456789abcdef';
const VOTER = '11111111-1111-4111-8111-111111111111';

function ensureBuild() {
  if (fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')) && !process.argv.includes('--build')) return;
  console.log('building the app (next build)…');
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('next build failed');
}

/** Runs `run` and adds the server's CPU time per answered request to its figures. */
async function withCpu(pid: number, run: () => Promise<Figures>): Promise<Figures> {
  const before = cpuMs(pid);
  const f = await run();
  const after = cpuMs(pid);
  return { ...f, cpuPerRequest: (after.all - before.all) / f.ok, mainPerRequest: (after.main - before.main) / f.ok };
}

interface Figures {
  /** Server CPU ms per answered request: the whole process, and its main thread. */
  cpuPerRequest?: number;
  mainPerRequest?: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  bad: number;
}

async function cannon(opts: autocannon.Options): Promise<Figures> {
  // The rate is the answers over the time from the start to the last answer, timed here:
  // autocannon ends a run of a fixed amount on its one-second tick, so its own duration and its
  // per-second average round a run of a few seconds up to whole seconds (the floor's 6,000 votes
  // in 1.4 s read as 3,000/s).
  const first = performance.now();
  let last = first;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, pipelining: 1, timeout: 30, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
    instance.on('response', () => (last = performance.now()));
  });
  return {
    rps: r['2xx'] / ((last - first) / 1000),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    ok: r['2xx'],
    bad: r.non2xx + r.errors + r.timeouts,
  };
}

/**
 * Votes on each id once, in order, closed loop or at a fixed overall rate. autocannon may send a
 * few requests beyond `amount` while the last answers arrive: the ids past it are the margin.
 */
function voteRun(url: string, ids: string[], opts: { cookie?: string; rate?: number }) {
  let next = 0;
  return cannon({
    url,
    amount: ids.length - ID_MARGIN,
    overallRate: opts.rate,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
        body: JSON.stringify({ winner: 'tie' }),
        setupRequest: (req) => ({ ...req, path: `/api/battles/${ids[next++ % ids.length]}/vote` }),
      },
    ],
  });
}

const line = (label: string, f: Figures) =>
  `${label.padEnd(44)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(3)} ms   p90 ${String(f.p90).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   max ${String(f.max).padStart(4)} ms   ${f.ok} ok${f.bad ? `, ${f.bad} failed` : ''}${
    f.cpuPerRequest !== undefined ? `   server CPU ${f.cpuPerRequest.toFixed(2)} ms/req (main thread ${f.mainPerRequest!.toFixed(2)})` : ''
  }`;

async function main() {
  ensureBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-load-'));
  const stub = await startOpenAIStub();
  const app = await startApp({
    env: { PAIRWISE_DISABLE_RATE_LIMITS: '1', PAIRWISE_SECRET: SECRET },
    registry: {
      models: [1, 2].map((n) => ({
        id: `load-${n}`,
        name: `Load ${n}`,
        provider: { kind: 'openai-compatible', baseURL: stub.url, model: `stub-echo:words=${10 + n}` },
      })),
    },
  });
  let floor: ChildProcess | null = null;
  try {
    console.log(`loopback, ${CONNECTIONS} connections, rate limits off (PAIRWISE_DISABLE_RATE_LIMITS=1), ${os.cpus().length} CPUs`);
    // 1. Battle creation.
    const create = { url: `${app.url}/api/battles`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'Say hello' }) };
    await cannon({ ...create, duration: 2 }); // warm-up
    const createMax = await withCpu(app.pid, () => cannon({ ...create, duration: CREATE_SECONDS }));
    const createHalf = await cannon({ ...create, duration: CREATE_SECONDS, overallRate: Math.max(1, Math.floor(createMax.rps / 2)) });

    // 2. Vote ingest on the app: battles seeded into its store, owned by one voter whose cookie we sign.
    const appDb = openDb(app.databasePath);
    const appIds = await seedVotableBattles(appDb, VOTES * 2 + 200 + 3 * ID_MARGIN, VOTER, ['load-1', 'load-2']);
    appDb.$client.close();
    const cookie = `pw_voter=${signVoterId(VOTER, SECRET)}`;
    await voteRun(app.url, appIds.slice(0, 200 + ID_MARGIN), { cookie }); // warm-up
    const voteMax = await withCpu(app.pid, () => voteRun(app.url, appIds.slice(200 + ID_MARGIN, 200 + VOTES + 2 * ID_MARGIN), { cookie }));
    const voteHalf = await withCpu(app.pid, () => voteRun(app.url, appIds.slice(200 + VOTES + 2 * ID_MARGIN), { cookie, rate: Math.max(1, Math.floor(voteMax.rps / 2)) }));

    // The framework alone: a route that does nothing, closed loop, the same number of requests.
    const health = { url: `${app.url}/api/health`, amount: VOTES };
    await cannon({ ...health, amount: 500 }); // warm-up
    const healthMax = await withCpu(app.pid, () => cannon(health));

    // 3. The floor: the same transaction behind a bare node:http server.
    const floorFile = path.join(dir, 'floor.db');
    const floorDb = openDb(floorFile);
    const floorIds = await seedVotableBattles(floorDb, VOTES * 2 + 200 + 3 * ID_MARGIN, VOTER, ['load-1', 'load-2']);
    floorDb.$client.close();
    const floorPort = await freePort();
    // Node itself with tsx's loader (not the tsx command, which runs a second process): its pid is the server's.
    floor = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'lib', 'bare-vote-server.ts'), floorFile, String(floorPort)], {
      cwd: ROOT,
      env: { ...process.env, PAIRWISE_ROOT: ROOT },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      floor!.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
      floor!.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    });
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    await voteRun(floorUrl, floorIds.slice(0, 200 + ID_MARGIN), {});
    const floorMax = await withCpu(floor.pid!, () => voteRun(floorUrl, floorIds.slice(200 + ID_MARGIN, 200 + VOTES + 2 * ID_MARGIN), {}));
    const floorHalf = await withCpu(floor.pid!, () => voteRun(floorUrl, floorIds.slice(200 + VOTES + 2 * ID_MARGIN), { rate: Math.max(1, Math.floor(floorMax.rps / 2)) }));

    console.log('');
    console.log(line('battle creation, closed loop', createMax));
    console.log(line(`battle creation at ${Math.floor(createMax.rps / 2)} req/s (half)`, createHalf));
    console.log(line('vote ingest, closed loop', voteMax));
    console.log(line(`vote ingest at ${Math.floor(voteMax.rps / 2)} req/s (half)`, voteHalf));
    console.log(line('GET /api/health (Next.js alone), closed loop', healthMax));
    console.log(line('floor (node:http + better-sqlite3), closed loop', floorMax));
    console.log(line(`floor at ${Math.floor(floorMax.rps / 2)} req/s (half)`, floorHalf));
    console.log('');
    const share = voteMax.rps / floorMax.rps;
    console.log(`server CPU per vote: ${voteMax.cpuPerRequest!.toFixed(2)} ms (floor ${floorMax.cpuPerRequest!.toFixed(2)} ms): the app does ${(voteMax.cpuPerRequest! / floorMax.cpuPerRequest!).toFixed(1)} times the floor's work per vote`);
    console.log(
      `Next.js alone (a route answering constant JSON): ${healthMax.cpuPerRequest!.toFixed(2)} ms of server CPU per request, ${(healthMax.cpuPerRequest! / floorMax.cpuPerRequest!).toFixed(1)} times the floor's whole vote; ${(healthMax.rps / floorMax.rps * 100).toFixed(0)} % of the floor's rate`,
    );
    console.log(`vote ingest is ${(share * 100).toFixed(0)} % of the floor (target at least 25 %): ${share >= 0.25 ? 'met' : 'NOT met'}`);
    console.log(`vote p99 at half the maximum rate: ${voteHalf.p99} ms (target under 50 ms): ${voteHalf.p99 < 50 ? 'met' : 'NOT met'}`);
    const failed = createMax.bad + createHalf.bad + voteMax.bad + voteHalf.bad;
    if (failed) console.log(`${failed} requests failed`);
    if (share < 0.25 || voteHalf.p99 >= 50 || failed) process.exitCode = 1;
  } finally {
    floor?.kill('SIGTERM');
    await app.stop();
    await stub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
