import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../db/index';
import { DATA, ensureData } from './battles-file';

/**
 * The 1.67 M real Chatbot Arena battles, expanded into one clean_battle JSON array under
 * bench/out/ and imported through `pairwise import` into a SQLite store that benchmarks reuse
 * (BENCH_STORE_DIR, default /tmp/pairwise-bench-freshness; BENCH_FRESH=1 imports again).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STORE_DIR = process.env.BENCH_STORE_DIR ?? path.join(os.tmpdir(), 'pairwise-bench-freshness');
export const IMPORTED_STORE = path.join(STORE_DIR, 'imported.db');
export const IMPORTED = 1_670_250;

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

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
