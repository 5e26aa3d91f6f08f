import { recordConsent } from '../../db/queries/voters';
import { ensureVoterStored, type Actor } from '../identity/actor';
import type { OperatorSettings } from '../settings/schema';

/** What the battle page must settle before a first battle: the rules notice, consent, sign-in. */
export interface Participation {
  notice: string;
  requireConsent: boolean;
  consented: boolean;
  signInRequired: boolean;
  signedIn: boolean;
  /** Each battle needs a solved proof-of-work challenge (anonymous voters, when the operator asks). */
  proofOfWork: boolean;
}

export function participation(operator: OperatorSettings, actor: Actor): Participation {
  return {
    notice: operator.notice.text,
    requireConsent: operator.notice.requireConsent,
    consented: actor.consentedAt !== null,
    signInRequired: operator.access.voting === 'signed-in',
    signedIn: actor.user !== null,
    proofOfWork: operator.integrity.proofOfWork && actor.user === null,
  };
}

/** The browser agrees to the rules (the consent gate); the time is kept on its voter. */
export async function agreeToRules(actor: Actor): Promise<{ consented: true }> {
  await ensureVoterStored(actor);
  if (actor.voterId) await recordConsent({ voterId: actor.voterId });
  return { consented: true };
}
