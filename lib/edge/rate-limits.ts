import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { storeRateLimiter } from '../../db/rate-limit-store';
import { AppError } from '../errors';
import type { RateLimitSettings } from '../registry/schema';

/**
 * Rate limits of the two actions a script would repeat: starting battles and voting. Each action
 * is counted per identity (the account, or the browser's voter) and per network (a keyed hash of
 * the /24 or /64 the request came from), per minute and per day. A request passes only when all
 * four counters have room; a refused one is given back to the counters it had already taken, so
 * the stored count of an action never exceeds its limit.
 */

export type LimitedAction = 'battle' | 'vote';

export interface LimitSubject {
  /** `user:<id>` or `voter:<id>`; null when the request has neither (it is limited per network only). */
  identity: string | null;
  network: string;
}


interface Counter {
  limiter: RateLimiterAbstract;
  scope: 'identity' | 'network';
  window: 'minute' | 'day';
}

function describe(action: LimitedAction, window: 'minute' | 'day', retryAfterSeconds: number): string {
  const what = action === 'battle' ? 'new battles' : 'votes';
  const when =
    retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `Too many ${what} ${window === 'minute' ? 'in a minute' : 'today'}. You can go on in ${when}.`;
}

export interface RateLimits {
  /** Takes one unit of `action` for the subject, or throws rate_limited (429 with Retry-After). */
  consume(action: LimitedAction, subject: LimitSubject): Promise<{ refund: () => Promise<void> }>;
}

/** Limits from the arena settings, counted in the store. `enabled: false` lets everything pass. */
export function storeRateLimits(settings: () => RateLimitSettings, opts: { enabled: boolean }): RateLimits {
  const cache = new Map<string, Counter[]>();
  const countersFor = (action: LimitedAction): Counter[] => {
    const s = settings();
    const own = s[action];
    const key = `${action}:${JSON.stringify(own)}:${s.networkMultiplier}`;
    let counters = cache.get(key);
    if (!counters) {
      counters = (['identity', 'network'] as const).flatMap((scope) =>
        (['minute', 'day'] as const).map((window) => {
          const base = window === 'minute' ? own.perMinute : own.perDay;
          return {
            scope,
            window,
            limiter: storeRateLimiter({
              keyPrefix: `${action}:${scope}:${window}`,
              points: scope === 'network' ? base * s.networkMultiplier : base,
              durationSeconds: window === 'minute' ? 60 : 86_400,
            }),
          };
        }),
      );
      cache.set(key, counters);
    }
    return counters;
  };

  return {
    async consume(action, subject) {
      if (!opts.enabled) return { refund: async () => {} };
      const taken: { limiter: RateLimiterAbstract; key: string }[] = [];
      const refund = async () => {
        await Promise.all(taken.map((t) => t.limiter.reward(t.key, 1).catch(() => {})));
      };
      for (const c of countersFor(action)) {
        const key = c.scope === 'identity' ? subject.identity : subject.network;
        if (!key) continue;
        try {
          await c.limiter.consume(key, 1);
          taken.push({ limiter: c.limiter, key });
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          // The refused unit was counted too: give it back with the others.
          taken.push({ limiter: c.limiter, key });
          await refund();
          const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          throw new AppError('rate_limited', describe(action, c.window, retryAfter), { retryAfterSeconds: retryAfter });
        }
      }
      return { refund };
    },
  };
}
