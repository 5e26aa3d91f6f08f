import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { consoleOverview } from '@/lib/admin/overview';
import { int, when } from '@/app/_components/admin/format';
import { auditSummary } from '@/app/_components/admin/audit-summary';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

export default async function AdminOverviewPage() {
  const { app } = await requireAdminPage('/admin');
  const o = await consoleOverview(app);
  const excluded = Object.values(o.votes.excluded).reduce((s, n) => s + n, 0);
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Console</h1>
          <p className={styles.subtitle}>
            The arena as it stands. Every change made here applies at once and is written to the audit log.
          </p>
        </div>
      </div>
      {o.mode === 'file' && (
        <p className={styles.notice}>
          The model registry is read from the registry file (PAIRWISE_REGISTRY=file): models are shown read-only.
        </p>
      )}
      <div className={styles.tiles} data-testid="admin-overview">
        <Link href="/admin/models" className={`${styles.card} ${styles.tile}`}>
          <div className={styles.tileLabel}>Models ready</div>
          <div className={styles.tileValue}>
            {o.models.ready} <span className={styles.muted}>/ {o.models.total}</span>
          </div>
          <div className={styles.tileNote}>
            {o.models.unreachable.length} not reachable · {o.models.disabled} disabled
          </div>
        </Link>
        <Link href="/admin/votes" className={`${styles.card} ${styles.tile}`}>
          <div className={styles.tileLabel}>Votes counted</div>
          <div className={styles.tileValue}>{int(o.votes.counted)}</div>
          <div className={styles.tileNote}>{int(excluded)} excluded</div>
        </Link>
        <Link href="/admin/voters" className={`${styles.card} ${styles.tile}`}>
          <div className={styles.tileLabel}>Voters</div>
          <div className={styles.tileValue}>{int(o.voters)}</div>
          <div className={styles.tileNote}>{int(o.bannedVoters)} banned</div>
        </Link>
        <Link href="/admin/accounts" className={`${styles.card} ${styles.tile}`}>
          <div className={styles.tileLabel}>Accounts</div>
          <div className={styles.tileValue}>{int(o.accounts)}</div>
          <div className={styles.tileNote}>{o.admins} admin{o.admins === 1 ? '' : 's'}</div>
        </Link>
        <Link href="/admin/imports" className={`${styles.card} ${styles.tile}`}>
          <div className={styles.tileLabel}>Imports</div>
          <div className={styles.tileValue}>{int(o.imports)}</div>
          <div className={styles.tileNote}>clean_battle files</div>
        </Link>
      </div>

      {o.models.unreachable.length > 0 && (
        <section className={`${styles.card} ${styles.cardBody}`} data-testid="admin-unreachable">
          <h2 className={styles.cardTitle}>Models that cannot be used</h2>
          <ul>
            {o.models.unreachable.map((m) => (
              <li key={m.id}>
                <code>{m.id}</code>: {m.reason ?? m.status}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className={styles.section}>
        <div className={styles.sectionHead}>
          <h2>Latest admin actions</h2>
          <Link href="/admin/audit">Audit log</Link>
        </div>
        <div className={`${styles.card} ${styles.tableWrap}`}>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Who</th>
                <th>What</th>
              </tr>
            </thead>
            <tbody>
              {o.recent.length === 0 && (
                <tr>
                  <td colSpan={3} className={styles.muted}>
                    Nothing yet.
                  </td>
                </tr>
              )}
              {o.recent.map((e) => (
                <tr key={e.id}>
                  <td className={styles.nowrap}>{when(e.createdAt)}</td>
                  <td>{e.actorLabel ?? 'system'}</td>
                  <td>{auditSummary(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
