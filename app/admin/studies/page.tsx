import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { listStudies } from '@/lib/study/console';
import styles from './_components/studies.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Studies · Pairwise' };

export default async function StudiesPage() {
  await requireAdminPage('/admin/studies');
  const studies = await listStudies();
  return (
    <div className={styles.page}>
      <div className={styles.head}>
        <h1>Studies</h1>
        <Link className="button button-primary" href="/admin/studies/new" data-testid="study-new">
          New study
        </Link>
      </div>
      <p className="muted">
        Blind human evaluations with assigned items: a fixed prompt set, a balanced design, participants by invitation, account
        or browser, agreement statistics and a reproducible report. Their judgments never count on the main leaderboard.
      </p>
      <section className={styles.card}>
        {studies.length === 0 ? (
          <p className="muted">No studies yet.</p>
        ) : (
          <div className={styles.scroll}>
            <table className={styles.table} data-testid="studies-table">
              <thead>
                <tr>
                  <th>Study</th>
                  <th>Status</th>
                  <th>Access</th>
                  <th className={styles.num}>Judged</th>
                  <th className={styles.num}>Participants</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {studies.map((s) => (
                  <tr key={s.id} data-study={s.slug}>
                    <td>
                      <Link href={`/admin/studies/${s.slug}`}>{s.title}</Link> <span className="muted">{s.slug}</span>
                    </td>
                    <td>
                      <span className={styles.pill}>{s.kind === 'imported' ? 'imported' : s.status}</span>
                    </td>
                    <td>{s.kind === 'imported' ? '—' : s.access}</td>
                    <td className={styles.num}>{s.kind === 'imported' ? s.judged : `${s.judged} of ${s.slots}`}</td>
                    <td className={styles.num}>{s.participants}</td>
                    <td>{new Date(s.createdAt).toISOString().slice(0, 10)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
