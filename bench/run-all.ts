/**
 * `npm run bench`: runs every benchmark script in turn and prints their figures. Each script is
 * standalone (`npx tsx bench/<name>.ts`) and writes its large inputs under bench/out/ (gitignored).
 * Pass names to run a subset: `npm run bench -- ratings`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['ratings', 'battle-latency', 'leaderboard-scale', 'console-scale', 'freshness', 'calibration', 'sampling', 'rigging', 'long-answer', 'load', 'postgres-copy', 'postgres-scale'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ALL;
const tsx = path.resolve('node_modules', '.bin', 'tsx');

let failed = 0;
for (const name of names) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark "${name}"; known: ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== bench/${name}.ts`);
  const started = Date.now();
  const res = spawnSync(tsx, [path.join('bench', `${name}.ts`)], { stdio: 'inherit' });
  console.log(`=== ${name}: ${res.status === 0 ? 'done' : `FAILED (exit ${res.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
