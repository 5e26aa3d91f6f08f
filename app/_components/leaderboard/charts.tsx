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
import type { Heatmap } from '@/lib/leaderboard/board-view';
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

function short(name: string, max = 22): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
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

export function RatingIntervalsChart({ points, total }: { points: IntervalPoint[]; total: number }) {
  const data = points.map((p) => ({ ...p, err: [p.rating - p.lower, p.upper - p.rating] }));
  const names = new Map(points.map((p) => [p.model, short(p.name, 18)]));
  const lo = Math.min(...points.map((p) => p.lower));
  const hi = Math.max(...points.map((p) => p.upper));
  const pad = Math.max(5, (hi - lo) * 0.05);
  const labelHeight = 16 + Math.max(...[...names.values()].map((l) => l.length)) * 4.6;
  return (
    <ChartCard
      title="Ratings with 95% intervals"
      note={points.length < total ? `The ${points.length} highest rated of ${total} models.` : 'Every model on the board.'}
      wide
      testId="chart-intervals"
    >
      <ResponsiveContainer width="100%" height={260 + labelHeight}>
        <ScatterChart margin={{ top: 10, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis
            dataKey="model"
            type="category"
            allowDuplicatedCategory={false}
            interval={0}
            angle={-40}
            textAnchor="end"
            tick={AXIS}
            height={labelHeight}
            tickFormatter={(m: string) => names.get(m) ?? m}
          />
          <YAxis
            dataKey="rating"
            type="number"
            domain={[Math.floor(lo - pad), Math.ceil(hi + pad)]}
            tick={AXIS}
            width={48}
            tickFormatter={(v: number) => v.toFixed(0)}
          />
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

export function HeatmapChart({ heatmap, kind, names }: { heatmap: Heatmap; kind: 'win' | 'count'; names: Record<string, string> }) {
  const n = heatmap.models.length;
  const label = (m: string) => short(names[m] ?? m, 18);
  const maxCount = Math.max(1, ...heatmap.battles.flat());
  const cells: Cell[] = [];
  heatmap.models.forEach((row, i) =>
    heatmap.models.forEach((col, j) => {
      if (i === j) return;
      const value = kind === 'win' ? heatmap.winFraction[i][j] : heatmap.battles[i][j];
      if (value === null || (kind === 'count' && value === 0)) return;
      const fill = kind === 'win' ? winColor(value) : mix(MID, HIGH, 0.1 + 0.8 * (Math.log1p(value) / Math.log1p(maxCount)));
      const text = kind === 'win' ? value.toFixed(2) : value >= 10_000 ? `${Math.round(value / 1000)}k` : String(value);
      cells.push({ x: j, y: i, value, row: label(row), col: label(col), fill, text });
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
          ? `Share of decided (non-tied) battles the row model won against the column model; top ${n} models.`
          : `Battles fought between each pair, ties included; top ${n} models.`
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
          tickFormatter={(k: number) => label(heatmap.models[k])}
          angle={-45}
          textAnchor="end"
          height={BOTTOM}
          tick={AXIS}
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
          tickFormatter={(k: number) => label(heatmap.models[k])}
          width={LEFT}
          tick={AXIS}
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

export function AverageWinRateChart({ points, total }: { points: { model: string; name: string; winRate: number }[]; total: number }) {
  const data = points.map((p) => ({ ...p, label: short(p.name, 24), pct: p.winRate * 100 }));
  return (
    <ChartCard
      title="Average win rate"
      note={`Predicted from the ratings against every other model, opponents drawn uniformly, no ties${points.length < total ? `; top ${points.length} of ${total}` : ''}.`}
      testId="chart-average-win-rate"
    >
      <ResponsiveContainer width="100%" height={Math.max(160, data.length * 22 + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 36, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tick={AXIS} tickFormatter={(v: number) => `${v}%`} />
          <YAxis type="category" dataKey="label" width={170} tick={AXIS} interval={0} />
          <Tooltip
            cursor={{ fill: 'var(--surface-2)' }}
            formatter={(v) => [`${Number(v).toFixed(1)}%`, 'Average win rate']}
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
    domain: span ? (['dataMin', 'dataMax'] as const) : [first - 3_600_000, first + 3_600_000],
    tickFormatter: (v: number) => timeLabel(v, span),
    tick: AXIS,
  };
}

const RATING_AXIS_PROPS = {
  domain: ['auto', 'auto'] as ['auto', 'auto'],
  tick: AXIS,
  width: 48,
  tickFormatter: (v: number) => v.toFixed(0),
};

function timeLabel(ms: number, span: number): string {
  const d = new Date(ms);
  return span < 2 * 86_400_000
    ? d.toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString('en-GB', { month: 'short', day: 'numeric', year: '2-digit' });
}

export function RatingHistoryChart({ points, models, names }: { points: HistorySeries[]; models: string[]; names: Record<string, string> }) {
  const span = points.length > 1 ? points[points.length - 1].at - points[0].at : 0;
  return (
    <ChartCard
      title="Rating over time"
      note={
        points.length === 1
          ? `The ${models.length} highest rated models. One snapshot so far: the lines grow as new votes are rated (one point per hour is kept).`
          : `From the stored snapshots of this board (${points.length}); the ${models.length} highest rated models.`
      }
      wide
      testId="chart-history"
    >
      <ResponsiveContainer width="100%" height={320}>
        <LineChart data={points} margin={{ top: 10, right: 24, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis {...timeAxisProps(points, span)} />
          <YAxis {...RATING_AXIS_PROPS} />
          <Tooltip
            labelFormatter={(v) => new Date(Number(v)).toLocaleString('en-GB')}
            formatter={(v, name) => [Number(v).toFixed(1), names[String(name)] ?? String(name)]}
            contentStyle={TOOLTIP_STYLE}
          />
          <Legend formatter={(m: string) => short(names[m] ?? m, 26)} wrapperStyle={{ fontSize: 12 }} />
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

export function ModelHistoryChart({ points }: { points: ModelHistoryPoint[] }) {
  const span = points.length > 1 ? points[points.length - 1].at - points[0].at : 0;
  const data = points.map((p) => ({ ...p, err: [p.rating - p.band[0], p.band[1] - p.rating] }));
  return (
    <ChartCard
      title="Rating history"
      note={
        points.length === 1
          ? 'Overall rating and its 95% interval. One snapshot so far: the history grows as new votes are rated.'
          : `Overall rating and its 95% interval in each stored snapshot (${points.length}).`
      }
      wide
      testId="chart-model-history"
    >
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={data} margin={{ top: 10, right: 24, bottom: 4, left: 4 }}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis {...timeAxisProps(points, span)} />
          <YAxis {...RATING_AXIS_PROPS} />
          <Tooltip
            labelFormatter={(v) => new Date(Number(v)).toLocaleString('en-GB')}
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
