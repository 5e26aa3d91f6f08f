import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { requireSharedData } from '../lib/shared-data';

/**
 * The 1.67 M real Chatbot Arena votes (2024-08-14, per-pair outcome counts from the reference
 * data) expanded into a clean_battle JSONL file: one record per battle, in a fixed shuffled
 * order (seeded), sides by a seeded coin flip, tstamps one every ~23 s from 2023-05-01 so the
 * file spans about fifteen months. The counts carry no order, so any fixed order is as real as
 * another; batch Bradley-Terry does not depend on it.
 */

export const PAIR_COUNTS = 'arena-battles/chatbot-arena-20240814-pair-counts/chatbotarena_20240814.json';
const START_SECONDS = Date.UTC(2023, 4, 1) / 1000;
const STEP_SECONDS = 23;
const WINNERS = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;

interface PairCounts {
  models: string[];
  X: [number, number][];
  Y: [number, number, number, number][];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Writes the file if it is not there yet; returns its path and number of battles. */
export async function ensureArenaBattlesFile(outDir = path.resolve('bench', 'out')): Promise<{ file: string; battles: number }> {
  const source = requireSharedData(PAIR_COUNTS);
  const data = JSON.parse(fs.readFileSync(source, 'utf8')) as PairCounts;
  const total = data.Y.reduce((s, y) => s + y[0] + y[1] + y[2] + y[3], 0);
  const file = path.join(outDir, 'arena-20240814-battles.jsonl');
  if (fs.existsSync(file) && fs.existsSync(`${file}.done`)) return { file, battles: total };

  fs.mkdirSync(outDir, { recursive: true });
  // Each battle as (pair index << 2 | outcome for the pair's first model), then shuffled.
  const codes = new Int32Array(total);
  let k = 0;
  data.Y.forEach((y, pair) => {
    for (let o = 0; o < 4; o++) for (let c = 0; c < y[o]; c++) codes[k++] = (pair << 2) | o;
  });
  const rnd = lcg(20240814);
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = codes[i];
    codes[i] = codes[j];
    codes[j] = t;
  }
  const out = fs.createWriteStream(file);
  let buf = '';
  for (let i = 0; i < total; i++) {
    const pair = codes[i] >> 2;
    let o = codes[i] & 3;
    let [a, b] = data.X[pair];
    if (rnd() < 0.5) {
      [a, b] = [b, a];
      if (o < 2) o = 1 - o;
    }
    buf += `{"model_a":${JSON.stringify(data.models[a])},"model_b":${JSON.stringify(data.models[b])},"winner":"${WINNERS[o]}","tstamp":${START_SECONDS + i * STEP_SECONDS},"judge":"arena_user","anony":true}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  fs.writeFileSync(`${file}.done`, `${total}\n`);
  return { file, battles: total };
}
