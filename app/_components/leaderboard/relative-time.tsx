'use client';

import { useEffect, useState } from 'react';

function relative(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} seconds ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  return `${d} days ago`;
}

/**
 * A time shown relative to now. The server renders the UTC time (no clock of the browser is
 * known there), the browser replaces it after hydration and keeps it current.
 */
export function RelativeTime({ at }: { at: number }) {
  const iso = new Date(at).toISOString();
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  return (
    <time dateTime={iso} title={new Date(at).toLocaleString()} suppressHydrationWarning>
      {now === null ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : relative(at, now)}
    </time>
  );
}
