import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandPairCounts, loadPairCounts, writeCleanBattleJson } from './arena-pair-counts';

/**
 * The 1.67 M real Chatbot Arena battles of the shared data, expanded once into one clean_battle
 * JSON array under bench/out/ and reused by every benchmark that needs the file (regenerated when
 * the generator version or the file's size says it is not the one written).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(ROOT, 'bench', 'out');
export const DATA = path.join(OUT, 'arena-battles-20240814.json');
const META = `${DATA}.meta.json`;
const GENERATOR_VERSION = 1;

/** Writes the file unless it is there already; returns its size in bytes. */
export async function ensureData(): Promise<number> {
  const meta = fs.existsSync(META) ? JSON.parse(fs.readFileSync(META, 'utf8')) : null;
  if (meta?.version === GENERATOR_VERSION && fs.existsSync(DATA) && fs.statSync(DATA).size === meta.bytes) return meta.bytes as number;
  const t0 = performance.now();
  console.log(`generating ${path.relative(ROOT, DATA)} (1.67 M battles, one JSON array) ...`);
  fs.mkdirSync(OUT, { recursive: true });
  const bytes = await writeCleanBattleJson(DATA, expandPairCounts(loadPairCounts()));
  fs.writeFileSync(META, JSON.stringify({ version: GENERATOR_VERSION, bytes }));
  console.log(`  ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return bytes;
}
