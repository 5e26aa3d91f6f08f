import { NON_PAGE_CSP, SECURITY_HEADERS } from './lib/edge/security-headers.mjs';
/**
 * PAIRWISE_BASE_PATH (e.g. /arena) serves the app under a sub-path. Next.js fixes the base path
 * when it builds, so the variable must be set for `npm run build` and again for `npm start` (which
 * refuses to start when the two differ). PAIRWISE_DIST_DIR builds into another folder than .next,
 * so that builds for two base paths can sit side by side.
 */
const rawBasePath = (process.env.PAIRWISE_BASE_PATH ?? '').trim().replace(/\/+$/, '');
if (rawBasePath && !/^(\/[A-Za-z0-9._~-]+)+$/.test(rawBasePath)) {
  throw new Error(`PAIRWISE_BASE_PATH must look like /arena (a leading slash and plain path segments), got "${process.env.PAIRWISE_BASE_PATH}"`);
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and in-process inference must stay outside the server bundle.
  serverExternalPackages: ['better-sqlite3', 'node-llama-cpp', 'drizzle-orm', 'rate-limiter-flexible', 'pg'],
  poweredByHeader: false,
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      // Pages get a per-request policy with a script nonce from proxy.ts; the rest gets this one.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CSP }] },
      { source: '/_next/static/:path*', headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CSP }] },
    ];
  },
  ...(rawBasePath ? { basePath: rawBasePath } : {}),
  ...(process.env.PAIRWISE_DIST_DIR ? { distDir: process.env.PAIRWISE_DIST_DIR } : {}),
  // The base path as built, for plain fetches and links (lib/base-path.ts).
  env: { PAIRWISE_BUILT_BASE_PATH: rawBasePath },
};

export default nextConfig;
