import { NON_PAGE_CSP, SECURITY_HEADERS } from './lib/edge/security-headers.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and in-process inference must stay outside the server bundle.
  serverExternalPackages: ['better-sqlite3', 'node-llama-cpp', 'drizzle-orm', 'rate-limiter-flexible'],
  poweredByHeader: false,
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      // Pages get a per-request policy with a script nonce from proxy.ts; the rest gets this one.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CSP }] },
      { source: '/_next/static/:path*', headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CSP }] },
    ];
  },
};

export default nextConfig;
