import { closeDb } from '../db/index';
import { closeAppStore } from '../db/store';

/**
 * An orderly stop of the process (SIGTERM to `npm start`). server.mjs stops taking connections and
 * new battles; this module does the part that lives inside the app: it lets the answers streaming
 * now finish until a deadline, then stops the rest (they are stored as aborted, reason
 * "shutdown"), and closes the store, which also checkpoints its write-ahead log.
 *
 * Per process, kept on globalThis: Next.js bundles each route on its own, so module state would
 * not be shared between the route that streams and the server that stops. server.mjs finds the
 * hooks under LIFECYCLE_KEY.
 */

interface InFlight {
  stop: () => void;
  done: Promise<unknown>;
}

interface LifecycleState {
  draining: boolean;
  /** The deadline has passed: streams are stopped as soon as they start. */
  stopping: boolean;
  inflight: Set<InFlight>;
  /** Streams that ended by themselves since the drain began (before the deadline). */
  finishedWhileDraining: number;
}

export interface LifecycleHooks {
  /**
   * Waits for the streams in flight until `deadlineMs` from now, stops those still running and
   * waits (at most `recordMs`) until they are recorded. Resolves with how many ended each way.
   */
  drain(options: { deadlineMs: number; recordMs?: number }): Promise<{ finished: number; stopped: number }>;
  /** Closes the store; later requests that need it get 503. */
  close(): Promise<void>;
}

const STATE_KEY = Symbol.for('pairwise.lifecycle.state');
export const LIFECYCLE_KEY = Symbol.for('pairwise.lifecycle');

const g = globalThis as unknown as Record<symbol, unknown>;

function state(): LifecycleState {
  return ((g[STATE_KEY] as LifecycleState | undefined) ??= { draining: false, stopping: false, inflight: new Set(), finishedWhileDraining: 0 });
}

/** True once the process has begun shutting down. */
export function isDraining(): boolean {
  return state().draining;
}

/**
 * Registers a stream that shutdown must wait for: `stop` aborts it, `done` settles once its
 * answers are stored (it is forgotten then).
 */
export function trackStream(stop: () => void, done: Promise<unknown>): void {
  const s = state();
  const entry: InFlight = { stop, done };
  s.inflight.add(entry);
  void done
    .finally(() => {
      s.inflight.delete(entry);
      if (s.draining && !s.stopping) s.finishedWhileDraining++;
    })
    .catch(() => {});
  // A stream that starts after the deadline has passed is stopped at once.
  if (s.stopping) stop();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

async function drain({ deadlineMs, recordMs = 500 }: { deadlineMs: number; recordMs?: number }) {
  const s = state();
  s.draining = true;
  s.finishedWhileDraining = 0;
  const settled = async () => {
    while (s.inflight.size > 0) await Promise.allSettled([...s.inflight].map((f) => f.done));
  };
  await Promise.race([settled(), sleep(deadlineMs)]);
  const left = [...s.inflight];
  s.stopping = true;
  for (const f of left) f.stop();
  if (left.length) {
    console.warn(`[pairwise] shutdown: ${left.length} answer stream(s) still running at the deadline were stopped.`);
    await Promise.race([settled(), sleep(recordMs)]);
  }
  // Counted as they end, not as the difference from the start: a battle accepted just before the
  // signal may register its stream after the drain began.
  return { finished: s.finishedWhileDraining, stopped: left.length };
}

/** Makes the hooks reachable by server.mjs (called once at start-up). */
export function installLifecycleHooks(): void {
  const hooks: LifecycleHooks = {
    drain,
    close: async () => {
      try {
        closeDb();
        await closeAppStore();
      } catch (err) {
        console.error('[pairwise] closing the store failed:', err);
      }
    },
  };
  g[LIFECYCLE_KEY] = hooks;
}
