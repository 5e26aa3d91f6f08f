import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * The end-to-end run on Postgres: the specs that reach the store only through the app, each on a
 * database of its own on one throw-away server (e2e/fixtures/postgres-setup.ts), plus the specs
 * of several instances on one database. `npm run test:e2e` runs it after the SQLite run. The
 * specs that read or seed the SQLite file directly run on SQLite only.
 */
export const POSTGRES_SPECS = [
  'admin-access',
  'battle-gguf',
  'battle-multiturn',
  'battle-openai-stub',
  'battle-recorded',
  'blindness',
  'first-visit',
  'hardening-framing',
  'hardening-headers',
  'no-accidental-votes',
  'phone-battle',
  'sub-path',
  'vote-integrity',
  'hardening-requests',
  'hardening-shutdown',
  'api-battles',
  'hardening-limits',
  'accounts',
  'admin-console',
  'proof-of-work',
  'recorded-trusted-only',
  'study',
  'leaderboard-freshness',
  'instances',
];

export default defineConfig({
  ...base,
  globalSetup: './e2e/fixtures/postgres-setup.ts',
  testMatch: POSTGRES_SPECS.map((name) => `**/${name}.spec.ts`),
  testIgnore: [],
});
