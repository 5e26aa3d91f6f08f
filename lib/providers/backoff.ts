import { isProviderError } from './provider-error';
import type { ModelProvider, StreamEvent, StreamRequest } from './types';

/**
 * Provider back-off: a model whose provider says "429 Too Many Requests" (with Retry-After), or
 * that fails several generations in a row, is taken out of pairing for a while, so battles are not
 * started against it only to fail one side. When the pause is over, its health check decides
 * whether it comes back; a model that keeps failing is paused for longer each time.
 *
 * Per process: each server process counts its own failures (several processes serving one arena
 * each learn a provider's limit from their own requests).
 */

export interface BackoffOptions {
  /** Failures in a row (other than 429) that pause a model. */
  failuresToPause?: number;
  /** First pause after repeated failures; doubled for every further failure, up to maxPauseMs. */
  basePauseMs?: number;
  maxPauseMs?: number;
  /** A 429 without a usable Retry-After pauses the model this long. */
  defaultRetryMs?: number;
  now?: () => number;
  /** Told whenever a model is paused or comes back (the server log). */
  onChange?: (modelId: string, status: ModelBackoffStatus) => void;
}

export interface ModelBackoffStatus {
  model: string;
  /** 'paused': out of pairing until `until`; 'probing': pause over, the next health check decides. */
  state: 'ok' | 'paused' | 'probing';
  /** Epoch milliseconds the pause ends at (null when not paused). */
  until: number | null;
  /** Why it was paused, for operators (may name the provider; never sent to the arena page). */
  reason: string | null;
  /** Failed generations in a row. */
  failures: number;
}

interface Entry {
  failures: number;
  until: number;
  reason: string | null;
}

/** The Retry-After of an HTTP answer in milliseconds: seconds or an HTTP date; null when absent or unusable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

export function createBackoff(options: BackoffOptions = {}) {
  const failuresToPause = options.failuresToPause ?? 3;
  const basePauseMs = options.basePauseMs ?? 30_000;
  const maxPauseMs = options.maxPauseMs ?? 10 * 60_000;
  const defaultRetryMs = options.defaultRetryMs ?? 30_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const entry = (id: string): Entry => {
    let e = entries.get(id);
    if (!e) entries.set(id, (e = { failures: 0, until: 0, reason: null }));
    return e;
  };

  const status = (id: string): ModelBackoffStatus => {
    const e = entries.get(id);
    if (!e || e.until === 0) return { model: id, state: 'ok', until: null, reason: null, failures: e?.failures ?? 0 };
    return { model: id, state: now() < e.until ? 'paused' : 'probing', until: e.until, reason: e.reason, failures: e.failures };
  };

  const pause = (id: string, ms: number, reason: string) => {
    const e = entry(id);
    // Never shorten a pause already running.
    e.until = Math.max(e.until, now() + Math.min(Math.max(ms, 1_000), 60 * 60_000));
    e.reason = reason;
    options.onChange?.(id, status(id));
  };

  return {
    /** A generation of the model ended; `error` is what it threw (undefined on success or abort). */
    record(id: string, error?: unknown) {
      const e = entry(id);
      if (error === undefined) {
        e.failures = 0;
        return;
      }
      e.failures += 1;
      const httpStatus = isProviderError(error) ? error.status : undefined;
      if (httpStatus === 429) {
        const retryMs = isProviderError(error) && error.retryAfterMs !== undefined ? error.retryAfterMs : defaultRetryMs;
        pause(id, retryMs, `rate limited by its provider (HTTP 429, retry after ${Math.round(retryMs / 1000)} s)`);
      } else if (e.failures >= failuresToPause) {
        const ms = Math.min(maxPauseMs, basePauseMs * 2 ** (e.failures - failuresToPause));
        pause(id, ms, `${e.failures} failed generations in a row`);
      }
    },
    /** True while the model must stay out of pairing. */
    paused(id: string): boolean {
      return status(id).state === 'paused';
    },
    /** True when a pause is over and the model waits for a health check to come back. */
    probing(id: string): boolean {
      return status(id).state === 'probing';
    },
    /** The health check after a pause passed: the model is back in pairing. */
    recovered(id: string) {
      const e = entries.get(id);
      if (!e || e.until === 0) return;
      e.until = 0;
      e.reason = null;
      options.onChange?.(id, status(id));
    },
    /** The health check after a pause failed: look again in `ms`. */
    stillDown(id: string, ms: number) {
      const e = entries.get(id);
      if (e && e.until !== 0) e.until = now() + ms;
    },
    status,
    /** Every model that has been paused or has failures, for the operators' view. */
    all(): ModelBackoffStatus[] {
      return [...entries.keys()].map(status).filter((s) => s.state !== 'ok' || s.failures > 0);
    },
  };
}

export type Backoff = ReturnType<typeof createBackoff>;

/**
 * The provider, reporting how each generation ended to `backoff`. An abort is neither a success
 * nor a failure: the model was not at fault.
 */
export function withBackoff(id: string, provider: ModelProvider, backoff: Backoff): ModelProvider {
  return {
    healthy: () => provider.healthy(),
    warmup: provider.warmup?.bind(provider),
    dispose: provider.dispose?.bind(provider),
    stream(request: StreamRequest): AsyncIterable<StreamEvent> {
      return (async function* () {
        try {
          for await (const ev of provider.stream(request)) {
            if (ev.type === 'finish') {
              if (ev.finishReason !== 'aborted' && ev.finishReason !== 'error') backoff.record(id);
              else if (ev.finishReason === 'error') backoff.record(id, new Error('the stream finished with reason "error"'));
            }
            yield ev;
          }
        } catch (err) {
          if (!request.signal.aborted) backoff.record(id, err);
          throw err;
        }
      })();
    },
  };
}
