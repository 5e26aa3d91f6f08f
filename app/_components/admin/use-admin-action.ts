'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useState, useTransition } from 'react';
import { withBasePath } from '@/lib/base-path';

/** The error text of a console API answer ({ error: { message } }), or a generic one. */
async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return `The server answered ${res.status}.`;
}

export async function adminFetch<T = unknown>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(withBasePath(url), {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(await errorText(res));
  return (await res.json()) as T;
}

/**
 * Calls a console API route and, when it succeeds, re-renders the page's server data
 * (router.refresh), so lists show the change without a reload. Errors are kept for display.
 */
export function useAdminAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refreshing, startTransition] = useTransition();
  const run = useCallback(
    async <T,>(url: string, method: string, body?: unknown, opts: { refresh?: boolean } = {}): Promise<T | null> => {
      setBusy(true);
      setError(null);
      try {
        const out = await adminFetch<T>(url, method, body);
        if (opts.refresh ?? true) startTransition(() => router.refresh());
        return out;
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        return null;
      } finally {
        setBusy(false);
      }
    },
    [router],
  );
  return { run, error, setError, pending: busy || refreshing };
}
