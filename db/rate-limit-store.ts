import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { getDb } from './index';
import { rateLimits } from './schema';

/**
 * A fixed-window counter kept in the store's `rate_limits` table by rate-limiter-flexible, so
 * every process serving the same database shares it (a limit holds across processes). The
 * library's upsert is one atomic statement, which makes racing requests count exactly.
 */
export function storeRateLimiter(opts: { keyPrefix: string; points: number; durationSeconds: number }): RateLimiterDrizzle {
  return new RateLimiterDrizzle({
    storeClient: getDb(),
    schema: rateLimits,
    keyPrefix: opts.keyPrefix,
    points: opts.points,
    duration: opts.durationSeconds,
  });
}

/**
 * Spends a one-time key (a proof-of-work challenge) in the same table: a one-point counter per
 * key, so the first spend passes and any replay within `durationSeconds` is refused, across
 * processes, by the same atomic upsert.
 */
export function storeSpendOnce(durationSeconds: number): (key: string) => Promise<boolean> {
  let limiter: RateLimiterDrizzle | null = null;
  return async (key) => {
    limiter ??= storeRateLimiter({ keyPrefix: 'spent', points: 1, durationSeconds });
    try {
      await limiter.consume(key, 1);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw err;
    }
  };
}
