import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * Where a request comes from, reduced to what rate limits and trust scoring need: a keyed hash of
 * its network (IPv4 /24, IPv6 /64). The address itself is never stored or logged. One person can
 * own many addresses of one network, so limits per network bound what a single host can do even
 * when it rotates addresses inside its block.
 */

/** Header set by server.mjs from the socket's peer address; a client's own copy is removed first. */
export const PEER_HEADER = 'x-pairwise-peer';

/**
 * The client address. Without a trusted proxy it is the TCP peer (server.mjs); forwarding headers
 * are read only when `trustProxy` hops are configured, taking the address that the outermost
 * trusted proxy saw (X-Forwarded-For is appended to by each hop, so the entries left of that one
 * are whatever the client chose to send).
 */
export function clientAddress(headers: Headers, trustProxy: number): string | null {
  const peer = headers.get(PEER_HEADER)?.trim() || null;
  if (trustProxy <= 0) return peer;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const index = hops.length - trustProxy;
  return (index >= 0 ? hops[index] : hops[0]) ?? peer;
}

/** "203.0.113.0/24" or "2001:db8:1:2::/64"; null for something that is not an address. */
export function networkPrefix(address: string | null): string | null {
  if (!address) return null;
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return null;
  let ip = ipaddr.parse(bare);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv4') {
    const o = (ip as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4);
  return `${ipaddr.IPv6.parse(`${parts.map((p) => p.toString(16)).join(':')}::`).toString()}/64`;
}

/** Keyed hash of the network: stable for one key, useless without it. */
export function networkHash(address: string | null, key: string): string {
  const prefix = networkPrefix(address) ?? 'unknown';
  return crypto.createHmac('sha256', key).update(prefix).digest('base64url').slice(0, 22);
}
