import { requireAdminPage } from '@/app/_server/page-context';
import { listConsoleImports } from '@/lib/admin/imports';
import { ImportRemove } from '@/app/_components/admin/import-remove';
import { int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

export default async function AdminImportsPage() {
  await requireAdminPage('/admin/imports');
  const imports = await listConsoleImports();
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Imports</h1>
          <p className={styles.subtitle}>
            clean_battle files brought in with <code>npx pairwise import FILE</code>. Removing one deletes its battles, votes and
            conversations; the leaderboard is recomputed without them.
          </p>
        </div>
      </div>
      <div className={`${styles.card} ${styles.tableWrap}`}>
        <table className={styles.table} data-testid="imports-table">
          <thead>
            <tr>
              <th>#</th>
              <th>File</th>
              <th>sha256</th>
              <th>Imported (UTC)</th>
              <th className={styles.num}>Battles</th>
              <th className={styles.num}>Skipped</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {imports.length === 0 && (
              <tr>
                <td colSpan={7} className={styles.muted}>
                  No imports.
                </td>
              </tr>
            )}
            {imports.map((i) => (
              <tr key={i.id} data-testid="import-row" data-import={i.id}>
                <td>{i.id}</td>
                <td>
                  <strong>{i.fileName}</strong>
                  <div className={`${styles.small} ${styles.muted}`}>
                    {i.format}
                    {i.state === 'running' ? ' · still running or cut short' : ''}
                  </div>
                </td>
                <td className={`${styles.mono} ${styles.small}`} style={{ maxWidth: '22ch' }} data-testid="import-sha256">
                  {i.fileSha256}
                </td>
                <td className={styles.nowrap}>{when(i.createdAt)}</td>
                <td className={styles.num}>{int(i.importedCount)}</td>
                <td className={styles.num}>
                  {int(i.skippedCount)}
                  {i.skippedCount > 0 && i.report.skipped && (
                    <div className={`${styles.small} ${styles.muted}`}>
                      {Object.entries(i.report.skipped)
                        .map(([k, n]) => `${k}: ${n}`)
                        .join(', ')}
                    </div>
                  )}
                </td>
                <td>
                  {i.removed !== null && <div className={`${styles.small} ${styles.muted}`}>{int(i.removed)} removed so far</div>}
                  <ImportRemove id={i.id} fileName={i.fileName} removing={i.state === 'removing'} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
