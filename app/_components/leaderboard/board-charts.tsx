'use client';

import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { BoardRow } from '@/lib/leaderboard/board-view';
import { averageWinRates, heatmaps } from '@/lib/leaderboard/chart-data';
import type { BoardResult } from '@/lib/leaderboard/board-types';
import { AverageWinRateChart, HeatmapChart, RatingHistoryChart, RatingIntervalsChart, type HistorySeries } from './charts';
import { LazyMount } from './lazy-mount';
import styles from './leaderboard.module.css';
import { withBasePath } from '@/lib/base-path';

/**
 * The board's charts, drawn from the rows the table shows (its search, category and minimum-votes
 * filters apply here too). Ratings of different comparison groups are on unrelated scales, so
 * the rating charts draw the first group among the rows; the heatmaps, which show battles, take
 * any models. Pair tallies and the rating history are fetched when their charts come into view.
 */

const INTERVAL_MODELS = 40;
const WIN_RATE_MODELS = 30;
const HISTORY_MODELS = 8;
const HEATMAP_SIZES = [10, 15, 20, 30, 40];
const DEFAULT_HEATMAP = 15;

type Pairs = NonNullable<BoardResult['pairs']>;

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export function BoardCharts({
  rows,
  total,
  category,
  styleControl,
  historyAvailable,
}: {
  /** The rows the table shows (after its filters), in board order. */
  rows: BoardRow[];
  /** Models on the board before the filters. */
  total: number;
  category: string;
  styleControl: boolean;
  /** The board has a rating history (the overall board without style control). */
  historyAvailable: boolean;
}) {
  const names = useMemo(() => Object.fromEntries(rows.map((r) => [r.model, r.name])), [rows]);
  const byRating = useMemo(() => [...rows].sort((a, b) => a.component - b.component || b.rating - a.rating), [rows]);
  const group = byRating.length ? byRating.filter((r) => r.component === byRating[0].component) : [];
  const otherGroups = byRating.length - group.length;
  const filtered = rows.length < total ? ` (${rows.length} of ${total} models pass the filters)` : '';
  const groupNote = otherGroups ? `; ${plural(otherGroups, 'model')} of other groups are left out (their ratings are on other scales)` : '';
  const intervals = group.slice(0, INTERVAL_MODELS);
  const winRates = averageWinRates(group).slice(0, WIN_RATE_MODELS);

  if (rows.length === 0) return null;
  return (
    <>
      <h2 className={styles.sectionTitle}>Charts</h2>
      <div className={styles.charts} data-testid="leaderboard-charts">
        <LazyMount minHeight={420} wide>
          <RatingIntervalsChart
            points={intervals.map((r) => ({ model: r.model, name: r.name, rating: r.rating, lower: r.lower, upper: r.upper }))}
            note={`${intervals.length < group.length ? `The ${intervals.length} highest rated of ${group.length}` : `All ${group.length}`} models of the group${filtered}${groupNote}.`}
          />
        </LazyMount>
        {byRating.length >= 2 && (
          <LazyMount minHeight={DEFAULT_HEATMAP * 25 + 300} wide>
            <Heatmaps candidates={byRating} names={names} category={category} styleControl={styleControl} filtered={filtered} />
          </LazyMount>
        )}
        {winRates.length > 0 && (
          <LazyMount minHeight={winRates.length * 22 + 140}>
            <AverageWinRateChart
              points={winRates.map((w) => ({ ...w, name: names[w.model] ?? w.model }))}
              note={`${winRates.length < group.length ? `top ${winRates.length} of ${group.length}` : `all ${group.length} models`}${filtered}${groupNote}.`}
            />
          </LazyMount>
        )}
        {historyAvailable ? (
          <LazyMount minHeight={420}>
            <History models={group.filter((r) => r.component === 0).slice(0, HISTORY_MODELS).map((r) => r.model)} names={names} filtered={filtered} />
          </LazyMount>
        ) : (
          <p className={styles.chartNote} data-testid="history-elsewhere">
            Rating over time is kept for the overall board without style control.
          </p>
        )}
      </div>
    </>
  );
}

/** Both heatmaps, for the models of the picker: the top N of the filtered rows by default, or a chosen set. */
function Heatmaps({
  candidates,
  names,
  category,
  styleControl,
  filtered,
}: {
  candidates: BoardRow[];
  names: Record<string, string>;
  category: string;
  styleControl: boolean;
  filtered: string;
}) {
  const [size, setSize] = useState(DEFAULT_HEATMAP);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [pairs, setPairs] = useState<Pairs | null>(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    const p = new URLSearchParams();
    if (category !== 'overall') p.set('category', category);
    if (styleControl) p.set('style', '1');
    let live = true;
    fetch(withBasePath(`/api/leaderboard/pairs?${p}`))
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((body: { pairs: Pairs }) => live && setPairs(body.pairs))
      .catch(() => live && setError(true));
    return () => {
      live = false;
    };
  }, [category, styleControl]);

  const available = new Set(candidates.map((r) => r.model));
  const picked = chosen ? chosen.filter((m) => available.has(m)) : candidates.slice(0, size).map((r) => r.model);
  const deferred = useDeferredValue(picked.join('\u0000'));
  const heat = useMemo(() => (pairs ? heatmaps({ pairs }, deferred ? deferred.split('\u0000') : []) : null), [pairs, deferred]);
  const toggle = (model: string) => {
    const base = chosen ?? picked;
    setChosen(base.includes(model) ? base.filter((m) => m !== model) : [...base, model]);
  };
  const note = chosen ? `${plural(picked.length, 'chosen model')}.` : `the ${picked.length} highest rated models${filtered}.`;

  return (
    <div className={styles.heatmaps} data-testid="heatmaps">
      <div className={styles.picker} data-testid="heatmap-picker">
        <label className={styles.field}>
          Heatmap models
          <select
            className={styles.select}
            value={chosen ? 'chosen' : String(size)}
            onChange={(e) => {
              if (e.target.value === 'chosen') setChosen(picked);
              else {
                setChosen(null);
                setSize(Number(e.target.value));
              }
            }}
            data-testid="heatmap-size"
          >
            {HEATMAP_SIZES.map((n) => (
              <option key={n} value={n}>
                Top {n} of the filtered models
              </option>
            ))}
            <option value="chosen">Chosen below</option>
          </select>
        </label>
        <details className={styles.pickList}>
          <summary>Choose models ({picked.length})</summary>
          <ul>
            {candidates.map((r) => (
              <li key={r.model}>
                <label>
                  <input type="checkbox" checked={picked.includes(r.model)} onChange={() => toggle(r.model)} data-testid="heatmap-pick" data-model={r.model} />
                  {r.name}
                  {r.name !== r.model && <span className={styles.modelId}>{r.model}</span>}
                </label>
              </li>
            ))}
          </ul>
        </details>
      </div>
      {error && <p className={styles.chartNote}>The pair tallies could not be loaded; reload the page to try again.</p>}
      {heat && heat.models.length >= 2 && (
        <div className={styles.heatmapPair}>
          <HeatmapChart heatmap={heat} kind="win" names={names} note={note} />
          <HeatmapChart heatmap={heat} kind="count" names={names} note={note} />
        </div>
      )}
      {heat && heat.models.length < 2 && <p className={styles.chartNote}>Pick at least two models.</p>}
    </div>
  );
}

interface HistoryBody {
  stride: number | null;
  points: { at: number; battles: number; ratings: Record<string, { rating: number }> }[];
}

/** Rating over time for the top models of the group, fetched for exactly those models. */
function History({ models, names, filtered }: { models: string[]; names: Record<string, string>; filtered: string }) {
  const key = useDeferredValue(models.join(','));
  const [body, setBody] = useState<{ key: string; data: HistoryBody } | null>(null);
  useEffect(() => {
    if (!key) return;
    const p = new URLSearchParams({ models: key.split(',').map(encodeURIComponent).join(',') });
    let live = true;
    fetch(withBasePath(`/api/leaderboard/history?${p}`))
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((data: HistoryBody) => live && setBody({ key, data }))
      .catch(() => live && setBody({ key, data: { stride: null, points: [] } }));
    return () => {
      live = false;
    };
  }, [key]);
  if (!body) return <p className={styles.chartNote}>Loading the rating history…</p>;
  const shown = body.key.split(',').filter(Boolean);
  const series: HistorySeries[] = body.data.points.map((p) => {
    const point: HistorySeries = { at: p.at };
    for (const m of shown) if (p.ratings[m]) point[m] = p.ratings[m].rating;
    return point;
  });
  if (series.length === 0) return <p className={styles.chartNote}>The rating history is being computed; it appears after the next rating pass.</p>;
  return (
    <RatingHistoryChart
      points={series}
      models={shown}
      names={names}
      stride={body.data.stride ?? 1}
      note={`the ${shown.length} highest rated models of the group${filtered}.`}
    />
  );
}
