/**
 * Speed and memory of the rating engine on the 1.67 M real Chatbot Arena votes.
 *
 *   tsx bench/ratings.ts            (npm run bench runs it through bench/run-all.ts)
 *
 * 1. The whole `pairwise ratings --bootstrap 100` run (read, aggregate, Bradley-Terry, Elo,
 *    intervals) on the votes written as ONE clean_battle JSON array (bench/out, generated once,
 *    deterministic), timed as a separate process, with its peak memory. Reference: Chatbot
 *    Arena's Python pipeline (pandas read_json + compute_bt + compute_elo + 100 bootstrap rounds
 *    on 2 processes) takes about 27 s on this kind of machine; the target is 10x faster.
 * 2. From already aggregated counts: Bradley-Terry plus 1000 bootstrap rounds (target < 1 s),
 *    the sandwich interval (target < 50 ms) and the default profile intervals.
 *
 * Figures are wall-clock times; CPU time is printed next to them because the machine may be
 * shared (the load average is shown first). Exit code 0 whatever the figures.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandPairCounts, loadPairCounts, writeCleanBattleJson } from './lib/arena-pair-counts';
import { BattleAggregator, computeRatings, type OutcomeCode } from '../lib/rating';
import { btDataFromTable, fitBradleyTerry } from '../lib/rating/bradley-terry';
import { buildPairTable } from '../lib/rating/pair-table';
import { btSandwichVariance } from '../lib/rating/sandwich';
import { availableThreads } from '../lib/rating/bootstrap-threads';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const DATA = path.join(OUT, 'arena-battles-20240814.json');
const META = `${DATA}.meta.json`;
const GENERATOR_VERSION = 1;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const PYTHON_REFERENCE_S = 27;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);

async function ensureData(): Promise<void> {
  const meta = fs.existsSync(META) ? JSON.parse(fs.readFileSync(META, 'utf8')) : null;
  if (meta?.version === GENERATOR_VERSION && fs.existsSync(DATA) && fs.statSync(DATA).size === meta.bytes) return;
  const t0 = performance.now();
  console.log(`generating ${path.relative(ROOT, DATA)} (1.67 M battles, one JSON array) ...`);
  const bytes = await writeCleanBattleJson(DATA, expandPairCounts(loadPairCounts()));
  fs.writeFileSync(META, JSON.stringify({ version: GENERATOR_VERSION, bytes }));
  console.log(`  ${(bytes / 1e6).toFixed(0)} MB in ${fmtMs(performance.now() - t0)}`);
}

interface RunFigures {
  wallMs: number;
  cpuMs: number | null;
  maxRssMb: number | null;
}

/** One `pairwise ratings` process; /usr/bin/time gives peak RSS and CPU time when present. */
function runCli(args: string[]): RunFigures {
  const bin = path.join(ROOT, 'bin', 'pairwise.mjs');
  const haveTime = fs.existsSync('/usr/bin/time');
  const cmd = haveTime ? '/usr/bin/time' : process.execPath;
  const argv = haveTime ? ['-f', '__TIME__ %U %S %M', process.execPath, bin, ...args] : [bin, ...args];
  const t0 = performance.now();
  const res = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  if (res.status !== 0) throw new Error(`pairwise ratings failed (${res.status}): ${res.stderr}`);
  const out = JSON.parse(res.stdout);
  if (out.battles !== 1_670_250 || out.models.length !== 129) throw new Error('unexpected ratings output');
  const m = /__TIME__ ([\d.]+) ([\d.]+) (\d+)/.exec(res.stderr);
  return {
    wallMs,
    cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null,
    maxRssMb: m ? Number(m[3]) / 1024 : null,
  };
}

function timeIt<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0); // the whole process: includes worker threads
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

async function main(): Promise<void> {
  const [l1, l5] = os.loadavg();
  console.log(`bench/ratings: node ${process.version}, ${os.cpus().length} CPUs, load average ${l1.toFixed(1)} (1 min) ${l5.toFixed(1)} (5 min)`);
  await ensureData();
  const rows: [string, string, string, string][] = [];

  // 1. The whole command, as a user runs it.
  const args = ['ratings', '--input', DATA, '--bootstrap', '100', '--format', 'json'];
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'ratings', '--help'], { cwd: ROOT }); // warm the TypeScript cache
  const runs: RunFigures[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(runCli(args));
  const wall = median(runs.map((r) => r.wallMs));
  const best = Math.min(...runs.map((r) => r.wallMs));
  const cpu = runs[0].cpuMs === null ? null : median(runs.map((r) => r.cpuMs!));
  const rss = runs[0].maxRssMb === null ? null : Math.max(...runs.map((r) => r.maxRssMb!));
  const size = fs.statSync(DATA).size;
  rows.push([
    `pairwise ratings --bootstrap 100 (${(size / 1e6).toFixed(0)} MB JSON array), median of ${RUNS}`,
    `${fmtMs(wall)} (best ${fmtMs(best)}${cpu === null ? '' : `, CPU ${fmtMs(cpu)}`})`,
    `< ${PYTHON_REFERENCE_S / 10} s`,
    `${(PYTHON_REFERENCE_S / (wall / 1000)).toFixed(1)}x vs Python ${PYTHON_REFERENCE_S} s`,
  ]);
  rows.push(['  peak memory (max RSS)', rss === null ? 'n/a (/usr/bin/time missing)' : `${rss.toFixed(0)} MB`, '< 1536 MB', rss === null ? '' : rss < 1536 ? 'ok' : 'OVER']);

  // 2. From aggregated counts (aggregation itself not timed).
  const data = loadPairCounts();
  const battles = expandPairCounts(data, { shuffle: false });
  const agg = new BattleAggregator();
  const ids = data.models.map((m) => agg.modelId(m));
  for (let k = 0; k < battles.count; k++) agg.addIds(ids[battles.a[k]], ids[battles.b[k]], battles.outcome[k] as OutcomeCode);
  computeRatings(agg, { bootstrap: 20, matrices: false }); // JIT warm-up

  const boot = [];
  const threads = availableThreads();
  for (let r = 0; r < RUNS; r++) boot.push(timeIt(() => computeRatings(agg, { bootstrap: 1000, seed: 42, matrices: false, threads })));
  const bootMs = median(boot.map((b) => b.ms));
  rows.push([
    `Bradley-Terry + 1000 bootstrap rounds from counts (${threads} threads), median of ${RUNS}`,
    `${fmtMs(bootMs)} (best ${fmtMs(Math.min(...boot.map((b) => b.ms)))}, CPU ${fmtMs(median(boot.map((b) => b.cpuMs)))})`,
    '< 1 s',
    bootMs < 1000 ? 'ok' : 'OVER',
  ]);
  const d = boot[0].value.diagnostics;
  rows.push(['  largest final gradient norm over full fit and rounds', d.gradientNorm.toExponential(2), '< 1e-9', d.gradientNorm < 1e-9 ? 'ok' : 'OVER']);

  const snap = agg.snapshot();
  const keep = [...snap.models.keys()].sort((x, y) => (snap.models[x] < snap.models[y] ? -1 : 1));
  const table = buildPairTable(snap, keep, false);
  const btData = btDataFromTable(table);
  const fit = fitBradleyTerry(btData);
  const sandwich = [];
  for (let r = 0; r < 21; r++) sandwich.push(timeIt(() => btSandwichVariance(table, btData, fit.theta, fit.prior)).ms);
  const sandwichMs = median(sandwich);
  rows.push(['sandwich interval (given the fit), median of 21', fmtMs(sandwichMs), '< 50 ms', sandwichMs < 50 ? 'ok' : 'OVER']);
  const full = [];
  for (let r = 0; r < 5; r++) full.push(timeIt(() => computeRatings(agg, { ci: 'sandwich', matrices: false })).ms);
  rows.push(['Bradley-Terry fit + sandwich from counts, median of 5', fmtMs(median(full)), '', '']);
  const profile = [];
  for (let r = 0; r < 5; r++) profile.push(timeIt(() => computeRatings(agg, { matrices: false })).ms);
  rows.push(['Bradley-Terry fit + default (profile) intervals from counts, median of 5', fmtMs(median(profile)), '', '']);

  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
  console.log();
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

await main();
