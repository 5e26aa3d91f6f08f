import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { MalformedRecordError, NameTable, scanBattles, type BattleFileFormat, type CleanBattle } from '../../lib/export';
import {
  BattleAggregator,
  BattleLog,
  computeRatings,
  outcomeCode,
  styleDiff,
  styleFromConversation,
  styleFromConvMetadata,
  type OutcomeCode,
  type RatingsResult,
  type StyleFeatures,
} from '../../lib/rating';
import { availableThreads } from '../../lib/rating/bootstrap-threads';

export const summary = 'Bradley-Terry ratings with confidence intervals (and online Elo) from a clean_battle file';

const HELP = `Usage: pairwise ratings --input FILE [flags]

Reads battles in Chatbot Arena's clean_battle format and prints Bradley-Terry ratings on the
Elo scale with 95 % confidence intervals, Rank (UB), online Elo and vote counts.

  --input FILE           battles: a JSON array, JSON Lines or CSV (model_a,model_b,winner[,tstamp]
                         with or without a header row); "-" reads standard input. Read as a
                         stream, so files larger than memory are fine.
  --input-format F       json | jsonl | csv (default: from the first character of the file;
                         required for standard input)
  --format F             table (default) | json | csv. json prints exactly
                         { "battles": N, "models": [ { model, rating, lower, upper, rank, elo,
                         votes, wins, losses, ties } ] }.
  --bootstrap N          bootstrap rounds (resampling the battles, seeded); implies --ci bootstrap
                         unless --ci says otherwise (default 0; --ci bootstrap alone means 100)
  --seed N               seed of the bootstrap (default 42); the same seed gives the same result
  --ci bootstrap|sandwich
                         interval method: bootstrap percentiles (2.5 / 97.5) or the closed-form
                         sandwich (robust) interval (default: sandwich without --bootstrap)
  --anchor MODEL=RATING  shift all ratings and bounds so that MODEL gets RATING (Chatbot Arena
                         anchors mixtral-8x7b-instruct-v0.1=1114); default: mean rating 1000
  --style-control        fit Bradley-Terry with the four style covariates (answer tokens,
                         markdown headers, list items, bold) taken from each record's
                         conv_metadata, or counted in conversation_a / conversation_b; prints
                         the style coefficients with the table. Records without either are
                         left out of the fit. (Its bootstrap refits every battle: use the
                         sandwich interval on millions of battles.)
  --reweight             weight each battle by 1 / max(battles of its model pair, 50)
  --skip-invalid         skip malformed records (and count them) instead of stopping at the
                         first one
  --help                 show this text

Ratings: ties ('tie', 'tie (bothbad)') count half a win for each side; the fit is the exact
maximum-likelihood estimate (Newton's method to a gradient below 1e-9). When no finite MLE
exists (a model that never lost or never won, or models that were never compared with the rest),
every model gets one virtual tie against an average player and the posterior mode is reported,
which keeps every rating finite. Online Elo (K = 4, start 1000) runs in tstamp order when every
record has a tstamp, otherwise in file order. Rank (UB) is 1 + the number of models whose lower
bound is above this model's upper bound.

Errors: a malformed record stops the run with its record and line number and what is wrong
(exit code 1); with --skip-invalid it is skipped and counted on standard error. A JSON array
whose syntax is broken cannot be read past the break, so that always stops the run.`;

const flagsSchema = z
  .object({
    input: z.string().min(1, '--input is required'),
    inputFormat: z.enum(['json', 'jsonl', 'csv']).optional(),
    format: z.enum(['table', 'json', 'csv']).default('table'),
    bootstrap: z.coerce.number().int('--bootstrap must be a whole number').min(0).max(1_000_000).optional(),
    seed: z.coerce.number().int('--seed must be a whole number').refine(Number.isSafeInteger, '--seed is too large').optional(),
    ci: z.enum(['bootstrap', 'sandwich']).optional(),
    anchor: z
      .string()
      .regex(/^.+=-?\d+(\.\d+)?$/, '--anchor must look like MODEL=RATING')
      .transform((s) => {
        const at = s.lastIndexOf('=');
        return { model: s.slice(0, at), rating: Number(s.slice(at + 1)) };
      })
      .optional(),
    styleControl: z.boolean().default(false),
    reweight: z.boolean().default(false),
    skipInvalid: z.boolean().default(false),
  })
  .refine((f) => !(f.ci === 'bootstrap' && f.bootstrap === 0), '--ci bootstrap needs --bootstrap of at least 1')
  .refine((f) => f.input !== '-' || f.inputFormat, '--input - (standard input) needs --input-format');
export type RatingsFlags = z.infer<typeof flagsSchema>;

const VALUE_FLAGS: Record<string, keyof RatingsFlags> = {
  '--input': 'input',
  '--input-format': 'inputFormat',
  '--format': 'format',
  '--bootstrap': 'bootstrap',
  '--seed': 'seed',
  '--ci': 'ci',
  '--anchor': 'anchor',
};
const BOOLEAN_FLAGS: Record<string, keyof RatingsFlags> = {
  '--style-control': 'styleControl',
  '--reweight': 'reweight',
  '--skip-invalid': 'skipInvalid',
};

class UsageError extends Error {}

export function parseRatingsFlags(argv: string[]): RatingsFlags | 'help' {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name in BOOLEAN_FLAGS && eq < 0) raw[BOOLEAN_FLAGS[name]] = true;
    else if (name in VALUE_FLAGS) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`${name} needs a value`);
      raw[VALUE_FLAGS[name]] = value;
    } else throw new UsageError(`unknown flag "${arg}" (see --help)`);
  }
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

function styleOf(record: CleanBattle): { a: StyleFeatures; b: StyleFeatures } | null {
  if (record.conv_metadata) {
    const a = styleFromConvMetadata(record.conv_metadata, 'a');
    const b = styleFromConvMetadata(record.conv_metadata, 'b');
    if (a && b) return { a, b };
  }
  if (record.conversation_a && record.conversation_b) {
    return { a: styleFromConversation(record.conversation_a), b: styleFromConversation(record.conversation_b) };
  }
  return null;
}

export interface LoadedBattles {
  agg: BattleAggregator;
  records: number;
  invalid: MalformedRecordError[];
  invalidCount: number;
  order: 'time' | 'input';
}

/** Reads a clean_battle file into an aggregator (battles in time order). */
export async function loadBattles(
  input: string,
  options: { format?: BattleFileFormat; skipInvalid?: boolean; style?: boolean; progress?: boolean; threads?: number },
): Promise<LoadedBattles> {
  const agg = new BattleAggregator();
  const log = new BattleLog();
  const names = new NameTable((name) => agg.modelId(name));
  const invalid: MalformedRecordError[] = [];
  let invalidCount = 0;
  const diff = new Float64Array(4);
  let bar: cliProgress.SingleBar | null = null;
  const source = input === '-' ? process.stdin : input;
  if (options.progress && typeof source === 'string' && process.stderr.isTTY) {
    const size = fs.statSync(source).size;
    if (size >= 32 << 20) {
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'reading {bar} {percentage}% | {value}/{total} MB', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.ceil(size / 1e6), 0);
    }
  }
  try {
    const { records } = await scanBattles(
      source,
      {
        format: options.format,
        names,
        fast: !options.style,
        threads: options.threads,
        onInvalid: options.skipInvalid
          ? (e) => {
              invalidCount++;
              if (invalid.length < 5) invalid.push(e);
            }
          : undefined,
        onProgress: bar ? (bytes) => bar!.update(Math.floor(bytes / 1e6)) : undefined,
      },
      {
        fast(a, b, winner, tstamp) {
          log.add(a, b, winner as OutcomeCode, tstamp);
        },
        record(r) {
          let d: Float64Array | null = null;
          if (options.style) {
            const s = styleOf(r);
            if (s) {
              styleDiff(s.a, s.b, diff);
              d = diff;
            }
          }
          log.add(agg.modelId(r.model_a), agg.modelId(r.model_b), outcomeCode(r.winner) as OutcomeCode, r.tstamp ?? NaN, d);
        },
      },
    );
    const order = log.feed(agg);
    return { agg, records, invalid, invalidCount, order };
  } finally {
    bar?.stop();
  }
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

export function formatTable(result: RatingsResult, note: string): string {
  const rows = result.models.map((m) => [
    String(m.rank),
    m.model,
    fmt(m.rating),
    `+${fmt(m.upper - m.rating)}/-${fmt(m.rating - m.lower)}`,
    String(m.votes),
    fmt(m.elo),
  ]);
  const header = ['Rank (UB)', 'Model', 'Rating', '95% CI', 'Votes', 'Elo'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const right = [true, false, true, true, true, true];
  const line = (cells: string[]) => cells.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const out = [note, '', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (result.style) {
    out.push('', 'Style coefficients (per standard deviation of (a - b) / (a + b + 1), logit scale):');
    for (const [k, v] of Object.entries(result.style.coefficients)) out.push(`  ${k.padEnd(10)} ${v.toFixed(4)}`);
  }
  return out.join('\n');
}

export function formatCsv(result: RatingsResult): string {
  const cols = ['rank', 'model', 'rating', 'lower', 'upper', 'elo', 'votes', 'wins', 'losses', 'ties'] as const;
  const esc = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...result.models.map((m) => cols.map((c) => esc(m[c])).join(','))].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let flags: RatingsFlags | 'help';
  try {
    flags = parseRatingsFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`pairwise ratings: ${err.message}\n\n${HELP}`);
      return 2;
    }
    throw err;
  }
  if (flags === 'help') {
    console.log(HELP);
    return 0;
  }
  if (flags.input !== '-' && !fs.existsSync(flags.input)) {
    console.error(`pairwise ratings: input file not found: ${flags.input}`);
    return 1;
  }
  let loaded: LoadedBattles;
  try {
    loaded = await loadBattles(flags.input, {
      format: flags.inputFormat,
      skipInvalid: flags.skipInvalid,
      style: flags.styleControl,
      progress: true,
      threads: availableThreads(),
    });
  } catch (err) {
    if (err instanceof MalformedRecordError) {
      console.error(`pairwise ratings: ${flags.input}: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const { agg } = loaded;
  if (flags.anchor && !agg.models.includes(flags.anchor.model)) {
    console.error(`pairwise ratings: --anchor model "${flags.anchor.model}" has no battles in ${flags.input}`);
    return 1;
  }
  if (flags.styleControl && !agg.snapshot().style && agg.battleCount > 0) {
    console.error('pairwise ratings: --style-control needs conv_metadata or conversation_a/conversation_b in the records');
    return 1;
  }
  const result = computeRatings(agg, {
    bootstrap: flags.bootstrap,
    seed: flags.seed,
    ci: flags.ci,
    anchor: flags.anchor,
    styleControl: flags.styleControl,
    reweight: flags.reweight,
    matrices: false,
    // Worker threads pay for themselves only on long bootstraps (they load their code first).
    threads: (flags.bootstrap ?? 0) >= 400 ? availableThreads() : 1,
  });
  if (loaded.invalidCount > 0) {
    console.error(`pairwise ratings: skipped ${loaded.invalidCount} invalid record${loaded.invalidCount === 1 ? '' : 's'}, e.g.:`);
    for (const e of loaded.invalid) console.error(`  ${e.message}`);
  }
  if (flags.format === 'json') {
    process.stdout.write(`${JSON.stringify({ battles: result.battles, models: result.models }, null, 2)}\n`);
  } else if (flags.format === 'csv') {
    process.stdout.write(`${formatCsv(result)}\n`);
  } else {
    const d = result.diagnostics;
    const ci =
      d.ci === 'bootstrap' ? `bootstrap, ${d.bootstrapRounds} rounds, seed ${flags.seed ?? 42}` : d.ci === 'sandwich' ? 'sandwich' : 'none';
    const fit = d.estimator === 'map-virtual-ties' ? ' (no finite MLE: virtual-tie prior, see --help)' : '';
    const note = `${result.battles} battles, ${result.models.length} models; 95% CI: ${ci}; Elo in ${loaded.order === 'time' ? 'tstamp' : 'file'} order${fit}`;
    process.stdout.write(`${result.models.length === 0 ? `${note}\n\nNo battles.` : formatTable(result, note)}\n`);
  }
  return 0;
}
