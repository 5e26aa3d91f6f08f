import { describe, expect, it } from 'vitest';
import { readEnv } from './env';

describe('readEnv', () => {
  it('takes an empty environment with its defaults', () => {
    const env = readEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PAIRWISE_TRUST_PROXY).toBe(0);
  });

  it('refuses DATABASE_URL instead of serving from the SQLite file while it is set', () => {
    expect(() => readEnv({ DATABASE_URL: 'postgres://u:secret@db.example:5432/arena' })).toThrow(/DATABASE_URL: the app serves from its SQLite file only/);
    expect(() => readEnv({ DATABASE_URL: '  ' })).not.toThrow();
  });

  it('names the setting and the problem', () => {
    expect(() => readEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => readEnv({ PAIRWISE_BASE_PATH: 'arena' })).toThrow(/PAIRWISE_BASE_PATH: must look like \/arena/);
  });
});
