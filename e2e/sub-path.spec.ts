import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createAdmin, signIn } from './fixtures/admin';
import { ROOT, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

/**
 * Behind a reverse proxy on a sub-path: the app built for PAIRWISE_BASE_PATH=/arena (by
 * `npm run build:subpath`, into .next-subpath) serves every page, route, asset and client fetch
 * under /arena, and nothing at the root.
 */
const BASE = '/arena';
const DIST = '.next-subpath';

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, DIST, 'BUILD_ID'))) {
    throw new Error(`No sub-path build in ${DIST}: run \`npm run build:subpath\` (npm run test:e2e does).`);
  }
  stub = await startOpenAIStub();
  app = await startApp({
    basePath: BASE,
    distDir: DIST,
    registry: {
      models: [
        stubModel(stub, { id: 'sub-one', name: 'Lantern One', organization: 'Lantern Labs', model: 'stub-echo:words=12' }),
        stubModel(stub, { id: 'sub-two', name: 'Lantern Two', organization: 'Lantern Labs', model: 'stub-echo:words=16' }),
        stubModel(stub, { id: 'sub-three', name: 'Lantern Three', organization: 'Lantern Labs', model: 'stub-echo:words=20' }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

test('a whole battle under /arena: every request the page makes stays under the base path', async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));

  const battle = new BattlePage(page);
  await battle.goto(app.url);
  await battle.ask('Name a lighthouse.');
  await battle.waitForTurnEnd();
  await battle.voteButton('a').click();
  const names = await battle.expectRevealed();
  expect(names.a).toMatch(/^Lantern /);

  // The voter cookie belongs to the sub-path only.
  const cookies = await page.context().cookies();
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) expect(c.path).toBe(BASE);

  // Links made by the app carry the base path: the revealed model, the navigation, the icons.
  await expect(battle.modelName('a')).toHaveAttribute('href', new RegExp(`^${BASE}/models/`));
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute('href', new RegExp(`^${BASE}/`));
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', `${BASE}/manifest.webmanifest`);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leaderboard' }).click();
  await expect(page).toHaveURL(`${app.url}/leaderboard`);
  await expect(page.getByTestId('download-csv')).toHaveAttribute('href', new RegExp(`^${BASE}/api/leaderboard\\?`));

  await page.goto(`${app.url}/models/sub-one`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Lantern One');

  const outside = requested.filter((p) => !(p === BASE || p.startsWith(`${BASE}/`)));
  expect(outside).toEqual([]);
  // The page's own API calls went through the base path.
  expect(requested).toContain(`${BASE}/api/arena`);
  expect(requested).toContain(`${BASE}/api/battles`);
});

test('the console under /arena: its actions go through the base path', async ({ page }) => {
  createAdmin(app, 'ops@example.org', 'an operator passphrase');
  await signIn(page, app, 'ops@example.org', 'an operator passphrase', '/admin/voters');
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${app.url}/admin/voters`);
  // Rows are ordered by when a voter was last seen, which the admin's own requests move: the
  // row is found again by its voter id.
  const voter = await page.getByTestId('voter-row').first().getAttribute('data-voter');
  const row = () => page.locator(`[data-testid="voter-row"][data-voter="${voter}"]`);
  const saved = page.waitForResponse((r) => new URL(r.url()).pathname === `${BASE}/api/admin/voters/trust`);
  await row().getByTestId('voter-trust').selectOption('trusted');
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(row().getByTestId('voter-trust')).toHaveValue('trusted');
  expect(requested.filter((p) => !(p === BASE || p.startsWith(`${BASE}/`)))).toEqual([]);
});

test('routes and files answer under /arena and not at the root', async ({ request }) => {
  for (const p of ['/api/arena', '/api/leaderboard?format=json', '/favicon.ico', '/icon.svg', '/manifest.webmanifest']) {
    expect((await request.get(`${app.url}${p}`)).status(), `${BASE}${p}`).toBe(200);
    expect((await request.get(`${app.origin}${p}`)).status(), p).toBe(404);
  }
  const manifest = await (await request.get(`${app.url}/manifest.webmanifest`)).json();
  // Relative icon paths resolve under the sub-path.
  for (const icon of manifest.icons as { src: string }[]) {
    expect((await request.get(new URL(icon.src, `${app.url}/manifest.webmanifest`).toString())).status(), icon.src).toBe(200);
  }
});

test('a build for one base path refuses to start with another', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'server.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PAIRWISE_DIST_DIR: DIST, PAIRWISE_BASE_PATH: '/elsewhere', MODELS_FILE: path.join(app.dir, 'models.json'), DATABASE_PATH: path.join(app.dir, 'mismatch.db') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = run.stdout + run.stderr;
  expect(run.status).toBe(1);
  expect(output).toContain('cannot start: this build serves the sub-path /arena, but PAIRWISE_BASE_PATH is "/elsewhere"');
  expect(output).not.toContain('listening on');
});
