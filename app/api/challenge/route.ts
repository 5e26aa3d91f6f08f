import { CHALLENGE_TTL_SECONDS } from '@/lib/integrity/proof-of-work';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * A proof-of-work challenge for the next battle (one per battle; the page fetches the next one
 * as soon as a battle starts). Answered whether or not the gate is on, so the page need not know.
 */
export const GET = route({}, async ({ app }) => ({
  challenge: await app.proofOfWork.challenge(app.operator().integrity.proofOfWorkHashes),
  expiresInSeconds: CHALLENGE_TTL_SECONDS,
}));
