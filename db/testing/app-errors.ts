import { isAppError } from '../../lib/errors';

/** The AppError code a promise rejects with, or null when it resolves (any other error is thrown on). */
export async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}
