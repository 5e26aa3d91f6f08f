'use client';

import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import { distinctLabels, middleEllipsis, niceTicks } from '@/lib/leaderboard/chart-labels';
import type { Heatmap } from '@/lib/leaderboard/chart-data';
import styles from './leaderboard.module.css';

/**
 * The board's charts. Each receives only what it draws (the top models of the board), never the
 * whole snapshot, so a store with millions of battles costs the browser a few kilobytes.
 */

const AXIS = { fontSize: 11, fill: 'var(--muted)' } as const;
const TOOLTIP_STYLE = { background: 'var(--surface)', border: '1px solid var(--border-strong)', borderRadius: 9, fontSize: 12 };
const GRID = 'var(--border)';
const ACCENT = 'var(--accent)';
const PALETTE = ['#4f46e5', '#d9480f', '#0f9d58', '#c026d3', '#0891b2', '#ca8a04', '#dc2626', '#64748b', '#7c3aed', '#059669'];

/**
 * An axis label that shows a shortened name and the full one on hover (an SVG <title>), for
 * category axes whose ticks are indices or model ids.
 */
function LabelTick(props: {
  x?: number;
  y?: number;
  payload?: { value: string | number };
  textAnchor?: string;
  angle?: number;
  label: (v: string | number) => { short: string; full: string };
  vertical?: boolean;
}) {
  const { x = 0, y = 0, payload, angle = 0, label, vertical } = props;
  if (!payload) return null;
  const { short, full } = label(payload.value);
  return (
    <g transform={`translate(${x},${y})`}>
      <text
        dy={vertical ? 4 : 10}
        dx={vertical ? -4 : 0}
        textAnchor={vertical ? 'end' : angle ? 'end' : 'middle'}
        transform={angle ? `rotate(${angle})` : undefined}
        fontSize={AXIS.fontSize}
        fill="var(--muted)"
      >
        <title>{full}</title>
        {short}
      </text>
    </g>
  );
}

/** Short, distinct labels for these model ids, from their display names. */
function labelsFor(models: string[], names: Record<string, string>, max: number): Map<string, { short: string; full: string }> {
  const full = models.map((m) => names[m] ?? m);
  const short = distinctLabels(full, max);
  return new Map(models.map((m, k) => [m, { short: short[k], full: full[k] === m ? m : `${full[k]} (${m})` }]));
}

function ChartCard({ title, note, testId, children }: { title: string; note: string; wide?: boolean; testId: string; children: React.ReactNode }) {
  return (
    <figure className={`${styles.card} ${styles.chartCard}`} data-testid={testId} style={{ margin: 0, height: '100%' }}>
      <figcaption>
        <h3 className={styles.chartTitle}>{title}</h3>
        <p className={styles.chartNote}>{note}</p>
      </figcaption>
      <div className={styles.chartBody}>{children}</div>
    </figure>
  );
}

// ---------------------------------------------------------------------------------------------

export interface IntervalPoint {
  model: string;
  name: string;
  rating: number;
  lower: number;
  upper: number;
}

function IntervalTooltip({ active, payload }: Partial<TooltipContentProps<number, string>>) {
  const p = active && payload?.[0]?.payload as IntervalPoint | undefined;
  if (!p) return null;
  return (
    <div className={styles.tooltip}>
      <strong>{p.name}</strong>
      {p.rating.toFixed(1)} (95% CI {p.lower.toFixed(1)} – {p.upper.toFixed(1)})
    </div>
  );
}

export function RatingIntervalsChart({ points, note }: { points: IntervalPoint[]; note: string }) {
  const data = points.map((p) => ({ ...p, err: [p.rating - p.lower, p.upper - p.rating] }));
  const labels = labelsFor(
    points.map((p) => p.model),
    Object.fromEntries(points.map((p) => [p.model, p.name])),
    18,
  );
  const y = niceTicks(Math.min(...points.map((p) => p.lower)), Math.max(...points.map((p) => p.upper)));
  const labelHeight = 16 + Math.max(...[...labels.values()].map((l) => l.short.length)) * 4.6;
  return (
    <ChartCard title="Ratings with 95% intervals" note={note} wide testId="chart-intervals">
      <ResponsiveContainer width="100%" height={260 + labelHeight}>
        <ScatterChart margin={{ top: 10, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis
            dataKey="model"
            type="category"
            allowDuplicatedCategory={false}
            interval={0}
            height={labelHeight}
            tick={<LabelTick angle={-40} label={(m) => labels.get(String(m)) ?? { short: String(m), full: String(m) }} />}
          />
          <YAxis dataKey="rating" type="number" domain={y.domain} ticks={y.ticks} interval={0} tick={AXIS} width={48} />
          <Tooltip content={<IntervalTooltip />} cursor={{ strokeDasharray: '3 3' }} />
          <Scatter data={data} fill={ACCENT} isAnimationActive={false}>
            <ErrorBar dataKey="err" direction="y" width={4} stroke={ACCENT} strokeWidth={1.5} isAnimationActive={false} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

// ---------------------------------------------------------------------------------------------

function mix(a: [number, number, number], b: [number, number, number], t: number): string {
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * t));
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}
const LOW: [number, number, number] = [217, 72, 15];
const MID: [number, number, number] = [246, 246, 248];
const HIGH: [number, number, number] = [37, 99, 235];

function winColor(v: number): string {
  return v < 0.5 ? mix(LOW, MID, v / 0.5) : mix(MID, HIGH, (v - 0.5) / 0.5);
}

interface Cell {
  x: number;
  y: number;
  value: number | null;
  row: string;
  col: string;
  fill: string;
  text: string;
}

function HeatTooltip({ active, payload, kind }: Partial<TooltipContentProps<number, string>> & { kind: 'win' | 'count' }) {
  const c = active && payload?.[0]?.payload as Cell | undefined;
  if (!c || c.value === null) return null;
  return (
    <div className={styles.tooltip}>
      <strong>
        {c.row} vs {c.col}
      </strong>
      {kind === 'win' ? `${c.row} won ${(c.value * 100).toFixed(1)}% of the decided battles` : `${c.value.toLocaleString('en-US')} battles`}
    </div>
  );
}

const CELL = 25;

export function HeatmapChart({ heatmap, kind, names, note }: { heatmap: Heatmap; kind: 'win' | 'count'; names: Record<string, string>; note: string }) {
  const n = heatmap.models.length;
  const labels = labelsFor(heatmap.models, names, 18);
  const label = (m: string) => labels.get(m)?.short ?? m;
  const tickLabel = (k: string | number) => labels.get(heatmap.models[Number(k)]) ?? { short: String(k), full: String(k) };
  const maxCount = Math.max(1, ...heatmap.battles.flat());
  const cells: Cell[] = [];
  heatmap.models.forEach((row, i) =>
    heatmap.models.forEach((col, j) => {
      if (i === j) return;
      const value = kind === 'win' ? heatmap.winFraction[i][j] : heatmap.battles[i][j];
      if (value === null || (kind === 'count' && value === 0)) return;
      const fill = kind === 'win' ? winColor(value) : mix(MID, HIGH, 0.1 + 0.8 * (Math.log1p(value) / Math.log1p(maxCount)));
      const text = kind === 'win' ? value.toFixed(2) : value >= 10_000 ? `${Math.round(value / 1000)}k` : String(value);
      cells.push({ x: j, y: i, value, row: names[row] ?? row, col: names[col] ?? col, fill, text });
    }),
  );
  const longest = Math.max(...heatmap.models.map((m) => label(m).length));
  const LEFT = 14 + longest * 6.2;
  const BOTTOM = 14 + longest * 4.6;
  const width = LEFT + n * CELL + 16;
  const height = n * CELL + BOTTOM + 10;
  const ticks = heatmap.models.map((_, k) => k);
  const darkText = (fill: string) => {
    const [r, g, b] = fill.match(/\d+/g)!.map(Number);
    return 0.299 * r + 0.587 * g + 0.114 * b > 150;
  };
  return (
    <ChartCard
      title={kind === 'win' ? 'Win fraction' : 'Battle count'}
      note={
        kind === 'win'
          ? `Decided win rate: the share of non-tied battles the row model won against the column model; ${note}`
          : `Battles fought between each pair, ties included; ${note}`
      }
      testId={kind === 'win' ? 'chart-win-fraction' : 'chart-battle-count'}
    >
      <ScatterChart width={width} height={height} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
        <XAxis
          type="number"
          dataKey="x"
          domain={[-0.5, n - 0.5]}
          ticks={ticks}
          interval={0}
          height={BOTTOM}
          tick={<LabelTick angle={-45} label={tickLabel} />}
          axisLine={false}
          tickLine={false}
        />
        <YAxis
          type="number"
          dataKey="y"
          domain={[-0.5, n - 0.5]}
          ticks={ticks}
          interval={0}
          reversed
          width={LEFT}
          tick={<LabelTick vertical label={tickLabel} />}
          axisLine={false}
          tickLine={false}
        />
        <Tooltip content={<HeatTooltip kind={kind} />} cursor={false} isAnimationActive={false} />
        <Scatter
          data={cells}
          isAnimationActive={false}
          shape={(props: unknown) => {
            const { cx, cy, payload } = props as { cx: number; cy: number; payload: Cell };
            return (
              <g>
                <rect x={cx - CELL / 2} y={cy - CELL / 2} width={CELL - 1} height={CELL - 1} fill={payload.fill} rx={2} />
                <text
                  x={cx - 0.5}
                  y={cy + 3.5}
                  textAnchor="middle"
                  fontSize={kind === 'count' && payload.text.length > 3 ? 7.5 : 8.5}
                  fill={darkText(payload.fill) ? '#1f2430' : '#ffffff'}
                  pointerEvents="none"
                >
                  {payload.text}
                </text>
              </g>
            );
          }}
        />
      </ScatterChart>
    </ChartCard>
  );
}

// ---------------------------------------------------------------------------------------------

export function AverageWinRateChart({ points, note }: { points: { model: string; name: string; winRate: number }[]; note: string }) {
  const labels = labelsFor(
    points.map((p) => p.model),
    Object.fromEntries(points.map((p) => [p.model, p.name])),
    24,
  );
  const data = points.map((p) => ({ ...p, pct: p.winRate * 100 }));
  return (
    <ChartCard
      title="Average win rate"
      note={`Predicted from the ratings against every other model of the group, opponents drawn uniformly, no ties; ${note}`}
      testId="chart-average-win-rate"
    >
      <ResponsiveContainer width="100%" height={Math.max(160, data.length * 22 + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 36, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tick={AXIS} tickFormatter={(v: number) => `${v}%`} />
          <YAxis
            type="category"
            dataKey="model"
            width={170}
            interval={0}
            tick={<LabelTick vertical label={(m) => labels.get(String(m)) ?? { short: String(m), full: String(m) }} />}
          />
          <Tooltip
            cursor={{ fill: 'var(--surface-2)' }}
            formatter={(v) => [`${Number(v).toFixed(1)}%`, 'Average win rate']}
            labelFormatter={(m) => labels.get(String(m))?.full ?? String(m)}
            contentStyle={TOOLTIP_STYLE}
          />
          <Bar dataKey="pct" fill={ACCENT} radius={[0, 4, 4, 0]} isAnimationActive={false} label={{ position: 'right', fontSize: 10, fill: 'var(--muted)', formatter: (v: unknown) => `${Number(v).toFixed(0)}%` }} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

// ---------------------------------------------------------------------------------------------

export interface HistorySeries {
  at: number;
  [model: string]: number;
}

/** The time axis of the history charts; a single snapshot gets an hour either side. */
function timeAxisProps(points: { at: number }[], span: number) {
  const first = points[0]?.at ?? 0;
  return {
    dataKey: 'at',
    type: 'number' as const,
    scale: 'time' as const,
    domain: span ? (['dataMin', 'dataMax'] as const) : [first - 86_400_000, first + 86_400_000],
    tickFormatter: (v: number) => timeLabel(v, span),
    tick: AXIS,
  };
}

/** A rating axis on round ticks covering every value drawn. */
function ratingAxis(values: number[]) {
  const { domain, ticks } = niceTicks(Math.min(...values), Math.max(...values));
  return { domain, ticks, interval: 0 as const, tick: AXIS, width: 48, type: 'number' as const };
}

function timeLabel(ms: number, span: number): string {
  const d = new Date(ms);
  return span < 2 * 86_400_000
    ? d.toLocaleString('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' })
    : d.toLocaleDateString('en-GB', { month: 'short', day: 'numeric', year: '2-digit', timeZone: 'UTC' });
}

const dayLabel = (v: unknown) => `End of ${new Date(Number(v)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })} (UTC)`;

function strideText(stride: number): string {
  return stride === 1 ? 'one point a day' : `one point every ${stride} days`;
}

export function RatingHistoryChart({
  points,
  models,
  names,
  stride,
  note,
}: {
  points: HistorySeries[];
  models: string[];
  names: Record<string, string>;
  stride: number;
  note: string;
}) {
  const span = points.length > 1 ? points[points.length - 1].at - points[0].at : 0;
  const labels = labelsFor(models, names, 26);
  const values = points.flatMap((p) => models.map((m) => p[m]).filter((v): v is number => typeof v === 'number'));
  return (
    <ChartCard
      title="Rating over time"
      note={`The board as of the end of each day, from the battles voted up to that day (${strideText(stride)}, ${points.length} point${points.length === 1 ? '' : 's'}); ${note}`}
      wide
      testId="chart-history"
    >
      <ResponsiveContainer width="100%" height={320}>
        <LineChart data={points} margin={{ top: 10, right: 24, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis {...timeAxisProps(points, span)} />
          <YAxis {...ratingAxis(values.length ? values : [1000])} />
          <Tooltip
            labelFormatter={dayLabel}
            formatter={(v, name) => [Number(v).toFixed(1), labels.get(String(name))?.full ?? String(name)]}
            contentStyle={TOOLTIP_STYLE}
          />
          <Legend formatter={(m: string) => labels.get(m)?.short ?? m} wrapperStyle={{ fontSize: 12 }} />
          {models.map((m, k) => (
            <Line
              key={m}
              type="monotone"
              dataKey={m}
              stroke={PALETTE[k % PALETTE.length]}
              strokeWidth={2}
              dot={points.length < 40}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

// ---------------------------------------------------------------------------------------------

export interface ModelHistoryPoint {
  at: number;
  rating: number;
  band: [number, number];
  rank: number;
}

export function ModelHistoryChart({ points, stride }: { points: ModelHistoryPoint[]; stride: number }) {
  const span = points.length > 1 ? points[points.length - 1].at - points[0].at : 0;
  const data = points.map((p) => ({ ...p, err: [p.rating - p.band[0], p.band[1] - p.rating] }));
  return (
    <ChartCard
      title="Rating history"
      note={`The overall rating and its 95% interval as of the end of each day, from the battles voted up to that day (${strideText(stride)}, ${points.length} point${points.length === 1 ? '' : 's'}).`}
      wide
      testId="chart-model-history"
    >
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={data} margin={{ top: 10, right: 24, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis {...timeAxisProps(points, span)} />
          <YAxis {...ratingAxis(points.flatMap((p) => p.band))} />
          <Tooltip
            labelFormatter={dayLabel}
            formatter={(v, name) =>
              Array.isArray(v) ? [`${Number(v[0]).toFixed(1)} – ${Number(v[1]).toFixed(1)}`, '95% CI'] : [Number(v).toFixed(1), String(name)]
            }
            contentStyle={TOOLTIP_STYLE}
          />
          {points.length > 1 && <Area dataKey="band" stroke="none" fill={ACCENT} fillOpacity={0.15} isAnimationActive={false} name="95% CI" />}
          <Line dataKey="rating" stroke={ACCENT} strokeWidth={2} dot={points.length < 40} isAnimationActive={false} name="Rating">
            {points.length === 1 && <ErrorBar dataKey="err" width={6} stroke={ACCENT} strokeWidth={1.5} isAnimationActive={false} />}
          </Line>
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
