import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { battleModelNames } from '@/db/queries/model-info';
import { browseVotes, voteQuerySchema, type VotePage, type VoteQuery } from '@/lib/admin/votes';
import { isAppError } from '@/lib/errors';
import { parseSearchParams } from '@/lib/http';
import { VoteModeration } from '@/app/_components/admin/vote-moderation';
import { VoteStatus } from '@/app/_components/admin/vote-status';
import { clip, int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';
import { Pager } from '@/app/_components/admin/pager';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const WINNER: Record<string, string> = { model_a: 'A better', model_b: 'B better', tie: 'tie', 'tie (bothbad)': 'both bad' };

function href(q: VoteQuery, change: Partial<VoteQuery>): string {
  const next = { ...q, cursor: undefined, ...change };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(next)) if (v) params.set(k, String(v));
  const s = params.toString();
  return s ? `/admin/votes?${s}` : '/admin/votes';
}

export default async function AdminVotesPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const { app } = await requireAdminPage('/admin/votes');
  let q: VoteQuery = {};
  let page: VotePage | null = null;
  let problem: string | null = null;
  try {
    q = parseSearchParams(sp, voteQuerySchema);
    page = await browseVotes(q);
  } catch (err) {
    if (!isAppError(err)) throw err;
    problem = err.message;
  }
  const names = [...new Set([...app.registry().models.map((m) => m.id), ...(await battleModelNames())])].sort();
  const excludedTotal = page ? Object.values(page.counts.excluded).reduce((s, n) => s + n, 0) : 0;

  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Votes</h1>
          <p className={styles.subtitle}>
            Newest battles first. Votes are never deleted: an excluded vote is kept with its reason and left out of the ratings;
            the leaderboard follows within a few seconds.
          </p>
        </div>
      </div>

      {page && (
        <ul className={styles.counts} data-testid="exclusion-counts">
          <li>
            <Link href={href(q, { reason: 'counted' })} aria-current={q.reason === 'counted'}>
              counted <strong data-testid="count-counted">{int(page.counts.counted)}</strong>
            </Link>
          </li>
          <li>
            <Link href={href(q, { reason: 'excluded' })} aria-current={q.reason === 'excluded'}>
              excluded <strong data-testid="count-excluded">{int(excludedTotal)}</strong>
            </Link>
          </li>
          {Object.entries(page.counts.excluded).map(([reason, n]) => (
            <li key={reason}>
              <Link href={href(q, { reason })} aria-current={q.reason === reason} data-testid="count-reason" data-reason={reason}>
                {reason.replace(/_/g, ' ')} <strong>{int(n)}</strong>
              </Link>
            </li>
          ))}
        </ul>
      )}

      <form className={`${styles.card} ${styles.filters}`} method="get" action="/admin/votes" data-testid="vote-filters">
        <label className={styles.field}>
          Model
          <input name="model" defaultValue={q.model ?? ''} list="vote-models" placeholder="any" data-testid="filter-model" />
          <datalist id="vote-models">
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </label>
        <label className={styles.field}>
          Voter id
          <input name="voter" defaultValue={q.voter ?? ''} placeholder="any" data-testid="filter-voter" />
        </label>
        <label className={styles.field}>
          From
          <input type="date" name="from" defaultValue={q.from ?? ''} data-testid="filter-from" />
        </label>
        <label className={styles.field}>
          To
          <input type="date" name="to" defaultValue={q.to ?? ''} data-testid="filter-to" />
        </label>
        <label className={styles.field}>
          Source
          <select name="source" defaultValue={q.source ?? ''} data-testid="filter-source">
            <option value="">any</option>
            <option value="arena">fought here</option>
            <option value="import">imported</option>
          </select>
        </label>
        <label className={styles.field}>
          Status
          <select name="reason" defaultValue={q.reason ?? ''} data-testid="filter-reason">
            <option value="">any</option>
            <option value="counted">counted</option>
            <option value="excluded">excluded (any reason)</option>
            <option value="moderated">moderated</option>
            <option value="identity_leak">identity leak</option>
            <option value="banned">banned</option>
            <option value="low_trust">low trust</option>
          </select>
        </label>
        {q.account && <input type="hidden" name="account" value={q.account} />}
        <button type="submit" className="button button-primary" data-testid="filter-apply">
          Filter
        </button>
        <Link href="/admin/votes" className={`button button-ghost ${styles.linkButton}`}>
          Reset
        </Link>
      </form>

      {problem && (
        <p className={styles.error} role="alert">
          {problem}
        </p>
      )}

      {page && (
        <div className={styles.card}>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="votes-table">
              <thead>
                <tr>
                  <th>Battle (UTC)</th>
                  <th>Models: A · B</th>
                  <th>Vote</th>
                  <th>First prompt</th>
                  <th>Voter</th>
                  <th>Status</th>
                  <th>Moderation</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.length === 0 && (
                  <tr>
                    <td colSpan={7} className={styles.muted}>
                      No votes match.
                    </td>
                  </tr>
                )}
                {page.rows.map((v) => (
                  <tr key={v.voteId} data-testid="vote-row" data-vote={v.voteId} data-battle={v.battleId}>
                    <td className={styles.nowrap}>
                      <Link href={`/admin/battles/${encodeURIComponent(v.battleId)}`} data-testid="vote-battle-link">
                        {when(v.battleAt)}
                      </Link>
                      <div className={`${styles.small} ${styles.muted}`}>
                        {v.source === 'import' ? 'imported' : v.mode} · {v.turns} turn{v.turns === 1 ? '' : 's'}
                      </div>
                    </td>
                    <td>
                      <Link href={href(q, { model: v.modelA })} className={`${styles.mono} ${v.winner === 'model_a' ? styles.winner : ''}`}>
                        {v.modelA}
                      </Link>
                      <div>
                        <Link href={href(q, { model: v.modelB })} className={`${styles.mono} ${v.winner === 'model_b' ? styles.winner : ''}`}>
                          {v.modelB}
                        </Link>
                      </div>
                    </td>
                    <td className={styles.nowrap}>{WINNER[v.winner]}</td>
                    <td>
                      <div className={styles.excerpt}>{clip(v.excerpt, 160) || <span className={styles.muted}>no conversation stored</span>}</div>
                    </td>
                    <td>
                      {v.voterId ? (
                        <Link href={href(q, { voter: v.voterId })} className={styles.mono} title={v.voterId}>
                          {v.voterId.slice(0, 8)}
                        </Link>
                      ) : (
                        <span className={`${styles.mono} ${styles.muted}`}>{v.judge ?? '–'}</span>
                      )}
                      {v.userId && <div className={`${styles.small} ${styles.muted}`}>signed in</div>}
                    </td>
                    <td>
                      <VoteStatus reason={v.excludedReason} moderation={v.moderation} by={v.moderatedByLabel} />
                    </td>
                    <td>
                      <VoteModeration voteId={v.voteId} moderation={v.moderation} excluded={v.excludedReason !== null} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            shown={page.rows.length}
            first={q.cursor ? href(q, {}) : null}
            next={page.next ? href(q, { cursor: page.next }) : null}
            nextTestId="votes-next"
          />
        </div>
      )}
    </>
  );
}
