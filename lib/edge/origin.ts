import { AppError } from '../errors';

/**
 * Which hosts the app answers for, and which origins may change its state.
 *
 * With PAIRWISE_PUBLIC_URL set, its host is the only one served (behind a proxy, the proxy's
 * public name). Without it the app is a local install: only loopback names and addresses are
 * served, so a web page whose domain resolves to 127.0.0.1 (DNS rebinding) cannot talk to it.
 */

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

export interface OriginPolicy {
  /** The public origin (scheme://host[:port]) when configured. */
  publicOrigin: string | null;
}

export function policyFrom(publicUrl: string | undefined): OriginPolicy {
  return { publicOrigin: publicUrl ? new URL(publicUrl).origin : null };
}

/**
 * The Host a request was made to, as the client sent it (lower-cased). A request built in
 * process (tests) may have no Host header; then its URL says.
 */
function hostOf(headers: Headers, trustProxy: number, url?: string): string {
  const forwarded = trustProxy > 0 ? headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || headers.get('host') || (url ? new URL(url).host : '')).toLowerCase();
}

export function isAllowedHost(host: string, policy: OriginPolicy): boolean {
  if (policy.publicOrigin) return host === new URL(policy.publicOrigin).host;
  return LOOPBACK_HOST.test(host);
}

/** Throws 421 unknown_host when the request is for a host this app does not serve. */
export function assertAllowedHost(headers: Headers, policy: OriginPolicy, trustProxy: number, url?: string): void {
  const host = hostOf(headers, trustProxy, url);
  if (!isAllowedHost(host, policy)) {
    throw new AppError('unknown_host', 'This server does not answer for that host name. Set PAIRWISE_PUBLIC_URL to the address it is reached at.');
  }
}

/** The origins a browser's state-changing request may come from. */
function allowedOrigins(headers: Headers, policy: OriginPolicy, trustProxy: number): string[] {
  if (policy.publicOrigin) return [policy.publicOrigin];
  const host = hostOf(headers, trustProxy);
  return [`http://${host}`, `https://${host}`];
}

/**
 * A state-changing request must come from the app's own pages (or from a program that is not a
 * browser, which sends neither header and carries no one else's cookies). Browsers send
 * Sec-Fetch-Site and Origin on every cross-site POST, so either one is enough to refuse it.
 */
export function assertSameOrigin(headers: Headers, policy: OriginPolicy, trustProxy: number): void {
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    throw new AppError('forbidden', 'Cross-site requests are not accepted.');
  }
  const origin = headers.get('origin');
  if (origin !== null && !allowedOrigins(headers, policy, trustProxy).includes(origin.toLowerCase())) {
    throw new AppError('forbidden', 'Cross-site requests are not accepted.');
  }
}

/**
 * Bodies of state-changing requests are JSON. A cross-site HTML form can only send
 * url-encoded, multipart or plain text, and a script cannot send JSON cross-site without a CORS
 * preflight this app never grants.
 */
export function assertJsonRequest(headers: Headers): void {
  const type = headers.get('content-type');
  const hasBody = (Number(headers.get('content-length')) || 0) > 0 || headers.has('transfer-encoding');
  if (type === null && !hasBody) return;
  const mime = (type ?? '').split(';')[0].trim().toLowerCase();
  if (mime !== 'application/json') {
    throw new AppError('unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).');
  }
}
