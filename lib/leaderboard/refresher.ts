import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { databasePath, getDb } from '../../db/index';
import { latestSnapshot } from '../../db/queries/leaderboard';
import { ratingsInputStamp, sameStamp, type RatingsInputStamp } from '../../db/queries/ratings-input';
import type { ComputeSummary } from './compute-snapshots';
import type { SnapshotParams } from './board-types';

/**
 * Keeps the stored leaderboards fresh without ever computing on a request. A cheap poll
 * (the highest vote id, an index lookup) notices new votes or an import; once votes have stopped
 * arriving for DEBOUNCE_MS (or have kept coming for MAX_WAIT_MS), one rating pass runs in a worker
 * thread and stores new snapshots. Pages and the API only ever read the newest snapshot.
 *
 * The worker runs the compiled entry when the server starts the refresher: instrumentation.ts
 * passes `startWorker` with `new URL('./lib/leaderboard/rating-worker.ts', import.meta.url)`,
 * which Next's bundler (Turbopack) recognises and emits as a separate server chunk, so it works in
 * `next build && npm start` without a loader (checked by e2e/leaderboard.spec.ts). The reference
 * lives there and not here because pages import this module too, and in the page bundle the
 * bundler would also copy the worker's source into the public static files. Without
 * `startWorker` (unit tests, scripts under tsx) the worker loads the .ts file through tsx.
 */

export const POLL_MS = 1_000;
export const DEBOUNCE_MS = 1_000;
export const MAX_WAIT_MS = 5_000;
const RETRY_AFTER_FAILURE_MS = 30_000;

export interface RefresherStatus {
  running: boolean;
  /** What the stored boards counted (null until known). */
  computedThrough: RatingsInputStamp | null;
  /** What the store holds now. */
  latest: RatingsInputStamp;
  /** Whether the stored boards count exactly what the store holds. */
  current: boolean;
  lastRun: { finishedAt: number; ms: number; battles: number; error?: string } | null;
}

class Refresher {
  constructor(private readonly startWorker: StartWorker) {}

  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private computedThrough: RatingsInputStamp | null = null;
  private seen: RatingsInputStamp | null = null;
  private changedAt = 0;
  private pendingSince = 0;
  private retryAt = 0;
  private lastRun: RefresherStatus['lastRun'] = null;
  private waiters: (() => void)[] = [];
  private boardsStored = false;

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
    void this.tick();
  }

  status(): RefresherStatus {
    return {
      // The boards are out once the worker reports them; it may still be fitting the history.
      running: this.running !== null && !this.boardsStored,
      computedThrough: this.computedThrough,
      latest: this.seen ?? { voteId: 0, version: 0 },
      current: this.isCurrent(),
      lastRun: this.lastRun,
    };
  }

  /** Resolves when no pass is running or pending (or after timeoutMs). */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.tick();
      if (this.isCurrent() && (!this.running || this.boardsStored)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Whether the stored boards count exactly the votes there are: the same highest vote id (new
   * votes) and the same count of changes to counted votes (exclusions, restores, removed imports).
   */
  private isCurrent(): boolean {
    return this.seen !== null && (this.seen.voteId === 0 || sameStamp(this.computedThrough, this.seen));
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    let stamp: RatingsInputStamp;
    try {
      stamp = await ratingsInputStamp();
      if (this.computedThrough === null) this.computedThrough = await storedThrough();
    } catch (err) {
      console.error('[leaderboard] cannot read the vote store:', err);
      return;
    }
    if (!sameStamp(stamp, this.seen)) {
      // The first sighting after start-up is not a burst of votes: no reason to wait.
      if (this.seen !== null) {
        this.changedAt = now;
        if (!this.pendingSince) this.pendingSince = now;
      }
      this.seen = stamp;
    }
    if (this.isCurrent()) {
      this.pendingSince = 0;
      return;
    }
    // One pass at a time (the worker may still be fitting the history of the last one).
    if (this.running) return;
    if (now < this.retryAt) return;
    // Passes over a large store take seconds: keep at least twice that between two of them, so a
    // steady stream of votes (or an import into the running app) never keeps a core busy.
    if (this.lastRun && now < this.lastRun.finishedAt + 2 * this.lastRun.ms) return;
    const quiet = now - this.changedAt >= DEBOUNCE_MS;
    const waitedEnough = this.pendingSince > 0 && now - this.pendingSince >= MAX_WAIT_MS;
    if (!quiet && !waitedEnough) return;
    this.pendingSince = 0;
    this.running = this.runPass().finally(() => {
      this.running = null;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private async runPass(): Promise<void> {
    const started = Date.now();
    this.boardsStored = false;
    try {
      // Pacing counts the boards' part of the pass; the history that follows keeps the worker
      // busy (no new pass starts before it exits) but does not hold the boards back.
      const boardsDone = (summary: ComputeSummary) => {
        this.computedThrough = summary.input;
        this.boardsStored = true;
        this.lastRun = { finishedAt: Date.now(), ms: Date.now() - started, battles: summary.battles };
        this.retryAt = 0;
        for (const w of this.waiters.splice(0)) w();
      };
      const summary = await runInWorker(databasePath(), this.startWorker, boardsDone);
      if (!this.boardsStored) boardsDone(summary);
    } catch (err) {
      console.error('[leaderboard] rating pass failed:', err);
      this.lastRun = { finishedAt: Date.now(), ms: Date.now() - started, battles: 0, error: String(err) };
      this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
    }
  }
}

/** What the stored overall board counted, from its parameters. */
async function storedThrough(): Promise<RatingsInputStamp | null> {
  const snap = await latestSnapshot({ category: 'overall', styleControl: false });
  if (!snap) return null;
  try {
    const p = JSON.parse(snap.params) as SnapshotParams;
    return typeof p.upToVoteId === 'number' ? { voteId: p.upToVoteId, version: p.inputVersion ?? 0 } : null;
  } catch {
    return null;
  }
}

/** Starts the rating worker with its data (the database path). */
export type StartWorker = (workerData: { databasePath: string }) => Worker;

/** The worker from its TypeScript source, through tsx (outside the app's bundle). */
export const startTsxWorker: StartWorker = (workerData) => {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const entry = pathToFileURL(path.join(/* turbopackIgnore: true */ dir, 'rating-worker.ts')).href;
  return new Worker(tsxBootstrap(entry), { eval: true, workerData });
};

/**
 * Runs one pass in a worker thread; resolves when the worker exits, with the summary (and the
 * history's, once fitted). `onBoards` is called as soon as the boards are stored.
 */
export function runInWorker(
  file: string,
  startWorker: StartWorker = startTsxWorker,
  onBoards?: (summary: ComputeSummary) => void,
): Promise<ComputeSummary> {
  const worker = startWorker({ databasePath: file });
  return new Promise((resolve, reject) => {
    let summary: ComputeSummary | null = null;
    worker.on('message', (msg: { type: string; summary?: ComputeSummary; history?: ComputeSummary['history'] }) => {
      if (msg.type === 'done' && msg.summary) {
        summary = msg.summary;
        onBoards?.(msg.summary);
      }
      if (msg.type === 'history' && summary) summary.history = msg.history;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (summary) resolve(summary);
      else reject(new Error(`rating worker exited with code ${code} before finishing`));
    });
  });
}

/** A worker script that loads a TypeScript entry through tsx (Node 20 ignores --import in workers). */
function tsxBootstrap(entryUrl: string): string {
  return `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(entryUrl)}, ${JSON.stringify(entryUrl)}));`;
}

const globalForRefresher = globalThis as unknown as { __pairwiseRefresher?: Refresher };

/**
 * The process's refresher, started on first use (at server start-up by instrumentation, which
 * passes the bundled worker; see above).
 */
export function ratingsRefresher(options: { startWorker?: StartWorker } = {}): Refresher {
  if (!globalForRefresher.__pairwiseRefresher) {
    getDb();
    globalForRefresher.__pairwiseRefresher = new Refresher(options.startWorker ?? startTsxWorker);
    globalForRefresher.__pairwiseRefresher.start();
  }
  return globalForRefresher.__pairwiseRefresher;
}
