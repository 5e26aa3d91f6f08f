import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, startApp, type AppServer } from './fixtures/app-server';

/**
 * What the built app serves as files: the favicon and app icons on every page, and nothing of
 * the server's own code under /_next/static (which anyone can fetch).
 */

let app: AppServer;
test.beforeAll(async () => {
  app = await startApp({ registry: { models: [] } });
});
test.afterAll(async () => {
  await app?.stop();
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('no server-only source is among the public static files of either build', () => {
  const builds = ['.next', '.next-subpath'].map((d) => path.join(ROOT, d, 'static')).filter((d) => fs.existsSync(d));
  expect(builds.length).toBeGreaterThan(0);
  for (const dir of builds) {
    const files = filesUnder(dir);
    expect(files.length, dir).toBeGreaterThan(10);
    const offending = files.filter((f) => {
      if (/\.(ts|tsx|mts|mjs|cjs)$/.test(f)) return true;
      if (!/\.(js|json)$/.test(f)) return false;
      // Worker entries and Node-only modules never belong in code sent to browsers.
      const text = fs.readFileSync(f, 'utf8');
      return /\bworker_threads\b|\bparentPort\b|better-sqlite3|node-llama-cpp/.test(text);
    });
    expect(offending.map((f) => path.relative(ROOT, f)), dir).toEqual([]);
  }
});

test('the favicon and app icons are served and linked from every page', async ({ page, request }) => {
  const types: Record<string, RegExp> = {
    '/favicon.ico': /^image\/(x-icon|vnd\.microsoft\.icon)/,
    '/icon.svg': /^image\/svg\+xml/,
    '/apple-touch-icon.png': /^image\/png/,
    '/icon-192.png': /^image\/png/,
    '/icon-512.png': /^image\/png/,
    '/manifest.webmanifest': /^application\/manifest\+json/,
  };
  for (const [file, type] of Object.entries(types)) {
    const res = await request.get(`${app.url}${file}`);
    expect(res.status(), file).toBe(200);
    expect(res.headers()['content-type'], file).toMatch(type);
  }
  // A real ICO holding PNG images, not an HTML page under that name.
  const ico = await (await request.get(`${app.url}/favicon.ico`)).body();
  expect([...ico.subarray(0, 4)]).toEqual([0, 0, 1, 0]);

  for (const route of ['/', '/leaderboard']) {
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    await page.goto(`${app.url}${route}`);
    await expect(page.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
    await expect(page.locator('link[rel="icon"][type="image/svg+xml"]')).toHaveAttribute('href', '/icon.svg');
    await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/apple-touch-icon.png');
    expect(missing, route).toEqual([]);
  }
});
