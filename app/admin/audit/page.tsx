import { requireAdminPage } from '@/app/_server/page-context';
import { auditQuerySchema, browseAudit } from '@/lib/admin/audit';
import { isAppError } from '@/lib/errors';
import { parseSearchParams } from '@/lib/http';
import { auditSummary } from '@/app/_components/admin/audit-summary';
import { int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';
import { Pager } from '@/app/_components/admin/pager';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function Json({ text }: { text: string | null }) {
  if (text === null) return <span className={styles.muted}>–</span>;
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 1);
  } catch {
    /* shown as stored */
  }
  return <pre className={styles.json}>{pretty}</pre>;
}

export default async function AdminAuditPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  await requireAdminPage('/admin/audit');
  let problem: string | null = null;
  let q: { before?: number } = {};
  let page: Awaited<ReturnType<typeof browseAudit>> | null = null;
  try {
    q = parseSearchParams(sp, auditQuerySchema);
    page = await browseAudit(q);
  } catch (err) {
    if (!isAppError(err)) throw err;
    problem = err.message;
  }
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Audit log</h1>
          <p className={styles.subtitle}>Every admin action: who, what, when, and the state before and after.{page ? ` ${int(page.total)} entries.` : ''}</p>
        </div>
      </div>
      {problem && <p className={styles.error}>{problem}</p>}
      {page && (
        <div className={styles.card}>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="audit-table">
              <thead>
                <tr>
                  <th>When (UTC)</th>
                  <th>Who</th>
                  <th>What</th>
                  <th>Before</th>
                  <th>After</th>
                </tr>
              </thead>
              <tbody>
                {page.entries.length === 0 && (
                  <tr>
                    <td colSpan={5} className={styles.muted}>
                      Nothing yet.
                    </td>
                  </tr>
                )}
                {page.entries.map((e) => (
                  <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                    <td className={styles.nowrap}>{when(e.createdAt)}</td>
                    <td>{e.actorLabel ?? 'system'}</td>
                    <td>
                      {auditSummary(e)}
                      <div className={`${styles.small} ${styles.muted} ${styles.mono}`}>{e.action}</div>
                    </td>
                    <td>
                      <Json text={e.before} />
                    </td>
                    <td>
                      <Json text={e.after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            shown={page.entries.length}
            first={q.before ? '/admin/audit' : null}
            next={page.next ? `/admin/audit?before=${page.next}` : null}
            firstLabel="Newest"
            nextLabel="Older →"
          />
        </div>
      )}
    </>
  );
}
