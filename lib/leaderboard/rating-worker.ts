import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../../db/index';
import { computeSnapshots } from './compute-snapshots';

/**
 * Worker-thread entry of the rating pass. It opens its own connection to the database (SQLite in
 * WAL mode lets it read and write snapshots while the app keeps serving and taking votes), runs
 * the pass, reports each stored board, and exits. (No top-level await: the bundled worker chunk
 * is not necessarily an ES module.)
 */
async function main(): Promise<void> {
  const { databasePath } = workerData as { databasePath: string };
  const db = openDb(databasePath);
  // The pass reads the whole store once: memory-mapped reads save a copy per page.
  db.$client.pragma('mmap_size = 1073741824');
  try {
    const summary = await computeSnapshots({
      db,
      onBoard: (board) => parentPort?.postMessage({ type: 'board', board }),
    });
    parentPort?.postMessage({ type: 'done', summary });
  } finally {
    db.$client.close();
  }
}

main().catch((err: unknown) => {
  // Rethrown asynchronously so the parent's 'error' handler receives it.
  setImmediate(() => {
    throw err;
  });
});
