import { route } from '@/lib/edge/route';
import { browseVoters, voterQuerySchema } from '@/lib/admin/people';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Voters (browsers), most recently seen first, with their vote counts. */
export const GET = route({ role: 'admin', query: voterQuerySchema }, ({ query }) => browseVoters(query));
