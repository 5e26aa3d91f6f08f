import type { Interval } from './agreement';
import type { StudyReport } from './report';

/**
 * The report as Markdown (for a paper's appendix or a repository) and as a printable HTML page,
 * built from the report JSON alone, so both say exactly what report.json says.
 */

const f = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const ci = (i: Interval) => (i.value === null ? '—' : i.lower === null ? f(i.value) : `${f(i.value)} [${f(i.lower)}, ${f(i.upper)}]`);

interface Table {
  head: string[];
  rows: string[][];
  /** Columns aligned right. */
  numeric?: number[];
}

export interface ReportSection {
  title: string;
  text?: string;
  tables: Table[];
}

/** The report's sections, in print order: one structure for Markdown, HTML and the page. */
export function reportSections(r: StudyReport): ReportSection[] {
  const a = r.agreement;
  const d = r.study.design;
  const sections: ReportSection[] = [];
  sections.push({
    title: 'Design',
    text:
      r.study.kind === 'imported'
        ? `Judgments imported from a published file: ${r.study.items} items, ${r.study.models.length} models, ${d.cells} item-pair cells.`
        : `${r.study.items} items, ${r.study.models.length} models, design ${d.kind}${d.pairsPerItem ? ` (${d.pairsPerItem} pairs per item)` : ''}, ${d.judgmentsPerPair} judgments per item and pair: ${d.cells} cells, ${d.slots} planned judgments. Sides are balanced per pair${d.balance ? ` (largest left/right gap of a pair: ${d.balance.pairSideGap})` : ''}.`,
    tables: d.balance
      ? [
          {
            head: ['Model', 'Left', 'Right'],
            rows: Object.entries(d.balance.modelSides).map(([m, s]) => [m, String(s.left), String(s.right)]),
            numeric: [1, 2],
          },
        ]
      : [],
  });
  sections.push({
    title: 'Judgments',
    text: `${r.judgments.total} judgments: ${r.judgments.counted} counted, ${r.judgments.attentionChecks} attention checks, ${r.judgments.byExcludedAnnotators} by excluded annotators, ${r.judgments.moderated} excluded by an operator. ${r.judgments.cellsJudged} cells judged${r.judgments.cellsComplete !== null ? `, ${r.judgments.cellsComplete} with every planned judgment` : ''}.`,
    tables: [],
  });
  sections.push({
    title: 'Ratings',
    text: `Bradley-Terry ratings on the Elo scale with 95 % intervals (${r.ratings.diagnostics.ci}${r.ratings.diagnostics.bootstrapRounds ? `, ${r.ratings.diagnostics.bootstrapRounds} bootstrap rounds` : ''}) from the ${r.ratings.battles} counted judgments. Reproduce: \`${r.ratings.command}\`.`,
    tables: [
      {
        head: ['Rank (UB)', 'Model', 'Rating', '95 % interval', 'Judgments', 'Wins', 'Losses', 'Ties'],
        rows: r.ratings.models.map((m) => [String(m.rank), m.model, f(m.rating, 1), `${f(m.lower, 1)} – ${f(m.upper, 1)}`, String(m.votes), String(m.wins), String(m.losses), String(m.ties)]),
        numeric: [0, 2, 4, 5, 6, 7],
      },
    ],
  });
  const wm = r.winMatrix;
  sections.push({
    title: 'Win matrix',
    text: 'Share of the decided judgments between the row model and the column model that the row model won (ties left out), with the number of judgments of the pair.',
    tables: [
      {
        head: ['', ...wm.models],
        rows: wm.models.map((m, i) => [m, ...wm.models.map((_, j) => (i === j ? '' : `${wm.winFraction[i][j] === null ? '—' : pct(wm.winFraction[i][j])} (${wm.battleCounts[i][j]})`))]),
        numeric: wm.models.map((_, j) => j + 1),
      },
    ],
  });
  sections.push({
    title: 'Agreement',
    text: `Values per item and pair: first model better, second better, tie (both ties together). ${a.units} units, ${a.multiplyJudged} judged by two or more annotators. Intervals: 95 % percentiles of ${a.bootstrap.rounds} bootstrap resamples of items (seed ${a.bootstrap.seed}).`,
    tables: [
      {
        head: ['Statistic', 'Value [95 % interval]'],
        rows: [
          ["Krippendorff's alpha (nominal)", ci(a.krippendorffAlpha)],
          ["Fleiss' kappa", ci(a.fleissKappa)],
          ['Raw pairwise agreement', pct(a.pairwiseAgreement)],
          ['Mean agreement with the majority', pct(a.majorityAgreement)],
          [
            'Left side wins (of decided)',
            a.positionBias.leftShare === null
              ? '—'
              : `${pct(a.positionBias.leftShare)} [${pct(a.positionBias.lower)}, ${pct(a.positionBias.upper)}], n = ${a.positionBias.decided}, p = ${f(a.positionBias.pValue, 3)}`,
          ],
        ],
      },
      {
        head: ['Annotators', "Cohen's kappa [95 % interval]", 'Observed agreement', 'Common units'],
        rows: a.cohen.map((c) => [`${c.annotators[0]} – ${c.annotators[1]}`, ci(c.kappa), pct(c.observed), String(c.units)]),
        numeric: [2, 3],
      },
    ],
  });
  sections.push({
    title: 'Annotators',
    text: `Median reading time per judgment (both answers complete to vote): ${secs(r.time.medianReadMs)} (quartiles ${secs(r.time.q1ReadMs)} – ${secs(r.time.q3ReadMs)}). Attention checks: ${r.attention.checks}, failed ${r.attention.failed}.`,
    tables: [
      {
        head: ['Annotator', 'Judgments', 'Counted', 'With majority', 'Left wins', 'Checks failed', 'Median read', 'Excluded'],
        rows: r.annotators.map((x) => {
          const q = a.annotatorsQuality.find((y) => y.annotator === x.annotator);
          return [
            x.annotator,
            String(x.judgments),
            String(x.counted),
            q ? `${pct(q.majorityAgreement)} (${q.majorityUnits})` : '—',
            q ? pct(q.leftShare) : '—',
            `${x.checksFailed} of ${x.checks}`,
            secs(x.medianReadMs),
            x.excluded ?? '',
          ];
        }),
        numeric: [1, 2, 3, 4, 5, 6],
      },
    ],
  });
  return sections;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(r: StudyReport): string {
  const out = [`# ${r.study.title}`, '', `Study \`${r.study.slug}\`, report generated ${r.generatedAt}.`, ''];
  for (const s of reportSections(r)) {
    out.push(`## ${s.title}`, '');
    if (s.text) out.push(s.text, '');
    for (const t of s.tables) {
      if (t.rows.length === 0) continue;
      out.push(`| ${t.head.map(mdCell).join(' | ')} |`);
      out.push(`| ${t.head.map((_, c) => (t.numeric?.includes(c) ? '---:' : '---')).join(' | ')} |`);
      for (const row of t.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function reportHtml(r: StudyReport): string {
  const body: string[] = [];
  for (const s of reportSections(r)) {
    body.push(`<section><h2>${esc(s.title)}</h2>`);
    if (s.text) body.push(`<p>${esc(s.text).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`);
    for (const t of s.tables) {
      if (t.rows.length === 0) continue;
      const cls = (c: number) => (t.numeric?.includes(c) ? ' class="num"' : '');
      body.push(
        `<table><thead><tr>${t.head.map((h, c) => `<th${cls(c)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
          .map((row) => `<tr>${row.map((v, c) => `<td${cls(c)}>${esc(v)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
    }
    body.push('</section>');
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.study.title)} · study report</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#15171c;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.8rem 0 .4rem;border-bottom:1px solid #e1e4ea;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:13px}th,td{border:1px solid #e1e4ea;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f7f9}.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px;background:#f3f4f7;padding:0 .2rem}
.meta{color:#636a78}@media print{body{margin:0;max-width:none}section{break-inside:avoid}}
</style></head><body>
<h1>${esc(r.study.title)}</h1><p class="meta">Study <code>${esc(r.study.slug)}</code> · report generated ${esc(r.generatedAt)}</p>
${body.join('\n')}
</body></html>
`;
}
