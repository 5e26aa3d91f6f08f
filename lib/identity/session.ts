import { decode } from 'next-auth/jwt';
import { parse as parseCookies } from 'cookie';
import { getUser } from '../../db/queries/users';
import type { SessionUser } from './actor';

/**
 * The signed-in account of a request, from next-auth's session cookie only (an encrypted JWT):
 * never from a header, a query or a body (next-auth's own getToken would also take a Bearer
 * header). The JWT says who signed in; role and disabled status are read from the store on every
 * request, so a changed role or a ban applies at once.
 */

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Secure-next-auth.session-token' : 'next-auth.session-token';
}

/** next-auth splits a large token into `name.0`, `name.1`, ...; joined in order. */
function sessionToken(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  const all = parseCookies(cookieHeader);
  if (all[name]) return all[name];
  const chunks = Object.keys(all)
    .filter((k) => k.startsWith(`${name}.`) && /^\d+$/.test(k.slice(name.length + 1)))
    .sort((a, b) => Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)));
  return chunks.length ? chunks.map((k) => all[k]).join('') : null;
}

export async function sessionUserId(cookieHeader: string | null, opts: { secret: string; secure: boolean }): Promise<string | null> {
  const token = sessionToken(cookieHeader, sessionCookieName(opts.secure));
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: opts.secret });
    return typeof payload?.sub === 'string' && payload.sub ? payload.sub : null;
  } catch {
    return null;
  }
}

export async function sessionUser(cookieHeader: string | null, opts: { secret: string; secure: boolean }): Promise<SessionUser | null> {
  const id = await sessionUserId(cookieHeader, opts);
  if (!id) return null;
  const user = await getUser({ id });
  if (!user || user.disabledAt !== null) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
