import { storeRateLimiter } from '../../db/rate-limit-store';
import { AppError } from '../errors';
import type { SignInGuard } from './accounts';

/**
 * Lock-out after repeated failed sign-ins: an email is locked for the rest of a 15-minute window
 * after 8 failures, a network after 50 failures in an hour (someone trying many emails). Counted
 * in the store, so every process shares the counts; a successful sign-in clears the email's count.
 */
export const EMAIL_FAILURES = { points: 8, durationSeconds: 15 * 60 };
export const NETWORK_FAILURES = { points: 50, durationSeconds: 60 * 60 };

export function storeSignInGuard(): SignInGuard {
  const byEmail = storeRateLimiter({ keyPrefix: 'signin-fail:email', ...EMAIL_FAILURES });
  const byNetwork = storeRateLimiter({ keyPrefix: 'signin-fail:net', ...NETWORK_FAILURES });
  const locked = (ms: number) => {
    const minutes = Math.max(1, Math.ceil(ms / 60_000));
    return new AppError('rate_limited', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
      retryAfterSeconds: Math.ceil(ms / 1000),
    });
  };
  return {
    async assertNotLocked(email, network) {
      const [e, n] = await Promise.all([byEmail.get(email), byNetwork.get(network)]);
      if (e && e.consumedPoints >= EMAIL_FAILURES.points) throw locked(e.msBeforeNext);
      if (n && n.consumedPoints >= NETWORK_FAILURES.points) throw locked(n.msBeforeNext);
    },
    async recordFailure(email, network) {
      // consume() rejects once over the limit; the count is what matters here.
      await Promise.all([byEmail.consume(email).catch(() => {}), byNetwork.consume(network).catch(() => {})]);
    },
    async recordSuccess(email) {
      await byEmail.delete(email).catch(() => {});
    },
  };
}
