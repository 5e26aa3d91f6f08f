'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { memo, useDeferredValue, useEffect, useMemo, useState, useTransition } from 'react';
import { withBasePath } from '@/lib/base-path';
import type { BoardRow } from '@/lib/leaderboard/board-view';
import { modelHref } from '@/lib/leaderboard/links';
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
}

type SortKey = 'rank' | 'rankChange' | 'model' | 'rating' | 'ci' | 'votes' | 'winRate' | 'organization' | 'license';

const DEFAULT_DIR: Record<SortKey, 1 | -1> = {
  rank: 1,
  rankChange: -1,
  model: 1,
  rating: -1,
  ci: 1,
  votes: -1,
  winRate: -1,
  organization: 1,
  license: 1,
};

function compare(a: BoardRow, b: BoardRow, key: SortKey): number {
  switch (key) {
    case 'rank':
      return a.rank - b.rank || b.rating - a.rating;
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
    case 'organization':
      return a.organization.localeCompare(b.organization);
    case 'license':
      return a.license.localeCompare(b.license);
  }
}

const fmt1 = (n: number) => n.toFixed(1);
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const int = (n: number) => n.toLocaleString('en-US');

export function LeaderboardView({ rows, category, styleControl, styleAvailable, categories, initial, emptyMessage }: LeaderboardViewProps) {
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
  const visible = useMemo(() => {
    const needle = deferredQ.trim().toLowerCase();
    const kept = rows.filter(
      (r) =>
        r.votes >= minVotes &&
        (deprecated || !r.deprecated) &&
        (!needle || r.model.toLowerCase().includes(needle) || r.name.toLowerCase().includes(needle) || r.organization.toLowerCase().includes(needle)),
    );
    return kept.sort((a, b) => sort.dir * compare(a, b, sort.key) || a.rank - b.rank || a.model.localeCompare(b.model));
  }, [rows, deferredQ, minVotes, deprecated, sort]);

  const download = (format: 'csv' | 'json') => {
    const p = new URLSearchParams(filterParams);
    p.set('format', format);
    // The API includes deprecated models unless told otherwise; the table hides them by default.
    p.set('deprecated', deprecated ? '1' : '0');
    return withBasePath(`/api/leaderboard?${p.toString()}`);
  };

  const header = (key: SortKey, label: string, opts: { num?: boolean; title?: string } = {}) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        className={opts.num ? styles.num : undefined}
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
              {styleControl && header('rankChange', 'Δ rank', { num: true, title: 'Places gained (▲) or lost (▼) once answer style is controlled for.' })}
              {header('model', 'Model')}
              {header('rating', 'Rating', { num: true })}
              {header('ci', '95% CI', { num: true })}
              {header('votes', 'Votes', { num: true })}
              {header('winRate', 'Win rate', { num: true, title: 'Wins over battles; a tie counts as half a win.' })}
              {header('organization', 'Organization')}
              {header('license', 'License')}
            </tr>
          </thead>
          <tbody>
            {visible.map((r) => (
              <BoardTableRow key={r.model} row={r} styleControl={styleControl} />
            ))}
          </tbody>
        </table>
        {visible.length === 0 && (
          <p className={styles.noRows} data-testid="no-rows">
            {rows.length === 0
              ? (emptyMessage ?? 'No models on this board yet.')
              : `No model matches these filters; ${rows.length} ${rows.length === 1 ? 'model is' : 'models are'} hidden.`}
          </p>
        )}
      </div>
      <p className={styles.footnote}>
        Showing {visible.length} of {rows.length} models. Ratings are Bradley-Terry fits on the Elo scale (mean 1000) with 95% sandwich
        intervals{styleControl ? ', controlling for answer length and Markdown (headers, lists, bold)' : ''}. Rank (UB) counts the models that are
        better with 95% confidence.
      </p>
    </section>
  );
}

/** One row; memoised so that sorting and filtering only move rows instead of re-rendering them. */
const BoardTableRow = memo(function BoardTableRow({ row: r, styleControl }: { row: BoardRow; styleControl: boolean }) {
  return (
    <tr data-testid="leaderboard-row" data-model={r.model}>
      <td className={styles.rank}>{r.rank}</td>
      {styleControl && (
        <td className={styles.num}>
          <RankChange value={r.rankChange} />
        </td>
      )}
      <td>
        <Link className={styles.modelLink} href={modelHref(r.model)} prefetch={false}>
          {r.name}
        </Link>
        {r.deprecated && <span className={styles.tag}>deprecated</span>}
        {r.name !== r.model && <span className={styles.modelId}>{r.model}</span>}
      </td>
      <td className={`${styles.num} ${styles.rating}`} data-testid="cell-rating">
        {fmt1(r.rating)}
      </td>
      <td className={`${styles.num} ${styles.ci}`}>
        +{fmt1(r.plus)}/-{fmt1(r.minus)}
      </td>
      <td className={styles.num} data-testid="cell-votes">
        {int(r.votes)}
      </td>
      <td className={styles.num}>
        <span className={styles.winBar}>
          <span className={styles.winTrack} aria-hidden="true">
            <span className={styles.winFill} style={{ width: `${(r.winRate * 100).toFixed(1)}%`, display: 'block' }} />
          </span>
          {pct(r.winRate)}
        </span>
      </td>
      <td className={r.organization === 'unknown' ? styles.unknown : undefined}>{r.organization}</td>
      <td className={r.license === 'unknown' ? styles.unknown : undefined}>{r.license}</td>
    </tr>
  );
});

function RankChange({ value }: { value: number | null }) {
  if (value === null) return <span className={styles.same}>new</span>;
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
