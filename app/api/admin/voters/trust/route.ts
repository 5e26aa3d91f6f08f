import { route } from '@/lib/edge/route';
import { overrideVoterTrust, trustOverrideSchema } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Overrides the trust pass for a voter ('trusted', 'untrusted') or hands it back (null); audited. */
export const POST = route({ role: 'admin', body: trustOverrideSchema, maxBytes: 4096 }, ({ actor, body }) => overrideVoterTrust(actor.user!, body));
