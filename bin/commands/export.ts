import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { databasePath, openDb } from '../../db/index';
import { writeBattleExport } from '../../lib/leaderboard/export-battles';

export const summary = 'Export every counted battle as clean_battle JSON, JSONL or CSV';

const HELP = `Usage: pairwise export [--format json|jsonl|csv] [--out FILE]

Writes every counted battle of the database (DATABASE_PATH, default ./data/pairwise.db) in
Chatbot Arena's clean_battle form, in vote order: model_a, model_b, winner, tstamp (unix
seconds), judge, turn, anony, language, question_id, and conversation_a/conversation_b when
stored (JSON and JSONL only). Excluded votes and unvoted battles are left out, and no voter
identity or address is written (judge is "arena_user" for votes cast here).

  --format F   json (array, default), jsonl or csv
  --out FILE   write to FILE instead of standard output
  --help       show this text`;

const flagsSchema = z.object({
  format: z.enum(['json', 'jsonl', 'csv'], { error: 'must be json, jsonl or csv' }).default('json'),
  out: z.string().min(1).optional(),
});

export async function run(argv: string[]): Promise<number> {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      return 0;
    } else if (a === '--format' || a === '--out') raw[a.slice(2)] = argv[++i];
    else if (a.startsWith('--format=') || a.startsWith('--out=')) raw[a.slice(2, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    else {
      console.error(`pairwise export: unexpected argument "${a}" (see --help)`);
      return 2;
    }
  }
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(`pairwise export: ${parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; ')}`);
    return 2;
  }
  const { format, out } = parsed.data;
  const db = openDb(databasePath());
  const target = out ? fs.createWriteStream(path.resolve(out)) : process.stdout;
  target.on('error', () => {
    /* surfaced by the pending write below */
  });
  try {
    const count = await writeBattleExport({ db, format, out: target });
    if (out) {
      target.end();
      await finished(target);
      console.error(`Exported ${count.toLocaleString('en-US')} battles to ${out} (${format}).`);
    }
    return 0;
  } catch (err) {
    // The reader of a pipe went away (e.g. `| head`): not an error of ours.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw err;
  } finally {
    db.$client.close();
  }
}
