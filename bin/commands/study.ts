import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { databasePath } from '../../db/index';
import { closeAppStore, databaseUrl, openAppStore } from '../../db/store';
import { listModelRows } from '../../db/queries/models';
import { AppError } from '../../lib/errors';
import { entriesFromRows, composeRegistry } from '../../lib/registry/live';
import { loadRegistry } from '../../lib/registry/load';
import type { Registry } from '../../lib/registry/schema';
import { agreementReport } from '../../lib/study/agreement';
import { bundleFiles, bundleZip } from '../../lib/study/bundle';
import { changeStatus, createInvites, importStudy, listStudies, setExclusion, studyOverview, studyReport } from '../../lib/study/console';
import { createStudy } from '../../lib/study/create';
import { EXTERNAL_FORMATS, ExternalFormatError, readExternalJudgments, type ExternalFormat } from '../../lib/study/external';
import { AGREEMENT_ROUNDS, AGREEMENT_SEED, ratingsOf } from '../../lib/study/report';

export const summary = 'Blind human evaluations: create a study, invite, follow progress, report, import and analyze judgments';

const HELP = `Usage: pairwise study <command> [flags]

  create FILE.json [--open]        a study from a definition file (see the README, "Studies");
                                   prints its items, cells and planned judgments
  list                             the studies of the store and their progress
  open SLUG | close SLUG           let participants in, or stop handing out items
  invites SLUG --count N [--note TEXT] [--base-url URL]
                                   participant codes and links for an invite-only study
                                   (each code is shown once: keep the output)
  progress SLUG                    judged and planned, per participant
  exclude SLUG ANNOTATOR --reason TEXT | include SLUG ANNOTATOR
                                   leave an annotator out of the report (or take them back)
  report SLUG [--out FILE.zip | --out-dir DIR] [--json]
                                   the report bundle (judgments.json, judgments.csv, report.json,
                                   report.md, report.html); --json prints report.json
  import FILE --slug SLUG --title TEXT [--format F]
                                   published judgments as a study of their own
  analyze FILE [--format F] [--json] [--rounds N] [--seed N]
                                   agreement statistics and ratings of a file, without a store
                                   (a bundle's judgments.json reproduces its report's agreement)

Formats (--format): clean-battle (default; JSON, JSONL or CSV with judge and question_id),
mt-bench (MT-Bench human judgments: the item is question and turn), crowd-csv (LLMFAO-style:
prompt, worker, winner left|right|tie, left, right).

The store is DATABASE_PATH (default ./data/pairwise.db); the registry is the store's (as the
running app edits it), or MODELS_FILE / ./models.json before the app has started once.`;

class UsageError extends Error {}

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse(argv: string[], options: Options, positionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== positionals && !parsed.values.help) {
    throw new UsageError(`expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`);
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

/** The registry as the app would see it: the store's rows, or the file before the store has any. */
async function currentRegistry(): Promise<Registry> {
  const root = process.env.PAIRWISE_ROOT ?? process.cwd();
  const file = await loadRegistry();
  const rows = await listModelRows();
  if (rows.length === 0 || process.env.PAIRWISE_REGISTRY === 'file') return file;
  const { models, warnings } = entriesFromRows(rows, root);
  return composeRegistry(`the store (${databaseUrl() ? 'Postgres' : databasePath()})`, file.settings, models, warnings);
}

function formatOf(v: unknown): ExternalFormat {
  const f = (v as string | undefined) ?? 'clean-battle';
  if (!(EXTERNAL_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${EXTERNAL_FORMATS.join(', ')}`);
  return f as ExternalFormat;
}

const int = (v: unknown, name: string, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number`);
  return n;
};

async function readExternal(file: string, format: ExternalFormat) {
  const read = await readExternalJudgments(file, format);
  if (read.skipped) {
    console.error(`pairwise study: skipped ${read.skipped} record${read.skipped === 1 ? '' : 's'} of ${file}, e.g.:`);
    for (const p of read.problems.slice(0, 5)) console.error(`  ${p}`);
  }
  return read;
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null) => (x === null ? '—' : x.toFixed(3));

async function commands(sub: string, argv: string[]): Promise<number> {
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(argv, { open: { type: 'boolean' } }, 1);
      if (values.help) return help();
      const file = path.resolve(positionals[0]);
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        console.error(`pairwise study create: cannot read ${positionals[0]}: ${(err as Error).message}`);
        return 1;
      }
      const created = await createStudy(await currentRegistry(), json, { createdBy: null, baseDir: path.dirname(file), open: values.open === true });
      const s = created.study;
      console.log(`Created study "${s.slug}" (${s.status}): ${created.items} items, ${created.cells} item-pair cells, ${created.slots} planned judgments, ${created.checks} attention checks.`);
      for (const d of created.dropped.slice(0, 10)) console.log(`  left out item ${d.id}: ${d.reason}`);
      if (created.dropped.length > 10) console.log(`  ... and ${created.dropped.length - 10} more left out`);
      console.log(s.access === 'invite' ? `Next: pairwise study invites ${s.slug} --count N` : `Participants take part at /study/${s.slug}`);
      return 0;
    }
    case 'list': {
      const { values } = parse(argv, {}, 0);
      if (values.help) return help();
      const rows = await listStudies();
      if (rows.length === 0) console.log('No studies.');
      for (const r of rows) console.log(`${r.slug.padEnd(24)} ${r.status.padEnd(7)} ${r.kind.padEnd(8)} ${String(r.judged).padStart(6)}${r.kind === 'native' ? ` of ${r.slots}` : ''} judgments, ${r.participants} participants  ${r.title}`);
      return 0;
    }
    case 'open':
    case 'close': {
      const { values, positionals } = parse(argv, {}, 1);
      if (values.help) return help();
      const s = await changeStatus(positionals[0], sub === 'open' ? 'open' : 'closed', null);
      console.log(`Study "${s.slug}" is ${s.status}.`);
      return 0;
    }
    case 'invites': {
      const { values, positionals } = parse(argv, { count: { type: 'string' }, note: { type: 'string' }, 'base-url': { type: 'string' } }, 1);
      if (values.help) return help();
      const count = int(values.count, '--count', 0);
      if (count < 1 || count > 1000) throw new UsageError('--count must be between 1 and 1000');
      const base = ((values['base-url'] as string | undefined) ?? process.env.PAIRWISE_PUBLIC_URL ?? 'http://localhost:3000').replace(/\/$/, '');
      const invites = await createInvites(positionals[0], { count, note: (values.note as string | undefined) ?? null }, null);
      console.log('annotator,code,link');
      for (const i of invites) console.log(`${i.label},${i.code},${base}${i.path}`);
      return 0;
    }
    case 'progress': {
      const { values, positionals } = parse(argv, {}, 1);
      if (values.help) return help();
      const o = await studyOverview(positionals[0]);
      console.log(`${o.study.title} (${o.study.status}): ${o.totals.judged} of ${o.totals.planned} judged, ${o.totals.held} being judged, ${o.totals.participants} participants.`);
      for (const p of o.participants) {
        console.log(`  ${p.label.padEnd(16)} ${String(p.judged).padStart(5)} judged, checks failed ${p.checksFailed} of ${p.checks}${p.excludedReason ? `, excluded: ${p.excludedReason}` : ''}`);
      }
      return 0;
    }
    case 'exclude':
    case 'include': {
      const { values, positionals } = parse(argv, sub === 'exclude' ? { reason: { type: 'string' } } : {}, 2);
      if (values.help) return help();
      if (sub === 'exclude' && !values.reason) throw new UsageError('--reason is required: say why the annotator is excluded');
      await setExclusion(positionals[0], positionals[1], sub === 'exclude' ? (values.reason as string) : null, null);
      console.log(`${positionals[1]} is ${sub === 'exclude' ? 'excluded from' : 'included in'} the report of "${positionals[0]}".`);
      return 0;
    }
    case 'report': {
      const { values, positionals } = parse(argv, { out: { type: 'string' }, 'out-dir': { type: 'string' }, json: { type: 'boolean' } }, 1);
      if (values.help) return help();
      const { report, rows } = await studyReport(positionals[0]);
      if (values.out) {
        fs.writeFileSync(values.out as string, bundleZip(report, rows));
        console.error(`Wrote ${values.out}.`);
      }
      if (values['out-dir']) {
        const dir = values['out-dir'] as string;
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, text] of Object.entries(bundleFiles(report, rows))) fs.writeFileSync(path.join(dir, name), text);
        console.error(`Wrote the bundle to ${dir}.`);
      }
      if (values.json || (!values.out && !values['out-dir'])) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    case 'import': {
      const { values, positionals } = parse(argv, { slug: { type: 'string' }, title: { type: 'string' }, format: { type: 'string' } }, 1);
      if (values.help) return help();
      if (!values.slug || !values.title) throw new UsageError('--slug and --title are required');
      const format = formatOf(values.format);
      const read = await readExternal(positionals[0], format);
      const study = await importStudy(
        { slug: values.slug as string, title: values.title as string, source: `${path.basename(positionals[0])} (${format})`, judgments: read.judgments },
        null,
      );
      console.log(`Imported ${read.judgments.length} judgments as study "${study.slug}".`);
      return 0;
    }
    case 'analyze': {
      const { values, positionals } = parse(argv, { format: { type: 'string' }, json: { type: 'boolean' }, rounds: { type: 'string' }, seed: { type: 'string' } }, 1);
      if (values.help) return help();
      const read = await readExternal(positionals[0], formatOf(values.format));
      const agreement = agreementReport(read.judgments, { rounds: int(values.rounds, '--rounds', AGREEMENT_ROUNDS), seed: int(values.seed, '--seed', AGREEMENT_SEED) });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(agreement, null, 2)}\n`);
        return 0;
      }
      const { result } = ratingsOf(read.judgments.map((j) => ({ model_a: j.modelA, model_b: j.modelB, winner: j.winner, tstamp: j.tstamp })), {});
      const a = agreement;
      const ci = (i: { value: number | null; lower: number | null; upper: number | null }) => `${num(i.value)} [${num(i.lower)}, ${num(i.upper)}]`;
      console.log(`${read.judgments.length} judgments by ${a.annotators} annotators on ${a.units} item-pair units (${a.multiplyJudged} judged by two or more).`);
      console.log(`Krippendorff's alpha  ${ci(a.krippendorffAlpha)}`);
      console.log(`Fleiss' kappa         ${ci(a.fleissKappa)}`);
      console.log(`Raw agreement         ${pct(a.pairwiseAgreement)}; with the majority ${pct(a.majorityAgreement)}`);
      console.log(`Left side wins        ${pct(a.positionBias.leftShare)} of ${a.positionBias.decided} decided [${pct(a.positionBias.lower)}, ${pct(a.positionBias.upper)}], p = ${num(a.positionBias.pValue)}`);
      console.log(`Annotator pairs with Cohen's kappa: ${a.cohen.length}${a.duplicatesIgnored ? `; ${a.duplicatesIgnored} repeated judgments ignored` : ''}`);
      console.log('\nRatings (Bradley-Terry, Elo scale):');
      for (const m of result.models) console.log(`  ${String(m.rank).padStart(3)}  ${m.model.padEnd(32)} ${m.rating.toFixed(1)}  [${m.lower.toFixed(1)}, ${m.upper.toFixed(1)}]  ${m.votes} judgments`);
      return 0;
    }
    default:
      throw new UsageError(`unknown study command "${sub}"`);
  }
}

function help(): number {
  console.log(HELP);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(HELP);
    return sub ? 0 : 2;
  }
  try {
    // The app's store: the Postgres database of DATABASE_URL when it is set, else the SQLite file.
    await openAppStore();
    return await commands(sub, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`pairwise study ${sub}: ${err.message} (see pairwise study --help)`);
      return 2;
    }
    if (err instanceof AppError || err instanceof ExternalFormatError) {
      console.error(`pairwise study ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await closeAppStore();
  }
}
