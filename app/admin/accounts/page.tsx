import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { accountQuerySchema, browseAccounts, listInviteLinks } from '@/lib/admin/people';
import { isAppError } from '@/lib/errors';
import { parseSearchParams } from '@/lib/http';
import { AccountActions } from '@/app/_components/admin/account-actions';
import { InviteCreate, InviteRevoke } from '@/app/_components/admin/invite-controls';
import { int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';
import { Pager } from '@/app/_components/admin/pager';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AdminAccountsPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { app, actor } = await requireAdminPage('/admin/accounts');
  let problem: string | null = null;
  let q: { q?: string; role?: 'voter' | 'admin'; cursor?: string } = {};
  let page: Awaited<ReturnType<typeof browseAccounts>> | null = null;
  try {
    q = parseSearchParams(sp, accountQuerySchema);
    page = await browseAccounts(q);
  } catch (err) {
    if (!isAppError(err)) throw err;
    problem = err.message;
  }
  const invites = await listInviteLinks();
  const policy = app.operator().access.signUp;
  const link = (change: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ q: q.q, role: q.role, ...change })) if (v) p.set(k, v);
    return p.size ? `/admin/accounts?${p}` : '/admin/accounts';
  };
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Accounts</h1>
          <p className={styles.subtitle}>
            A disabled account cannot sign in, is signed out at its next request, and its votes are excluded as “banned”.
          </p>
        </div>
        <form className={styles.inlineForm} method="get" action="/admin/accounts">
          <input name="q" defaultValue={q.q ?? ''} placeholder="email or name" aria-label="Search accounts" />
          <select name="role" defaultValue={q.role ?? ''} aria-label="Role">
            <option value="">any role</option>
            <option value="admin">admins</option>
            <option value="voter">voters</option>
          </select>
          <button type="submit" className={`button button-secondary ${styles.smallButton}`}>
            Search
          </button>
        </form>
      </div>
      {problem && <p className={styles.error}>{problem}</p>}
      {page && (
        <div className={styles.card}>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="accounts-table">
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Created (UTC)</th>
                  <th>Last sign-in</th>
                  <th className={styles.num}>Battles</th>
                  <th>State</th>
                  <th>Role and access</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((u) => (
                  <tr key={u.id} data-testid="account-row" data-email={u.email ?? ''}>
                    <td>
                      <strong>{u.email ?? <span className={styles.muted}>no email</span>}</strong>
                      {u.name && <div className={styles.muted}>{u.name}</div>}
                      {u.id === actor.user.id && <div className={`${styles.small} ${styles.muted}`}>you</div>}
                    </td>
                    <td className={styles.nowrap}>{when(u.createdAt)}</td>
                    <td className={styles.nowrap}>{when(u.lastSignInAt)}</td>
                    <td className={styles.num}>
                      <Link href={`/admin/votes?account=${encodeURIComponent(u.id)}`}>{int(u.battles)}</Link>
                    </td>
                    <td>
                      {u.disabledAt ? (
                        <>
                          <span className={`${styles.pill} ${styles.pillBad}`} data-testid="account-state">
                            disabled
                          </span>
                          {u.disabledReason && <div className={styles.reason}>{u.disabledReason}</div>}
                        </>
                      ) : (
                        <span className={`${styles.pill} ${styles.pillOk}`} data-testid="account-state">
                          active
                        </span>
                      )}
                    </td>
                    <td>
                      <AccountActions userId={u.id} role={u.role} disabled={u.disabledAt !== null} self={u.id === actor.user.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            shown={page.rows.length}
            first={q.cursor ? link({ cursor: undefined }) : null}
            next={page.next ? link({ cursor: page.next }) : null}
          />
        </div>
      )}

      <section className={styles.section}>
        <div className={styles.sectionHead}>
          <h2>Invite links</h2>
          <span className={`${styles.small} ${styles.muted}`}>
            sign-up is {policy === 'invite' ? 'by invite only' : policy}
            {policy !== 'invite' ? ' (links work when it is “invite”; see Settings)' : ''}
          </span>
        </div>
        <div className={styles.card}>
          <InviteCreate />
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="invites-table">
              <thead>
                <tr>
                  <th>Note</th>
                  <th>Created (UTC)</th>
                  <th>Expires</th>
                  <th className={styles.num}>Used</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {invites.length === 0 && (
                  <tr>
                    <td colSpan={6} className={styles.muted}>
                      No invite links yet.
                    </td>
                  </tr>
                )}
                {invites.map((i) => (
                  <tr key={i.id} data-testid="invite-row" data-invite={i.id}>
                    <td>{i.note ?? <span className={styles.muted}>–</span>}</td>
                    <td className={styles.nowrap}>{when(i.createdAt)}</td>
                    <td className={styles.nowrap}>{i.expiresAt ? when(i.expiresAt) : 'never'}</td>
                    <td className={styles.num}>
                      {i.uses}
                      {i.maxUses !== null ? ` / ${i.maxUses}` : ''}
                    </td>
                    <td data-testid="invite-state">{i.state}</td>
                    <td>{i.state === 'active' && <InviteRevoke id={i.id} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </section>
    </>
  );
}
