#!/usr/bin/env node
/**
 * `npm start`: the built Next.js app behind Node's own HTTP server, so that Pairwise controls
 * what `next start` does not let it: the listening address (HOST, PORT), the client's address as
 * the socket saw it (for rate limits; a client cannot forge it), and an orderly shutdown.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const root = path.dirname(fileURLToPath(import.meta.url));
process.env.PAIRWISE_ROOT ??= root;
process.env.NODE_ENV = 'production';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
/** How long streams in flight may go on after SIGTERM before they are cut off. */
const shutdownMs = Number(process.env.PAIRWISE_SHUTDOWN_MS || 10_000);
const PEER_HEADER = 'x-pairwise-peer';
const trustProxy = Number(process.env.PAIRWISE_TRUST_PROXY || 0) > 0;

// next-auth builds its callback URLs from NEXTAUTH_URL, or (AUTH_TRUST_HOST) from the request's
// host, which the app checks against PAIRWISE_PUBLIC_URL or loopback names before anything else.
if (process.env.PAIRWISE_PUBLIC_URL && !process.env.NEXTAUTH_URL) {
  process.env.NEXTAUTH_URL = `${process.env.PAIRWISE_PUBLIC_URL.replace(/\/+$/, '')}${process.env.PAIRWISE_BASE_PATH ?? ''}/api/auth`;
} else {
  process.env.AUTH_TRUST_HOST ??= 'true';
}

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[pairwise] cannot start: PORT must be a port number, got "${process.env.PORT}".`);
  process.exit(1);
}

const app = next({ dev: false, dir: root, hostname: host, port });
const handle = app.getRequestHandler();

try {
  await app.prepare();
  // In production Next loads instrumentation (the registry, the store, the refresher) on the first
  // request; doing it now makes a broken registry stop the process before it listens.
  // (Next's own server object is reached through its wrapper; the call is memoised by Next.)
  const inner = await app.server?.getServer?.();
  await inner?.prepare?.();
} catch (err) {
  console.error(`[pairwise] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const server = http.createServer((req, res) => {
  // Only this server says where a request came from; forwarding headers count only from a
  // configured proxy (Next fills them in from the socket otherwise).
  delete req.headers[PEER_HEADER];
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
  if (!trustProxy) {
    for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded']) delete req.headers[name];
  }
  handle(req, res);
});

server.on('error', (err) => {
  console.error(`[pairwise] cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});

server.listen(port, host, () => {
  const address = server.address();
  const shown = typeof address === 'object' && address ? address.port : port;
  const name = host.includes(':') ? `[${host}]` : host;
  console.log(`[pairwise] listening on http://${name}:${shown}`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !process.env.PAIRWISE_PUBLIC_URL) {
    console.warn(
      '[pairwise] HOST is not a loopback address but PAIRWISE_PUBLIC_URL is not set: only requests for localhost names are answered.',
    );
  }
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[pairwise] ${signal}: no new connections; waiting up to ${shutdownMs} ms for requests in flight.`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 250);
  idle.unref();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, shutdownMs + 1_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
