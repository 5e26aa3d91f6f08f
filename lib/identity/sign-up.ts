import { storeRateLimiter } from '../../db/rate-limit-store';
import { AppError } from '../errors';
import { signUpWithPassword } from './accounts';
import type { Actor } from './actor';

/** Sign-ups a network may make: enough for a classroom behind one address, not for a script. */
const SIGN_UPS = { points: 20, durationSeconds: 3600 };

let limiter: ReturnType<typeof storeRateLimiter> | null = null;

export async function signUp(
  app: { operator(): { access: { signUp: 'open' | 'invite' | 'closed' } } },
  input: { email: string; password: string; name?: string; invite?: string },
  actor: Actor,
) {
  limiter ??= storeRateLimiter({ keyPrefix: 'signup:net', ...SIGN_UPS });
  try {
    await limiter.consume(actor.network ?? 'unknown');
  } catch (res) {
    const ms = (res as { msBeforeNext?: number }).msBeforeNext ?? 3_600_000;
    throw new AppError('rate_limited', 'Too many new accounts from this network. Try again later.', { retryAfterSeconds: Math.ceil(ms / 1000) });
  }
  return signUpWithPassword(input, app.operator().access.signUp);
}
