import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getAppContext, type AppContext } from '@/lib/app-context';
import { assertAllowedHost } from '@/lib/edge/origin';
import { resolveActor, type Actor } from '@/lib/identity/actor';

/**
 * The request edge of server-rendered pages, as lib/edge/route.ts is for API routes: the one place
 * a page gets the app context and who is looking at it. Pages never mint a voter.
 */
export async function pageContext(): Promise<{ app: AppContext; actor: Actor }> {
  const app = await getAppContext();
  const h = await headers();
  assertAllowedHost(h, app.origin, app.env.PAIRWISE_TRUST_PROXY);
  const req = new Request('http://page.invalid/', { headers: h });
  const actor = await resolveActor(req, app.identity, { mintVoter: false });
  return { app, actor };
}

/** A page for signed-in people: others go to the sign-in page and come back. */
export async function requireUserPage(returnTo: string) {
  const ctx = await pageContext();
  if (!ctx.actor.user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return ctx as typeof ctx & { actor: { user: NonNullable<Actor['user']> } };
}

/**
 * An operator page. Anonymous visitors are sent to sign in; a signed-in voter gets a 404, the
 * same as for a page that does not exist, so the console does not even confirm it is there.
 */
export async function requireAdminPage(returnTo: string) {
  const ctx = await requireUserPage(returnTo);
  if (ctx.actor.user.role !== 'admin') notFound();
  return ctx;
}
