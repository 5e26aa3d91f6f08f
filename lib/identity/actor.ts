import { createVoter, getVoter, linkVoterToUser } from '../../db/queries/voters';
import type { BattleActor } from '../battle/deps';
import { clientAddress, networkHash } from './network';
import { newVoterId, signVoterId, voterIdFromRequest, voterSetCookie } from './voter-cookie';

/**
 * Who is making a request, resolved once at the request edge: the browser's signed voter cookie,
 * the signed-in account (from the session cookie only, never from a header, query or body), and
 * a keyed hash of the network. Nothing else in the app decides identity.
 */

export type Role = 'voter' | 'admin';

export interface SessionUser {
  id: string;
  email: string | null;
  name: string | null;
  role: Role;
}

export interface Actor extends BattleActor {
  user: SessionUser | null;
  /** When this browser agreed to the arena's rules (null: not yet). */
  consentedAt: number | null;
  /** Set-Cookie values a successful response carries (a voter minted by this request). */
  setCookies: string[];
  /**
   * A voter minted by this request and not stored yet: it is stored by the use case that needs
   * it (ensureVoterStored), so a refused request leaves no trace.
   */
  mintedVoter: boolean;
}

export interface IdentityDeps {
  /** HMAC key of the voter cookie. */
  secret: string;
  /** Key of the network hashes. */
  networkKey: string;
  trustProxy: number;
  /** The signed-in account of this request (role and disabled status re-read from the store), or null. */
  sessionUser(req: Request): Promise<SessionUser | null>;
  /** Whether cookies set now must be Secure (the public address is https). */
  secureCookies: boolean;
  /** Cookie path (the base path the app is served under). */
  cookiePath: string;
}

export async function resolveActor(req: Request, deps: IdentityDeps, opts: { mintVoter: boolean }): Promise<Actor> {
  const network = networkHash(clientAddress(req.headers, deps.trustProxy), deps.networkKey);
  const user = await deps.sessionUser(req);
  let voterId = voterIdFromRequest(req, deps.secret);
  const setCookies: string[] = [];
  let consentedAt: number | null = null;

  if (voterId) {
    const voter = await getVoter({ id: voterId });
    consentedAt = voter?.consentedAt ?? null;
    // A valid cookie whose row is gone (a fresh store with the same secret) is this browser all the same.
    if (!voter) await createVoter({ id: voterId, network, userId: null });
    if (user && voter?.userId !== user.id) {
      // The first sign-in on this browser claims its anonymous battles; a browser that belongs to
      // another account does not become this one's.
      if (!(await linkVoterToUser({ voterId, userId: user.id }))) {
        voterId = null;
        consentedAt = null;
      }
    }
  }
  let mintedVoter = false;
  if (!voterId && opts.mintVoter) {
    voterId = newVoterId();
    mintedVoter = true;
    setCookies.push(voterSetCookie(signVoterId(voterId, deps.secret), { secure: deps.secureCookies, path: deps.cookiePath }));
  }
  return { voterId, userId: user?.id ?? null, network, user, consentedAt, setCookies, mintedVoter };
}

/** Stores the voter this request minted (once the request is sure to succeed). */
export async function ensureVoterStored(actor: Pick<Actor, 'voterId' | 'userId' | 'network' | 'mintedVoter'>): Promise<void> {
  if (actor.mintedVoter && actor.voterId) await createVoter({ id: actor.voterId, network: actor.network, userId: actor.userId });
}

/** The key rate limits and trust count an actor under: the account, else the browser. */
export function identityKey(actor: BattleActor): string | null {
  if (actor.userId) return `user:${actor.userId}`;
  if (actor.voterId) return `voter:${actor.voterId}`;
  return null;
}
