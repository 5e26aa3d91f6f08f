import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/app/_server/page-context';
import { isAppError } from '@/lib/errors';
import { studyOverview, type ProgressTable, type StudyOverview } from '@/lib/study/console';
import { ExcludeControl, InviteMaker, StatusButtons } from '../_components/study-actions';
import styles from '../_components/studies.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Study · Pairwise' };

function Progress({ rows, name, testId }: { rows: ProgressTable[]; name: string; testId: string }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid={testId}>
        <thead>
          <tr>
            <th>{name}</th>
            <th className={styles.num}>Judged</th>
            <th className={styles.num}>Being judged</th>
            <th className={styles.num}>Planned</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td>
              <td className={styles.num}>{r.judged}</td>
              <td className={styles.num}>{r.held}</td>
              <td className={styles.num}>{r.planned}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function StudyConsolePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await requireAdminPage(`/admin/studies/${slug}`);
  let o: StudyOverview;
  try {
    o = await studyOverview(slug);
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const { study, definition: d } = o;
  const native = study.kind === 'native';
  return (
    <div className={styles.page}>
      <div className={styles.head}>
        <div>
          <h1 data-testid="study-console-title">{study.title}</h1>
          <p className="muted">
            <span className={styles.pill} data-testid="study-status">
              {native ? study.status : 'imported'}
            </span>{' '}
            {native ? (
              <>
                participants at <Link href={`/study/${study.slug}`}>/study/{study.slug}</Link> · {study.access}
              </>
            ) : (
              'judgments imported from a file'
            )}
          </p>
        </div>
        <div className={styles.actions}>
          {native ? <StatusButtons slug={study.slug} status={study.status} /> : null}
          <Link className="button button-secondary" href={`/admin/studies/${study.slug}/report`} data-testid="study-report-link">
            Report
          </Link>
        </div>
      </div>

      <section className={styles.card}>
        <dl className={styles.stats}>
          <div>
            <dt>Judged</dt>
            <dd data-testid="study-judged">
              {o.totals.judged} of {o.totals.planned}
            </dd>
          </div>
          <div>
            <dt>Being judged</dt>
            <dd>{o.totals.held}</dd>
          </div>
          <div>
            <dt>Participants</dt>
            <dd>{o.totals.participants}</dd>
          </div>
          {d ? (
            <>
              <div>
                <dt>Items · models</dt>
                <dd>
                  {d.prompts.items.length} · {d.models.length}
                </dd>
              </div>
              <div>
                <dt>Design</dt>
                <dd className={styles.small}>
                  {d.design.kind === 'all-pairs' ? 'all pairs' : `${d.design.pairsPerItem} pairs per item`}, {d.judgmentsPerPair} per pair
                  {d.quota ? `, quota ${d.quota}` : ''}
                </dd>
              </div>
              <div>
                <dt>Attention checks</dt>
                <dd className={styles.small}>{d.attentionChecks ? `${d.attentionChecks.checks.length}, one per ${d.attentionChecks.every}` : 'none'}</dd>
              </div>
            </>
          ) : null}
        </dl>
        {d?.prompts.dropped.length ? (
          <p className={styles.small}>
            {d.prompts.dropped.length} item(s) of {d.prompts.source} left out: {d.prompts.dropped.slice(0, 5).map((x) => `${x.id} (${x.reason})`).join('; ')}
          </p>
        ) : null}
      </section>

      {native && study.access === 'invite' ? (
        <section className={styles.card}>
          <h2>Invitations</h2>
          <InviteMaker slug={study.slug} />
        </section>
      ) : null}

      <section className={styles.card}>
        <h2>Participants</h2>
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="study-participants">
            <thead>
              <tr>
                <th>Annotator</th>
                <th>State</th>
                <th className={styles.num}>Judged</th>
                <th className={styles.num}>Checks failed</th>
                <th>Excluded</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {o.participants.map((p) => (
                <tr key={p.label} data-annotator={p.label}>
                  <td>
                    {p.label} {p.note ? <span className="muted">{p.note}</span> : null}
                  </td>
                  <td>{!p.joined ? 'invited' : !p.consented && d && (d.consent || d.qualification) ? 'joined' : p.holding ? 'judging' : 'active'}</td>
                  <td className={styles.num}>{p.judged}</td>
                  <td className={styles.num}>
                    {p.checksFailed} of {p.checks}
                  </td>
                  <td>{p.excludedReason ?? ''}</td>
                  <td>{p.joined ? <ExcludeControl slug={study.slug} label={p.label} excluded={p.excludedReason} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <div className={styles.grid}>
        <section className={styles.card}>
          <h2>Per pair</h2>
          <Progress rows={o.perPair} name="Pair" testId="study-per-pair" />
        </section>
        <section className={styles.card}>
          <h2>Per item</h2>
          <Progress rows={o.perItem} name="Item" testId="study-per-item" />
        </section>
      </div>
    </div>
  );
}
