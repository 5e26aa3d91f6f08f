import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSharedData } from '../shared-data';
import { BattleAggregator, computeRatings, type Winner } from './index';

/**
 * The exact, independent oracle: Evalica's own test fixtures (shared/data/preferences/
 * evalica-llmfao, see its SOURCE.md). Golden Elo is an online replay in file order (K = 4, start
 * 1000, base 10, scale 400, ties 0.5); golden Bradley-Terry scores are strengths p normalised to
 * sum 1, so on the Elo scale a model's rating is 400·log10(p) up to a constant — we centre both
 * on mean 1000 and compare in Elo points.
 *
 * Evalica fits BT by MM (Zermelo) iterations stopped at tolerance 1e-6 or 100 iterations, while
 * we solve the likelihood equations exactly (Newton, gradient < 1e-9). The two agree only as
 * far as the MM iterate had converged; on these data sets it had (the golden values sit within
 * ~1e-11 Elo points of the exact MLE), so the 1e-3-point bound checks real agreement. The
 * exactness of our optimum is checked separately against MM run to convergence.
 */
const DIR = 'preferences/evalica-llmfao';

interface Comparison {
  left: string;
  right: string;
  winner: Winner;
}

function readComparisons(file: string): Comparison[] {
  const lines = fs.readFileSync(requireSharedData(path.join(DIR, file)), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const li = header.indexOf('left');
  const ri = header.indexOf('right');
  const wi = header.indexOf('winner');
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    const w = c[wi];
    return { left: c[li], right: c[ri], winner: w === 'left' ? 'model_a' : w === 'right' ? 'model_b' : 'tie' };
  });
}

function readGolden(file: string, algorithm: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of fs.readFileSync(requireSharedData(path.join(DIR, file)), 'utf8').trim().split('\n').slice(1)) {
    const first = line.indexOf(',');
    const last = line.lastIndexOf(',');
    if (line.slice(0, first) === algorithm) out.set(line.slice(first + 1, last), Number(line.slice(last + 1)));
  }
  return out;
}

function aggregate(rows: Comparison[]): BattleAggregator {
  const agg = new BattleAggregator();
  for (const r of rows) agg.add(r.left, r.right, r.winner);
  return agg;
}

/** Golden normalised BT strengths to Elo points with mean 1000. */
function goldenElo(golden: Map<string, number>): Map<string, number> {
  const logs = [...golden].map(([k, p]) => [k, 400 * Math.log10(p)] as const);
  const mean = logs.reduce((s, [, v]) => s + v, 0) / logs.length;
  return new Map(logs.map(([k, v]) => [k, v - mean + 1000]));
}

/** Hunter's MM for Bradley-Terry with ties as half wins, run to a fixed point. */
function mmToConvergence(rows: Comparison[]): Map<string, number> {
  const names = [...new Set(rows.flatMap((r) => [r.left, r.right]))];
  const idx = new Map(names.map((n, k) => [n, k]));
  const m = names.length;
  const wins = new Float64Array(m);
  const games = Array.from({ length: m }, () => new Float64Array(m));
  for (const r of rows) {
    const a = idx.get(r.left)!;
    const b = idx.get(r.right)!;
    const s = r.winner === 'model_a' ? 1 : r.winner === 'model_b' ? 0 : 0.5;
    wins[a] += s;
    wins[b] += 1 - s;
    games[a][b]++;
    games[b][a]++;
  }
  let p = new Float64Array(m).fill(1 / m);
  for (let it = 0; it < 100_000; it++) {
    const next = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let d = 0;
      for (let j = 0; j < m; j++) if (games[i][j]) d += games[i][j] / (p[i] + p[j]);
      next[i] = wins[i] / d;
    }
    const sum = next.reduce((s, x) => s + x, 0);
    let change = 0;
    for (let i = 0; i < m; i++) {
      next[i] /= sum;
      change = Math.max(change, Math.abs(next[i] - p[i]));
    }
    p = next;
    if (change < 1e-16) break;
  }
  return goldenElo(new Map(names.map((n, k) => [n, p[k]])));
}

describe.each(['llmfao', 'food', 'simple'])('Evalica oracle: %s', (name) => {
  const rows = readComparisons(`${name}.csv`);
  const agg = aggregate(rows);
  const result = computeRatings(agg);

  it('reads every comparison', () => {
    expect(agg.battleCount).toBe(rows.length);
    if (name === 'llmfao') expect(rows.length).toBe(8931);
  });

  it('online Elo in file order equals the golden values within 1e-6', () => {
    const golden = readGolden(`${name}-golden.csv`, 'elo');
    expect(result.models.length).toBe(golden.size);
    let worst = 0;
    for (const m of result.models) worst = Math.max(worst, Math.abs(m.elo - golden.get(m.model)!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('Bradley-Terry equals the golden normalised scores within 1e-3 Elo points', () => {
    const golden = goldenElo(readGolden(`${name}-golden.csv`, 'bradley_terry'));
    expect(result.diagnostics.estimator).toBe('mle');
    expect(result.diagnostics.gradientNorm).toBeLessThan(1e-9);
    let worst = 0;
    for (const m of result.models) worst = Math.max(worst, Math.abs(m.rating - golden.get(m.model)!));
    expect(worst).toBeLessThan(1e-3);
  });

  it('is the fixed point of MM iterated to convergence (within 1e-6 Elo points)', () => {
    const mm = mmToConvergence(rows);
    let worst = 0;
    for (const m of result.models) worst = Math.max(worst, Math.abs(m.rating - mm.get(m.model)!));
    expect(worst).toBeLessThan(1e-6);
  });
});
