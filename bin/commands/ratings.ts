import fs from 'node:fs';
import cliProgress from 'cli-progress';
import stringWidth from 'string-width';
import { z } from 'zod';
import { MalformedRecordError, NameTable, scanBattles, type BattleFileFormat, type CleanBattle } from '../../lib/export';
import {
  BattleAggregator,
  BattleLog,
  computeRatings,
  DEFAULT_BOOTSTRAP_ROUNDS,
  DEFAULT_PROVISIONAL_VOTES,
  DEFAULT_SEED,
  outcomeCode,
  styleDiff,
  styleFromConversation,
  styleFromConvMetadata,
  type ModelRating,
  type OutcomeCode,
  type RatingsResult,
  type StyleFeatures,
} from '../../lib/rating';
import { availableThreads } from '../../lib/rating/bootstrap-threads';
import { parseFlags, usageLine, UsageError, zodUsage } from '../args';

export const summary = 'Bradley-Terry ratings with confidence intervals (and online Elo) from a clean_battle file';

const HELP = `Usage: pairwise ratings FILE [flags]       (or --input FILE)

Reads battles in Chatbot Arena's clean_battle format and prints ratings on the Elo scale with
95 % confidence intervals, Rank (UB), online Elo, vote counts and the diagnostics of the fit.

  FILE, --input FILE     battles: a JSON array, JSON Lines or CSV (model_a,model_b,winner[,tstamp]
                         with or without a header row); "-" reads standard input. Read as a
                         stream, so files larger than memory are fine.
  --input-format F       json | jsonl | csv (default: from the first character of the file;
                         required for standard input)
  --format F             table (default) | json | csv (see Output below)
  --model M              bradley-terry (default: ties count half a win) | davidson (Davidson's
                         tie model: win, tie and loss fitted as three outcomes; see Ratings)
  --ci M                 profile (default) | bootstrap | sandwich: the interval method (see
                         Intervals); --bootstrap N alone implies bootstrap
  --bootstrap N          bootstrap rounds (resampling the battles, seeded); default ${DEFAULT_BOOTSTRAP_ROUNDS} with
                         --ci bootstrap (100 rounds cover only ~93 %)
  --seed N               seed of the bootstrap (default ${DEFAULT_SEED}); the same seed gives the same result
  --anchor MODEL=RATING  shift rating, lower and upper of every model by one constant so that
                         MODEL gets RATING (Chatbot Arena anchors mixtral-8x7b-instruct-v0.1=1114);
                         online Elo is not shifted. Default: each component's established
                         (not provisional) models average 1000
  --provisional-votes N  models with fewer votes are provisional: listed, not ranked
                         (default ${DEFAULT_PROVISIONAL_VOTES}; 0 ranks every model)
  --shrunk               report the shrunk rating (the centre of the profile interval, pulled
                         towards the average by the prior) instead of the exact MLE
  --style-control        fit Bradley-Terry with the four style covariates (answer tokens,
                         markdown headers, list items, bold) taken from each record's
                         conv_metadata, or counted in conversation_a / conversation_b; prints
                         the style coefficients with the table. Records without either are
                         left out of the fit; with fewer than 100 such battles it is not fitted
                         and says so. (Its bootstrap refits every battle: slow on millions.)
  --reweight             weight each battle by 1 / max(battles of its model pair, 50)
                         (Chatbot Arena's rule, for any file)
  --weight-by-probability
                         weight each battle by 1 / its sampling_probability (the probability
                         with which a Pairwise arena drew the pair; in its JSON exports), scaled
                         to average 1: the board as if every pair had been drawn equally often.
                         Every record must carry one (imports and chosen models do not)
  --skip-invalid         skip malformed records (and count them) instead of stopping at the
                         first one
  --help                 show this text

Ratings: Bradley-Terry, P(a beats b) = 1 / (1 + 10^((Rb - Ra) / 400)), with 'tie' and
'tie (bothbad)' as half a win for each side; the fit is the exact maximum-likelihood estimate
(Newton's method to a gradient below 1e-9). When no finite MLE exists (a model that never lost
or never won), every model gets one virtual tie against an average player and the posterior
mode is reported ("virtual-tie prior"), which keeps every rating finite. Counting a tie as half
a win compresses the rating scale when ties do not depend on the gap between the models;
--model davidson describes ties as their own outcome (P(tie) = nu sqrt(pa pb) / (pa + pb +
nu sqrt(pa pb))), reports its three-outcome log-likelihood and tie parameter nu, and its
ratings describe decided battles.

Components: models never compared, directly or through others, cannot be rated against each
other. The battles split into connected components (0 = the most models); each is fitted on
its own, centred unless anchored so that its established (not provisional) models average
1000 (all of its models while fewer than two are established: a newcomer's uncertainty does
not widen the others' intervals), and is ranked on its own: ratings of different components
are not comparable.

Intervals (95 %):
  profile    the profile likelihood of each model's rating, with the log-likelihood divided by
             the dispersion of the scores (ties are less variable than coin tosses; measured
             from the ties, about 0.64 on Chatbot Arena's votes) and one virtual tie per model
             as a prior. Finite and wider than zero from the first vote; equal to the sandwich
             when battles are plentiful. In simulation it covers 94.5-96 % of true ratings from
             100 to 30,000 battles, and errs on the wide side (~97 %) below.
  sandwich   LMArena's closed-form robust interval; too narrow with few battles, zero-wide
             when every battle was a tie.
  bootstrap  2.5 / 97.5 percentiles of refits of multinomial resamples; zero-wide on one battle.
  Style control uses the quadratic form of the profile (shown as "laplace").

Rank (UB) is 1 + the number of ranked models of the same component whose lower bound is above
this model's upper bound. A provisional model (fewer votes than --provisional-votes) is not
ranked: its rank is the number of ranked models in its component plus one (shown as - in the
table), and its row says why.
"To separate" is the further battles against the next model below (same component) that
would separate the two at 95 % if the current estimates hold (0: already; -: battles between
the two alone cannot). Win rate counts ties as half a win; the decided win rate leaves ties
out. Online Elo (K = 4, start 1000) runs in tstamp order when every record has a tstamp,
otherwise in file order, and is never anchored.

Output: table: the fit and its diagnostics above the rows (model names with line breaks are
shown escaped). json: { "battles", "models": [ { model, rating, lower, upper, rank, elo, votes,
wins, losses, ties, component, provisional, provisionalReason, winRate, decidedWinRate,
toSeparate: { model, battles } | null } ], "diagnostics": { status, model, estimator, ci,
bootstrapRounds, bootstrapFallbackRounds, dispersion, components, provisional, anchor, elo, ... },
"style"?, "davidson"?, "weighting"?: pair-count | sampling-probability (only when weighted) }.
csv: one row per model with those fields, and the fit's method, rounds, fallback rounds and Elo
order on every row.

A board that cannot be fitted (style control without enough battles that carry style) prints no
models and says why (diagnostics.status in json).

Errors: a malformed record stops the run with its record and line number and what is wrong
(exit code 1); with --skip-invalid it is skipped and counted on standard error. A JSON array
whose syntax is broken cannot be read past the break, so that always stops the run. A bad flag
is named on one line (exit code 2).`;

const OPTIONS = {
  input: { type: 'string' },
  'input-format': { type: 'string' },
  format: { type: 'string' },
  model: { type: 'string' },
  ci: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
  anchor: { type: 'string' },
  'provisional-votes': { type: 'string' },
  shrunk: { type: 'boolean' },
  'style-control': { type: 'boolean' },
  reweight: { type: 'boolean' },
  'weight-by-probability': { type: 'boolean' },
  'skip-invalid': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;
const flagsSchema = z
  .object({
    input: z.string({ error: 'name the battles file (FILE or --input FILE)' }).min(1, 'name the battles file (FILE or --input FILE)'),
    inputFormat: z.enum(['json', 'jsonl', 'csv'], { error: oneOf(['json', 'jsonl', 'csv']) }).optional(),
    format: z.enum(['table', 'json', 'csv'], { error: oneOf(['table', 'json', 'csv']) }).default('table'),
    model: z.enum(['bradley-terry', 'davidson'], { error: oneOf(['bradley-terry', 'davidson']) }).default('bradley-terry'),
    ci: z.enum(['profile', 'bootstrap', 'sandwich'], { error: oneOf(['profile', 'bootstrap', 'sandwich']) }).optional(),
    bootstrap: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').optional(),
    seed: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').refine(Number.isSafeInteger, 'is too large').optional(),
    anchor: z
      .string()
      .regex(/^.+=-?\d+(\.\d+)?$/, 'must look like MODEL=RATING')
      .transform((s) => {
        const at = s.lastIndexOf('=');
        return { model: s.slice(0, at), rating: Number(s.slice(at + 1)) };
      })
      .optional(),
    provisionalVotes: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').optional(),
    shrunk: z.boolean().default(false),
    styleControl: z.boolean().default(false),
    reweight: z.boolean().default(false),
    weightByProbability: z.boolean().default(false),
    skipInvalid: z.boolean().default(false),
  })
  .refine((f) => !(f.reweight && f.weightByProbability), { message: '--reweight and --weight-by-probability are two weightings: choose one', path: ['reweight'] })
  .refine((f) => !(f.styleControl && f.weightByProbability), { message: '--style-control does not take weights (nor --weight-by-probability)', path: ['styleControl'] })
  .refine((f) => !(f.ci === 'bootstrap' && f.bootstrap === 0), { message: '--ci bootstrap needs --bootstrap of at least 1', path: ['bootstrap'] })
  .refine((f) => !(f.ci && f.ci !== 'bootstrap' && (f.bootstrap ?? 0) > 0), { message: '--bootstrap goes with --ci bootstrap', path: ['bootstrap'] })
  .refine((f) => f.input !== '-' || f.inputFormat, { message: '--input - (standard input) needs --input-format', path: ['inputFormat'] })
  .refine((f) => !(f.styleControl && f.model === 'davidson'), { message: '--style-control fits Bradley-Terry only, not --model davidson', path: ['model'] });
export type RatingsFlags = z.infer<typeof flagsSchema>;

/** Flags of `pairwise ratings` (util.parseArgs), or 'help'. Throws UsageError. */
export function parseRatingsFlags(argv: string[]): RatingsFlags | 'help' {
  const { values, positionals } = parseFlags(argv, OPTIONS, true);
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`one battles file at a time (got "${positionals[0]}" and "${positionals[1]}")`);
  if (positionals.length === 1 && values.input !== undefined && values.input !== positionals[0]) {
    throw new UsageError(`--input ${values.input} and FILE ${positionals[0]}: name the battles file once`);
  }
  const parsed = flagsSchema.safeParse({
    input: values.input ?? positionals[0],
    inputFormat: values['input-format'],
    format: values.format,
    model: values.model,
    ci: values.ci,
    bootstrap: values.bootstrap,
    seed: values.seed,
    anchor: values.anchor,
    provisionalVotes: values['provisional-votes'],
    shrunk: values.shrunk ?? false,
    styleControl: values['style-control'] ?? false,
    reweight: values.reweight ?? false,
    weightByProbability: values['weight-by-probability'] ?? false,
    skipInvalid: values['skip-invalid'] ?? false,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.path[0] === 'input') throw new UsageError(issue.message);
    throw zodUsage(parsed.error);
  }
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
  /** With weightByProbability: the battles that had no sampling_probability (weighted 1). */
  withoutProbability: number;
}

/** Reads a clean_battle file into an aggregator (battles in time order). */
export async function loadBattles(
  input: string,
  options: { format?: BattleFileFormat; skipInvalid?: boolean; style?: boolean; progress?: boolean; threads?: number; weightByProbability?: boolean },
): Promise<LoadedBattles> {
  const agg = new BattleAggregator();
  const log = new BattleLog();
  const names = new NameTable((name) => agg.modelId(name));
  const invalid: MalformedRecordError[] = [];
  let invalidCount = 0;
  let withoutProbability = 0;
  const byProbability = options.weightByProbability ?? false;
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
        // A record on the fast path has no sampling_probability (the scanner sends those to `record`).
        fast(a, b, winner, tstamp) {
          if (byProbability) withoutProbability++;
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
          let weight = 1;
          if (byProbability) {
            if (r.sampling_probability === undefined) withoutProbability++;
            else weight = 1 / r.sampling_probability;
          }
          log.add(agg.modelId(r.model_a), agg.modelId(r.model_b), outcomeCode(r.winner) as OutcomeCode, r.tstamp ?? NaN, d, weight);
        },
      },
    );
    const order = log.feed(agg);
    return { agg, records, invalid, invalidCount, order, withoutProbability };
  } finally {
    bar?.stop();
  }
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

/** A model name as one line of a table: line breaks, tabs and other control characters escaped. */
export function displayName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Pads by display columns (East Asian wide characters and emoji take two). */
function pad(cell: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(cell)));
  return right ? fill + cell : cell + fill;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How the battles were weighted in the fit: not at all, by pair counts (--reweight) or by 1 / sampling probability. */
export type Weighting = 'none' | 'pair-count' | 'sampling-probability';

/** The lines above the table: what was fitted, how, and what to watch. */
export function describeFit(result: RatingsResult, order: 'time' | 'input', weighting: Weighting = 'none'): string[] {
  const d = result.diagnostics;
  const lines: string[] = [];
  const comps = d.components.length;
  const fallback = d.components.filter((c) => c.estimator === 'map-virtual-ties').map((c) => c.id);
  const estimator =
    d.point === 'penalised'
      ? 'shrunk ratings (centre of the profile interval)'
      : d.estimator === 'penalized'
        ? 'penalised fit with style covariates (L2 0.5)'
        : fallback.length
          ? `no finite MLE in component${fallback.length === 1 ? '' : 's'} ${fallback.join(', ')}: virtual-tie prior (see --help)`
          : 'exact MLE';
  const model = d.model === 'davidson' ? 'Davidson tie model' : 'Bradley-Terry, ties half a win';
  lines.push(`${plural(result.battles, 'battle')}, ${plural(result.models.length, 'model')} in ${plural(comps, 'component')}; ${model}; ${estimator}`);
  let ci: string;
  if (d.ci === 'bootstrap') {
    ci = `bootstrap percentiles, ${plural(d.bootstrapRounds, 'round')}, seed ${d.seed}`;
    ci += d.bootstrapFallbackRounds ? `, ${d.bootstrapFallbackRounds} resample${d.bootstrapFallbackRounds === 1 ? '' : 's'} without MLE fitted with the virtual-tie prior` : ', no resample needed the fallback';
  } else if (d.ci === 'profile') {
    ci = d.dispersion ? `profile likelihood, dispersion ${d.dispersion.phi.toFixed(3)}, threshold ${d.dispersion.threshold.toFixed(2)}` : 'profile likelihood';
  } else if (d.ci === 'laplace') {
    ci = `penalised quasi-likelihood curvature (laplace), dispersion ${d.dispersion!.phi.toFixed(3)}`;
  } else ci = d.ci === 'sandwich' ? 'sandwich (robust)' : 'none';
  if (d.widenedIntervals) ci += `; ${plural(d.widenedIntervals, 'interval')} widened to hold the rating`;
  lines.push(`95% CI: ${ci}`);
  if (weighting === 'pair-count') lines.push('Weights: each battle by 1 / max(battles of its pair, 50), averaging 1 (--reweight)');
  if (weighting === 'sampling-probability') lines.push('Weights: each battle by 1 / the probability its pair was drawn with, averaging 1 (--weight-by-probability)');
  const ranks = comps > 1 ? 'Rank (UB) within each component (ratings of different components are not comparable)' : 'Rank (UB)';
  lines.push(
    `Ranks: ${ranks}; ${d.provisional.models ? `${plural(d.provisional.models, 'provisional model')} (fewer than ${d.provisional.votes} votes) not ranked` : `no provisional models (threshold ${d.provisional.votes} votes)`}`,
  );
  const elo = `Elo: K = ${d.elo.k} in ${order === 'time' ? 'tstamp order' : 'file order (no tstamp on every record)'}, not anchored`;
  lines.push(
    d.anchor
      ? `${elo}; anchor ${d.anchor.model} = ${d.anchor.rating}: rating, lower and upper shifted by ${d.anchor.shift >= 0 ? '+' : ''}${d.anchor.shift.toFixed(1)}`
      : `${elo}; ratings: each component's established models average 1000`,
  );
  if (result.davidson) {
    lines.push(`Davidson: tie parameter nu ${result.davidson.tieParameter.toFixed(4)}, three-outcome log-likelihood ${result.davidson.logLikelihood.toFixed(2)}`);
  }
  if (d.status.code !== 'ok') lines.push(`Not fitted: ${d.status.message}`);
  return lines;
}

export function formatTable(result: RatingsResult, order: 'time' | 'input', weighting: Weighting = 'none'): string {
  const multi = result.diagnostics.components.length > 1;
  const rows = result.models.map((m) => {
    const cells = [
      m.provisional ? '-' : String(m.rank),
      displayName(m.model),
      fmt(m.rating),
      `+${fmt(m.upper - m.rating)}/-${fmt(m.rating - m.lower)}`,
      String(m.votes),
      fmt(m.elo),
      m.toSeparate ? (m.toSeparate.battles === null ? '-' : String(m.toSeparate.battles)) : '',
    ];
    if (multi) cells.push(String(m.component));
    cells.push(m.provisional ? 'provisional' : '');
    return cells;
  });
  const header = ['Rank (UB)', 'Model', 'Rating', '95% CI', 'Votes', 'Elo', 'To separate'];
  const right = [true, false, true, true, true, true, true];
  if (multi) {
    header.push('Component');
    right.push(true);
  }
  header.push('Note');
  right.push(false);
  const widths = header.map((h, c) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[c]))));
  const line = (cells: string[]) => cells.map((cell, c) => pad(cell, widths[c], right[c])).join('  ').trimEnd();
  const out = [...describeFit(result, order, weighting), ''];
  if (result.models.length === 0) out.push(result.diagnostics.status.code === 'ok' ? 'No battles.' : 'No ratings.');
  else out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
  if (result.style && result.models.length > 0) {
    out.push('', 'Style coefficients (per standard deviation of (a - b) / (a + b + 1), logit scale):');
    for (const [k, v] of Object.entries(result.style.coefficients)) out.push(`  ${k.padEnd(10)} ${v.toFixed(4)}`);
  }
  return out.join('\n');
}

const CSV_COLUMNS = [
  'rank',
  'model',
  'rating',
  'lower',
  'upper',
  'elo',
  'votes',
  'wins',
  'losses',
  'ties',
  'component',
  'provisional',
  'provisional_reason',
  'win_rate',
  'decided_win_rate',
  'separate_from',
  'battles_to_separate',
  'estimator',
  'ci',
  'ci_rounds',
  'bootstrap_fallback_rounds',
  'dispersion',
  'model_kind',
  'elo_order',
] as const;

export function formatCsv(result: RatingsResult, order: 'time' | 'input'): string {
  const esc = (v: string | number | boolean | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const d = result.diagnostics;
  const estimatorOf = new Map(d.components.map((c) => [c.id, c.estimator]));
  const cell = (m: ModelRating, c: (typeof CSV_COLUMNS)[number]): string | number | boolean | null => {
    switch (c) {
      case 'provisional_reason':
        return m.provisionalReason;
      case 'win_rate':
        return m.winRate;
      case 'decided_win_rate':
        return m.decidedWinRate;
      case 'separate_from':
        return m.toSeparate?.model ?? null;
      case 'battles_to_separate':
        return m.toSeparate?.battles ?? null;
      case 'estimator':
        return d.point === 'penalised' ? 'shrunk' : (estimatorOf.get(m.component) ?? d.estimator);
      case 'ci':
        return d.ci;
      case 'ci_rounds':
        return d.bootstrapRounds;
      case 'bootstrap_fallback_rounds':
        return d.bootstrapFallbackRounds;
      case 'dispersion':
        return d.dispersion?.phi ?? null;
      case 'model_kind':
        return d.model;
      case 'elo_order':
        return order === 'time' ? 'tstamp' : 'file';
      default:
        return m[c];
    }
  };
  return [CSV_COLUMNS.join(','), ...result.models.map((m) => CSV_COLUMNS.map((c) => esc(cell(m, c))).join(','))].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let flags: RatingsFlags | 'help';
  try {
    flags = parseRatingsFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(usageLine('ratings', err.message));
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
      weightByProbability: flags.weightByProbability,
    });
  } catch (err) {
    if (err instanceof MalformedRecordError) {
      console.error(`pairwise ratings: ${flags.input}: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const { agg } = loaded;
  if (flags.weightByProbability && loaded.withoutProbability > 0) {
    console.error(
      `pairwise ratings: --weight-by-probability: ${loaded.withoutProbability} of ${agg.battleCount} battles have no sampling_probability (imported battles and battles with chosen models have none); rate them without it or with --reweight`,
    );
    return 1;
  }
  if (flags.anchor && !agg.models.includes(flags.anchor.model)) {
    console.error(`pairwise ratings: --anchor model "${flags.anchor.model}" has no battles in ${flags.input}`);
    return 1;
  }
  if (flags.styleControl && !agg.snapshot().style && agg.battleCount > 0) {
    console.error('pairwise ratings: --style-control needs conv_metadata or conversation_a/conversation_b in the records');
    return 1;
  }
  const rounds = flags.ci === 'bootstrap' || (flags.bootstrap ?? 0) > 0 ? (flags.bootstrap ?? DEFAULT_BOOTSTRAP_ROUNDS) : 0;
  const result = computeRatings(agg, {
    model: flags.model,
    bootstrap: flags.bootstrap,
    seed: flags.seed,
    ci: flags.ci,
    anchor: flags.anchor,
    styleControl: flags.styleControl,
    reweight: flags.reweight,
    provisionalVotes: flags.provisionalVotes,
    point: flags.shrunk ? 'penalised' : 'mle',
    eloOrder: loaded.order === 'time' ? 'time' : 'file',
    matrices: false,
    // Worker threads pay for themselves only on long bootstraps (they load their code first).
    threads: rounds >= 400 ? availableThreads() : 1,
  });
  if (loaded.invalidCount > 0) {
    console.error(`pairwise ratings: skipped ${loaded.invalidCount} invalid record${loaded.invalidCount === 1 ? '' : 's'}, e.g.:`);
    for (const e of loaded.invalid) console.error(`  ${e.message}`);
  }
  if (result.diagnostics.status.code !== 'ok' && result.diagnostics.status.code !== 'no-battles' && flags.format !== 'table') {
    console.error(`pairwise ratings: not fitted: ${result.diagnostics.status.message}`);
  }
  const weighting: Weighting = flags.reweight ? 'pair-count' : flags.weightByProbability ? 'sampling-probability' : 'none';
  if (flags.format === 'json') {
    const { matrices: _m, ...json } = result;
    // Said only when the battles were weighted: the default output is that of the board's API.
    process.stdout.write(`${JSON.stringify(weighting === 'none' ? json : { ...json, weighting }, null, 2)}\n`);
  } else if (flags.format === 'csv') {
    process.stdout.write(`${formatCsv(result, loaded.order)}\n`);
  } else {
    process.stdout.write(`${formatTable(result, loaded.order, weighting)}\n`);
  }
  return 0;
}
