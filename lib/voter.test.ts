import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVoterSecret, readCookie, resolveVoter, signVoterId, verifyVoterCookie, VOTER_COOKIE } from './voter';

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

  it('mints a new httpOnly SameSite=Lax cookie when the request has none or a bad one', () => {
    const fresh = resolveVoter(new Request('http://127.0.0.1/api/battles'), secret);
    expect(fresh.setCookie).toMatch(new RegExp(`^${VOTER_COOKIE}=[0-9a-f-]{36}\\.[A-Za-z0-9_-]+;`));
    expect(fresh.setCookie).toContain('HttpOnly');
    expect(fresh.setCookie).toContain('SameSite=Lax');
    expect(fresh.setCookie).not.toContain('Secure');

    const value = fresh.setCookie!.split(';')[0].split('=')[1];
    const again = resolveVoter(new Request('http://x/', { headers: { cookie: `a=1; ${VOTER_COOKIE}=${value}` } }), secret);
    expect(again).toEqual({ id: fresh.id });

    const forged = resolveVoter(
      new Request('http://x/', { headers: { cookie: `${VOTER_COOKIE}=${crypto.randomUUID()}.forged` } }),
      secret,
    );
    expect(forged.setCookie).toBeDefined();
    expect(forged.id).not.toBe(fresh.id);
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
