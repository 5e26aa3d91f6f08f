import { route } from '@/lib/edge/route';
import { accountChangeSchema, accountQuerySchema, browseAccounts, changeAccount } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Accounts, newest first. */
export const GET = route({ role: 'admin', query: accountQuerySchema }, ({ query }) => browseAccounts(query));

/** Change an account's role, or disable / enable it. */
export const PATCH = route({ role: 'admin', body: accountChangeSchema, maxBytes: 4096 }, ({ actor, body }) => changeAccount(actor.user!, body));
