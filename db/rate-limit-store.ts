import { RateLimiterDrizzle } from 'rate-limiter-flexible';
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
