/**
 * The security headers, in one place for the three writers of responses: next.config.mjs (every
 * route and file Next.js serves), proxy.ts (the per-request CSP of pages) and server.mjs (the
 * answers it gives itself: refused requests, shutdown). Plain JavaScript so all three can load it.
 */

/** Sent with every response. */
export const SECURITY_HEADERS = [
  // Browsers must not guess a type: an answer's JSON or NDJSON is never run as a script or page.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // No framing, so a vote cannot be clicked through a cross-site iframe (CSP frame-ancestors
  // says the same to browsers that read it; this is for those that do not).
  { key: 'X-Frame-Options', value: 'DENY' },
  // Links in answers open other sites; they learn nothing about the battle they came from.
  { key: 'Referrer-Policy', value: 'no-referrer' },
  // The arena needs none of the powerful features.
  {
    key: 'Permissions-Policy',
    value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), display-capture=()',
  },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
];

/** The policy of everything that is not a page (API answers, files): nothing runs, nothing frames it. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The policy of a page: scripts only from this origin and inline ones carrying this request's
 * nonce (Next.js puts it on its own), nothing embedded, no framing. Styles may be inline: React
 * renders style attributes, which cannot carry a nonce, and they cannot run code.
 * @param {string} nonce
 * @param {{ dev?: boolean, https?: boolean }} [options]
 * @returns {string}
 */
export function pageCsp(nonce, options = {}) {
  return [
    "default-src 'self'",
    // Development only: React's dev build evaluates server error stacks.
    `script-src 'self' 'nonce-${nonce}'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
