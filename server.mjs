#!/usr/bin/env node
/**
 * `npm start`: the built Next.js app behind Node's own HTTP server, so that Pairwise controls
 * what `next start` does not let it: the listening address (HOST, PORT), the client's address as
 * the socket saw it (for rate limits; a client cannot forge it), one error shape for every answer
 * under /api/, and an orderly shutdown.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { NON_PAGE_CSP, SECURITY_HEADERS } from './lib/edge/security-headers.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
process.env.PAIRWISE_ROOT ??= root;
process.env.NODE_ENV = 'production';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
/** How long streams in flight may go on after SIGTERM before they are stopped (lib/env.ts validates it). */
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
/** Hooks the app installs at start-up (lib/shutdown.ts). */
const LIFECYCLE_KEY = Symbol.for('pairwise.lifecycle');
/** The hot API routes answered without Next.js's router (lib/edge/direct-routes.ts). */
const DIRECT_ROUTES_KEY = Symbol.for('pairwise.directRoutes');

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

// ---------------------------------------------------------------------------------------------
// The JSON error shape under /api/. Route handlers answer through lib/http.ts; what Next.js
// answers by itself (its HTML 404 page, a bare 405, a plain-text 500 for a path it cannot decode,
// a 308 to drop a trailing slash) is turned into the same { error: { code, message } } here.

const API_PATH = /^\/api(?:\/|$)/;
const AUTH_PATH = /^\/api\/auth\//;
const BASE_PATH = (process.env.PAIRWISE_BASE_PATH ?? '').trim().replace(/\/+$/, '');
/** The methods Next.js route handlers can implement; anything else is refused before it gets there. */
const ROUTE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Requests that start answers streaming; refused once shutdown has begun. */
const STREAM_START = /^\/api\/battles(?:\/[^/]+\/(?:messages|regenerate))?$/;

const STATUS_CODE = {
  400: ['bad_request', 'The request could not be understood.'],
  401: ['unauthorized', 'Sign in first.'],
  403: ['forbidden', 'This request is not allowed.'],
  404: ['not_found', 'There is no API route at this path.'],
  405: ['method_not_allowed', 'This route does not accept that method.'],
  408: ['request_timeout', 'The request took too long to arrive.'],
  413: ['payload_too_large', 'The request body is too large.'],
  414: ['uri_too_long', 'The request URL is too long.'],
  415: ['unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).'],
  421: ['unknown_host', 'This server does not answer for that host name.'],
  431: ['headers_too_large', 'The request headers are too large.'],
  500: ['internal', 'Something went wrong on the server. Please try again.'],
  503: ['unavailable', 'The server is not taking new requests right now. Try again in a moment.'],
};

function errorBody(status, message) {
  const [code, fallback] = STATUS_CODE[status] ?? (status >= 500 ? STATUS_CODE[500] : STATUS_CODE[400]);
  return JSON.stringify({ error: { code, message: message ?? fallback } });
}

function baseHeaders(extra = {}) {
  const headers = { 'Content-Security-Policy': NON_PAGE_CSP, 'Cache-Control': 'no-store', ...extra };
  for (const { key, value } of SECURITY_HEADERS) headers[key] = value;
  return headers;
}

/** Answers a request here, without Next.js. */
function sendError(req, res, status, { json = true, message, headers = {} } = {}) {
  const body = json ? errorBody(status, message) : `${message ?? http.STATUS_CODES[status]}\n`;
  res.writeHead(status, {
    ...baseHeaders(headers),
    'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(stopping ? { Connection: 'close' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The methods a route accepts, as Next.js lists them in its automatic answer to OPTIONS: asked
 * in process (no socket) when a 405 needs its Allow header.
 */
function allowedMethods(req) {
  return new Promise((resolve) => {
    const probe = new http.IncomingMessage(new net.Socket());
    probe.method = 'OPTIONS';
    probe.url = req.url;
    probe.headers = { host: req.headers.host ?? '', [PEER_HEADER]: req.headers[PEER_HEADER] ?? '' };
    probe.push(null);
    const out = new http.ServerResponse(probe);
    const timer = setTimeout(() => resolve(''), 2_000);
    out.write = () => true;
    out.end = function end() {
      clearTimeout(timer);
      resolve(String(this.getHeader('allow') ?? ''));
      return this;
    };
    Promise.resolve(handle(probe, out)).catch(() => resolve(''));
  });
}

/**
 * Watches what Next.js answers to an /api/ request: a redirect becomes a 404 (an API path is
 * either right or unknown), an error that is not JSON becomes the JSON error of its status, and
 * a 405 gets its Allow header. The decision is made when Next.js first writes (explicit or implicit
 * headers); from then on its own output is either passed on untouched or dropped for the JSON
 * answer, which goes out when Next.js ends the response. Headers the security policy set are kept.
 */
function guardApiResponse(req, res) {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end, flushHeaders: res.flushHeaders };
  /** null: undecided; false: Next's answer passes; a number: the status of the JSON answer. */
  let replace = null;
  const decide = (status, given) => {
    if (replace !== null) return;
    const givenType = given && !Array.isArray(given) ? (given['content-type'] ?? given['Content-Type'] ?? '') : '';
    const type = String(res.getHeader('content-type') ?? givenType);
    if (status >= 300 && status < 400) replace = 404;
    else if (status >= 400 && !/json/i.test(type)) replace = status;
    else replace = false;
  };
  const callbackOf = (args) => args.find((a) => typeof a === 'function');

  res.writeHead = function guardedWriteHead(status, ...rest) {
    decide(status, rest.find((r) => r && typeof r === 'object'));
    if (replace === false) return original.writeHead.call(this, status, ...rest);
    return this;
  };
  res.flushHeaders = function guardedFlushHeaders() {
    decide(this.statusCode);
    if (replace === false) return original.flushHeaders.call(this);
  };
  res.write = function guardedWrite(...args) {
    decide(this.statusCode);
    if (replace === false) return original.write.apply(this, args);
    const cb = callbackOf(args);
    if (cb) process.nextTick(cb);
    return true;
  };
  res.end = function guardedEnd(...args) {
    decide(this.statusCode);
    if (replace === false) return original.end.apply(this, args);
    const status = replace;
    replace = -1; // ended: later calls are ignored
    if (status === -1) return this;
    const send = (allow) => {
      for (const name of this.getHeaderNames()) {
        if (name.startsWith('x-nextjs') || ['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'etag', 'location', 'refresh', 'vary'].includes(name)) {
          this.removeHeader(name);
        }
      }
      const body = errorBody(status, status === 405 ? `This route does not accept ${req.method}.` : undefined);
      for (const [key, value] of Object.entries(baseHeaders({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }))) {
        this.setHeader(key, value);
      }
      if (allow) this.setHeader('Allow', allow);
      original.writeHead.call(this, status);
      original.end.call(this, req.method === 'HEAD' ? undefined : body, callbackOf(args));
    };
    if (status === 405) void allowedMethods(req).then(send);
    else send('');
    return this;
  };
}

// ---------------------------------------------------------------------------------------------

let stopping = false;

const server = http.createServer((req, res) => {
  // Only this server says where a request came from; forwarding headers count only from a
  // configured proxy (Next fills them in from the socket otherwise).
  delete req.headers[PEER_HEADER];
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
  if (!trustProxy) {
    for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded']) delete req.headers[name];
  }
  // While shutting down, every answer closes its connection: a keep-alive client cannot hold
  // the server open by sending one request after another.
  if (stopping) res.setHeader('Connection', 'close');

  const url = req.url ?? '/';
  // Paths below the base path (PAIRWISE_BASE_PATH), as the routes see them.
  const raw = url.split('?')[0];
  const pathname = BASE_PATH && (raw === BASE_PATH || raw.startsWith(`${BASE_PATH}/`)) ? raw.slice(BASE_PATH.length) || '/' : raw;
  const api = API_PATH.test(pathname);
  try {
    decodeURIComponent(pathname);
  } catch {
    return sendError(req, res, 400, { json: api, message: 'The request path is not valid percent-encoding.' });
  }
  if (!ROUTE_METHODS.has(req.method ?? '')) {
    if (!api) return sendError(req, res, 405, { json: false, headers: { Allow: 'GET, HEAD' } });
    return void allowedMethods(req).then((allow) =>
      sendError(req, res, 405, { message: `This route does not accept ${req.method}.`, headers: allow ? { Allow: allow } : {} }),
    );
  }
  if (api) {
    if (stopping && pathname === '/api/health') {
      return sendError(req, res, 503, { message: 'The server is shutting down.', headers: { 'Retry-After': '5' } });
    }
    if (stopping && req.method === 'POST' && STREAM_START.test(pathname)) {
      return sendError(req, res, 503, { message: 'The server is shutting down; start a new battle in a moment.', headers: { 'Retry-After': '5' } });
    }
    const direct = globalThis[DIRECT_ROUTES_KEY]?.serve(req, res, pathname);
    if (direct) {
      return void direct.catch((err) => {
        console.error('[pairwise] could not answer', req.method, pathname, err);
        if (res.headersSent) res.destroy();
        else sendError(req, res, 500);
      });
    }
    // next-auth's own routes redirect on purpose (to the provider, back to the page).
    if (!AUTH_PATH.test(pathname)) guardApiResponse(req, res);
  }
  handle(req, res);
});

// Requests too broken for a handler (bad syntax, headers over the limit, a method Node.js does not
// know): a JSON answer, then the connection closes.
server.on('clientError', (err, socket) => {
  if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  rawError(socket, status);
});

/** A JSON error written straight to a socket that has no request object; the connection closes. */
function rawError(socket, status, message) {
  const body = errorBody(status, message);
  const headers = { ...baseHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head.join('\r\n')}\r\n\r\n${body}`);
}
// CONNECT is no request a web app answers.
server.on('connect', (_req, socket) => rawError(socket, 405, 'This server does not accept CONNECT.'));

// A request (headers and body) must arrive within this long; answers may stream for longer.
server.requestTimeout = 60_000;
server.headersTimeout = 20_000;

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

/**
 * SIGTERM / SIGINT. While answers are still streaming (until the deadline at most) the server goes
 * on answering, so a vote on a finished battle still lands, but: new battles get 503, /api/health
 * says 503 (a supervisor or load balancer stops sending traffic), idle keep-alive connections are
 * closed and every answer closes its connection, so no client can hold the server open. Then the
 * streams still running are stopped (stored as aborted), the listener and the remaining connections
 * close, the store closes, and the process exits: at the latest a second after the deadline.
 */
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  console.log(`[pairwise] ${signal}: no new battles; answers in flight may stream for up to ${shutdownMs} ms.`);
  const lifecycle = globalThis[LIFECYCLE_KEY];
  // SQLite closes at once; a Postgres pool is given 300 ms to end its connections.
  const closeStore = () => Promise.race([lifecycle?.close(), new Promise((r) => setTimeout(r, 300).unref())]);
  // The safety net: 0.7 s past the deadline, not the whole second allowed, because on a loaded
  // machine the exit itself and whoever waits for it need the rest.
  setTimeout(() => {
    console.warn('[pairwise] shutdown: still not done 0.7 s past the deadline; closing the connections left and exiting.');
    server.closeAllConnections();
    void closeStore();
    process.exit(0);
  }, shutdownMs + 700).unref();

  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  idle.unref();

  const result = (await lifecycle?.drain({ deadlineMs: shutdownMs, recordMs: 300 })) ?? { finished: 0, stopped: 0 };
  // Streams are over: stop listening; requests still running get 150 ms more.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 150).unref())]);
  server.closeAllConnections();
  await closeStore();
  console.log(
    `[pairwise] stopped in ${Date.now() - started} ms (${result.finished} stream(s) finished, ${result.stopped} stopped at the deadline).`,
  );
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
