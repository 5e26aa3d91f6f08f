/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and in-process inference must stay outside the server bundle.
  serverExternalPackages: ['better-sqlite3', 'node-llama-cpp'],
  poweredByHeader: false,
  // Production builds type-check through `npm run typecheck`; do not run it twice in CI.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
