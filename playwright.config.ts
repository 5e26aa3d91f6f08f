import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

// Debian's Chromium where it exists (CI and this machine); Playwright's own browser elsewhere.
const systemChromium = '/usr/bin/chromium';
const executablePath = fs.existsSync(systemChromium) ? systemChromium : undefined;

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  // Several app instances on one database: Postgres only (playwright.postgres.config.ts).
  testIgnore: ['**/instances.spec.ts'],
  // Each spec file starts its own server (e2e/fixtures/app-server.ts); two cores, two workers.
  workers: 2,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
