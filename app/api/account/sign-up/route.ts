import { z } from 'zod';
import { route } from '@/lib/edge/route';
import { signUp } from '@/lib/identity/sign-up';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const bodySchema = z.strictObject({
  email: z.string().max(320),
  password: z.string().max(1024),
  name: z.string().max(100).optional(),
  invite: z.string().max(200).optional(),
});

/** A new account with email and password, as the sign-up policy allows; then sign in with it. */
export const POST = route({ body: bodySchema, maxBytes: 8192 }, async ({ app, actor, body }) => {
  const user = await signUp(app, body, actor);
  return { user: { id: user.id, email: user.email, name: user.name } };
});
