'use client';

import { SessionProvider } from 'next-auth/react';
import { withBasePath } from '@/lib/base-path';

/**
 * Tells next-auth's browser functions (signIn, signOut) where its routes are when the app is
 * served under a sub-path; by default they call /api/auth at the root. The session itself is not
 * fetched here (session={null}, no refetch): the account menu asks /api/account.
 */
export function AuthBasePath({ children }: { children: React.ReactNode }) {
  return (
    <SessionProvider basePath={withBasePath('/api/auth')} session={null} refetchOnWindowFocus={false}>
      {children}
    </SessionProvider>
  );
}
