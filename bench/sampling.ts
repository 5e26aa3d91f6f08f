/**
 * Active against uniform sampling: how many votes until every model's 95 % interval is at most
 * TARGET Elo points wide, when each battle's pair is drawn by the active policy
 * (lib/battle/sampling.ts, after Chiang et al. 2024, eq. 9) or by the uniform rule (samplePair),
 * with the operator weights of the registry in both.
 *
 *   npm run bench -- sampling        (BENCH_RUNS=N runs per policy, default 40)
 *
 * The arena is simulated: the 14 models and outcomes of bench/lib/calibration-study.ts (±300
 * Elo points, 30 % ties between equals). Votes arrive one at a time; every CHECK votes the board
 * is refitted with the engine's default intervals and the active policy sees the new ratings,
 * vote counts and dispersion (as the app's refresher would give it). A run stops at the first
 * check where every interval is narrow enough. Target: active needs at least 20 % fewer votes.
 * Exit code 0 whatever the figures.
 */
import os from 'node:os';
import { pairKey, sampleActivePair, samplePair, type Candidate, type SamplingState } from '../lib/battle/sampling';
import { BattleAggregator, computeRatings } from '../lib/rating';
import { Rng } from '../lib/rating/random';
import { MODEL_NAMES, makeDesign, outcomeProbabilities } from './lib/calibration-study';

const RUNS = Math.max(4, Number(process.env.BENCH_RUNS ?? 40));
const TARGET = 100;
const CHECK = 25;
const MAX_VOTES = 20_000;

type Policy = 'uniform' | 'active' | 'eq9';
const POLICIES: Policy[] = ['uniform', 'active', 'eq9'];
const LABEL: Record<Policy, string> = { uniform: 'uniform (samplePair)', active: 'active (default: widest rating intervals)', eq9: "active, eq. 9 literally (each pair's own interval)" };

function run(policy: Policy, candidates: Candidate[], seed: number): number {
  const design = makeDesign();
  const index = new Map(MODEL_NAMES.map((n, k) => [n, k]));
  const rng = new Rng(seed, 0);
  const u = () => rng.nextDouble();
  const agg = new BattleAggregator();
  const pairBattles = new Map<string, number>();
  const state: SamplingState = { models: new Map(), pairBattles, dispersion: 1 };
  for (let votes = 1; votes <= MAX_VOTES; votes++) {
    const pair = policy === 'uniform' ? samplePair(candidates, u) : sampleActivePair(candidates, state, u, { gain: policy === 'eq9' ? 'pair' : 'ratings' });
    const i = index.get(pair.a)!;
    const j = index.get(pair.b)!;
    const o = outcomeProbabilities(design, design.truth[i] - design.truth[j]);
    const x = u();
    agg.add(pair.a, pair.b, x < o.win ? 'model_a' : x < o.win + o.tie ? 'tie' : 'model_b');
    const key = pairKey(pair.a, pair.b);
    pairBattles.set(key, (pairBattles.get(key) ?? 0) + 1);
    if (votes % CHECK !== 0) continue;
    const r = computeRatings(agg, { matrices: false });
    const all = r.models.length === candidates.length && r.diagnostics.components.length === 1;
    if (all && r.models.every((m) => m.upper - m.lower <= TARGET)) return votes;
    state.models = new Map(r.models.map((m) => [m.model, { rating: m.rating, votes: m.votes }]));
    state.dispersion = r.diagnostics.dispersion?.phi ?? 1;
  }
  return MAX_VOTES;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function main(): void {
  const [l1] = os.loadavg();
  console.log(`bench/sampling: node ${process.version}, load average ${l1.toFixed(1)}; ${RUNS} runs per policy and scenario`);
  console.log(`votes until every model's 95 % interval is at most ${TARGET} Elo points wide (checked every ${CHECK} votes)\n`);
  const started = performance.now();
  const scenarios: { name: string; weights: number[] }[] = [
    { name: 'equal operator weights', weights: MODEL_NAMES.map(() => 1) },
    // an operator who favours some models: the uniform rule then starves the others
    { name: 'uneven operator weights (1 to 4)', weights: MODEL_NAMES.map((_, k) => 1 + (k % 4)) },
  ];
  const rows = [['scenario', 'policy', 'median votes', 'mean votes', 'runs', 'fewer votes than uniform', 'target']];
  const failures: string[] = [];
  for (const [s, scenario] of scenarios.entries()) {
    const candidates = MODEL_NAMES.map((id, k) => ({ id, weight: scenario.weights[k] }));
    const results: Record<Policy, number[]> = { uniform: [], active: [], eq9: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const policy of POLICIES) results[policy].push(run(policy, candidates, 1000 * (s + 1) + r));
    }
    for (const policy of POLICIES) {
      const v = results[policy];
      const saving = 1 - mean(v) / mean(results.uniform);
      rows.push([
        scenario.name,
        LABEL[policy],
        median(v).toFixed(0),
        mean(v).toFixed(0),
        String(v.length),
        policy === 'uniform' ? '' : `${(100 * saving).toFixed(1)} %`,
        policy === 'active' ? (saving >= 0.2 ? 'ok (>= 20 %)' : 'MISSED (< 20 %)') : '',
      ]);
      if (policy === 'active' && saving < 0.2) failures.push(`${scenario.name}: active saves ${(100 * saving).toFixed(1)} %`);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n'));
  console.log(`\n${failures.length ? `Target not met: ${failures.join('; ')}` : 'Target met in every scenario.'}`);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main();
