import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { listenForBoards, ratingPassRunning, type BoardsNews } from '../../db/coordination';
import { appStoreLocation, getStore } from '../../db/store';
import { latestSnapshotHead } from '../../db/queries/leaderboard';
import { ratingsInputStamp, readFullPassMark, sameStamp, type RatingsInputStamp } from '../../db/queries/ratings-input';
import type { CountBoardsSummary } from './count-boards';
import type { ComputeSummary } from './compute-snapshots';
import type { SnapshotParams } from './board-types';

/**
 * Keeps the stored leaderboards fresh without ever computing on a request. A cheap poll (the
 * highest vote id and the input version, two index lookups) notices new votes, changes to counted
 * votes and imports. Two passes follow, each in a worker thread:
 *
 * - The counts pass (count-boards.ts), for every change, at once but not sooner than COUNTS_GAP_MS
 *   after the last one ended: folds the votes newer than the stored counts' cursor into the counts
 *   (pair-counts.ts; a change to counted votes rebuilds them), then refits the plain boards whose
 *   counts changed, O(pairs) each. Its worker stays up between passes. A vote is on the board
 *   within a second or two, whatever the store's size. The gap batches a stream of votes: run back
 *   to back, a pass every few votes kept a core busy and its writes kept the votes waiting.
 * - The full pass (compute-snapshots.ts), once votes have stopped arriving for DEBOUNCE_MS (or
 *   have kept coming for MAX_WAIT_MS), and at most a fifth of the time: reads every battle again
 *   for what needs the battles themselves (style-controlled boards, the rating history by vote
 *   time, the trust pass, the exclusion counts). These lag behind the plain boards, and the page
 *   and the API say so (load-board.ts). Its plain boards are only stored where the counts pass
 *   has not already stored the same or a later input (saveSnapshots).
 *
 * What is per process and what is shared. Shared through the database: the votes, the counts and
 * their cursor (`pair_counts.state`: a fold writes only if the cursor is still the one it read,
 * so two processes folding at once cannot double-count), the snapshots (a board never replaces
 * one that counted more), the input version, the full pass's mark (`ratings.full`) and the
 * exclusion counts. Per process: this refresher (its timer, which pass is running, what each pass
 * last stored and when to retry), the counts worker's connection and its in-memory copy of the
 * counts it last wrote (read again whenever the stored cursor moved), and the parsed boards cached
 * by read-board.ts (keyed by snapshot id, so never stale).
 *
 * Several processes on one Postgres store (db/coordination.ts): every pass holds the database's
 * rating-pass lock, so one runs at a time, and announces what its boards count (NOTIFY); each
 * refresher listens, and a pass another process has done is not run again here. A full pass is
 * not started while another process holds its lock (the news follows); one started at the same
 * moment waits for the lock and then finds nothing to do, as does a counts pass that started
 * before the news arrived. The full pass's news says how long it took, and every process keeps
 * the spacing after it, as after its own.
 *
 * A full pass does not start while a counts pass runs: at start-up the first board comes from the
 * counts (seconds, even on millions of votes), and the full pass would share the cores with it.
 *
 * The workers run the compiled entry when the server starts the refresher: instrumentation.ts
 * passes `startWorker` with `new URL('./lib/leaderboard/rating-worker.ts', import.meta.url)`,
 * which Next's bundler (Turbopack) recognises and emits as a separate server chunk, so it works in
 * `next build && npm start` without a loader (checked by e2e/leaderboard.spec.ts). The reference
 * lives there and not here because pages import this module too, and in the page bundle the
 * bundler would also copy the worker's source into the public static files. Without
 * `startWorker` (unit tests, scripts under tsx) the worker loads the .ts file through tsx.
 */

export const POLL_MS = 200;
export const DEBOUNCE_MS = 1_000;
export const MAX_WAIT_MS = 5_000;
const RETRY_AFTER_FAILURE_MS = 30_000;
const COUNTS_RETRY_MS = 5_000;
/** Least time from the end of one counts pass to the start of the next. */
export const COUNTS_GAP_MS = 200;
/** A full pass runs at most 1 / (1 + this) of the time. */
const FULL_PASS_SPACING = 4;

export interface RefresherStatus {
  running: boolean;
  /** What the stored boards counted (null until known): the full pass's. */
  computedThrough: RatingsInputStamp | null;
  /** What the plain boards fitted from the counts hold (null until known). */
  countsThrough: RatingsInputStamp | null;
  /** What the store holds now. */
  latest: RatingsInputStamp;
  /** Whether the stored boards count exactly what the store holds. */
  current: boolean;
  lastRun: { finishedAt: number; ms: number; battles: number; error?: string } | null;
  lastCounts: { finishedAt: number; ms: number; fitted: number; folded: number; rebuilt: boolean; error?: string } | null;
}

class Refresher {
  constructor(private readonly startWorker: StartWorker) {}

  private timer: NodeJS.Timeout | null = null;
  private startedAt = Date.now();
  private running: Promise<void> | null = null;
  private computedThrough: RatingsInputStamp | null = null;
  private seen: RatingsInputStamp | null = null;
  private changedAt = 0;
  private pendingSince = 0;
  private retryAt = 0;
  private lastRun: RefresherStatus['lastRun'] = null;
  /** The last full pass another process (or this one) announced: full passes are paced by it too. */
  private heardFullPass: { finishedAt: number; ms: number } | null = null;
  private waiters: (() => void)[] = [];
  private boardsStored = false;
  // The counts pass.
  private counts: Worker | null = null;
  private countsRunning = false;
  private countsThrough: RatingsInputStamp | null = null;
  private countsRetryAt = 0;
  private countsNotBefore = 0;
  private lastCounts: RefresherStatus['lastCounts'] = null;
  private ticking = false;

  /** Another process stored boards that count `news.input`: this one need not run that pass. */
  heard(news: BoardsNews): void {
    const newer = (a: RatingsInputStamp | null) => a === null || (news.input.voteId >= a.voteId && news.input.version >= a.version);
    if (news.pass === 'counts' && newer(this.countsThrough)) this.countsThrough = news.input;
    if (news.pass === 'full' && newer(this.computedThrough)) this.computedThrough = news.input;
    if (news.pass === 'full' && news.ms !== undefined) this.heardFullPass = { finishedAt: Date.now(), ms: news.ms };
    this.wake();
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = Date.now();
    this.timer = setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
    void this.tick();
  }

  status(): RefresherStatus {
    return {
      // The boards are out once the worker reports them; it may still be fitting the history.
      running: (this.running !== null && !this.boardsStored) || this.countsRunning,
      computedThrough: this.computedThrough,
      countsThrough: this.countsThrough,
      latest: this.seen ?? { voteId: 0, version: 0 },
      current: this.isCurrent(),
      lastRun: this.lastRun,
      lastCounts: this.lastCounts,
    };
  }

  /** Resolves when no pass is running or pending (or after timeoutMs). */
  async settled(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.isSettled(), timeoutMs);
  }

  /**
   * Resolves with true once `ready()` holds, looked at after every pass that ends (and every
   * 200 ms), or with false after timeoutMs; with false as well once every pass has settled and
   * it still does not hold.
   */
  async until(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.tick();
      if (await ready()) return true;
      if (this.isSettled()) return false;
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

  private isSettled(): boolean {
    return this.isCurrent() && this.countsCurrent() && !this.countsRunning && (!this.running || this.boardsStored);
  }

  /**
   * Whether the full pass's boards count exactly the votes there are: the same highest vote id (new
   * votes) and the same count of changes to counted votes (exclusions, restores, removed imports).
   */
  private isCurrent(): boolean {
    return this.seen !== null && (this.seen.voteId === 0 || sameStamp(this.computedThrough, this.seen));
  }

  /** Whether the boards fitted from the counts hold every vote there is. */
  private countsCurrent(): boolean {
    return this.seen !== null && (this.seen.voteId === 0 || sameStamp(this.countsThrough, this.seen));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async tick(): Promise<void> {
    // The poll is synchronous underneath; a tick never overlaps another.
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tickOnce();
    } finally {
      this.ticking = false;
    }
  }

  private async tickOnce(): Promise<void> {
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
    // The counts pass: one at a time, COUNTS_GAP_MS apart.
    if (!this.countsCurrent() && !this.countsRunning && now >= this.countsRetryAt && now >= this.countsNotBefore) this.runCounts();
    if (this.isCurrent()) {
      this.pendingSince = 0;
      return;
    }
    // One pass at a time (the worker may still be fitting the history of the last one), and not
    // beside a counts pass: that one carries the plain boards (at start-up, the first board) and
    // takes a fraction of the time; the two would share the machine's cores and the store.
    if (this.running || this.countsRunning) return;
    if (now < this.retryAt) return;
    // Full passes over a large store take seconds: keep at least four times that between two of
    // them, so a steady stream of votes (or an import into the running app) never keeps a core
    // busy, and the counts pass, which carries the plain boards meanwhile, has the machine.
    // On a shared store that spacing counts the full passes of every process: one process's pass
    // serves them all, and each would otherwise run its own after every burst of votes.
    for (const last of [this.lastRun, this.heardFullPass]) if (last && now < last.finishedAt + FULL_PASS_SPACING * last.ms) return;
    const quiet = now - this.changedAt >= DEBOUNCE_MS;
    const waitedEnough = this.pendingSince > 0 && now - this.pendingSince >= MAX_WAIT_MS;
    if (!quiet && !waitedEnough) return;
    // Another process sharing the store is running one: its news will say what it counted, and
    // the spacing then holds here too (a start beside a running instance does not add a second).
    if (await ratingPassRunning(getStore(), 'full').catch(() => false)) return;
    this.pendingSince = 0;
    this.running = this.runPass().finally(() => {
      this.running = null;
      this.wake();
    });
  }

  /** Asks the counts worker (started on first use, kept up) for one pass. */
  private runCounts(): void {
    if (!this.counts) {
      const worker = this.startWorker({ location: appStoreLocation(), mode: 'counts' });
      worker.unref();
      worker.on('message', (msg: { type: string; summary?: CountBoardsSummary; error?: string }) => {
        if (msg.type === 'counts-done' && msg.summary) {
          const s = msg.summary;
          // The first boards after a start are worth a line in the log (how long a restart leaves the board stale).
          if (!this.lastCounts) {
            console.log(
              `[leaderboard] boards from the counts: ${s.fold.folded} new vote(s) folded${s.fold.rebuilt ? ' (counts rebuilt from the votes)' : ''}, ` +
                `${s.fitted} board(s) fitted; the pass took ${s.ms.toFixed(0)} ms, ${Date.now() - this.startedAt} ms after start-up`,
            );
          }
          this.countsThrough = s.input;
          this.lastCounts = { finishedAt: Date.now(), ms: s.ms, fitted: s.fitted, folded: s.fold.folded, rebuilt: s.fold.rebuilt };
          this.countsRunning = false;
          this.countsRetryAt = 0;
          this.countsNotBefore = Date.now() + COUNTS_GAP_MS;
          this.wake();
          // Votes may have come in during the pass: look again once the gap is over rather than at the next poll.
          setTimeout(() => void this.tick(), COUNTS_GAP_MS).unref();
        } else if (msg.type === 'counts-failed') {
          console.error('[leaderboard] counts pass failed:', msg.error);
          this.lastCounts = { finishedAt: Date.now(), ms: 0, fitted: 0, folded: 0, rebuilt: false, error: msg.error };
          this.countsRunning = false;
          this.countsRetryAt = Date.now() + COUNTS_RETRY_MS;
          this.wake();
        }
      });
      const gone = (why: unknown) => {
        if (this.counts !== worker) return;
        console.error('[leaderboard] counts worker stopped:', why);
        this.counts = null;
        this.countsRunning = false;
        this.countsRetryAt = Date.now() + COUNTS_RETRY_MS;
        this.wake();
      };
      worker.once('error', gone);
      worker.once('exit', (code) => gone(`exit code ${code}`));
      this.counts = worker;
    }
    this.countsRunning = true;
    this.counts.postMessage({ type: 'pass' });
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
        this.wake();
      };
      const summary = await runInWorker(appStoreLocation(), this.startWorker, boardsDone);
      if (!this.boardsStored) boardsDone(summary);
    } catch (err) {
      console.error('[leaderboard] rating pass failed:', err);
      this.lastRun = { finishedAt: Date.now(), ms: Date.now() - started, battles: 0, error: String(err) };
      this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
    }
  }
}

/** What the last full pass counted (its mark; before there was one, the stored overall board's parameters). */
async function storedThrough(): Promise<RatingsInputStamp | null> {
  const mark = await readFullPassMark();
  if (mark) return { voteId: mark.voteId, version: mark.version };
  const snap = await latestSnapshotHead({ category: 'overall', styleControl: false });
  if (!snap) return null;
  try {
    const p = JSON.parse(snap.params) as SnapshotParams;
    return typeof p.upToVoteId === 'number' && p.pass !== 'counts' ? { voteId: p.upToVoteId, version: p.inputVersion ?? 0 } : null;
  } catch {
    return null;
  }
}

/** What a rating worker is started with: the store (a SQLite path or a Postgres URL), and which pass it runs ('full' by default). */
export interface WorkerData {
  location: string;
  mode?: 'full' | 'counts';
}

/** Starts a rating worker with its data. */
export type StartWorker = (workerData: WorkerData) => Worker;

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
  location: string,
  startWorker: StartWorker = startTsxWorker,
  onBoards?: (summary: ComputeSummary) => void,
): Promise<ComputeSummary> {
  const worker = startWorker({ location });
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
    const store = getStore();
    const refresher = new Refresher(options.startWorker ?? startTsxWorker);
    globalForRefresher.__pairwiseRefresher = refresher;
    listenForBoards(store, (news) => refresher.heard(news));
    refresher.start();
  }
  return globalForRefresher.__pairwiseRefresher;
}
