'use client';

import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useEffect, useState } from 'react';
import { z } from '../zod';
import { withBasePath } from '@/lib/base-path';

const meSchema = z.object({
  user: z.object({ email: z.string().nullable(), name: z.string().nullable(), role: z.enum(['voter', 'admin']) }).nullable(),
});

/**
 * The header's account links. Fetched in the browser so that pages stay static shells; it names
 * only the person signed in, never a model.
 */
export function AccountMenu() {
  const [me, setMe] = useState<z.infer<typeof meSchema>['user'] | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    fetch(withBasePath('/api/account'), { signal: controller.signal, cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        const parsed = meSchema.safeParse(body);
        setMe(parsed.success ? parsed.data.user : null);
      })
      .catch(() => {});
    return () => controller.abort();
  }, []);

  if (me === undefined) return null;
  if (me === null) {
    return (
      <Link href="/signin" data-testid="nav-signin">
        Sign in
      </Link>
    );
  }
  return (
    <>
      {me.role === 'admin' && (
        <Link href="/admin" data-testid="nav-admin">
          Console
        </Link>
      )}
      <Link href="/account" data-testid="nav-account" title={me.email ?? undefined}>
        {me.name || me.email || 'Account'}
      </Link>
      <button type="button" className="nav-button" data-testid="nav-signout" onClick={() => void signOut({ redirect: false }).then(() => window.location.assign(withBasePath('/')))}>
        Sign out
      </button>
    </>
  );
}
