import type { IncomingMessage, ServerResponse } from 'node:http';
import { NON_PAGE_CSP, SECURITY_HEADERS } from './security-headers.mjs';

/**
 * The hot API routes that `npm start` (server.mjs) answers without going through Next.js's
 * router: the same handler function, built by the same request edge (lib/edge/route.ts), given a
 * web Request made from the Node.js request, its Response written back. Only the dispatch
 * differs. Next.js costs about 1.1 ms of CPU for a route that does nothing, four times a whole
 * vote transaction, so a vote served through it could not keep up with the store; served here it
 * pays only its own work. Everything else (and these routes under `next dev`) still goes to
 * Next.js, whose answer for them is the same.
 *
 * The table lives on globalThis: instrumentation registers it at start-up, server.mjs (plain
 * JavaScript, outside the bundle) reads it under DIRECT_ROUTES_KEY.
 */

export const DIRECT_ROUTES_KEY = Symbol.for('pairwise.directRoutes');

type Handler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface DirectRoute {
  method: string;
  /** Matched against the path below the base path; each capture group is a parameter, in order. */
  path: RegExp;
  params: readonly string[];
  handler: Handler;
}

/**
 * What server.mjs calls: null when no direct route matches (Next.js answers), else the answer
 * under way; it rejects only when the answer could not be written (the edge turns every error of
 * the handler into its JSON answer).
 */
export interface DirectRoutes {
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> | null;
}

/**
 * The largest body read before the handler sees it. Each route's own limit (route()'s maxBytes)
 * is checked by the edge; this only bounds what is held for it. A body past it is cut one byte
 * over, which the edge refuses as too large.
 */
const READ_CAP = 64 * 1024;

/** The body, or null when the client went away before sending all of it (nothing to answer). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (body: Buffer | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
      resolve(body);
    };
    const onEnd = () => settle(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onClose = () => settle(null);
    const onError = (err: Error) => (req.destroyed ? settle(null) : reject(err));
    const onData = (chunk: Buffer) => {
      const room = READ_CAP + 1 - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      // Enough to know it is too large: the rest is left unread (Node discards it after the answer).
      if (size > READ_CAP) onEnd();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  });
}

function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** Headers every API answer carries (next.config.mjs sets the same on what Next.js serves). */
const FIXED_HEADERS: [string, string][] = [...SECURITY_HEADERS.map(({ key, value }): [string, string] => [key, value]), ['Content-Security-Policy', NON_PAGE_CSP]];

async function answer(route: DirectRoute, url: URL, params: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (!body) return;
  const request = new Request(url, { method: req.method, headers: webHeaders(req), body: body as Uint8Array<ArrayBuffer> });
  const response = await route.handler(request, { params: Promise.resolve(params) });
  const out = Buffer.from(await response.arrayBuffer());

  for (const [key, value] of FIXED_HEADERS) res.setHeader(key, value);
  for (const [key, value] of response.headers) if (key !== 'set-cookie') res.setHeader(key, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('Set-Cookie', cookies);
  res.setHeader('Content-Length', out.length);
  res.writeHead(response.status);
  res.end(req.method === 'HEAD' ? undefined : out);
}

/** Installs the table server.mjs dispatches to (once per process; a later call replaces it). */
export function serveDirectly(routes: readonly DirectRoute[]): void {
  const table: DirectRoutes = {
    serve(req, res, pathname) {
      for (const route of routes) {
        if (req.method !== route.method) continue;
        const match = route.path.exec(pathname);
        if (!match) continue;
        // What cannot be made into a URL and parameters (a Host that is no URL authority, a path
        // that does not decode) is left to Next.js, which refuses it with its JSON error.
        const host = req.headers.host;
        if (!host || /[\s/?#@\\]/.test(host)) return null;
        let url: URL;
        const params: Record<string, string> = {};
        try {
          url = new URL(`http://${host}${req.url}`);
          route.params.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
        } catch {
          return null;
        }
        return answer(route, url, params, req, res);
      }
      return null;
    },
  };
  (globalThis as unknown as Record<symbol, DirectRoutes>)[DIRECT_ROUTES_KEY] = table;
}
