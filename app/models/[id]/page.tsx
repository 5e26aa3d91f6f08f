import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getAppContext } from '@/lib/app-context';
import { buildRows, describeBoard, headToHead, metaLookup, type RegistryLike } from '@/lib/leaderboard/board-view';
import { categoryLabel } from '@/lib/leaderboard/categories';
import { modelHref } from '@/lib/leaderboard/links';
import { loadBoard } from '@/lib/leaderboard/load-board';
import { boardModelEntries } from '@/lib/admin/model-info';
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
    .then((ctx) => boardModelEntries(ctx.registry().models))
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
  const row = board ? (buildRows(board.result, metaLookup(registry)).find((m) => m.model === id) ?? null) : null;
  if (!row && !meta.known) notFound();

  const history = row ? await readRatingHistory({ models: [id] }) : null;
  const points = (history?.points ?? [])
    .filter((p) => p.ratings[id])
    .map((p) => {
      const r = p.ratings[id];
      const round = (x: number) => Math.round(x * 10) / 10;
      return { at: p.at, rating: round(r.rating), band: [round(r.lower), round(r.upper)] as [number, number], rank: r.rank };
    });
  const h2h = board && row ? headToHead(board.result, id) : [];
  const names = metaLookup(registry);
  const all = board?.result.models ?? [];
  const componentOf = new Map(all.map((m) => [m.model, m.component]));
  const groupSize = row ? all.filter((m) => m.component === row.component).length : 0;
  const rankedInGroup = row ? all.filter((m) => m.component === row.component && !m.provisional).length : 0;
  const groups = board?.result.diagnostics?.components.length ?? 1;
  const described = board?.result.diagnostics ? describeBoard(board.result.diagnostics, board.result.untimedBattles ?? 0) : null;
  const next = row?.toSeparate ? names(row.toSeparate.model).name : null;

  // This model on every other board (categories, style control), from their newest snapshots.
  const others = [];
  for (const s of await listBoards()) {
    if (s.category === 'overall' && !s.styleControl) continue;
    const b = await readBoard({ category: s.category, styleControl: s.styleControl });
    const m = b?.result.models.find((x) => x.model === id);
    if (b && m)
      others.push({
        category: s.category,
        styleControl: s.styleControl,
        rating: m.rating,
        lower: m.lower,
        upper: m.upper,
        rank: m.rank,
        provisional: m.provisional,
        votes: m.votes,
        of: b.result.models.filter((x) => x.component === m.component && !x.provisional).length,
      });
  }

  return (
    <main className={styles.page}>
      <nav className={styles.crumbs} aria-label="Breadcrumb">
        <Link href="/leaderboard">Leaderboard</Link> / {meta.name}
      </nav>
      <div>
        <h1 className={styles.title} data-testid="model-title">
          {meta.name}
        </h1>
        {(meta.deprecated || row?.isNew || row?.provisional) && (
          <p className={styles.subtitle}>
            {row?.isNew && (
              <span className={`${styles.tag} ${styles.newTag}`} data-testid="new-mark" title="First vote in the last 14 days">
                new
              </span>
            )}
            {row?.provisional && (
              <span className={`${styles.tag} ${styles.provisionalTag}`} data-testid="provisional-mark">
                provisional
              </span>
            )}
            {meta.deprecated && <span className={styles.tag}>deprecated</span>}
          </p>
        )}
        <p className={styles.subtitle}>
          <code>{id}</code> · {meta.organization === 'unknown' ? 'organization unknown' : meta.organization} ·{' '}
          {meta.license === 'unknown' ? 'license unknown' : `license ${meta.license}`}
          {!meta.known && ' · not in the model registry (imported votes)'}
          {meta.link && (
            <>
              {' · '}
              <a href={meta.link} rel="noopener noreferrer nofollow" data-testid="model-link">
                about this model
              </a>
            </>
          )}
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
            {row.provisional ? (
              <Fact label="Rank (UB)" value="–" sub={row.provisionalReason ?? 'provisional'} testId="model-rank" />
            ) : (
              <Fact
                label="Rank (UB)"
                value={String(row.rank)}
                sub={`of ${rankedInGroup} ranked models${groups > 1 ? ` in group ${row.component + 1}` : ''}${row.sharedRank > 1 ? `; ${row.sharedRank} share this rank` : ''}`}
                testId="model-rank"
              />
            )}
            <Fact label="Votes" value={int(row.votes)} sub={`${int(row.wins)} won · ${int(row.losses)} lost · ${int(row.ties)} tied`} />
            <Fact label="Win rate (ties half)" value={pct(row.winRate)} sub={`decided win rate ${pct(row.decidedWinRate)}`} testId="model-win-rate" />
            <Fact
              label="To separate"
              value={row.toSeparate ? (row.toSeparate.battles === 0 ? 'separated' : row.toSeparate.battles === null ? 'n/a' : int(row.toSeparate.battles)) : '–'}
              sub={
                row.toSeparate
                  ? row.toSeparate.battles === 0
                    ? `from ${next}, the next model below, at 95%`
                    : row.toSeparate.battles === null
                      ? `battles against ${next} alone cannot separate them`
                      : `more battles against ${next}, the next model below`
                  : 'the lowest rated model of its group'
              }
              testId="model-to-separate"
            />
            <Fact label="Online Elo" value={row.elo.toFixed(1)} sub={`K = 4, ${board!.result.diagnostics?.elo.order === 'file' ? 'untimed imports in file order' : 'votes in time order'}`} />
          </div>
          <p className={styles.subtitle} data-testid="model-board-note">
            Overall board computed <RelativeTime at={board!.computedAt} /> from {int(board!.result.battles)} votes
            {described ? `; ${described.method}` : ''}.
            {groups > 1 &&
              ` This model is in group ${row.component + 1} of ${groups} (${groupSize} models): groups never met one another, directly or through others, so ratings are compared within a group only.`}
            {row.firstVoteAt !== null && ` First vote ${new Date(row.firstVoteAt).toISOString().slice(0, 10)}.`}
          </p>

          {points.length > 0 && <ModelHistoryChart points={points} stride={history?.stride ?? 1} />}

          <section className={styles.card}>
            <div className={styles.controls}>
              <h2 className={styles.chartTitle}>Head to head</h2>
              <span className={styles.chartNote} style={{ margin: 0 }}>
                Every opponent on the overall board. Decided win rate leaves ties out; “expected” is the chance of a win the two ratings predict
                (same group only); “to separate” is the further battles between the two that would separate them at 95% if the ratings hold.
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
                    <th scope="col" className={styles.num}>Decided win rate</th>
                    <th scope="col" className={styles.num}>Expected</th>
                    <th scope="col" className={styles.num}>To separate</th>
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
                      <td className={styles.num}>{componentOf.get(h.opponent) === row.component ? pct(h.expected) : '–'}</td>
                      <td className={styles.num} data-testid="h2h-separate">
                        {h.toSeparate === undefined ? '–' : h.toSeparate === null ? 'n/a' : h.toSeparate === 0 ? 'separated' : int(h.toSeparate)}
                      </td>
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
                          {o.provisional ? (
                            <span className={styles.ci}>provisional</span>
                          ) : (
                            <>
                              {o.rank} <span className={styles.ci}>of {o.of}</span>
                            </>
                          )}
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
