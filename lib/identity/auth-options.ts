import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import GitHubProvider from 'next-auth/providers/github';
import GoogleProvider from 'next-auth/providers/google';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { z } from 'zod';
import type { Env } from '../env';
import { isAppError } from '../errors';
import { signInExternal, signInWithPassword, type SignInGuard, type SignUpPolicy } from './accounts';
import { clientAddress, networkHash } from './network';

/**
 * next-auth's configuration, built for each request to its routes (so that the sign-up policy in
 * force and an invite cookie are seen). JWT sessions; the token's `sub` is our user id whatever
 * provider signed the person in.
 */

export const INVITE_COOKIE = 'pw_invite';
const SESSION_DAYS = 30;

export interface AuthDeps {
  env: Env;
  /** Key of next-auth's JWT encryption (derived from the app secret). */
  sessionSecret: string;
  secureCookies: boolean;
  networkKey: string;
  signUpPolicy(): SignUpPolicy;
  guard: SignInGuard;
}

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

/** Which external sign-ins this arena offers: only those whose client id and secret are set. */
export function externalProviders(env: Env): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [];
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) out.push({ id: 'github', name: 'GitHub' });
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) out.push({ id: 'google', name: 'Google' });
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) out.push({ id: 'oidc', name: env.OIDC_NAME ?? 'Single sign-on' });
  return out;
}

function oidcProvider(env: Env): OAuthConfig<OidcProfile> {
  const issuer = env.OIDC_ISSUER!.replace(/\/+$/, '');
  return {
    id: 'oidc',
    name: env.OIDC_NAME ?? 'Single sign-on',
    type: 'oauth',
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: 'openid email profile' } },
    idToken: true,
    checks: ['pkce', 'state'],
    profile: (p) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.preferred_username ?? null }),
  };
}

const credentialsSchema = z.object({ email: z.string().max(320), password: z.string().max(1024) });

export function buildAuthOptions(deps: AuthDeps, request: { cookies: Record<string, string> }): NextAuthOptions {
  const { env } = deps;
  const offered = new Set(externalProviders(env).map((p) => p.id));
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw, req) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const headers = new Headers(req.headers as Record<string, string>);
        const network = networkHash(clientAddress(headers, env.PAIRWISE_TRUST_PROXY), deps.networkKey);
        try {
          const user = await signInWithPassword({ ...parsed.data, network }, deps.guard);
          return { id: user.id, email: user.email, name: user.name };
        } catch (err) {
          // next-auth shows a thrown message as ?error=...; a wrong password is its CredentialsSignin.
          if (isAppError(err) && err.code === 'rate_limited') throw new Error(err.message);
          if (isAppError(err)) return null;
          throw err;
        }
      },
    }),
  ];
  if (offered.has('github')) providers.push(GitHubProvider({ clientId: env.GITHUB_CLIENT_ID!, clientSecret: env.GITHUB_CLIENT_SECRET! }));
  if (offered.has('google')) providers.push(GoogleProvider({ clientId: env.GOOGLE_CLIENT_ID!, clientSecret: env.GOOGLE_CLIENT_SECRET! }));
  if (offered.has('oidc')) providers.push(oidcProvider(env));

  return {
    secret: deps.sessionSecret,
    useSecureCookies: deps.secureCookies,
    session: { strategy: 'jwt', maxAge: SESSION_DAYS * 24 * 3600 },
    pages: { signIn: '/signin', error: '/signin' },
    providers,
    logger: {
      error: (code, metadata) => console.error(`[auth] ${code}`, metadata instanceof Error ? metadata.message : ''),
      warn: (code) => console.warn(`[auth] ${code}`),
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (!account || account.type === 'credentials') return true;
        const p = (profile ?? {}) as Omit<OidcProfile, 'email_verified'> & { email_verified?: boolean | string };
        const result = await signInExternal(
          {
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            email: user.email ?? p.email ?? null,
            emailVerified: p.email_verified === true || p.email_verified === 'true',
            name: user.name ?? null,
          },
          deps.signUpPolicy(),
          request.cookies[INVITE_COOKIE] ?? null,
        );
        if ('refused' in result) return `/signin?error=${result.refused}`;
        // Seen by the jwt callback below: the session names our user, not the provider's id.
        user.id = result.user.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub } } as typeof session;
      },
    },
  };
}
