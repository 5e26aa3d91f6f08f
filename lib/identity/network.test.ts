import { describe, expect, it } from 'vitest';
import { clientAddress, networkHash, networkPrefix, PEER_HEADER } from './network';

const headers = (h: Record<string, string>) => new Headers(h);

describe('client address', () => {
  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For claims', () => {
    const h = headers({ [PEER_HEADER]: '203.0.113.9', 'x-forwarded-for': '198.51.100.1' });
    expect(clientAddress(h, 0)).toBe('203.0.113.9');
  });

  it('is the address the outermost trusted proxy saw', () => {
    const h = headers({ [PEER_HEADER]: '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.1' });
    expect(clientAddress(h, 1)).toBe('10.0.0.1');
    expect(clientAddress(h, 2)).toBe('198.51.100.7');
    // More hops configured than present: the leftmost entry.
    expect(clientAddress(h, 5)).toBe('6.6.6.6');
    expect(clientAddress(headers({ [PEER_HEADER]: '10.0.0.2' }), 1)).toBe('10.0.0.2');
  });
});

describe('network prefix and hash', () => {
  it('reduces IPv4 to /24, IPv6 to /64 and mapped IPv4 to its IPv4 /24', () => {
    expect(networkPrefix('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkPrefix('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkPrefix('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(networkPrefix('[2001:db8:1:2::9]')).toBe('2001:db8:1:2::/64');
    expect(networkPrefix('fe80::1%eth0')).toBe('fe80::/64');
    expect(networkPrefix('not an address')).toBeNull();
    expect(networkPrefix(null)).toBeNull();
  });

  it('hashes with a key: same network same hash, the raw address never appears', () => {
    const a = networkHash('203.0.113.5', 'k1');
    expect(networkHash('203.0.113.250', 'k1')).toBe(a);
    expect(networkHash('203.0.114.5', 'k1')).not.toBe(a);
    expect(networkHash('203.0.113.5', 'k2')).not.toBe(a);
    expect(a).not.toContain('203');
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
