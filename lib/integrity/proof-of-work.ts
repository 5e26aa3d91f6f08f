import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * The self-hosted proof-of-work gate for anonymous battles (ALTCHA's v2 scheme, no third party).
 * The server hands out a signed challenge; the browser finds the counter whose SHA-256 of
 * (salt, nonce, counter) matches the signed key prefix, which costs it about `work` hashes (a
 * fraction of a second in a page, and the same for a script: thousands of battles cost
 * thousands of solves). The solution travels in the `Pairwise-Proof` header of the request that
 * starts the battle and is spent there: each challenge starts at most one battle, in every
 * process that shares the store (spendOnce), and expires after CHALLENGE_TTL_SECONDS.
 */

export const PROOF_HEADER = 'pairwise-proof';
export const CHALLENGE_TTL_SECONDS = 600;

export interface ProofOfWorkDeps {
  /** Signs challenges (HMAC): derived from the app secret, never sent anywhere. */
  signatureSecret: string;
  /** Signs the expected key, so that checking a solution costs one HMAC. */
  keySecret: string;
  /**
   * True the first time a key is spent, false after, for CHALLENGE_TTL_SECONDS at least (longer
   * than any challenge lives); shared by every process on the store.
   */
  spendOnce(key: string): Promise<boolean>;
}

export interface ProofOfWork {
  /** A new challenge costing about `work` hashes to solve. */
  challenge(work: number, now?: number): Promise<Challenge>;
  /** Verifies and spends the solution in a request header, or throws proof_required / proof_invalid. */
  check(header: string | null, now?: number): Promise<void>;
}

const payloadSchema = z.object({
  challenge: z.object({
    parameters: z.record(z.string(), z.unknown()),
    signature: z.string().max(256),
  }),
  solution: z.object({ counter: z.int().nonnegative(), derivedKey: z.string().max(256) }),
});

const REQUIRED = 'This arena asks each browser to solve a short puzzle before a battle; it did not arrive. Reload the page and try again.';
const INVALID = 'The browser check did not pass (expired or already used). Reload the page and try again.';

/** The header's value: the challenge and its solution as base64url JSON (what the page sends). */
export function encodeProof(payload: { challenge: Challenge; solution: { counter: number; derivedKey: string } }): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function createProofOfWork(deps: ProofOfWorkDeps): ProofOfWork {
  return {
    async challenge(work, now = Date.now()) {
      const most = Math.max(2, Math.round(work));
      return createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        // Deterministic mode: the counter is drawn here, so the work is about `work` hashes
        // (uniform between half and all of it) rather than a geometric gamble.
        counter: randomInt(Math.ceil(most / 2), most),
        deriveKey,
        expiresAt: Math.floor(now / 1000) + CHALLENGE_TTL_SECONDS,
        hmacSignatureSecret: deps.signatureSecret,
        hmacKeySignatureSecret: deps.keySecret,
      });
    },

    async check(header, now = Date.now()) {
      if (!header) throw new AppError('proof_required', REQUIRED);
      let payload: z.infer<typeof payloadSchema>;
      try {
        payload = payloadSchema.parse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
      } catch {
        throw new AppError('proof_invalid', INVALID);
      }
      const challenge = payload.challenge as unknown as Challenge;
      const expiresAt = Number(challenge.parameters.expiresAt);
      // The library checks expiry against its own clock; ours is injectable for tests.
      if (!Number.isFinite(expiresAt) || expiresAt < now / 1000) throw new AppError('proof_invalid', INVALID);
      const result = await verifySolution({
        challenge,
        solution: payload.solution,
        deriveKey,
        hmacSignatureSecret: deps.signatureSecret,
        hmacKeySignatureSecret: deps.keySecret,
      }).catch(() => null);
      if (!result?.verified) throw new AppError('proof_invalid', INVALID);
      if (!(await deps.spendOnce(challenge.signature!))) throw new AppError('proof_invalid', INVALID);
    },
  };
}
