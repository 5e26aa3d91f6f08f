'use client';

import { useEffect } from 'react';

/**
 * Keeps an invite token for an external sign-in (GitHub, Google, OpenID Connect), which leaves the
 * site and comes back without it: the sign-in callback reads this short-lived cookie.
 */
export function InviteCookie({ token }: { token: string }) {
  useEffect(() => {
    document.cookie = `pw_invite=${encodeURIComponent(token)}; Path=/; Max-Age=1800; SameSite=Lax`;
  }, [token]);
  return null;
}
