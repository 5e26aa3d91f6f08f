import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Who is signed in on this browser (for the page header), and whether voting needs an account. */
export const GET = route({}, ({ app, actor }) => ({
  user: actor.user ? { email: actor.user.email, name: actor.user.name, role: actor.user.role } : null,
  voting: app.operator().access.voting,
}));
