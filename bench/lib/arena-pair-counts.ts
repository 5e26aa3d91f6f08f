import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { requireSharedData } from '../../lib/shared-data';
import { Rng } from '../../lib/rating/random';
import { WINNERS } from '../../lib/rating/types';

/**
 * The 1.67 M real Chatbot Arena votes of 2024-08-14, stored as per-pair outcome counts
 * (shared/data/arena-battles/chatbot-arena-20240814-pair-counts, from suquark/leaderbot), and
 * their expansion back into battle rows for battle-level pipelines.
 */
export const PAIR_COUNTS_FILE = 'arena-battles/chatbot-arena-20240814-pair-counts/chatbotarena_20240814.json';

const pairCountsSchema = z.object({
  models: z.array(z.string()),
  X: z.array(z.tuple([z.number().int(), z.number().int()])),
  Y: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()])),
});
export type PairCounts = z.infer<typeof pairCountsSchema>;

export function loadPairCounts(): PairCounts {
  return pairCountsSchema.parse(JSON.parse(fs.readFileSync(requireSharedData(PAIR_COUNTS_FILE), 'utf8')));
}

export interface ExpandedBattles {
  models: string[];
  count: number;
  /** Model indices of side a and side b, and the outcome code (0 a won, 1 b won, 2 tie, 3 tie (bothbad)). */
  a: Int32Array;
  b: Int32Array;
  outcome: Uint8Array;
}

/**
 * One row per vote. The counts carry no order and no sides, so rows are put in a seeded random
 * order and each battle's sides are a seeded coin flip (the outcome follows the sides).
 * With `shuffle: false` rows come pair by pair, lower model index on side a.
 */
export function expandPairCounts(data: PairCounts, options: { seed?: number; shuffle?: boolean } = {}): ExpandedBattles {
  let count = 0;
  for (const y of data.Y) count += y[0] + y[1] + y[2] + y[3];
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const outcome = new Uint8Array(count);
  let r = 0;
  data.X.forEach(([i, j], k) => {
    const y = data.Y[k];
    for (let o = 0; o < 4; o++) {
      for (let c = 0; c < y[o]; c++) {
        a[r] = i;
        b[r] = j;
        outcome[r] = o;
        r++;
      }
    }
  });
  if (options.shuffle ?? true) {
    const rng = new Rng(options.seed ?? 20240814);
    for (let k = count - 1; k > 0; k--) {
      const t = Math.floor(rng.nextDouble() * (k + 1));
      let x = a[k];
      a[k] = a[t];
      a[t] = x;
      x = b[k];
      b[k] = b[t];
      b[t] = x;
      x = outcome[k];
      outcome[k] = outcome[t];
      outcome[t] = x;
    }
    for (let k = 0; k < count; k++) {
      if (rng.nextUint32() & 1) {
        const x = a[k];
        a[k] = b[k];
        b[k] = x;
        if (outcome[k] < 2) outcome[k] ^= 1;
      }
    }
  }
  return { models: data.models, count, a, b, outcome };
}

const LANGUAGES = ['English', 'English', 'English', 'English', 'English', 'English', 'English', 'Chinese', 'Russian', 'German', 'Spanish', 'French', 'Japanese', 'Korean', 'Portuguese', 'unknown'];

function hex(rng: Rng, words: number): string {
  let s = '';
  for (let k = 0; k < words; k++) s += rng.nextUint32().toString(16).padStart(8, '0');
  return s;
}

/**
 * Writes the expanded battles as ONE clean_battle JSON array (one compact record per line, as
 * pandas' to_json writes them, in clean_battle's key order), with plausible judge, turn, anony, language,
 * question_id and increasing tstamp values. Deterministic: same bytes on every run.
 */
export async function writeCleanBattleJson(file: string, battles: ExpandedBattles, seed = 7): Promise<number> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  const rng = new Rng(seed);
  const start = 1682000000;
  const span = 1723600000 - start;
  let bytes = 0;
  try {
    let parts: string[] = ['['];
    for (let k = 0; k < battles.count; k++) {
      const tstamp = (start + Math.floor((span * k) / battles.count) + (rng.nextUint32() % 10000) / 10000).toFixed(4);
      const u = rng.nextUint32();
      const turn = u % 10 < 8 ? 1 : 2 + (u % 3);
      const language = LANGUAGES[(u >>> 8) % LANGUAGES.length];
      const judge = `arena_user_${(rng.nextUint32() % 200000).toString(16).padStart(5, '0')}`;
      const rec =
        `{"model_a":${JSON.stringify(battles.models[battles.a[k]])},"model_b":${JSON.stringify(battles.models[battles.b[k]])},` +
        `"winner":"${WINNERS[battles.outcome[k]]}","judge":"${judge}","turn":${turn},"anony":true,` +
        `"language":"${language}","tstamp":${tstamp},"question_id":"${hex(rng, 4)}"}`;
      parts.push(k === 0 ? `\n${rec}` : `,\n${rec}`);
      if (parts.length >= 20000) {
        bytes += fs.writeSync(fd, parts.join(''));
        parts = [];
      }
    }
    parts.push('\n]\n');
    bytes += fs.writeSync(fd, parts.join(''));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return bytes;
}
