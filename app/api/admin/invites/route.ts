import { route } from '@/lib/edge/route';
import { createInviteLink, inviteSchema, listInviteLinks } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'admin' }, async () => ({ invites: await listInviteLinks() }));

/** A new invite link; its token is in `path` this once and never again (only its hash is stored). */
export const POST = route({ role: 'admin', body: inviteSchema, maxBytes: 4096 }, ({ actor, body }) => createInviteLink(actor.user!, body));
