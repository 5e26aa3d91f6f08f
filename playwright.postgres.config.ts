import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * The end-to-end run on Postgres: the specs whose paths go through the store (battles and turns,
 * votes and their integrity, accounts, the console, imports, studies, limits, failures, shutdown
 * and crashes, the board, its freshness and an imported store), each app on a database of its own
 * on one throw-away server (e2e/fixtures/postgres-setup.ts), plus two instances on one database. `npm run test:e2e` runs
 * it after the SQLite run. On SQLite only: the specs of what the browser sees whatever the store
 * (first visit, phone layout, accidental votes, blindness, framing, headers, the sub-path, GGUF
 * inference), left out to keep the suite's time down, and those that still read the SQLite file
 * directly (arena modes, recorded-meets-live).
 */
export const POSTGRES_SPECS = [
  'admin-access',
  'battle-multiturn',
  'battle-openai-stub',
  'battle-recorded',
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
  'failures',
  'hardening-backoff',
  'leaderboard',
  'leaderboard-groups',
];

export default defineConfig({
  ...base,
  globalSetup: './e2e/fixtures/postgres-setup.ts',
  testMatch: POSTGRES_SPECS.map((name) => `**/${name}.spec.ts`),
  testIgnore: [],
});
