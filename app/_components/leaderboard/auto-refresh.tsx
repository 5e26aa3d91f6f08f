'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * While the numbers on screen are being recomputed, re-reads the page every few seconds so the
 * new snapshot shows up by itself; does nothing once the board is current.
 */
export function AutoRefresh({ active, everyMs = 2_500 }: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(t);
  }, [active, everyMs, router]);
  return null;
}
