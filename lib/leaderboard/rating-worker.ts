import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../../db/index';
import { storeExclusionCounts } from '../../db/queries/exclusions';
import { storeFullPassMark } from '../../db/queries/ratings-input';
import { readSettingRows } from '../../db/queries/settings';
import { runTrustPass } from '../integrity/trust-pass';
import { parseOperatorSettings } from '../settings/schema';
import { computeBoardsFromCounts, type CountsCache } from './count-boards';
import { computeSnapshots } from './compute-snapshots';
import type { WorkerData } from './refresher';
import { readBoard } from './read-board';

/**
 * Worker-thread entry of the rating passes (lib/leaderboard/refresher.ts). The full pass (mode
 * 'full', the default) opens its own connection to the database (SQLite in WAL mode lets it read
 * and write snapshots while the app keeps serving and taking votes), runs
 * the pass, reports each stored board, scores the voters' trust and reports the pass done; then
 * fits the rating history by vote time (the slow part the first time a long store is rated),
 * reports it, and exits. The boards are served while the history is still being fitted. (No
 * top-level await: the bundled worker chunk is not necessarily an ES module.)
 */
async function main(): Promise<void> {
  const { databasePath, mode } = workerData as WorkerData;
  if (mode === 'counts') return countsLoop(databasePath);
  const db = openDb(databasePath);
  // The pass reads the whole store once: memory-mapped reads save a copy per page.
  db.$client.pragma('mmap_size = 1073741824');
  try {
    const { integrity, board } = parseOperatorSettings(await readSettingRows({ db }));
    const { completeHistory, ...summary } = await computeSnapshots({
      db,
      influence: { perVoter: integrity.voterCap, perVoterModel: integrity.voterModelCap },
      provisionalVotes: board.provisionalVotes,
      deferHistory: true,
      onBoard: (board) => parentPort?.postMessage({ type: 'board', board }),
    });
    // Trust scores under the ratings just computed; a change of exclusions makes the next pass.
    const overall = await readBoard({ db, category: 'overall', styleControl: false });
    const ratings = new Map((overall?.result.models ?? []).map((m) => [m.model, m.rating]));
    const trust = await runTrustPass(db, ratings, integrity.trustScoring);
    await storeExclusionCounts({ db });
    await storeFullPassMark({ db, input: summary.input });
    parentPort?.postMessage({ type: 'done', summary: { ...summary, trust } });
    const history = await completeHistory?.();
    parentPort?.postMessage({ type: 'history', history });
  } finally {
    db.$client.close();
  }
}

/**
 * The fast pass's worker (mode 'counts'): it stays up, and on each `{ type: 'pass' }` folds the new
 * votes into the stored counts and fits the plain boards from them (count-boards.ts), then answers
 * `{ type: 'counts-done', summary }` (or `{ type: 'counts-failed', error }`). Its connection and
 * the counts it last wrote stay in memory between passes.
 */
async function countsLoop(databasePath: string): Promise<void> {
  const db = openDb(databasePath);
  const cache: CountsCache = {};
  parentPort?.on('message', (msg: { type: string }) => {
    if (msg.type !== 'pass') return;
    void (async () => {
      try {
        const { integrity, board } = parseOperatorSettings(await readSettingRows({ db }));
        const summary = await computeBoardsFromCounts({
          db,
          influence: { perVoter: integrity.voterCap, perVoterModel: integrity.voterModelCap },
          provisionalVotes: board.provisionalVotes,
          cache,
        });
        parentPort?.postMessage({ type: 'counts-done', summary });
      } catch (err) {
        cache.state = undefined;
        parentPort?.postMessage({ type: 'counts-failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
  parentPort?.postMessage({ type: 'ready' });
}

main().catch((err: unknown) => {
  // Rethrown asynchronously so the parent's 'error' handler receives it.
  setImmediate(() => {
    throw err;
  });
});
