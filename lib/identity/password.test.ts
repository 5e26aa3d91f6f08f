import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('normalises Unicode so the same password typed differently matches', async () => {
    const hash = await hashPassword('caf\u00e9 au lait!');
    expect(await verifyPassword('cafe\u0301 au lait!', hash)).toBe(true);
  });

  it('never matches a malformed or tampered hash', async () => {
    const hash = await hashPassword('a fine password');
    for (const bad of ['', 'plain', hash.replace('scrypt', 'bcrypt'), hash.slice(0, -4), hash.replace('$32768$', '$0$'), hash.replace('$32768$', '$99999999$')]) {
      expect(await verifyPassword('a fine password', bad), bad).toBe(false);
    }
  });

  it('checks unknown emails against a dummy hash made with the same cost as real ones', async () => {
    const [real, dummy] = await Promise.all([hashPassword('another password'), dummyHash()]);
    // Same scheme and parameters (N, r, p): the same scrypt work, so the same time, by construction.
    const params = (h: string) => h.split('$').slice(0, 4).join('$');
    expect(params(dummy)).toBe(params(real));
    expect(await dummyHash()).toBe(dummy);
    expect(await verifyAgainstDummy('another password')).toBe(false);
  });

  it('asks for a reasonable length', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('x'.repeat(300))).toMatch(/at most 256/);
    expect(passwordProblem('long enough pass')).toBeNull();
  });
});
