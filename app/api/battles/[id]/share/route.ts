import { revokeShare, shareOwnedBattle } from '@/lib/battle/share';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Makes a read-only link to a voted battle (or a direct chat), by its owner; the same link if it has one. */
export const POST = route({}, ({ actor, params }) => shareOwnedBattle(params.id, actor));

/** Revokes the link: the old token reads nothing any more. */
export const DELETE = route({}, ({ actor, params }) => revokeShare(params.id, actor));
