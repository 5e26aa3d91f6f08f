import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { databasePath, openDb } from '../../db/index';
import { importBattles, type ImportReport } from '../../lib/leaderboard/import-battles';

export const summary = 'Import battles (clean_battle JSON array, JSONL or CSV) into the database';

const HELP = `Usage: pairwise import FILE [--format json|jsonl|csv]

Adds the battles of a Chatbot Arena "clean_battle" file to the database (DATABASE_PATH, default
./data/pairwise.db) as voted battles with source "import". Fields: model_a, model_b, winner
(model_a | model_b | tie | tie (bothbad)), and optionally tstamp (unix seconds), judge, turn,
anony, language, question_id, conversation_a, conversation_b. CSV needs a header row.

  --format F   json (array), jsonl or csv; default: by extension, then by content
  --json       print the report as JSON instead of text
  --help       show this text

Malformed records are skipped and reported (record and line number, reason). The file is
recognised by its sha256: importing it again adds nothing. The running app picks up the new
battles by itself within a few seconds.`;

const flagsSchema = z.object({
  file: z.string({ error: 'name the file to import (see --help)' }).min(1),
  format: z.enum(['json', 'jsonl', 'csv']).optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

function parseFlags(argv: string[]): z.infer<typeof flagsSchema> | { help: true } {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    else if (a === '--json') raw.json = true;
    else if (a === '--format') raw.format = argv[++i];
    else if (a.startsWith('--format=')) raw.format = a.slice('--format='.length);
    else if (a.startsWith('-')) throw new Error(`unknown flag "${a}" (see --help)`);
    else if (raw.file === undefined) raw.file = a;
    else throw new Error(`one file at a time (got "${raw.file}" and "${a}")`);
  }
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => (i.path.length ? `--${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  return parsed.data;
}

const n = (x: number) => x.toLocaleString('en-US');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function describeReport(r: ImportReport): string {
  const lines: string[] = [];
  if (r.status === 'already-imported') {
    lines.push(
      `${path.basename(r.file)} was already imported on ${new Date(r.importedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC ` +
        `(import #${r.importId}: ${n(r.imported)} battles, ${n(r.skipped)} skipped). Nothing added.`,
    );
    return lines.join('\n');
  }
  const span = r.from !== null && r.to !== null ? `, ${day(r.from)} to ${day(r.to)}` : ', no timestamps (file order kept)';
  lines.push(`Imported ${n(r.imported)} battles between ${n(r.models)} models${span} as import #${r.importId} (${(r.ms / 1000).toFixed(1)} s).`);
  if (r.withConversations) lines.push(`${n(r.withConversations)} of them with conversations (usable for style control).`);
  if (r.skipped === 0) lines.push('Nothing was skipped.');
  else {
    lines.push(`Skipped ${n(r.skipped)} malformed record${r.skipped === 1 ? '' : 's'}:`);
    for (const [reason, count] of Object.entries(r.reasons).sort((a, b) => b[1] - a[1])) lines.push(`  ${n(count)} × ${reason}`);
    lines.push(r.examples.length < r.skipped ? `The first ${r.examples.length}:` : 'They are:');
    for (const e of r.examples) lines.push(`  record ${e.record} (line ${e.line}): ${e.reason}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    console.error(`pairwise import: ${(err as Error).message}`);
    return 2;
  }
  if (flags.help || !('file' in flags)) {
    console.log(HELP);
    return 0;
  }
  const file = path.resolve(flags.file);
  const db = openDb(databasePath());
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {done}/{size} MB | {imported} imported, {skipped} skipped', hideCursor: true, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    const report = await importBattles({
      db,
      file,
      format: flags.format,
      onProgress: (p) => {
        const size = Math.max(1, Math.round(p.totalBytes / 1e5) / 10);
        const payload = { done: (p.bytes / 1e6).toFixed(1), size, imported: n(p.imported), skipped: n(p.skipped) };
        if (!started) {
          if (!flags.json) bar.start(p.totalBytes, 0, payload);
          started = true;
        }
        if (!flags.json) bar.update(p.bytes, payload);
      },
    });
    if (started && !flags.json) bar.stop();
    console.log(flags.json ? JSON.stringify(report, null, 2) : describeReport(report));
    return 0;
  } catch (err) {
    if (started && !flags.json) bar.stop();
    console.error(`pairwise import: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    db.$client.close();
  }
}
