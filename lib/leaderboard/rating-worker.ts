import { parentPort, workerData } from 'node:worker_threads';
import { announceBoards, withRatingPassLock } from '../../db/coordination';
import { storeExclusionCounts } from '../../db/queries/exclusions';
import { ratingsInputStamp, readFullPassMark, sameStamp, storeFullPassMark } from '../../db/queries/ratings-input';
import { readSettingRows } from '../../db/queries/settings';
import { closeStore, openStoreAt } from '../../db/store';
import { runTrustPass } from '../integrity/trust-pass';
import { influenceCapsOf, parseOperatorSettings } from '../settings/schema';
import { computeBoardsFromCounts, warmCountsCache, type CountsCache } from './count-boards';
import { computeSnapshots, type ComputeSummary } from './compute-snapshots';
import type { WorkerData } from './refresher';
import { readBoard } from './read-board';

/**
 * Worker-thread entry of the rating passes (lib/leaderboard/refresher.ts). The full pass (mode
 * 'full', the default) opens its own connection to the store (SQLite in WAL mode lets it read
 * and write snapshots while the app keeps serving and taking votes), runs the pass, reports each
 * stored board, scores the voters' trust and reports the pass done; then fits the rating history
 * by vote time (the slow part the first time a long store is rated), reports it, and exits. The
 * boards are served while the history is still being fitted. (No top-level await: the bundled
 * worker chunk is not necessarily an ES module.)
 *
 * On Postgres, several processes may share the store: each pass holds the database's lock for its
 * kind of pass (db/coordination.ts), so one of each kind runs at a time; a full pass that finds the last full pass's
 * mark already at the store's input has nothing to do and says so; every pass that stored
 * boards announces them to the other processes.
 */
async function main(): Promise<void> {
  const { location, mode } = workerData as WorkerData;
  if (mode === 'counts') return countsLoop(location);
  const db = await openStoreAt(location, { scan: true });
  try {
    await withRatingPassLock(db, 'full', async () => {
      const started = performance.now();
      const input = await ratingsInputStamp({ db });
      const mark = await readFullPassMark({ db });
      if (mark && sameStamp(mark, input)) {
        // Another process's pass counted exactly this while this one waited for the lock.
        const summary: ComputeSummary = { upToVoteId: input.voteId, input, battles: 0, boards: [], readMs: 0, fitMs: 0 };
        parentPort?.postMessage({ type: 'done', summary: { ...summary, skipped: true } });
        return;
      }
      const { integrity, board } = parseOperatorSettings(await readSettingRows({ db }));
      const { completeHistory, ...summary } = await computeSnapshots({
        db,
        influence: influenceCapsOf(integrity),
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
      await announceBoards(db, { pass: 'full', input: summary.input, ms: performance.now() - started });
      parentPort?.postMessage({ type: 'done', summary: { ...summary, trust } });
      const history = await completeHistory?.();
      parentPort?.postMessage({ type: 'history', history });
    });
  } finally {
    await closeStore(db);
  }
}

/**
 * The fast pass's worker (mode 'counts'): it stays up, and on each `{ type: 'pass' }` folds the new
 * votes into the stored counts and fits the plain boards from them (count-boards.ts), then answers
 * `{ type: 'counts-done', summary }` (or `{ type: 'counts-failed', error }`). Its connection and
 * the counts it last wrote stay in memory between passes.
 */
async function countsLoop(location: string): Promise<void> {
  const db = await openStoreAt(location);
  const cache: CountsCache = {};
  parentPort?.on('message', (msg: { type: string }) => {
    if (msg.type !== 'pass') return;
    void (async () => {
      try {
        // The settings inside the lock: a change an admin made while another process held it is
        // then seen here, not folded and fitted under the rules from before it.
        const { summary, influence } = await withRatingPassLock(db, 'counts', async () => {
          const { integrity, board } = parseOperatorSettings(await readSettingRows({ db }));
          const influence = influenceCapsOf(integrity);
          return { influence, summary: await computeBoardsFromCounts({ db, influence, provisionalVotes: board.provisionalVotes, cache }) };
        });
        await announceBoards(db, { pass: 'counts', input: summary.input });
        parentPort?.postMessage({ type: 'counts-done', summary });
        // After a pass with nothing to do (a start beside other processes), have the counts at
        // hand; should reading them fail, the next pass reads them itself.
        if (!cache.state) void warmCountsCache({ db, caps: influence, cache }).catch(() => {});
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
