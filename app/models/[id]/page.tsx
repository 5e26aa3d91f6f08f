import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getAppContext } from '@/lib/app-context';
import { headToHead, metaLookup, type RegistryLike } from '@/lib/leaderboard/board-view';
import { categoryLabel } from '@/lib/leaderboard/categories';
import { modelHref } from '@/lib/leaderboard/links';
import { loadBoard } from '@/lib/leaderboard/load-board';
import { listBoards, readBoard, readRatingHistory } from '@/lib/leaderboard/read-board';
import { ModelHistoryChart } from '@/app/_components/leaderboard/charts';
import { RelativeTime } from '@/app/_components/leaderboard/relative-time';
import styles from '@/app/_components/leaderboard/leaderboard.module.css';

export const dynamic = 'force-dynamic';

type Params = Promise<{ id: string }>;

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

async function registryEntries(): Promise<RegistryLike[]> {
  return getAppContext()
    .then((ctx) => ctx.registry().models)
    .catch(() => []);
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const id = decodeId((await params).id);
  const meta = metaLookup(await registryEntries())(id);
  return { title: `${meta.name} · Leaderboard · Pairwise` };
}

const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(1)}%`);
const int = (n: number) => n.toLocaleString('en-US');

export default async function ModelPage({ params }: { params: Params }) {
  const id = decodeId((await params).id);
  const registry = await registryEntries();
  const meta = metaLookup(registry)(id);
  const state = await loadBoard({ category: 'overall', styleControl: false });
  const board = state.kind === 'ready' ? state.board : null;
  const row = board?.result.models.find((m) => m.model === id) ?? null;
  if (!row && !meta.known) notFound();

  const history = row ? ((await readRatingHistory({ models: [id] }))?.points ?? []) : [];
  const points = history
    .filter((p) => p.ratings[id])
    .map((p) => {
      const r = p.ratings[id];
      const round = (x: number) => Math.round(x * 10) / 10;
      return { at: p.at, rating: round(r.rating), band: [round(r.lower), round(r.upper)] as [number, number], rank: r.rank };
    });
  const h2h = board && row ? headToHead(board.result, id) : [];
  const names = metaLookup(registry);

  // This model on every other board (categories, style control), from their newest snapshots.
  const others = [];
  for (const s of await listBoards()) {
    if (s.category === 'overall' && !s.styleControl) continue;
    const b = await readBoard({ category: s.category, styleControl: s.styleControl });
    const m = b?.result.models.find((x) => x.model === id);
    if (b && m) others.push({ category: s.category, styleControl: s.styleControl, rating: m.rating, lower: m.lower, upper: m.upper, rank: m.rank, votes: m.votes, of: b.result.models.length });
  }

  return (
    <main className={styles.page}>
      <nav className={styles.crumbs} aria-label="Breadcrumb">
        <Link href="/leaderboard">Leaderboard</Link> / {meta.name}
      </nav>
      <div>
        <h1 className={styles.title} data-testid="model-title">
          {meta.name}
          {meta.deprecated && <span className={styles.tag}>deprecated</span>}
        </h1>
        <p className={styles.subtitle}>
          <code>{id}</code> · {meta.organization === 'unknown' ? 'organization unknown' : meta.organization} ·{' '}
          {meta.license === 'unknown' ? 'license unknown' : `license ${meta.license}`}
          {!meta.known && ' · not in the model registry (imported votes)'}
        </p>
      </div>

      {!row ? (
        <section className={`${styles.card} ${styles.empty}`} data-testid="model-no-votes">
          <h2>No counted votes yet</h2>
          <p>This model is in the registry but has no counted battle on the overall board yet.</p>
        </section>
      ) : (
        <>
          <div className={styles.facts}>
            <Fact label="Rating" value={row.rating.toFixed(1)} sub={`+${(row.upper - row.rating).toFixed(1)} / -${(row.rating - row.lower).toFixed(1)} (95% CI)`} testId="model-rating" />
            <Fact label="Rank (UB)" value={String(row.rank)} sub={`of ${board!.result.models.length} models`} />
            <Fact label="Votes" value={int(row.votes)} sub={`${int(row.wins)} won · ${int(row.losses)} lost · ${int(row.ties)} tied`} />
            <Fact label="Win rate" value={pct(row.votes ? (row.wins + row.ties / 2) / row.votes : null)} sub="ties count half" />
            <Fact label="Online Elo" value={row.elo.toFixed(1)} sub="K = 4, votes in time order" />
          </div>
          <p className={styles.subtitle}>
            Overall board computed <RelativeTime at={board!.computedAt} /> from {int(board!.result.battles)} votes.
          </p>

          {points.length > 0 && <ModelHistoryChart points={points} />}

          <section className={styles.card}>
            <div className={styles.controls}>
              <h2 className={styles.chartTitle}>Head to head</h2>
              <span className={styles.chartNote} style={{ margin: 0 }}>
                Every opponent on the overall board; win rate is over decided (non-tied) battles, “expected” is what the two ratings predict.
              </span>
            </div>
            <div className={styles.tableWrap}>
              <table className={styles.table} data-testid="head-to-head">
                <thead>
                  <tr>
                    <th scope="col">Opponent</th>
                    <th scope="col" className={styles.num}>Battles</th>
                    <th scope="col" className={styles.num}>Won</th>
                    <th scope="col" className={styles.num}>Lost</th>
                    <th scope="col" className={styles.num}>Tie</th>
                    <th scope="col" className={styles.num}>Both bad</th>
                    <th scope="col" className={styles.num}>Win rate</th>
                    <th scope="col" className={styles.num}>Expected</th>
                  </tr>
                </thead>
                <tbody>
                  {h2h.map((h) => (
                    <tr key={h.opponent} data-testid="h2h-row" data-model={h.opponent}>
                      <td>
                        <Link className={styles.modelLink} href={modelHref(h.opponent)} prefetch={false}>
                          {names(h.opponent).name}
                        </Link>
                      </td>
                      <td className={styles.num}>{int(h.battles)}</td>
                      <td className={styles.num}>{int(h.wins)}</td>
                      <td className={styles.num}>{int(h.losses)}</td>
                      <td className={styles.num}>{int(h.ties)}</td>
                      <td className={styles.num}>{int(h.bothBad)}</td>
                      <td className={styles.num}>{pct(h.winFraction)}</td>
                      <td className={styles.num}>{pct(h.expected)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          {others.length > 0 && (
            <section className={styles.card}>
              <div className={styles.controls}>
                <h2 className={styles.chartTitle}>On the other boards</h2>
              </div>
              <div className={styles.tableWrap}>
                <table className={styles.table} data-testid="model-categories">
                  <thead>
                    <tr>
                      <th scope="col">Board</th>
                      <th scope="col" className={styles.num}>Rank (UB)</th>
                      <th scope="col" className={styles.num}>Rating</th>
                      <th scope="col" className={styles.num}>95% CI</th>
                      <th scope="col" className={styles.num}>Votes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {others.map((o) => (
                      <tr key={`${o.category}|${o.styleControl}`}>
                        <td>
                          <Link
                            className={styles.modelLink}
                            href={`/leaderboard?${new URLSearchParams({ ...(o.category !== 'overall' ? { category: o.category } : {}), ...(o.styleControl ? { style: '1' } : {}) })}`}
                            prefetch={false}
                          >
                            {categoryLabel(o.category)}
                            {o.styleControl ? ' · style control' : ''}
                          </Link>
                        </td>
                        <td className={styles.num}>
                          {o.rank} <span className={styles.ci}>of {o.of}</span>
                        </td>
                        <td className={styles.num}>{o.rating.toFixed(1)}</td>
                        <td className={`${styles.num} ${styles.ci}`}>
                          +{(o.upper - o.rating).toFixed(1)}/-{(o.rating - o.lower).toFixed(1)}
                        </td>
                        <td className={styles.num}>{int(o.votes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </main>
  );
}

function Fact({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId?: string }) {
  return (
    <div className={`${styles.card} ${styles.fact}`}>
      <p className={styles.factLabel}>{label}</p>
      <p className={styles.factValue} data-testid={testId}>
        {value}
      </p>
      {sub && <p className={styles.factSub}>{sub}</p>}
    </div>
  );
}
