import { z } from 'zod';
import { agreeToRules } from '@/lib/battle/participation';
import { route } from '@/lib/edge/route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** "I agree" to the arena's rules, before the first battle (the consent gate). */
export const POST = route({ body: z.strictObject({ agree: z.literal(true) }), maxBytes: 1024, mintVoter: true }, ({ actor }) => agreeToRules(actor));
