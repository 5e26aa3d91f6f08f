import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { databasePath } from '../../db/index';
import { deriveKey, loadVoterSecret } from '../../lib/identity/voter-cookie';
import { pseudonymizer, writeBattleExport } from '../../lib/leaderboard/export-battles';
import { parseFlags, usageLine, UsageError, zodUsage } from '../args';
import { openStore } from '../database';
import { closeStore, databaseUrl } from '../../db/store';

export const summary = 'Export every counted battle as clean_battle JSON, JSONL or CSV';

const HELP = `Usage: pairwise export [--format json|jsonl|csv] [--out FILE] [--pseudonyms]

Writes every counted battle of the database (DATABASE_PATH, default ./data/pairwise.db; it
must exist, and its path is printed on standard error) in
Chatbot Arena's clean_battle form, in vote order: model_a, model_b, winner, tstamp (unix
seconds), judge, turn, anony, language, question_id, and conversation_a/conversation_b when
stored (JSON and JSONL only). Excluded votes and unvoted battles are left out, and no voter
identity or address is written (judge is "arena_user" for votes cast here).

  --format F   json (array, default), jsonl or csv
  --out FILE   write to FILE instead of standard output
  --pseudonyms judge is a stable pseudonym per voter ("anon-" and 12 characters, a keyed
               hash under the arena's secret) instead of "arena_user", so agreement between
               annotators can be studied; the same as the API's pseudonyms=1
  --help       show this text`;

const flagsSchema = z.object({
  format: z.enum(['json', 'jsonl', 'csv'], { error: 'must be json, jsonl or csv' }).default('json'),
  out: z.string().min(1, 'needs a file name').optional(),
  pseudonyms: z.boolean().default(false),
});

const OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  pseudonyms: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  let flags: z.infer<typeof flagsSchema>;
  try {
    const { values } = parseFlags(argv, OPTIONS);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const parsed = flagsSchema.safeParse(values);
    if (!parsed.success) throw zodUsage(parsed.error);
    flags = parsed.data;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('export', err.message));
    return 2;
  }
  const { format, out } = flags;
  if (flags.pseudonyms && databaseUrl() && !process.env.PAIRWISE_SECRET?.trim()) {
    // The app's key on Postgres is PAIRWISE_SECRET; a key made up here would give other pseudonyms.
    console.error('pairwise export: --pseudonyms on Postgres needs the app\u2019s PAIRWISE_SECRET in the environment.');
    return 1;
  }
  const db = await openStore();
  // The key the app itself uses (derived from the secret beside the store, or PAIRWISE_SECRET).
  const pseudonyms = flags.pseudonyms ? pseudonymizer(deriveKey(loadVoterSecret(databasePath()), 'pseudonym')) : undefined;
  const target = out ? fs.createWriteStream(path.resolve(out)) : process.stdout;
  target.on('error', () => {
    /* surfaced by the pending write below */
  });
  try {
    const count = await writeBattleExport({ db, format, out: target, pseudonyms });
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
    await closeStore(db);
  }
}
