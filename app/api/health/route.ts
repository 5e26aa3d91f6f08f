import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

/** Liveness for process supervisors and tests. Says nothing about which models exist. */
export function GET() {
  return NextResponse.json({ ok: true });
}
