import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, workerData } from 'node:worker_threads';
import { BOOTSTRAP_CHUNK, BootstrapRunner, summarise, type BootstrapResult } from './bootstrap';
import type { PairTable } from './pair-table';

/**
 * The bootstrap on several threads, still behind a synchronous call: rounds are handed out in
 * chunks through an atomic counter over shared memory, the calling thread works too, and waits
 * (Atomics.wait) only for chunks a worker has taken. Every round has its own random stream, so
 * the result is identical for any number of threads. A worker that fails to start simply takes
 * no chunks; one that stops making progress for five seconds has its unfinished chunks redone
 * by the caller (a round recomputed twice writes the same numbers).
 *
 * Workers load the TypeScript sources through tsx (bootstrap-worker.mjs), as the command-line
 * tool does, so this is for the CLI and benchmarks; the default is one thread.
 */
interface SharedState {
  table: PairTable;
  full: Float64Array;
  seed: number;
  streamOffset: number;
  rounds: number;
  samples: SharedArrayBuffer;
  gradient: SharedArrayBuffer;
  prior: SharedArrayBuffer;
  /** Int32 [next chunk to claim, chunks done]. */
  ctl: SharedArrayBuffer;
  /** Int32 per chunk: 1 once done. */
  done: SharedArrayBuffer;
}

const STALL_MS = 5000;

export function availableThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function views(s: SharedState) {
  return {
    samples: new Float64Array(s.samples),
    gradient: new Float64Array(s.gradient),
    prior: new Uint8Array(s.prior),
    ctl: new Int32Array(s.ctl),
    done: new Int32Array(s.done),
    chunks: Math.ceil(s.rounds / BOOTSTRAP_CHUNK),
  };
}

function runChunk(runner: BootstrapRunner, s: SharedState, v: ReturnType<typeof views>, c: number): void {
  runner.run(c * BOOTSTRAP_CHUNK, Math.min(s.rounds, (c + 1) * BOOTSTRAP_CHUNK), v.samples, v.gradient, v.prior);
  if (Atomics.compareExchange(v.done, c, 0, 1) === 0) {
    Atomics.add(v.ctl, 1, 1);
    Atomics.notify(v.ctl, 1);
  }
}

function work(runner: BootstrapRunner, s: SharedState, v: ReturnType<typeof views>): void {
  for (;;) {
    const c = Atomics.add(v.ctl, 0, 1);
    if (c >= v.chunks) return;
    runChunk(runner, s, v, c);
  }
}

export function parallelBootstrap(t: PairTable, full: Float64Array, rounds: number, seed: number, threads: number, streamOffset = 0): BootstrapResult {
  const m = t.m;
  const chunks = Math.ceil(rounds / BOOTSTRAP_CHUNK);
  const shared: SharedState = {
    table: t,
    full,
    seed,
    streamOffset,
    rounds,
    samples: new SharedArrayBuffer(rounds * m * 8),
    gradient: new SharedArrayBuffer(rounds * 8),
    prior: new SharedArrayBuffer(rounds),
    ctl: new SharedArrayBuffer(8),
    done: new SharedArrayBuffer(chunks * 4),
  };
  // Hidden from the app's bundler: the .mjs loads TypeScript through tsx (command line only).
  const workerFile = path.join(/* turbopackIgnore: true */ path.dirname(fileURLToPath(import.meta.url)), 'bootstrap-worker.mjs');
  const workers: Worker[] = [];
  for (let w = 1; w < Math.min(threads, chunks); w++) {
    try {
      const worker = new Worker(workerFile, { workerData: shared });
      worker.on('error', () => {}); // its chunks, if any, are redone below
      worker.unref();
      workers.push(worker);
    } catch {
      break;
    }
  }
  const v = views(shared);
  const runner = new BootstrapRunner(t, full, seed, streamOffset);
  work(runner, shared, v);
  let seen = Atomics.load(v.ctl, 1);
  let idle = 0;
  while (seen < chunks && idle < STALL_MS) {
    Atomics.wait(v.ctl, 1, seen, 100);
    const now = Atomics.load(v.ctl, 1);
    if (now === seen) idle += 100;
    else {
      idle = 0;
      seen = now;
    }
  }
  for (let c = 0; c < chunks; c++) if (Atomics.load(v.done, c) === 0) runChunk(runner, shared, v, c);
  for (const worker of workers) void worker.terminate();
  return summarise(rounds, new Float64Array(v.samples), new Float64Array(v.gradient), new Uint8Array(v.prior));
}

/** Entry point of a worker thread (called from bootstrap-worker.mjs). */
export function runBootstrapWorker(): void {
  const s = workerData as SharedState;
  const v = views(s);
  if (Atomics.load(v.ctl, 0) >= v.chunks) return; // nothing left by the time we started
  work(new BootstrapRunner(s.table, s.full, s.seed, s.streamOffset), s, v);
}
