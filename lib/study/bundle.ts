import { strToU8, zipSync } from 'fflate';
import { csvField, orderedRecord } from '../export';
import { checkPassed, counts, judgmentRecords, type StudyJudgmentRow, type StudyReport } from './report';
import { reportHtml, reportMarkdown } from './report-text';

/**
 * The downloadable bundle of a study: the counted judgments as clean_battle JSON (the file
 * `pairwise ratings` reproduces the ratings from, and `pairwise study analyze` the agreement),
 * every judgment as CSV with why it does or does not count, the report as JSON, Markdown and
 * printable HTML, and a README saying how to reproduce each number. Annotators appear only
 * under their pseudonymous ids.
 */

export const JUDGMENT_CSV_COLUMNS = [
  'annotator',
  'item',
  'model_a',
  'model_b',
  'winner',
  'tstamp',
  'kind',
  'check_expected',
  'check_passed',
  'counted',
  'annotator_excluded',
  'moderated',
  'read_ms',
  'total_ms',
] as const;

export function judgmentsJson(rows: readonly StudyJudgmentRow[]): string {
  const records = judgmentRecords(rows);
  return records.length === 0 ? '[]\n' : `[\n${records.map((r) => JSON.stringify(orderedRecord(r))).join(',\n')}\n]\n`;
}

export function judgmentsCsv(rows: readonly StudyJudgmentRow[]): string {
  const lines: string[] = [JUDGMENT_CSV_COLUMNS.join(',')];
  const sorted = [...rows].sort((x, y) => x.tstamp - y.tstamp);
  for (const r of sorted) {
    const passed = checkPassed(r);
    lines.push(
      [
        r.annotator,
        r.item,
        r.modelA,
        r.modelB,
        r.winner,
        r.tstamp,
        r.kind,
        r.expected ?? '',
        passed === null ? '' : passed ? 'true' : 'false',
        counts(r) ? 'true' : 'false',
        r.excluded ?? '',
        r.moderated ? 'true' : 'false',
        r.readMs ?? '',
        r.totalMs ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function readme(report: StudyReport): string {
  return `# ${report.study.title}: study bundle

Files:

- \`judgments.json\`: the ${report.judgments.counted} counted judgments in Chatbot Arena's clean_battle format
  (\`judge\` is a pseudonymous annotator id, \`question_id\` the item, \`model_a\` was shown on the left),
  with both answers as \`conversation_a\` / \`conversation_b\`.
- \`judgments.csv\`: every judgment (${report.judgments.total}), attention checks and judgments of excluded
  annotators included, with columns saying whether and why each counts, and reading times.
- \`report.json\`, \`report.md\`, \`report.html\`: the report (ratings, win matrix, agreement, annotators, design).

Reproduce the ratings (the \`ratings.models\` of report.json):

    ${report.ratings.command}

Reproduce the agreement statistics (the \`agreement\` of report.json):

    npx pairwise study analyze judgments.json --json

Counted: judgments of design items (not attention checks) by annotators who were not excluded,
whose vote no operator excluded.
`;
}

export function bundleFiles(report: StudyReport, rows: readonly StudyJudgmentRow[]): Record<string, string> {
  return {
    'README.md': readme(report),
    'judgments.json': judgmentsJson(rows),
    'judgments.csv': judgmentsCsv(rows),
    'report.json': `${JSON.stringify(report, null, 2)}\n`,
    'report.md': reportMarkdown(report),
    'report.html': reportHtml(report),
  };
}

/** The bundle as one zip file, its entries under a folder named after the study. */
export function bundleZip(report: StudyReport, rows: readonly StudyJudgmentRow[]): Uint8Array {
  const files = bundleFiles(report, rows);
  const tree: Record<string, Uint8Array> = {};
  const mtime = new Date(report.generatedAt);
  for (const [name, text] of Object.entries(files)) tree[`${report.study.slug}/${name}`] = strToU8(text);
  return zipSync(tree, { level: 6, mtime });
}
