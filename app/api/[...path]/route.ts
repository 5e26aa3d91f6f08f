import { route } from '@/lib/edge/route';
import { AppError } from '@/lib/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Any path under /api/ that no route serves: a JSON 404, like every other API answer. */
const unknownRoute = route({}, () => {
  throw new AppError('not_found', 'There is no API route at this path.');
});

export const GET = unknownRoute;
export const POST = unknownRoute;
export const PUT = unknownRoute;
export const PATCH = unknownRoute;
export const DELETE = unknownRoute;
export const OPTIONS = unknownRoute;
