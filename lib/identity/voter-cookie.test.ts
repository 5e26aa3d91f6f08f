import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKey, loadVoterSecret, readCookie, signVoterId, verifyVoterCookie, voterIdFromRequest, voterSetCookie, VOTER_COOKIE } from './voter-cookie';

const secret = 'a'.repeat(64);

describe('voter cookie', () => {
  it('round-trips a signed id', () => {
    const id = crypto.randomUUID();
    expect(verifyVoterCookie(signVoterId(id, secret), secret)).toBe(id);
  });

  it('rejects a tampered id, a tampered signature, another secret and junk', () => {
    const id = crypto.randomUUID();
    const value = signVoterId(id, secret);
    const other = crypto.randomUUID();
    expect(verifyVoterCookie(`${other}${value.slice(id.length)}`, secret)).toBeNull();
    const sig = value.slice(id.length + 1);
    const flipped = sig[0] === 'A' ? 'B' + sig.slice(1) : 'A' + sig.slice(1);
    expect(verifyVoterCookie(`${id}.${flipped}`, secret)).toBeNull();
    expect(verifyVoterCookie(value, 'b'.repeat(64))).toBeNull();
    expect(verifyVoterCookie(id, secret)).toBeNull();
    expect(verifyVoterCookie('', secret)).toBeNull();
    expect(verifyVoterCookie(`${id}.`, secret)).toBeNull();
  });

  it('sets an httpOnly SameSite=Lax cookie, Secure when asked, and reads it back from a request', () => {
    const id = crypto.randomUUID();
    const header = voterSetCookie(signVoterId(id, secret));
    expect(header).toMatch(new RegExp(`^${VOTER_COOKIE}=[0-9a-f-]{36}\\.[A-Za-z0-9_-]+;`));
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).not.toContain('Secure');
    expect(voterSetCookie('x', { secure: true, path: '/arena' })).toMatch(/Path=\/arena.*Secure/);

    const value = header.split(';')[0].split('=')[1];
    const req = new Request('http://x/', { headers: { cookie: `a=1; ${VOTER_COOKIE}=${value}` } });
    expect(voterIdFromRequest(req, secret)).toBe(id);
    const forged = new Request('http://x/', { headers: { cookie: `${VOTER_COOKIE}=${crypto.randomUUID()}.forged` } });
    expect(voterIdFromRequest(forged, secret)).toBeNull();
    expect(voterIdFromRequest(new Request('http://x/'), secret)).toBeNull();
  });

  it('derives a distinct key per purpose', () => {
    const keys = (['network', 'session', 'pseudonym'] as const).map((p) => deriveKey(secret, p));
    expect(new Set(keys).size).toBe(3);
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(deriveKey(secret, 'network')).toBe(keys[0]);
    expect(deriveKey('b'.repeat(64), 'network')).not.toBe(keys[0]);
  });

  it('reads cookies from a header', () => {
    expect(readCookie('x=1; pw_voter=abc%2Edef; y=2', 'pw_voter')).toBe('abc.def');
    expect(readCookie(null, 'pw_voter')).toBeUndefined();
  });
});

describe('loadVoterSecret', () => {
  it('creates the secret once beside the database, mode 0600, and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-secret-'));
    const db = path.join(dir, 'sub', 'pairwise.db');
    const s1 = loadVoterSecret(db, {});
    const s2 = loadVoterSecret(db, {});
    expect(s1).toBe(s2);
    expect(s1.length).toBeGreaterThanOrEqual(32);
    const stat = fs.statSync(path.join(dir, 'sub', 'pairwise.secret'));
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('prefers PAIRWISE_SECRET and refuses a short one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-secret-'));
    expect(loadVoterSecret(path.join(dir, 'x.db'), { PAIRWISE_SECRET: 'z'.repeat(20) })).toBe('z'.repeat(20));
    expect(fs.existsSync(path.join(dir, 'pairwise.secret'))).toBe(false);
    expect(() => loadVoterSecret(path.join(dir, 'x.db'), { PAIRWISE_SECRET: 'short' })).toThrow(/16 characters/);
  });
});
