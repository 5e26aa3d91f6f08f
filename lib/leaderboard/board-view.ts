import { decidedWinRate, separationBetween, winRateTiesHalf, type FitDiagnostics, type ModelRating } from '../rating';
import type { BoardResult } from './board-types';
import { rowMatches, type RowFilters } from './chart-data';

export { averageWinRates, heatmaps, rowMatches, type Heatmap, type RowFilters } from './chart-data';

/** A model whose first counted vote is less than this many days old carries the "new" mark. */
export const NEW_MODEL_DAYS = 14;

/** Registry facts about a model; imported models that the registry does not list are "unknown". */
export interface ModelMeta {
  name: string;
  organization: string;
  license: string;
  deprecated: boolean;
  /** The model is in the registry (or has facts set in the console). */
  known: boolean;
  /** A page about the model (set in the console for imported models). */
  link: string | null;
}

export interface RegistryLike {
  id: string;
  name: string;
  organization: string;
  license: string;
  deprecated: boolean;
  link?: string | null;
}

export function metaLookup(entries: RegistryLike[]): (id: string) => ModelMeta {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return (id) => {
    const e = byId.get(id);
    return e
      ? { name: e.name, organization: e.organization, license: e.license, deprecated: e.deprecated, known: true, link: e.link ?? null }
      : { name: id, organization: 'unknown', license: 'unknown', deprecated: false, known: false, link: null };
  };
}

export interface BoardRow extends ModelRating, ModelMeta {
  /** 95 % interval as distances from the rating. */
  plus: number;
  minus: number;
  /** First counted vote (unix ms), when the board knows it. */
  firstVoteAt: number | null;
  /** First counted vote less than NEW_MODEL_DAYS ago. */
  isNew: boolean;
  /**
   * Ranked models of the same component that share this rank (1 when none does): Rank (UB)
   * cannot tell them apart, so the page shows them as one band.
   */
  sharedRank: number;
  /**
   * Under style control: rank without style control minus rank with it (positive = moved up);
   * null when the model has no rank on the other board.
   */
  rankChange: number | null;
}

export function buildRows(
  board: BoardResult,
  meta: (id: string) => ModelMeta,
  baseline?: BoardResult | null,
  now: number = Date.now(),
): BoardRow[] {
  const baseRank = baseline ? new Map(baseline.models.filter((m) => !m.provisional).map((m) => [m.model, m.rank])) : null;
  const band = new Map<string, number>();
  for (const m of board.models) if (!m.provisional) band.set(`${m.component}|${m.rank}`, (band.get(`${m.component}|${m.rank}`) ?? 0) + 1);
  return board.models.map((m) => {
    const before = baseRank?.get(m.model);
    const firstVoteAt = board.firstVoteAt?.[m.model] ?? null;
    return {
      ...m,
      ...meta(m.model),
      plus: m.upper - m.rating,
      minus: m.rating - m.lower,
      firstVoteAt,
      isNew: firstVoteAt !== null && now - firstVoteAt < NEW_MODEL_DAYS * 86_400_000,
      sharedRank: m.provisional ? 1 : (band.get(`${m.component}|${m.rank}`) ?? 1),
      rankChange: baseRank && !m.provisional ? (before === undefined ? null : before - m.rank) : null,
    };
  });
}

/** Rows grouped by component (0 first), in board order within each. */
export function byComponent<R extends Pick<ModelRating, 'component'>>(rows: R[]): { component: number; rows: R[] }[] {
  const groups = new Map<number, R[]>();
  for (const r of rows) {
    let g = groups.get(r.component);
    if (!g) groups.set(r.component, (g = []));
    g.push(r);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([component, list]) => ({ component, rows: list }));
}

/**
 * Further battles between two models of the overall board that would separate them at 95 %
 * (0: already; null: different components, or battles between the two alone cannot), from the
 * covariance stored with the board; undefined when the board has none.
 */
export function battlesBetween(board: BoardResult, a: string, b: string): number | null | undefined {
  if (!board.covariance || !board.diagnostics || a === b) return undefined;
  if (!board.models.some((m) => m.model === a) || !board.models.some((m) => m.model === b)) return undefined;
  return separationBetween({ models: board.models, covariance: board.covariance, diagnostics: board.diagnostics }, a, b);
}

/**
 * What a board was fitted with, in sentences for the page (the API carries `diagnostics` itself):
 * the interval method and rounds, the estimator (and the fallback when there is no MLE), the
 * dispersion, components, provisional models and the order of online Elo.
 */
export function describeBoard(d: FitDiagnostics, untimedBattles = 0): { method: string; notes: string[] } {
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const model = d.model === 'davidson' ? 'Davidson tie model' : 'Bradley-Terry (a tie counts half a win)';
  let method: string;
  if (d.ci === 'profile') method = 'profile-likelihood intervals with a one-virtual-tie prior';
  else if (d.ci === 'laplace') method = 'intervals from the curvature of the penalised style-controlled fit';
  else if (d.ci === 'bootstrap') method = `bootstrap intervals, ${plural(d.bootstrapRounds, 'round')} (seed ${d.seed})`;
  else if (d.ci === 'sandwich') method = 'sandwich (robust) intervals';
  else method = 'no intervals';
  const notes: string[] = [];
  if (d.status.code !== 'ok') notes.push(`Not fitted: ${d.status.message}.`);
  else {
    notes.push(`${model}; ${method} at 95 %.`);
    const fallback = d.components.filter((c) => c.estimator === 'map-virtual-ties').map((c) => c.id + 1);
    if (fallback.length)
      notes.push(
        `No finite maximum-likelihood estimate in group${fallback.length === 1 ? '' : 's'} ${fallback.join(', ')} (a model never lost or never won): those ratings are the posterior mode with one virtual tie per model.`,
      );
    if (d.ci === 'bootstrap')
      notes.push(d.bootstrapFallbackRounds ? `${plural(d.bootstrapFallbackRounds, 'bootstrap resample')} had no MLE and used the virtual-tie fallback.` : 'No bootstrap resample needed the fallback.');
    if (d.dispersion) notes.push(`Dispersion of the scores ${d.dispersion.phi.toFixed(2)} (ties make a battle less variable than a coin toss).`);
    if (d.widenedIntervals) notes.push(`${plural(d.widenedIntervals, 'interval')} widened to contain its rating.`);
    if (d.components.length > 1)
      notes.push(`${d.components.length} groups of models that never met, directly or through others: each is rated and ranked on its own, and ratings of different groups are not comparable.`);
    notes.push(
      d.provisional.models
        ? `${plural(d.provisional.models, 'model')} with fewer than ${d.provisional.votes} votes ${d.provisional.models === 1 ? 'is' : 'are'} provisional: listed, not ranked.`
        : `Models with fewer than ${d.provisional.votes} votes would be provisional (listed, not ranked).`,
    );
  }
  notes.push(
    d.elo.order === 'file'
      ? `Online Elo (K = ${d.elo.k}) in vote-time order; ${plural(untimedBattles, 'imported battle')} without a timestamp ${untimedBattles === 1 ? 'is' : 'are'} taken in file order at the time of ${untimedBattles === 1 ? 'its' : 'their'} import.`
      : `Online Elo (K = ${d.elo.k}) in vote-time order, not anchored.`,
  );
  return { method, notes };
}

/** Rows left after the page's filters (the API applies the same ones to downloads). */
export function filterRows(rows: BoardRow[], f: RowFilters): BoardRow[] {
  return rows.filter((r) => rowMatches(r, f));
}

export interface HeadToHead {
  opponent: string;
  battles: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
  /** Decided win rate: wins over decided (non-tied) battles (decidedWinRate), null when all were ties. */
  winFraction: number | null;
  /** Win rate (ties half) over all battles between the two (winRateTiesHalf). */
  winRate: number;
  /** Further battles between the two that would separate them at 95 % (see battlesBetween). */
  toSeparate: number | null | undefined;
  /** Win probability the two ratings predict (null when the opponent is not on the board). */
  expected: number | null;
}

/** One model's record against every opponent it met on this board. */
export function headToHead(board: BoardResult, model: string): HeadToHead[] {
  if (!board.pairs) return [];
  const names = board.pairs.models;
  const rating = new Map(board.models.map((m) => [m.model, m.rating]));
  const own = rating.get(model);
  const out: HeadToHead[] = [];
  for (const [i, j, wi, wj, t, tb] of board.pairs.rows) {
    const mine = names[i] === model ? 'i' : names[j] === model ? 'j' : null;
    if (!mine) continue;
    const opponent = mine === 'i' ? names[j] : names[i];
    const wins = mine === 'i' ? wi : wj;
    const losses = mine === 'i' ? wj : wi;
    const theirs = rating.get(opponent);
    out.push({
      opponent,
      battles: wi + wj + t + tb,
      wins,
      losses,
      ties: t,
      bothBad: tb,
      winFraction: decidedWinRate({ wins, losses }),
      winRate: winRateTiesHalf({ wins, losses, ties: t + tb }),
      toSeparate: battlesBetween(board, model, opponent),
      expected: own !== undefined && theirs !== undefined ? 1 / (1 + 10 ** ((theirs - own) / 400)) : null,
    });
  }
  return out.sort((x, y) => y.battles - x.battles || x.opponent.localeCompare(y.opponent));
}

/**
 * CSV columns: those of `pairwise ratings --format csv` (so one reader takes both), then what
 * only the board knows: the "new" mark, the first vote and the registry facts.
 */
export const CSV_COLUMNS = [
  'rank',
  'model',
  'rating',
  'lower',
  'upper',
  'elo',
  'votes',
  'wins',
  'losses',
  'ties',
  'component',
  'provisional',
  'provisional_reason',
  'win_rate',
  'decided_win_rate',
  'separate_from',
  'battles_to_separate',
  'estimator',
  'ci',
  'ci_rounds',
  'bootstrap_fallback_rounds',
  'dispersion',
  'model_kind',
  'elo_order',
  'new',
  'first_vote',
  'organization',
  'license',
] as const;

function csvField(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The board as CSV: every model field, the fit's diagnostics on each row (as the command writes them), then the board's own. */
export function rowsToCsv(rows: BoardRow[], d?: FitDiagnostics): string {
  const estimatorOf = new Map(d?.components.map((c) => [c.id, c.estimator]) ?? []);
  const cell = (r: BoardRow, c: (typeof CSV_COLUMNS)[number]): string | number | boolean | null => {
    switch (c) {
      case 'provisional_reason':
        return r.provisionalReason;
      case 'win_rate':
        return r.winRate;
      case 'decided_win_rate':
        return r.decidedWinRate;
      case 'separate_from':
        return r.toSeparate?.model ?? null;
      case 'battles_to_separate':
        return r.toSeparate?.battles ?? null;
      case 'estimator':
        return d ? (d.point === 'penalised' ? 'shrunk' : (estimatorOf.get(r.component) ?? d.estimator)) : null;
      case 'ci':
        return d?.ci ?? null;
      case 'ci_rounds':
        return d?.bootstrapRounds ?? null;
      case 'bootstrap_fallback_rounds':
        return d?.bootstrapFallbackRounds ?? null;
      case 'dispersion':
        return d?.dispersion?.phi ?? null;
      case 'model_kind':
        return d?.model ?? null;
      case 'elo_order':
        return d ? (d.elo.order === 'time' ? 'tstamp' : 'file') : null;
      case 'new':
        return r.isNew;
      case 'first_vote':
        return r.firstVoteAt === null ? null : new Date(r.firstVoteAt).toISOString();
      default:
        return r[c];
    }
  };
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(cell(r, c))).join(','))].join('\n') + '\n';
}
