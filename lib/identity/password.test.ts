import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './password';

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

  it('checks unknown emails against a dummy hash, which costs about as long as a real check', async () => {
    const hash = await hashPassword('another password');
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    await verifyAgainstDummy('warm up');
    const real = await time(() => verifyPassword('guess', hash));
    const dummy = await time(() => verifyAgainstDummy('guess'));
    expect(await verifyAgainstDummy('another password')).toBe(false);
    // Same scrypt cost: within a factor of three of each other (generous for a shared CI core).
    expect(dummy).toBeGreaterThan(real / 3);
    expect(dummy).toBeLessThan(real * 3);
  });

  it('asks for a reasonable length', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('x'.repeat(300))).toMatch(/at most 256/);
    expect(passwordProblem('long enough pass')).toBeNull();
  });
});
