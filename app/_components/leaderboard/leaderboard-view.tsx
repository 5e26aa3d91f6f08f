'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { memo, useDeferredValue, useEffect, useMemo, useState, useTransition } from 'react';
import { withBasePath } from '@/lib/base-path';
import type { BoardRow } from '@/lib/leaderboard/board-view';
import { rowMatches } from '@/lib/leaderboard/chart-data';
import { modelHref } from '@/lib/leaderboard/links';
import { BoardCharts } from './board-charts';
import styles from './leaderboard.module.css';

export interface CategoryOption {
  id: string;
  label: string;
  battles: number;
}

export interface LeaderboardViewProps {
  rows: BoardRow[];
  category: string;
  styleControl: boolean;
  /** The category has a style-controlled board (its battles have stored answers). */
  styleAvailable: boolean;
  categories: CategoryOption[];
  initial: { q: string; minVotes: number; deprecated: boolean };
  /** Shown instead of the table when the board has no models at all. */
  emptyMessage?: string;
  /** How the board was fitted (interval method, estimator, groups, provisional models, Elo order). */
  method?: string;
  notes?: string[];
  /** Battles per comparison group (diagnostics.components). */
  groupBattles?: number[];
  /** Draw the charts under the table. */
  charts?: boolean;
  historyAvailable?: boolean;
}

type SortKey = 'rank' | 'rankChange' | 'model' | 'rating' | 'ci' | 'votes' | 'winRate' | 'toSeparate' | 'organization' | 'license';

const DEFAULT_DIR: Record<SortKey, 1 | -1> = {
  rank: 1,
  rankChange: -1,
  model: 1,
  rating: -1,
  ci: 1,
  votes: -1,
  winRate: -1,
  toSeparate: 1,
  organization: 1,
  license: 1,
};

function compare(a: BoardRow, b: BoardRow, key: SortKey): number {
  switch (key) {
    case 'rank':
      // Provisional rows carry the rank after the last ranked one: they come after them.
      return Number(a.provisional) - Number(b.provisional) || a.rank - b.rank || b.rating - a.rating;
    case 'rankChange':
      return (a.rankChange ?? -Infinity) - (b.rankChange ?? -Infinity);
    case 'model':
      return a.name.localeCompare(b.name);
    case 'rating':
      return a.rating - b.rating;
    case 'ci':
      return a.plus + a.minus - (b.plus + b.minus);
    case 'votes':
      return a.votes - b.votes;
    case 'winRate':
      return a.winRate - b.winRate;
    case 'toSeparate':
      return separateKey(a) - separateKey(b);
    case 'organization':
      return a.organization.localeCompare(b.organization);
    case 'license':
      return a.license.localeCompare(b.license);
  }
}

/** Battles to separate as a sort key: separated first, then fewest, unreachable last, none (last of a group) after. */
function separateKey(r: BoardRow): number {
  if (!r.toSeparate) return Number.MAX_VALUE;
  return r.toSeparate.battles ?? Number.MAX_VALUE / 2;
}

const fmt1 = (n: number) => n.toFixed(1);
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const int = (n: number) => n.toLocaleString('en-US');

export function LeaderboardView({
  rows,
  category,
  styleControl,
  styleAvailable,
  categories,
  initial,
  emptyMessage,
  method,
  notes = [],
  groupBattles = [],
  charts = false,
  historyAvailable = false,
}: LeaderboardViewProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(initial.q);
  const [minVotesText, setMinVotesText] = useState(initial.minVotes ? String(initial.minVotes) : '');
  const [deprecated, setDeprecated] = useState(initial.deprecated);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'rank', dir: 1 });
  // The switches answer at once; the board they ask for arrives with the navigation.
  const [pendingCategory, setPendingCategory] = useState(category);
  const [pendingStyle, setPendingStyle] = useState(styleControl);
  const minVotes = Math.max(0, Number.parseInt(minVotesText, 10) || 0);
  const hasDeprecated = rows.some((r) => r.deprecated);
  const names = useMemo(() => new Map(rows.map((r) => [r.model, r.name])), [rows]);

  const filterParams = useMemo(() => {
    const p = new URLSearchParams();
    if (category !== 'overall') p.set('category', category);
    if (styleControl) p.set('style', '1');
    if (q.trim()) p.set('q', q.trim());
    if (minVotes > 0) p.set('minVotes', String(minVotes));
    if (deprecated) p.set('deprecated', '1');
    return p;
  }, [category, styleControl, q, minVotes, deprecated]);

  // Filters live in the address too, so a filtered board can be shared; no server round trip.
  useEffect(() => {
    const s = filterParams.toString();
    // A plain history call: the base path is not added for us (usePathname leaves it out).
    const path = withBasePath(pathname);
    window.history.replaceState(null, '', s ? `${path}?${s}` : path);
  }, [filterParams, pathname]);

  const navigate = (next: { category?: string; style?: boolean }) => {
    if (next.category !== undefined) setPendingCategory(next.category);
    if (next.style !== undefined) setPendingStyle(next.style);
    const p = new URLSearchParams(filterParams);
    const cat = next.category ?? category;
    const style = next.style ?? styleControl;
    if (cat === 'overall') p.delete('category');
    else p.set('category', cat);
    if (style) p.set('style', '1');
    else p.delete('style');
    startTransition(() => router.push(`${pathname}?${p.toString()}`, { scroll: false }));
  };

  // Typing stays responsive: the table follows the search box a moment later if it must.
  const deferredQ = useDeferredValue(q);
  const kept = useMemo(
    () => rows.filter((r) => rowMatches(r, { minVotes, includeDeprecated: deprecated, search: deferredQ })),
    [rows, deferredQ, minVotes, deprecated],
  );
  // Groups of models that were compared (directly or through others) stay apart: ranks and
  // ratings mean nothing across them. The sort applies within each group.
  const groups = useMemo(() => {
    const byGroup = new Map<number, BoardRow[]>();
    for (const r of kept) {
      let g = byGroup.get(r.component);
      if (!g) byGroup.set(r.component, (g = []));
      g.push(r);
    }
    return [...byGroup.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([component, list]) => ({
        component,
        rows: [...list].sort((a, b) => sort.dir * compare(a, b, sort.key) || compare(a, b, 'rank') || a.model.localeCompare(b.model)),
      }));
  }, [kept, sort]);
  const visibleCount = kept.length;
  const multiGroup = new Set(rows.map((r) => r.component)).size > 1;
  const bands = sort.key === 'rank' && sort.dir === 1;

  const download = (format: 'csv' | 'json') => {
    const p = new URLSearchParams(filterParams);
    p.set('format', format);
    // The API includes deprecated models unless told otherwise; the table hides them by default.
    p.set('deprecated', deprecated ? '1' : '0');
    return withBasePath(`/api/leaderboard?${p.toString()}`);
  };

  const header = (key: SortKey, label: string, opts: { num?: boolean; title?: string; wide?: boolean } = {}) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        className={[opts.num ? styles.num : '', opts.wide ? styles.wideOnly : ''].filter(Boolean).join(' ') || undefined}
        aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
        title={opts.title}
      >
        <button
          type="button"
          className={`${styles.sortButton} ${active ? styles.sortActive : ''}`}
          onClick={() => setSort(active ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: DEFAULT_DIR[key] })}
          data-testid={`sort-${key}`}
        >
          {label}
          <span className={styles.sortArrow} aria-hidden="true">
            {active ? (sort.dir === 1 ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  return (
    <section className={styles.card} aria-busy={pending}>
      <div className={styles.controls}>
        <label className={styles.field}>
          Category
          <select
            className={styles.select}
            value={pendingCategory}
            data-testid="category-select"
            onChange={(e) => navigate({ category: e.target.value })}
          >
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label} ({int(c.battles)})
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          Search
          <input
            className={`${styles.input} ${styles.search}`}
            type="search"
            placeholder="Model or organization"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="search-input"
          />
        </label>
        <label className={styles.field}>
          Min. votes
          <input
            className={`${styles.input} ${styles.number}`}
            type="number"
            min={0}
            inputMode="numeric"
            placeholder="0"
            value={minVotesText}
            onChange={(e) => setMinVotesText(e.target.value)}
            data-testid="min-votes-input"
          />
        </label>
        <label className={styles.toggle} title={styleAvailable ? undefined : 'Needs battles whose answers are stored'}>
          <input
            type="checkbox"
            checked={pendingStyle}
            disabled={!styleAvailable && !styleControl}
            onChange={(e) => navigate({ style: e.target.checked })}
            data-testid="style-toggle"
          />
          Style control
        </label>
        <label className={styles.toggle}>
          <input
            type="checkbox"
            checked={deprecated}
            onChange={(e) => setDeprecated(e.target.checked)}
            data-testid="deprecated-toggle"
          />
          Show deprecated{hasDeprecated ? '' : ' (none)'}
        </label>
        <span className={styles.spacer} />
        <div className={styles.downloads}>
          <a className="button button-secondary" href={download('csv')} download data-testid="download-csv">
            Download CSV
          </a>
          <a className="button button-secondary" href={download('json')} download data-testid="download-json">
            Download JSON
          </a>
        </div>
      </div>

      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="leaderboard-table" data-category={category} data-style={styleControl ? '1' : '0'}>
          <caption className="visually-hidden">
            Models ranked by Bradley-Terry rating with 95% confidence intervals
          </caption>
          <thead>
            <tr>
              {header('rank', 'Rank (UB)', {
                title: 'One plus the number of models that are better with 95% confidence (their lower bound is above this model’s upper bound).',
              })}
              {styleControl && header('rankChange', 'Δ rank', { num: true, wide: true, title: 'Places gained (▲) or lost (▼) once answer style is controlled for.' })}
              {header('model', 'Model')}
              {header('rating', 'Rating', { num: true })}
              {header('ci', '95% CI', { num: true, wide: true })}
              {header('votes', 'Votes', { num: true, wide: true })}
              {header('winRate', 'Win rate (ties half)', { num: true, wide: true, title: 'Wins plus half the ties, over all battles.' })}
              {header('toSeparate', 'To separate', {
                num: true,
                wide: true,
                title: 'Further battles against the next model below (by rating, in the same group) that would separate the two at 95% if the ratings hold.',
              })}
              {header('organization', 'Organization', { wide: true })}
              {header('license', 'License', { wide: true })}
            </tr>
          </thead>
          {groups.map((g) => (
            <tbody key={g.component} data-testid="leaderboard-group" data-component={g.component}>
              {multiGroup && (
                <tr className={styles.groupRow}>
                  <th scope="colgroup" colSpan={styleControl ? 10 : 9}>
                    <span className={styles.groupTitle}>Group {g.component + 1}</span>
                    <span className={styles.groupNote}>
                      {rows.filter((r) => r.component === g.component).length} models
                      {groupBattles[g.component] !== undefined ? `, ${int(groupBattles[g.component])} battles` : ''}
                      {g.component === 0
                        ? ': the largest group of models compared with one another.'
                        : ': never compared with the models of the other groups, directly or through others; ranked and rated on their own (ratings are not comparable across groups).'}
                    </span>
                  </th>
                </tr>
              )}
              {g.rows.map((r, k) => (
                <BoardTableRow
                  key={r.model}
                  row={r}
                  styleControl={styleControl}
                  band={bands && r.sharedRank > 1 ? (g.rows[k - 1]?.rank === r.rank && !g.rows[k - 1]?.provisional ? 'inside' : 'start') : null}
                  bandParity={bandParity(g.rows, k)}
                  next={names.get(r.toSeparate?.model ?? '') ?? r.toSeparate?.model ?? null}
                />
              ))}
            </tbody>
          ))}
        </table>
        {visibleCount === 0 && (
          <p className={styles.noRows} data-testid="no-rows">
            {rows.length === 0
              ? (emptyMessage ?? 'No models on this board yet.')
              : `No model matches these filters; ${rows.length} ${rows.length === 1 ? 'model is' : 'models are'} hidden.`}
          </p>
        )}
      </div>
      <div className={styles.footnote}>
        <p>
          Showing {visibleCount} of {rows.length} models. Ratings are Bradley-Terry fits on the Elo scale (the established models{multiGroup ? ' of each group' : ''} average
          1000) with 95% {method ?? 'intervals'}
          {styleControl ? ', controlling for answer length and Markdown (headers, lists, bold)' : ''}. Rank (UB) counts the models of the group that
          are better with 95% confidence; rows that share a rank are shown as one band. Provisional models (too few votes) are listed without a
          rank.
        </p>
        {notes.length > 0 && (
          <details className={styles.diagnostics} data-testid="leaderboard-diagnostics">
            <summary>How these numbers were computed</summary>
            <ul>
              {notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </details>
        )}
      </div>
      {charts && <BoardCharts rows={kept} total={rows.length} category={category} styleControl={styleControl} historyAvailable={historyAvailable} />}
    </section>
  );
}

/** Alternating shade of rank bands, so that neighbouring bands stay apart. */
function bandParity(rows: BoardRow[], k: number): 0 | 1 {
  let bands = 0;
  for (let i = 1; i <= k; i++) if (rows[i].rank !== rows[i - 1].rank) bands++;
  return (bands % 2) as 0 | 1;
}

/** One row; memoised so that sorting and filtering only move rows instead of re-rendering them. */
const BoardTableRow = memo(function BoardTableRow({
  row: r,
  styleControl,
  band,
  bandParity,
  next,
}: {
  row: BoardRow;
  styleControl: boolean;
  /** Part of a band of rows that share a rank: its first row, or a later one. */
  band: 'start' | 'inside' | null;
  bandParity: 0 | 1;
  /** Display name of the next model below (toSeparate.model). */
  next: string | null;
}) {
  const ci = `+${fmt1(r.plus)}/-${fmt1(r.minus)}`;
  const rowClass = [band ? styles.band : '', band && bandParity ? styles.bandAlt : '', band === 'start' ? styles.bandStart : '', r.provisional ? styles.provisionalRow : '']
    .filter(Boolean)
    .join(' ');
  return (
    <tr
      data-testid="leaderboard-row"
      data-model={r.model}
      data-component={r.component}
      data-provisional={r.provisional ? '1' : '0'}
      data-rank={r.provisional ? undefined : r.rank}
      data-band={band ? String(r.rank) : undefined}
      className={rowClass || undefined}
    >
      <td
        className={styles.rank}
        data-testid="cell-rank"
        title={
          r.provisional
            ? (r.provisionalReason ?? 'provisional')
            : r.sharedRank > 1
              ? `${r.sharedRank} models share rank ${r.rank}: their intervals do not tell them apart`
              : undefined
        }
      >
        {r.provisional ? <span className={styles.unranked}>–</span> : band === 'inside' ? <span className={styles.bandMark}>{r.rank}</span> : r.rank}
        {band === 'start' && (
          <span className={styles.bandCount} aria-label={`${r.sharedRank} models share this rank`}>
            ×{r.sharedRank}
          </span>
        )}
      </td>
      {styleControl && (
        <td className={`${styles.num} ${styles.wideOnly}`}>
          <RankChange value={r.rankChange} provisional={r.provisional} />
        </td>
      )}
      <td className={styles.modelCell}>
        <Link className={styles.modelLink} href={modelHref(r.model)} prefetch={false}>
          {r.name}
        </Link>
        {r.isNew && (
          <span className={`${styles.tag} ${styles.newTag}`} data-testid="new-mark" title="First vote in the last 14 days">
            new
          </span>
        )}
        {r.provisional && (
          <span className={`${styles.tag} ${styles.provisionalTag}`} data-testid="provisional-mark" title={r.provisionalReason ?? undefined}>
            provisional
          </span>
        )}
        {r.deprecated && <span className={styles.tag}>deprecated</span>}
        {r.name !== r.model && <span className={styles.modelId}>{r.model}</span>}
        {r.provisional && r.provisionalReason && (
          <span className={styles.reason} data-testid="provisional-reason">
            {r.provisionalReason}
          </span>
        )}
      </td>
      <td className={`${styles.num} ${styles.rating}`}>
        <span data-testid="cell-rating">{fmt1(r.rating)}</span>
        <span className={`${styles.ci} ${styles.narrowOnly}`} data-testid="cell-ci-inline">
          {ci}
        </span>
      </td>
      <td className={`${styles.num} ${styles.ci} ${styles.wideOnly}`}>{ci}</td>
      <td className={`${styles.num} ${styles.wideOnly}`} data-testid="cell-votes">
        {int(r.votes)}
      </td>
      <td className={`${styles.num} ${styles.wideOnly}`} title={r.decidedWinRate === null ? 'every battle was a tie' : `decided win rate ${pct(r.decidedWinRate)}`}>
        <span className={styles.winBar}>
          <span className={styles.winTrack} aria-hidden="true">
            <span className={styles.winFill} style={{ width: `${(r.winRate * 100).toFixed(1)}%`, display: 'block' }} />
          </span>
          {pct(r.winRate)}
        </span>
      </td>
      <td className={`${styles.num} ${styles.wideOnly}`} data-testid="cell-separate">
        <ToSeparate row={r} next={next} />
      </td>
      <td className={`${styles.wideOnly} ${r.organization === 'unknown' ? styles.unknown : ''}`}>{r.organization}</td>
      <td className={`${styles.wideOnly} ${r.license === 'unknown' ? styles.unknown : ''}`}>{r.license}</td>
    </tr>
  );
});

function ToSeparate({ row: r, next }: { row: BoardRow; next: string | null }) {
  if (!r.toSeparate) return <span className={styles.same}>–</span>;
  const { battles } = r.toSeparate;
  if (battles === 0)
    return (
      <span className={styles.same} title={`Already separated from ${next} at 95%`}>
        separated
      </span>
    );
  if (battles === null)
    return (
      <span className={styles.same} title={`Battles between these two alone cannot separate them from ${next}: they need battles against others`}>
        n/a
      </span>
    );
  return <span title={`${int(battles)} more battles against ${next} would separate the two at 95% if the ratings hold`}>{int(battles)}</span>;
}

function RankChange({ value, provisional }: { value: number | null; provisional: boolean }) {
  if (provisional) return <span className={styles.same}>–</span>;
  if (value === null) return <span className={styles.same} title="Not ranked on the board without style control">n/a</span>;
  if (value === 0) return <span className={styles.same}>–</span>;
  return value > 0 ? (
    <span className={styles.up} title={`up ${value}`}>
      ▲{value}
    </span>
  ) : (
    <span className={styles.down} title={`down ${-value}`}>
      ▼{-value}
    </span>
  );
}
