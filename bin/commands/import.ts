import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { importBattles, type ImportReport } from '../../lib/leaderboard/import-battles';
import { loadRegistry } from '../../lib/registry/load';
import { atMost, parseFlags, usageLine, UsageError, zodUsage } from '../args';
import { openStore } from '../database';
import { closeStore } from '../../db/store';

export const summary = 'Import battles (clean_battle JSON array, JSONL or CSV) into the database';

const HELP = `Usage: pairwise import FILE [--format json|jsonl|csv] [--json] [--create]

Adds the battles of a Chatbot Arena "clean_battle" file to the database (DATABASE_PATH, default
./data/pairwise.db; its path is printed on standard error) as voted battles with source
"import". Fields: model_a, model_b, winner (model_a | model_b | tie | tie (bothbad)), and
optionally tstamp (unix seconds), judge, turn, anony, language, question_id, conversation_a,
conversation_b. CSV needs a header row.

  --format F   json (array), jsonl or csv; default: by extension, then by content
  --json       print the report as JSON instead of text
  --create     create the database if there is none at that path (otherwise a mistyped
               DATABASE_PATH is an error, not a new empty store)
  --help       show this text

Malformed records are skipped and reported (record and line number, reason). The file is
recognised by its sha256: importing it again adds nothing. Imported model names that are also
ids in the model registry (MODELS_FILE, default ./models.json) are listed: their imported votes
count for those models on the leaderboard. The running app picks up the new battles by itself
within a few seconds.`;

const flagsSchema = z.object({
  file: z.string().min(1),
  format: z.enum(['json', 'jsonl', 'csv'], { error: 'must be json, jsonl or csv' }).optional(),
  json: z.boolean().default(false),
  create: z.boolean().default(false),
});
type ImportFlags = z.infer<typeof flagsSchema>;

const OPTIONS = {
  format: { type: 'string' },
  json: { type: 'boolean' },
  create: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags, or 'help'; throws UsageError. */
export function parseImportFlags(argv: string[]): ImportFlags | 'help' {
  const { values, positionals } = parseFlags(argv, OPTIONS, true);
  if (values.help) return 'help';
  const [file] = atMost(positionals, 1);
  if (!file) throw new UsageError('name the file to import');
  const parsed = flagsSchema.safeParse({ ...values, file });
  if (!parsed.success) throw zodUsage(parsed.error);
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
  let flags: ImportFlags;
  try {
    const parsed = parseImportFlags(argv);
    if (parsed === 'help') {
      console.log(HELP);
      return 0;
    }
    flags = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageLine('import', err.message));
    return 2;
  }
  const file = path.resolve(flags.file);
  if (!fs.existsSync(file)) {
    console.error(`pairwise import: no file at ${file}`);
    return 1;
  }
  const db = await openStore({ create: flags.create, createFlag: '--create' });
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
    const shared = await registryCollisions(report.modelNames ?? []);
    if (flags.json) console.log(JSON.stringify({ ...report, registryIds: shared }, null, 2));
    else {
      console.log(describeReport(report));
      if (shared.length) console.log(describeCollisions(shared));
      if (report.warning) console.error(`pairwise import: ${report.warning}`);
    }
    return 0;
  } catch (err) {
    if (started && !flags.json) bar.stop();
    console.error(`pairwise import: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeStore(db);
  }
}

/**
 * Imported model names that are also registry ids. On the board they are one model: the imported
 * votes and the votes cast here add up, which is right for the same model and wrong for a
 * different one that happens to share the name.
 */
async function registryCollisions(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  try {
    const registry = await loadRegistry({ ollamaURL: false });
    const ids = new Set(registry.models.map((m) => m.id));
    return names.filter((name) => ids.has(name)).sort();
  } catch (err) {
    console.error(`pairwise import: cannot compare model names with the registry (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return [];
  }
}

export function describeCollisions(shared: string[]): string {
  const listed = shared.length > 8 ? `${shared.slice(0, 8).join(', ')} and ${shared.length - 8} more` : shared.join(', ');
  const one = shared.length === 1;
  return (
    `${one ? '1 imported model name is' : `${shared.length} imported model names are`} also ${one ? 'an id' : 'ids'} in the model registry: ${listed}. ` +
    `On the leaderboard ${one ? 'its' : 'their'} imported votes count for ${one ? 'that model' : 'those models'}, together with the votes cast here` +
    ` (the "source:import" category shows the imported votes alone).`
  );
}
