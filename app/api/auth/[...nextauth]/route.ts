import { parse as parseCookies } from 'cookie';
import NextAuth from 'next-auth';
import { buildAuthOptions } from '@/lib/identity/auth-options';
import { authRoute } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** next-auth's own routes: sign-in, callbacks, session, CSRF token, sign-out. */
const handler = authRoute((app, req, segment) =>
  NextAuth(req as never, segment as never, buildAuthOptions(app.auth, { cookies: parseCookies(req.headers.get('cookie') ?? '') as Record<string, string> })),
);

export { handler as GET, handler as POST };
