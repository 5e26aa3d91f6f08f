import type { ModelRating } from '../rating';
import type { BoardResult } from './board-types';

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
  /** Wins plus half the ties, over all battles. */
  winRate: number;
  /**
   * Under style control: rank without style control minus rank with it (positive = moved up);
   * null when the model has no rank on the other board.
   */
  rankChange: number | null;
}

export function buildRows(board: BoardResult, meta: (id: string) => ModelMeta, baseline?: BoardResult | null): BoardRow[] {
  const baseRank = baseline ? new Map(baseline.models.map((m) => [m.model, m.rank])) : null;
  return board.models.map((m) => {
    const before = baseRank?.get(m.model);
    return {
      ...m,
      ...meta(m.model),
      plus: m.upper - m.rating,
      minus: m.rating - m.lower,
      winRate: m.votes > 0 ? (m.wins + m.ties / 2) / m.votes : 0,
      rankChange: baseRank ? (before === undefined ? null : before - m.rank) : null,
    };
  });
}

/** Rows left after the page's filters (the API applies the same ones to downloads). */
export function filterRows(rows: BoardRow[], f: { minVotes?: number; includeDeprecated?: boolean; search?: string }): BoardRow[] {
  const q = f.search?.trim().toLowerCase();
  return rows.filter(
    (r) =>
      r.votes >= (f.minVotes ?? 0) &&
      (f.includeDeprecated || !r.deprecated) &&
      (!q || r.model.toLowerCase().includes(q) || r.name.toLowerCase().includes(q) || r.organization.toLowerCase().includes(q)),
  );
}

export interface Heatmap {
  models: string[];
  /** winFraction[i][j]: share of non-tied battles between i and j that i won (null: none). */
  winFraction: (number | null)[][];
  /** battles[i][j]: battles between i and j, ties included. */
  battles: number[][];
}

/** Both heatmaps for the given models (in that order), from the board's pair tallies. */
export function heatmaps(board: BoardResult, models: string[]): Heatmap | null {
  if (!board.pairs) return null;
  const pos = new Map(models.map((m, k) => [m, k]));
  const n = models.length;
  const wins = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const battles = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const names = board.pairs.models;
  for (const [i, j, wi, wj, t, tb] of board.pairs.rows) {
    const a = pos.get(names[i]);
    const b = pos.get(names[j]);
    if (a === undefined || b === undefined) continue;
    wins[a][b] += wi;
    wins[b][a] += wj;
    battles[a][b] += wi + wj + t + tb;
    battles[b][a] += wi + wj + t + tb;
  }
  const winFraction = wins.map((row, a) =>
    row.map((w, b) => {
      const decided = w + wins[b][a];
      return a === b || decided === 0 ? null : w / decided;
    }),
  );
  return { models, winFraction, battles };
}

/**
 * Each model's predicted win rate against every other model on the board, averaged as if
 * opponents were drawn uniformly and ties did not happen (Chatbot Arena's chart of the same name).
 */
export function averageWinRates(models: Pick<ModelRating, 'model' | 'rating'>[]): { model: string; winRate: number }[] {
  if (models.length < 2) return [];
  return models
    .map((m) => {
      let sum = 0;
      for (const o of models) if (o !== m) sum += 1 / (1 + 10 ** ((o.rating - m.rating) / 400));
      return { model: m.model, winRate: sum / (models.length - 1) };
    })
    .sort((x, y) => y.winRate - x.winRate);
}

export interface HeadToHead {
  opponent: string;
  battles: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
  /** Wins over decided (non-tied) battles, null when all were ties. */
  winFraction: number | null;
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
      winFraction: wins + losses > 0 ? wins / (wins + losses) : null,
      expected: own !== undefined && theirs !== undefined ? 1 / (1 + 10 ** ((theirs - own) / 400)) : null,
    });
  }
  return out.sort((x, y) => y.battles - x.battles || x.opponent.localeCompare(y.opponent));
}

const CSV_COLUMNS = ['rank', 'model', 'rating', 'lower', 'upper', 'elo', 'votes', 'wins', 'losses', 'ties', 'win_rate', 'organization', 'license'] as const;

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The board as CSV: the JSON fields of each model, then win rate and registry facts. */
export function rowsToCsv(rows: BoardRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.rank, r.model, r.rating, r.lower, r.upper, r.elo, r.votes, r.wins, r.losses, r.ties, r.winRate, r.organization, r.license]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
