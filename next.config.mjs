/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native addons and in-process inference must stay outside the server bundle.
  serverExternalPackages: ['better-sqlite3', 'node-llama-cpp', 'drizzle-orm', 'rate-limiter-flexible'],
  poweredByHeader: false,
};

export default nextConfig;
