import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors';
import { assertAllowedHost, assertJsonRequest, assertSameOrigin, policyFrom } from './origin';

const local = policyFrom(undefined);
const pub = policyFrom('https://arena.example.org');

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

describe('hosts', () => {
  it('a local install answers loopback names only', () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '127.1.2.3', '[::1]:3000', 'LOCALHOST']) {
      expect(codeOf(() => assertAllowedHost(new Headers({ host }), local, 0)), host).toBeNull();
    }
    for (const host of ['evil.example', 'localhost.evil.example', '192.168.1.5:3000', '']) {
      expect(codeOf(() => assertAllowedHost(new Headers({ host }), local, 0)), host).toBe('unknown_host');
    }
  });

  it('with a public URL only its host, and X-Forwarded-Host only behind a trusted proxy', () => {
    expect(codeOf(() => assertAllowedHost(new Headers({ host: 'arena.example.org' }), pub, 0))).toBeNull();
    expect(codeOf(() => assertAllowedHost(new Headers({ host: 'localhost:3000' }), pub, 0))).toBe('unknown_host');
    const proxied = new Headers({ host: '10.0.0.5:3000', 'x-forwarded-host': 'arena.example.org' });
    expect(codeOf(() => assertAllowedHost(proxied, pub, 1))).toBeNull();
    expect(codeOf(() => assertAllowedHost(proxied, pub, 0))).toBe('unknown_host');
  });
});

describe('same origin', () => {
  const h = (extra: Record<string, string>) => new Headers({ host: '127.0.0.1:3000', ...extra });
  it('accepts the own origin, same-origin fetches and non-browser clients', () => {
    expect(codeOf(() => assertSameOrigin(h({ origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }), local, 0))).toBeNull();
    expect(codeOf(() => assertSameOrigin(h({}), local, 0))).toBeNull();
    expect(codeOf(() => assertSameOrigin(h({ 'sec-fetch-site': 'none' }), local, 0))).toBeNull();
    expect(codeOf(() => assertSameOrigin(new Headers({ host: 'x', origin: 'https://arena.example.org' }), pub, 0))).toBeNull();
  });

  it('refuses other origins, opaque origins and cross-site or same-site fetch metadata', () => {
    expect(codeOf(() => assertSameOrigin(h({ origin: 'http://localhost:3000' }), local, 0))).toBe('forbidden');
    expect(codeOf(() => assertSameOrigin(h({ origin: 'null' }), local, 0))).toBe('forbidden');
    expect(codeOf(() => assertSameOrigin(h({ 'sec-fetch-site': 'cross-site' }), local, 0))).toBe('forbidden');
    expect(codeOf(() => assertSameOrigin(h({ 'sec-fetch-site': 'same-site' }), local, 0))).toBe('forbidden');
    expect(codeOf(() => assertSameOrigin(new Headers({ host: 'x', origin: 'http://arena.example.org' }), pub, 0))).toBe('forbidden');
  });

  it('bodies must be JSON', () => {
    expect(codeOf(() => assertJsonRequest(new Headers({ 'content-type': 'application/json; charset=utf-8', 'content-length': '2' })))).toBeNull();
    expect(codeOf(() => assertJsonRequest(new Headers({})))).toBeNull();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect(codeOf(() => assertJsonRequest(new Headers({ 'content-type': type, 'content-length': '5' }))), type).toBe('unsupported_media_type');
    }
    expect(codeOf(() => assertJsonRequest(new Headers({ 'content-length': '5' })))).toBe('unsupported_media_type');
  });
});
