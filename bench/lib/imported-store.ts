import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../db/index';
import { expandPairCounts, loadPairCounts, writeCleanBattleJson } from './arena-pair-counts';

/**
 * The 1.67 M real Chatbot Arena battles, expanded into one clean_battle JSON array under
 * bench/out/ and imported through `pairwise import` into a SQLite store that benchmarks reuse
 * (BENCH_STORE_DIR, default /tmp/pairwise-bench-freshness; BENCH_FRESH=1 imports again).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(ROOT, 'bench', 'out');
// The same file and generator version as bench/leaderboard-scale.ts, so the data is written once.
export const DATA = path.join(OUT, 'arena-battles-20240814.json');
const META = `${DATA}.meta.json`;
const GENERATOR_VERSION = 1;
export const STORE_DIR = process.env.BENCH_STORE_DIR ?? path.join(os.tmpdir(), 'pairwise-bench-freshness');
export const IMPORTED_STORE = path.join(STORE_DIR, 'imported.db');
export const IMPORTED = 1_670_250;

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function ensureData(): Promise<void> {
  const meta = fs.existsSync(META) ? JSON.parse(fs.readFileSync(META, 'utf8')) : null;
  if (meta?.version === GENERATOR_VERSION && fs.existsSync(DATA) && fs.statSync(DATA).size === meta.bytes) return;
  console.log(`generating ${path.relative(ROOT, DATA)} (1.67 M battles, one JSON array) ...`);
  fs.mkdirSync(OUT, { recursive: true });
  const bytes = await writeCleanBattleJson(DATA, expandPairCounts(loadPairCounts()));
  fs.writeFileSync(META, JSON.stringify({ version: GENERATOR_VERSION, bytes }));
}

/** Whether the kept store holds exactly the imported battles (and nothing else: no votes cast here). */
function importedReady(): boolean {
  if (process.env.BENCH_FRESH || !fs.existsSync(IMPORTED_STORE)) return false;
  const db = openDb(IMPORTED_STORE);
  try {
    const c = db.$client;
    const battles = (c.prepare('SELECT count(*) AS n FROM battles').get() as { n: number }).n;
    const arena = (c.prepare(`SELECT count(*) AS n FROM battles WHERE source = 'arena'`).get() as { n: number }).n;
    return battles === IMPORTED && arena === 0;
  } finally {
    db.$client.close();
  }
}

function importStore(): void {
  fs.rmSync(STORE_DIR, { recursive: true, force: true });
  fs.mkdirSync(STORE_DIR, { recursive: true });
  const t0 = performance.now();
  const res = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'import', DATA, '--create'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: IMPORTED_STORE },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(`pairwise import failed (${res.status}):\n${res.stderr}`);
  // One file: copies of it must not miss what is still in the write-ahead log.
  const db = openDb(IMPORTED_STORE);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  console.log(`  imported into ${IMPORTED_STORE} in ${fmt(performance.now() - t0)}`);
}

/** The data file and the imported store, made if missing; returns the store's path. */
export async function ensureImportedStore(): Promise<string> {
  await ensureData();
  if (importedReady()) console.log(`  reusing ${IMPORTED_STORE}: ${IMPORTED.toLocaleString('en-US')} imported battles (BENCH_FRESH=1 imports again)`);
  else importStore();
  return IMPORTED_STORE;
}
