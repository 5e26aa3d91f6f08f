import { describe, expect, it } from 'vitest';
import { readEnv } from './env';

describe('readEnv', () => {
  it('takes an empty environment with its defaults', () => {
    const env = readEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PAIRWISE_TRUST_PROXY).toBe(0);
  });

  it('takes a Postgres DATABASE_URL with a shared PAIRWISE_SECRET, and says what is wrong otherwise', () => {
    const url = 'postgres://u:s3cret@db.example:5432/arena';
    expect(readEnv({ DATABASE_URL: url, PAIRWISE_SECRET: 'x'.repeat(16) }).DATABASE_URL).toBe(url);
    expect(() => readEnv({ DATABASE_URL: url })).toThrow(/PAIRWISE_SECRET: must be set with DATABASE_URL/);
    // Not a Postgres URL: refused without repeating it (it may hold a password).
    const refused = (() => {
      try {
        readEnv({ DATABASE_URL: 'mysql://u:hunter2@db/x', PAIRWISE_SECRET: 'x'.repeat(16) });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(refused).toMatch(/DATABASE_URL: must be a Postgres URL/);
    expect(refused).not.toContain('hunter2');
    expect(() => readEnv({ DATABASE_URL: '  ' })).not.toThrow();
  });

  it('names the setting and the problem', () => {
    expect(() => readEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => readEnv({ PAIRWISE_BASE_PATH: 'arena' })).toThrow(/PAIRWISE_BASE_PATH: must look like \/arena/);
  });
});
