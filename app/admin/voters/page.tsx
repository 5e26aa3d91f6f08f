import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { browseVoters, voterQuerySchema } from '@/lib/admin/people';
import { isAppError } from '@/lib/errors';
import { parseSearchParams } from '@/lib/http';
import { VoterBan } from '@/app/_components/admin/voter-ban';
import { VoterTrust } from '@/app/_components/admin/voter-trust';
import { int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';
import { Pager } from '@/app/_components/admin/pager';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AdminVotersPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  await requireAdminPage('/admin/voters');
  let problem: string | null = null;
  let q: { banned?: '1' | '0'; voter?: string; cursor?: string } = {};
  let page: Awaited<ReturnType<typeof browseVoters>> | null = null;
  try {
    q = parseSearchParams(sp, voterQuerySchema);
    page = await browseVoters(q);
  } catch (err) {
    if (!isAppError(err)) throw err;
    problem = err.message;
  }
  const link = (change: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ banned: q.banned, voter: q.voter, ...change })) if (v) p.set(k, v);
    return p.size ? `/admin/voters?${p}` : '/admin/voters';
  };
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Voters</h1>
          <p className={styles.subtitle}>
            Each browser that took part, by its anonymous id. A ban keeps the voter&apos;s votes but excludes them all (reason
            “banned”), the future ones too.
          </p>
        </div>
        <ul className={styles.counts}>
          <li>
            <Link href={link({ banned: undefined, cursor: undefined })} aria-current={!q.banned}>
              all
            </Link>
          </li>
          <li>
            <Link href={link({ banned: '1' })} aria-current={q.banned === '1'}>
              banned
            </Link>
          </li>
          <li>
            <Link href={link({ banned: '0' })} aria-current={q.banned === '0'}>
              not banned
            </Link>
          </li>
        </ul>
      </div>
      {problem && <p className={styles.error}>{problem}</p>}
      {page && (
        <div className={styles.card}>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="voters-table">
              <thead>
                <tr>
                  <th>Voter</th>
                  <th>Account</th>
                  <th className={styles.num}>Votes</th>
                  <th className={styles.num}>Excluded</th>
                  <th>First seen (UTC)</th>
                  <th>Last seen</th>
                  <th>Trust</th>
                  <th>Ban</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.length === 0 && (
                  <tr>
                    <td colSpan={8} className={styles.muted}>
                      No voters.
                    </td>
                  </tr>
                )}
                {page.rows.map((v) => (
                  <tr key={v.id} data-testid="voter-row" data-voter={v.id}>
                    <td className={styles.mono}>
                      <Link href={`/admin/votes?voter=${encodeURIComponent(v.id)}`}>{v.id}</Link>
                    </td>
                    <td>{v.userEmail ?? <span className={styles.muted}>anonymous</span>}</td>
                    <td className={styles.num} data-testid="voter-votes">
                      {int(v.votes)}
                    </td>
                    <td className={styles.num}>{int(v.excludedVotes)}</td>
                    <td className={styles.nowrap}>{when(v.firstSeenAt)}</td>
                    <td className={styles.nowrap}>{when(v.lastSeenAt)}</td>
                    <td>
                      {v.trust === null ? <span className={styles.muted}>–</span> : v.trust.toFixed(2)}
                      {v.trustFlag && <div className={styles.reason}>{v.trustFlag}</div>}
                      <VoterTrust voterId={v.id} override={v.trustOverride} />
                    </td>
                    <td>
                      {v.bannedAt && (
                        <div className={styles.reason} data-testid="voter-banned">
                          banned {when(v.bannedAt)}: {v.banReason}
                        </div>
                      )}
                      <VoterBan voterId={v.id} banned={v.bannedAt !== null} />
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
    </>
  );
}
