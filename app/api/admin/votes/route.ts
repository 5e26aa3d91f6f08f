import { route } from '@/lib/edge/route';
import { browseVotes, voteQuerySchema } from '@/lib/admin/votes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** One page of votes (newest battle first), filtered; `next` is the cursor of the following page. */
export const GET = route({ role: 'admin', query: voteQuerySchema }, ({ query }) => browseVotes(query));
