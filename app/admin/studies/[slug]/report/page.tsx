import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/app/_server/page-context';
import { isAppError } from '@/lib/errors';
import { studyReport } from '@/lib/study/console';
import type { StudyReport } from '@/lib/study/report';
import { reportSections } from '@/lib/study/report-text';
import styles from '../../_components/studies.module.css';
import { withBasePath } from '@/lib/base-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Study report · Pairwise' };

/** Ratings with their intervals drawn on one axis. */
function IntervalPlot({ report }: { report: StudyReport }) {
  const models = report.ratings.models;
  if (models.length === 0) return null;
  const lo = Math.min(...models.map((m) => m.lower));
  const hi = Math.max(...models.map((m) => m.upper));
  const span = Math.max(1, hi - lo);
  const x = (v: number) => `${(((v - lo) / span) * 100).toFixed(2)}%`;
  return (
    <div role="img" aria-label="Ratings with 95 % intervals" style={{ display: 'grid', gap: '0.35rem', margin: '0.75rem 0' }}>
      {models.map((m) => (
        <div key={m.model} style={{ display: 'grid', gridTemplateColumns: 'minmax(7rem, 12rem) 1fr', gap: '0.75rem', alignItems: 'center' }}>
          <span className={styles.small}>{m.model}</span>
          <span style={{ position: 'relative', height: '0.9rem' }}>
            <span style={{ position: 'absolute', left: x(m.lower), right: `calc(100% - ${x(m.upper)})`, top: '0.38rem', height: '0.14rem', background: 'var(--accent)' }} />
            <span style={{ position: 'absolute', left: `calc(${x(m.rating)} - 0.3rem)`, top: '0.15rem', width: '0.6rem', height: '0.6rem', borderRadius: '50%', background: 'var(--accent)' }} />
          </span>
        </div>
      ))}
    </div>
  );
}

export default async function StudyReportPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await requireAdminPage(`/admin/studies/${slug}/report`);
  let report: StudyReport;
  try {
    report = (await studyReport(slug, { conversations: false })).report;
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const download = (format: string) => withBasePath(`/api/admin/studies/${encodeURIComponent(slug)}/report?format=${format}`);
  return (
    <div className={styles.page} data-testid="study-report">
      <div className={styles.head}>
        <div>
          <h1>{report.study.title}: report</h1>
          <p className="muted">
            From the study&rsquo;s own judgments as they are now ({report.judgments.counted} counted). <Link href={`/admin/studies/${slug}`}>Back to the study</Link>
          </p>
        </div>
        <div className={styles.actions}>
          <a className="button button-primary" href={download('zip')} data-testid="study-bundle-download" download>
            Download bundle (.zip)
          </a>
          <a className="button button-ghost" href={download('html')} download>
            HTML
          </a>
          <a className="button button-ghost" href={download('md')} download>
            Markdown
          </a>
          <a className="button button-ghost" href={download('json')} download>
            JSON
          </a>
        </div>
      </div>
      {reportSections(report).map((s) => (
        <section key={s.title} className={styles.card} data-section={s.title}>
          <h2>{s.title}</h2>
          {s.text ? <p>{s.text.split('`').map((part, k) => (k % 2 ? <code key={k}>{part}</code> : part))}</p> : null}
          {s.title === 'Ratings' ? <IntervalPlot report={report} /> : null}
          {s.tables
            .filter((t) => t.rows.length > 0)
            .map((t, k) => (
              <div className={styles.scroll} key={k}>
                <table className={styles.table} data-testid={`report-${s.title.toLowerCase().replace(/\s+/g, '-')}-${k}`}>
                  <thead>
                    <tr>
                      {t.head.map((h, c) => (
                        <th key={c} className={t.numeric?.includes(c) ? styles.num : undefined}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {t.rows.map((row, r) => (
                      <tr key={r}>
                        {row.map((v, c) => (
                          <td key={c} className={t.numeric?.includes(c) ? styles.num : undefined}>
                            {v}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </section>
      ))}
    </div>
  );
}
