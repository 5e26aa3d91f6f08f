import { NextResponse, type NextRequest } from 'next/server';
import { env } from './lib/env';
import { isAllowedHost, policyFrom } from './lib/edge/origin';
import { NON_PAGE_CSP, pageCsp, SECURITY_HEADERS } from './lib/edge/security-headers.mjs';

/**
 * Runs before every page (the API has its own edge, lib/edge/route.ts): refuses a Host the arena
 * does not serve (a DNS-rebinding page would otherwise read it as same-origin), and gives each page
 * a Content-Security-Policy with a fresh script nonce. Next.js reads the nonce from the request's
 * policy header and puts it on the scripts it renders, which is why pages render per request.
 * Web APIs only: proxy code must not depend on Node.js.
 */

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

function requestHost(req: NextRequest): string {
  const forwarded = env().PAIRWISE_TRUST_PROXY > 0 ? req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || req.headers.get('host') || '').toLowerCase();
}

export function proxy(req: NextRequest) {
  const publicUrl = env().PAIRWISE_PUBLIC_URL;
  if (!isAllowedHost(requestHost(req), policyFrom(publicUrl))) {
    const res = new NextResponse('This server does not answer for that host name.\n', {
      status: 421,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': NON_PAGE_CSP },
    });
    for (const { key, value } of SECURITY_HEADERS) res.headers.set(key, value);
    return res;
  }
  const csp = pageCsp(nonce(), {
    dev: process.env.NODE_ENV === 'development',
    https: publicUrl?.startsWith('https:') ?? false,
  });
  const headers = new Headers(req.headers);
  headers.set('Content-Security-Policy', csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set('Content-Security-Policy', csp);
  return res;
}

export const config = {
  // Pages only: not the API (its handlers check the host themselves) nor the build's static files.
  matcher: ['/((?!api/|api$|_next/static/|_next/image/|favicon.ico).*)'],
};
