import type { CleanBattle } from '../export';
import {
  BattleAggregator,
  BattleLog,
  buildMatrices,
  computeRatings,
  outcomeCode,
  type ModelRating,
  type OutcomeCode,
  type RatingsResult,
  type Winner,
} from '../rating';
import { agreementReport, type AgreementReport, type PairJudgment } from './agreement';

/**
 * A study's report, from its judgments only: ratings by the rating engine (the same path as
 * `pairwise ratings` reading the bundle's judgments.json, so the numbers can be reproduced), the
 * win matrices, agreement and quality, attention checks, timing and the design.
 *
 * What counts: judgments of design items (not attention checks) by annotators who are not
 * excluded, whose vote an operator has not excluded. Everything else is listed, never dropped
 * silently: the bundle's judgments.csv has every judgment with why it does not count.
 */

export const REPORT_FORMAT = 'pairwise-study-report/1';
export const AGREEMENT_ROUNDS = 1000;
export const AGREEMENT_SEED = 42;

export interface StudyJudgmentRow extends PairJudgment {
  kind: 'item' | 'check';
  /** For attention checks: the side with the sound answer, and whether the vote chose it. */
  expected?: 'model_a' | 'model_b' | null;
  /** Why this annotator is excluded (null: included). */
  excluded: string | null;
  /** An operator excluded this vote (console moderation). */
  moderated: boolean;
  /** Milliseconds from the assignment to the vote. */
  totalMs?: number | null;
  tstamp: number;
  conversationA?: { role: string; content: string }[];
  conversationB?: { role: string; content: string }[];
}

export interface StudyMeta {
  slug: string;
  title: string;
  kind: 'native' | 'imported';
  status: string;
  access: string | null;
  createdAt: number;
  models: string[];
  items: number;
  design: {
    kind: string;
    pairsPerItem: number | null;
    judgmentsPerPair: number | null;
    cells: number;
    slots: number;
    /** Per pair of the design, slots planned (min and max), and the largest left/right gap. */
    balance: { perPair: { min: number; max: number }; pairSideGap: number; modelSides: Record<string, { left: number; right: number }> } | null;
  };
  annotators: { annotator: string; excluded: string | null }[];
  ratings: { bootstrap?: number; seed?: number };
}

export interface StudyReport {
  format: typeof REPORT_FORMAT;
  generatedAt: string;
  study: Omit<StudyMeta, 'annotators' | 'ratings'>;
  judgments: {
    total: number;
    counted: number;
    attentionChecks: number;
    byExcludedAnnotators: number;
    moderated: number;
    /** Cells (item x pair) with at least one counted judgment, and with all planned ones. */
    cellsJudged: number;
    cellsComplete: number | null;
  };
  ratings: {
    /** Reproduces `models` from the bundle's judgments.json. */
    command: string;
    options: { bootstrap?: number; seed?: number };
    battles: number;
    models: ModelRating[];
    diagnostics: RatingsResult['diagnostics'];
  };
  winMatrix: NonNullable<RatingsResult['matrices']>;
  agreement: AgreementReport;
  attention: { checks: number; failed: number; perAnnotator: { annotator: string; checks: number; failed: number }[] };
  annotators: {
    annotator: string;
    excluded: string | null;
    judgments: number;
    counted: number;
    checks: number;
    checksFailed: number;
    medianReadMs: number | null;
    medianTotalMs: number | null;
  }[];
  time: { judgments: number; medianReadMs: number | null; q1ReadMs: number | null; q3ReadMs: number | null; medianTotalMs: number | null };
}

export function counts(row: StudyJudgmentRow): boolean {
  return row.kind === 'item' && row.excluded === null && !row.moderated;
}

export function checkPassed(row: StudyJudgmentRow): boolean | null {
  if (row.kind !== 'check' || !row.expected) return null;
  return row.winner === row.expected;
}

/** The counted judgments as clean_battle records in vote order: judge is the pseudonymous annotator. */
export function judgmentRecords(rows: readonly StudyJudgmentRow[], opts: { conversations?: boolean } = {}): CleanBattle[] {
  return rows
    .filter(counts)
    .map((r, i) => ({ r, i }))
    .sort((x, y) => x.r.tstamp - y.r.tstamp || x.i - y.i)
    .map(({ r }) => {
      const record: CleanBattle = {
        model_a: r.modelA,
        model_b: r.modelB,
        winner: r.winner,
        tstamp: r.tstamp,
        judge: r.annotator,
        turn: 1,
        anony: true,
        question_id: r.item,
      };
      if (opts.conversations !== false && r.conversationA && r.conversationB) {
        record.conversation_a = r.conversationA;
        record.conversation_b = r.conversationB;
      }
      return record;
    });
}

/** The command line that recomputes the report's ratings from the bundle. */
export function ratingsCommand(options: { bootstrap?: number; seed?: number }, file = 'judgments.json'): string {
  const flags = ['--input', file, '--format', 'json'];
  if (options.bootstrap) flags.push('--bootstrap', String(options.bootstrap));
  if (options.seed !== undefined) flags.push('--seed', String(options.seed));
  return `npx pairwise ratings ${flags.join(' ')}`;
}

/** The rating engine on clean_battle records, fed exactly as `pairwise ratings` feeds them. */
export function ratingsOf(records: readonly Pick<CleanBattle, 'model_a' | 'model_b' | 'winner' | 'tstamp'>[], options: { bootstrap?: number; seed?: number }) {
  const agg = new BattleAggregator();
  const log = new BattleLog();
  for (const r of records) log.add(agg.modelId(r.model_a), agg.modelId(r.model_b), outcomeCode(r.winner) as OutcomeCode, r.tstamp ?? NaN);
  log.feed(agg);
  const result = computeRatings(agg, { bootstrap: options.bootstrap, seed: options.seed, matrices: false });
  return { result, matrices: buildMatrices(agg, result.models.map((m) => m.model)) };
}

/** Study judgments as agreement input. */
export function agreementInput(rows: readonly Pick<StudyJudgmentRow, 'annotator' | 'item' | 'modelA' | 'modelB' | 'winner' | 'tstamp' | 'readMs'>[]): PairJudgment[] {
  return rows.map((r) => ({ annotator: r.annotator, item: r.item, modelA: r.modelA, modelB: r.modelB, winner: r.winner as Winner, tstamp: r.tstamp, readMs: r.readMs ?? null }));
}

function quantile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return v[lo] + (h - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]) - v[lo]);
}

const numbers = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

export function buildReport(meta: StudyMeta, rows: readonly StudyJudgmentRow[], now = new Date()): StudyReport {
  const counted = rows.filter(counts);
  const records = judgmentRecords(counted, { conversations: false });
  const { result, matrices } = ratingsOf(records, meta.ratings);
  // Reading times are reported per annotator below; agreement is computed from what judgments.json
  // holds, so that `pairwise study analyze` on it gives exactly this.
  const agreement = agreementReport(agreementInput(counted.map((r) => ({ ...r, readMs: null }))), { rounds: AGREEMENT_ROUNDS, seed: AGREEMENT_SEED });

  const checks = rows.filter((r) => r.kind === 'check');
  const labels = [...new Set([...meta.annotators.map((a) => a.annotator), ...rows.map((r) => r.annotator)])].sort();
  const excludedOf = new Map(meta.annotators.map((a) => [a.annotator, a.excluded]));
  const annotators = labels.map((annotator) => {
    const own = rows.filter((r) => r.annotator === annotator);
    const ownChecks = own.filter((r) => r.kind === 'check');
    const items = own.filter((r) => r.kind === 'item');
    return {
      annotator,
      excluded: excludedOf.get(annotator) ?? null,
      judgments: own.length,
      counted: own.filter(counts).length,
      checks: ownChecks.length,
      checksFailed: ownChecks.filter((r) => checkPassed(r) === false).length,
      medianReadMs: quantile(numbers(items.map((r) => r.readMs)), 0.5),
      medianTotalMs: quantile(numbers(items.map((r) => r.totalMs)), 0.5),
    };
  });

  const cellKey = (r: StudyJudgmentRow) => JSON.stringify([r.item, [r.modelA, r.modelB].sort()]);
  const perCell = new Map<string, number>();
  for (const r of counted) perCell.set(cellKey(r), (perCell.get(cellKey(r)) ?? 0) + 1);
  const wanted = meta.design.judgmentsPerPair;
  const reads = numbers(counted.map((r) => r.readMs));
  const { annotators: _a, ratings: ratingOptions, ...study } = meta;
  return {
    format: REPORT_FORMAT,
    generatedAt: now.toISOString(),
    study,
    judgments: {
      total: rows.length,
      counted: counted.length,
      attentionChecks: checks.length,
      byExcludedAnnotators: rows.filter((r) => r.kind === 'item' && r.excluded !== null).length,
      moderated: rows.filter((r) => r.kind === 'item' && r.excluded === null && r.moderated).length,
      cellsJudged: perCell.size,
      cellsComplete: wanted ? [...perCell.values()].filter((n) => n >= wanted).length : null,
    },
    ratings: {
      command: ratingsCommand(ratingOptions),
      options: ratingOptions,
      battles: result.battles,
      models: result.models,
      diagnostics: result.diagnostics,
    },
    winMatrix: matrices,
    agreement,
    attention: {
      checks: checks.length,
      failed: checks.filter((r) => checkPassed(r) === false).length,
      perAnnotator: annotators.filter((a) => a.checks > 0).map((a) => ({ annotator: a.annotator, checks: a.checks, failed: a.checksFailed })),
    },
    annotators,
    time: {
      judgments: reads.length,
      medianReadMs: quantile(reads, 0.5),
      q1ReadMs: quantile(reads, 0.25),
      q3ReadMs: quantile(reads, 0.75),
      medianTotalMs: quantile(numbers(counted.map((r) => r.totalMs)), 0.5),
    },
  };
}
