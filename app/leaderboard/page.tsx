import type { Metadata } from 'next';
import Link from 'next/link';
import { getAppContext } from '@/lib/app-context';
import { storedExclusionCounts } from '@/db/queries/exclusions';
import { buildRows, describeBoard, metaLookup, type RegistryLike } from '@/lib/leaderboard/board-view';
import { categoryDescription, categoryIdSchema, categoryLabel, FIXED_CATEGORIES, SOURCE_CATEGORIES } from '@/lib/leaderboard/categories';
import { loadBoard, type BoardFreshness } from '@/lib/leaderboard/load-board';
import { boardModelEntries } from '@/lib/admin/model-info';
import { listBoards } from '@/lib/leaderboard/read-board';
import { AutoRefresh } from '@/app/_components/leaderboard/auto-refresh';
import { LeaderboardView, type CategoryOption } from '@/app/_components/leaderboard/leaderboard-view';
import { RelativeTime } from '@/app/_components/leaderboard/relative-time';
import styles from '@/app/_components/leaderboard/leaderboard.module.css';

export const dynamic = 'force-dynamic';

const EXCLUSION_LABELS: Record<string, string> = {
  identity_leak: 'named a model',
  low_trust: 'from voters with a low trust score',
  banned: 'from banned voters',
  moderated: 'excluded by a moderator',
  recorded_public: 'on public recorded answers by anonymous voters',
};
export const metadata: Metadata = { title: 'Leaderboard · Pairwise' };

type SearchParams = Record<string, string | string[] | undefined>;

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function categoryOrder(id: string): number {
  const fixed = [...FIXED_CATEGORIES, ...SOURCE_CATEGORIES].indexOf(id);
  if (fixed >= 0) return fixed;
  return id.startsWith('language:') ? 10 : 20;
}

export default async function LeaderboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const parsedCategory = categoryIdSchema.safeParse(one(sp.category) ?? 'overall');
  const category = parsedCategory.success ? parsedCategory.data : 'overall';
  const styleControl = ['1', 'true', 'on'].includes(one(sp.style) ?? '');
  const initial = {
    q: (one(sp.q) ?? '').slice(0, 200),
    minVotes: Math.max(0, Number.parseInt(one(sp.minVotes) ?? '', 10) || 0),
    deprecated: ['1', 'true', 'on'].includes(one(sp.deprecated) ?? ''),
  };

  const state = await loadBoard({ category, styleControl });
  const registry: RegistryLike[] = await getAppContext()
    .then((ctx) => boardModelEntries(ctx.registry().models))
    .catch(() => []);
  const meta = metaLookup(registry);

  if (state.kind === 'empty') return <EmptyBoard registered={registry.length} />;
  if (state.kind === 'computing') {
    return (
      <main className={styles.page}>
        <PageTitle />
        <section className={`${styles.card} ${styles.empty}`} data-testid="leaderboard-computing">
          <span className={styles.badge}>
            <span className={styles.pulse} /> Computing
          </span>
          <h2>The first ratings are being computed</h2>
          <p>Votes are in the store; the rating pass runs in the background and this page updates by itself when it is done.</p>
        </section>
        <AutoRefresh active />
      </main>
    );
  }

  const summaries = await listBoards();
  const boards = summaries.filter((s) => !s.styleControl);
  const categories: CategoryOption[] = boards
    .map((s) => ({ id: s.category, label: categoryLabel(s.category), battles: s.battleCount }))
    .sort((a, b) => categoryOrder(a.id) - categoryOrder(b.id) || b.battles - a.battles || a.label.localeCompare(b.label));
  if (!categories.some((c) => c.id === category)) categories.push({ id: category, label: categoryLabel(category), battles: 0 });
  const styleAvailable = summaries.some((s) => s.styleControl && s.category === category);

  const board = state.kind === 'ready' ? state.board : null;
  const rows = board ? buildRows(board.result, meta, state.kind === 'ready' ? state.baseline?.result : null) : [];
  const votes = board?.result.battles ?? 0;
  const diagnostics = board?.result.diagnostics;
  const described = diagnostics ? describeBoard(diagnostics, board?.result.untimedBattles ?? 0) : null;
  const groups = diagnostics?.components.length ?? 0;
  const provisional = rows.filter((r) => r.provisional).length;
  // A board that could not be fitted says why (too few battles, or too few with style).
  const notFitted = diagnostics && diagnostics.status.code !== 'ok' ? `Not fitted: ${diagnostics.status.message}.` : undefined;
  const excluded = (await storedExclusionCounts())?.excluded ?? {};
  const excludedTotal = Object.values(excluded).reduce((a, b) => a + b, 0);
  const excludedTitle = `Votes kept but not counted: ${Object.entries(excluded)
    .map(([reason, n]) => `${n} ${EXCLUSION_LABELS[reason] ?? reason}`)
    .join(', ')}`;

  return (
    <main className={styles.page}>
      <div className={styles.head}>
        <div>
          <PageTitle />
          <ul className={styles.stats} data-testid="leaderboard-stats">
            <li className={styles.stat}>
              <strong data-testid="stat-models">{rows.length.toLocaleString('en-US')}</strong> models
            </li>
            <li className={styles.stat}>
              <strong data-testid="stat-votes">{votes.toLocaleString('en-US')}</strong> votes
            </li>
            {groups > 1 && (
              <li className={styles.stat} data-testid="stat-groups" title="Groups of models that never met, directly or through others: each is ranked on its own.">
                <strong>{groups}</strong> groups
              </li>
            )}
            {provisional > 0 && (
              <li className={styles.stat} data-testid="stat-provisional" title={`Fewer than ${diagnostics?.provisional.votes} votes: listed, not ranked.`}>
                <strong>{provisional}</strong> provisional
              </li>
            )}
            <li className={styles.stat} title={categoryDescription(category)}>
              {categoryLabel(category)}
              {styleControl ? ' · style control' : ''}
            </li>
            {board && (
              <li className={styles.stat}>
                computed&nbsp;<RelativeTime at={board.computedAt} />
              </li>
            )}
            {excludedTotal > 0 && (
              <li className={styles.stat} data-testid="stat-excluded" title={excludedTitle}>
                {excludedTotal.toLocaleString('en-US')} excluded
              </li>
            )}
            {state.kind === 'ready' && lagNote(state.freshness, styleControl) && (
              <li className={styles.stat} data-testid="leaderboard-lag" title="Plain boards follow the votes within seconds; style control, the rating history and the trust scores are recomputed over every battle, less often.">
                {lagNote(state.freshness, styleControl)}&nbsp;
                <RelativeTime at={(styleControl ? state.freshness.styleControl?.asOf : state.freshness.fullPass?.asOf) ?? Date.now()} />
              </li>
            )}
            {state.kind === 'ready' && state.stale && (
              <li>
                <span className={styles.badge} data-testid="leaderboard-updating">
                  <span className={styles.pulse} /> Updating with new votes
                </span>
              </li>
            )}
          </ul>
          <p className={styles.chartNote} style={{ marginTop: 8 }}>
            {categoryDescription(category)}
          </p>
          {(excluded.recorded_public ?? 0) > 0 && (
            // Said in words, not only in the title above: it changes what the board means.
            <p className={styles.chartNote} data-testid="note-recorded-public">
              {excluded.recorded_public.toLocaleString('en-US')} vote{excluded.recorded_public === 1 ? '' : 's'} on recorded answers by
              voters who were not signed in {excluded.recorded_public === 1 ? 'is' : 'are'} not counted: recorded answers are public, so
              this arena counts recorded battles only from signed-in accounts.
            </p>
          )}
        </div>
      </div>

      <LeaderboardView
        key={`${category}|${styleControl}`}
        rows={rows}
        category={category}
        styleControl={styleControl}
        styleAvailable={styleAvailable}
        categories={categories}
        initial={initial}
        emptyMessage={
          state.kind === 'no-battles'
            ? styleControl
              ? 'No battle in this category has stored answers, which style control needs.'
              : 'No counted battle falls in this category yet.'
            : notFitted
        }
        method={described?.method}
        notes={described?.notes}
        groupBattles={diagnostics?.components.map((c) => c.battles)}
        charts={rows.length > 0}
        historyAvailable={category === 'overall' && !styleControl}
      />
      <AutoRefresh active={state.kind === 'ready' && state.stale} />
    </main>
  );
}

/** What lags behind the board shown, if anything: the style-controlled board itself, or (plain) style control and the history. */
function lagNote(f: BoardFreshness, styleControl: boolean): string | null {
  if (styleControl) return f.styleControl?.lagging ? 'style control as of' : null;
  if (f.fullPass?.lagging) return f.styleControl ? 'style control and history as of' : 'history and trust scores as of';
  return null;
}

function PageTitle() {
  return (
    <>
      <h1 className={styles.title}>Leaderboard</h1>
      <p className={styles.subtitle}>Bradley-Terry ratings from blind pairwise votes, with 95% intervals that hold from the first vote.</p>
    </>
  );
}

function EmptyBoard({ registered }: { registered: number }) {
  return (
    <main className={styles.page}>
      <PageTitle />
      <section className={`${styles.card} ${styles.empty}`} data-testid="leaderboard-empty">
        <h2>No votes yet</h2>
        <p>
          The board fills up as people vote. Open the arena, put a prompt to two anonymous models and pick the better answer; the ratings
          appear here a moment later.
          {registered === 0 && ' No models are configured yet: the arena page says how to add one.'}
        </p>
        <Link className="button button-primary" href="/">
          Go to the arena
        </Link>
        <p>Or bring votes you already have (Chatbot Arena clean_battle JSON, JSONL or CSV):</p>
        <pre>npx pairwise import battles.json</pre>
      </section>
    </main>
  );
}
