import crypto from 'node:crypto';
import type { z } from 'zod';
import { getAppContext, type AppContext } from '../app-context';
import { AppError, isAppError } from '../errors';
import { json, jsonError, parseJsonBody, parseQuery } from '../http';
import { identityKey, resolveActor, type Actor, type Role } from '../identity/actor';
import { assertAllowedHost, assertJsonRequest, assertSameOrigin } from './origin';
import type { LimitedAction } from './rate-limits';
import { PROOF_HEADER } from '../integrity/proof-of-work';

/**
 * The request edge: the one wrapper every API route handler goes through, and the only caller of
 * the app context and of identity. In order it refuses a host the app does not serve, a
 * cross-site or non-JSON mutation, an actor without the role the route needs, a malformed body
 * or query, and a request over its rate limit; then it runs the use case and turns whatever it
 * returns (or throws) into the response, with any cookie the actor needs.
 *
 *   export const POST = route({ body: voteBodySchema, maxBytes: 4096, limit: 'vote' },
 *     ({ app, actor, body, params }) => voteOnBattle(app, params.id, body.winner, actor));
 */

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<B extends Schema, Q extends Schema> {
  /** JSON body schema (mutations). */
  body?: B;
  /** Largest body accepted (default 64 KiB). */
  maxBytes?: number | ((app: AppContext) => number);
  /** The error for a body over maxBytes (default 413 payload_too_large). */
  tooLarge?: (app: AppContext) => AppError;
  /** Query-string schema (every parameter must be declared: a misspelt one is an error). */
  query?: Q;
  /** Counts the request against this action's rate limits. */
  limit?: LimitedAction;
  /** A request without a voter cookie gets a new voter (only where a battle starts). */
  mintVoter?: boolean;
  /** 'user': signed in; 'admin': signed in with the admin role. */
  role?: 'user' | Role;
  /** Taking part in the arena: the voting policy (sign-in required?) and the consent gate apply. */
  arena?: boolean;
  /**
   * Starts a battle: when the operator asks for it (integrity.proofOfWork), an anonymous actor
   * must send a solved, unspent challenge in the Pairwise-Proof header.
   */
  proofOfWork?: boolean;
  /**
   * With role 'admin': a script may present PAIRWISE_EXPORT_TOKEN as `Authorization: Bearer <token>`
   * instead of an admin session (the one credential that is not a session, and only where named).
   */
  exportToken?: boolean;
}

export interface RouteInput<B extends Schema, Q extends Schema> {
  app: AppContext;
  actor: Actor;
  body: Out<B>;
  query: Out<Q>;
  params: Record<string, string>;
  req: Request;
}

type Segment = { params: Promise<Record<string, string | string[] | undefined>> };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hasExportToken(req: Request, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.get('authorization') ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function assertRole(actor: Actor, role: RouteSpec<Schema, Schema>['role']): void {
  if (!role) return;
  if (!actor.user) throw new AppError('unauthorized', 'Sign in first.');
  if (role === 'admin' && actor.user.role !== 'admin') throw new AppError('forbidden', 'This needs the admin role.');
}

function assertArenaAccess(app: AppContext, actor: Actor): void {
  const { access, notice } = app.operator();
  if (access.voting === 'signed-in' && !actor.user) throw new AppError('unauthorized', 'Sign in to take part in this arena.');
  if (notice.requireConsent && actor.consentedAt === null) {
    throw new AppError('consent_required', 'Read the arena\u2019s rules and agree to them before your first battle.');
  }
}

/**
 * The path's parameters. Nothing this app names (a battle, a share token, a study) has a control
 * character in its name, so one with such a character is unknown, said before any store is asked
 * (Postgres refuses a NUL in a query rather than finding nothing).
 */
function flatParams(raw: Record<string, string | string[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.join('/') : v;
  // eslint-disable-next-line no-control-regex
  if (Object.values(out).some((v) => /[\u0000-\u001f\u007f]/.test(v))) throw new AppError('not_found', 'Not found.');
  return out;
}

export function route<B extends Schema = undefined, Q extends Schema = undefined>(
  spec: RouteSpec<B, Q>,
  handler: (input: RouteInput<B, Q>) => unknown,
): (req: Request, segment?: Segment) => Promise<Response> {
  return async (req, segment) => {
    let refund: (() => Promise<void>) | null = null;
    try {
      const app = await getAppContext();
      assertAllowedHost(req.headers, app.origin, app.env.PAIRWISE_TRUST_PROXY, req.url);
      if (!SAFE_METHODS.has(req.method)) {
        assertSameOrigin(req.headers, app.origin, app.env.PAIRWISE_TRUST_PROXY);
        assertJsonRequest(req.headers);
      }
      const actor = await resolveActor(req, app.identity, { mintVoter: spec.mintVoter ?? false });
      if (!(spec.exportToken && hasExportToken(req, app.env.PAIRWISE_EXPORT_TOKEN))) assertRole(actor, spec.role);
      if (spec.arena) assertArenaAccess(app, actor);
      if (spec.proofOfWork && !actor.user && app.operator().integrity.proofOfWork) {
        await app.proofOfWork.check(req.headers.get(PROOF_HEADER));
      }

      const body = (spec.body
        ? await parseJsonBody(req, spec.body, {
            maxBytes: typeof spec.maxBytes === 'function' ? spec.maxBytes(app) : spec.maxBytes,
            tooLarge: spec.tooLarge ? () => spec.tooLarge!(app) : undefined,
          })
        : undefined) as Out<B>;
      const query = (spec.query ? parseQuery(req, spec.query) : undefined) as Out<Q>;
      const params = flatParams(segment ? await segment.params : {});

      if (spec.limit) {
        const taken = await app.limits.consume(spec.limit, { identity: identityKey(actor), network: actor.network ?? 'unknown' });
        refund = taken.refund;
      }
      const out = await handler({ app, actor, body, query, params, req });
      refund = null;
      const res = out instanceof Response ? out : json(out);
      for (const c of actor.setCookies) res.headers.append('Set-Cookie', c);
      return res;
    } catch (err) {
      // A refused request does not use up the caller's allowance, and mints no voter.
      if (refund) await refund().catch(() => {});
      const headers = new Headers();
      if (isAppError(err) && err.retryAfterSeconds !== undefined) headers.set('Retry-After', String(err.retryAfterSeconds));
      return jsonError(err, { headers });
    }
  };
}

/**
 * The edge for next-auth's own routes (/api/auth/*): the host and same-origin checks apply, but
 * not the JSON rule (next-auth posts forms, protected by its own CSRF token) nor our actor.
 */
export function authRoute(
  handle: (app: AppContext, req: Request, segment: Segment) => Promise<Response>,
): (req: Request, segment: Segment) => Promise<Response> {
  return async (req, segment) => {
    try {
      const app = await getAppContext();
      assertAllowedHost(req.headers, app.origin, app.env.PAIRWISE_TRUST_PROXY, req.url);
      if (!SAFE_METHODS.has(req.method)) assertSameOrigin(req.headers, app.origin, app.env.PAIRWISE_TRUST_PROXY);
      return await handle(app, req, segment);
    } catch (err) {
      return jsonError(err);
    }
  };
}
