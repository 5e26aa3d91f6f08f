import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimits } from './schema';
import * as pgSchema from './schema-pg';
import { getStore, isPostgres, type Store } from './store';

/**
 * A fixed-window counter kept in the store's `rate_limits` table by rate-limiter-flexible, so
 * every process serving the same database shares it (a limit holds across processes), on SQLite
 * and on Postgres alike. The library's upsert is one atomic statement (INSERT … ON CONFLICT DO
 * UPDATE on either store), which makes racing requests count exactly. The store is the app's
 * (getStore(): on Postgres it must be open, as for any query) unless one is given.
 */
export function storeRateLimiter(opts: { keyPrefix: string; points: number; durationSeconds: number; db?: Store }): RateLimiterDrizzle {
  const store = opts.db ?? getStore();
  return new RateLimiterDrizzle({
    storeClient: store,
    schema: isPostgres(store) ? pgSchema.rateLimits : rateLimits,
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
export function storeSpendOnce(durationSeconds: number, opts: { db?: Store } = {}): (key: string) => Promise<boolean> {
  let limiter: RateLimiterDrizzle | null = null;
  return async (key) => {
    limiter ??= storeRateLimiter({ keyPrefix: 'spent', points: 1, durationSeconds, db: opts.db });
    try {
      await limiter.consume(key, 1);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw err;
    }
  };
}
