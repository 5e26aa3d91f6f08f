import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, startApp, storeForCli, type AppServer } from './fixtures/app-server';

/**
 * Honest numbers on a store built to have every case at once: two groups of models that never
 * met, a provisional model, models that share a rank, a new model, imported battles without a
 * timestamp, and a language with too few battles for a board. Checked on the board, the API, the
 * model page, and at phone size (390 x 844), with screenshots at both sizes.
 */

const CLI = path.join(ROOT, 'bin', 'pairwise.mjs');
const DAY = 86_400;

/** A clean_battle JSONL file: tstamps relative to now, so that one model is new. */
function storeFile(dir: string): string {
  let seed = 3;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const now = Math.floor(Date.now() / 1000);
  const lines: string[] = [];
  const push = (a: string, b: string, winner: string, tstamp: number | null, language = 'English') =>
    lines.push(JSON.stringify({ model_a: a, model_b: b, winner, ...(tstamp === null ? {} : { tstamp }), language }));
  // Group 1: four established models, two of them equal (they share a rank).
  const strength: Record<string, number> = { 'orca-70b': 1.2, 'puffin-8b': 0, 'quail-8b': 0, 'raven-1b': -1.2 };
  const names = Object.keys(strength);
  for (let k = 0; k < 800; k++) {
    const a = names[Math.floor(rnd() * 4)];
    let b = names[Math.floor(rnd() * 3)];
    if (b === a) b = names[3 - names.indexOf(a)];
    const p = 1 / (1 + Math.exp(strength[b] - strength[a]));
    const r = rnd();
    push(a, b, r < 0.15 ? 'tie' : rnd() < p ? 'model_a' : 'model_b', now - 60 * DAY + k * 3600, k % 40 === 0 ? 'Klingon' : 'English');
  }
  // A new model with 12 battles in the last days: provisional, and new.
  for (let k = 0; k < 12; k++) push('swift-3b', names[k % 4], k % 3 ? 'model_b' : 'model_a', now - 3 * DAY + k * 600);
  // Group 2: two models that only ever met each other, without timestamps (file order).
  for (let k = 0; k < 60; k++) push('tern-a', 'tern-b', k % 4 === 0 ? 'model_b' : k % 9 === 0 ? 'tie' : 'model_a', null);
  const file = path.join(dir, 'groups.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test.describe('groups, provisional models, bands and a phone', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppServer;
  let dir: string;
  let store: Awaited<ReturnType<typeof storeForCli>> | undefined;

  test.beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-groups-'));
    store = await storeForCli(dir);
    execFileSync(process.execPath, [CLI, 'import', storeFile(dir), '--create'], { cwd: ROOT, env: { ...process.env, ...store.env }, encoding: 'utf8' });
    app = await startApp({ ...store.app, registry: { models: [] } });
    await expect.poll(async () => (await fetch(`${app.url}/api/leaderboard`)).status, { timeout: 30_000 }).toBe(200);
  });

  test.afterAll(async () => {
    await app?.stop();
    await store?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the API carries groups, provisional reasons, diagnostics, new marks and battles to separate', async () => {
    const body = await (await fetch(`${app.url}/api/leaderboard`)).json();
    expect(body.battles).toBe(872);
    expect(body.diagnostics.components.map((c: { models: number }) => c.models)).toEqual([5, 2]);
    expect(body.diagnostics).toMatchObject({ ci: 'profile', status: { code: 'ok' }, elo: { order: 'file' } });
    expect(body.untimedBattles).toBe(60);
    const by = new Map(body.models.map((m: { model: string }) => [m.model, m]));
    expect(by.get('swift-3b')).toMatchObject({ component: 0, provisional: true, provisionalReason: '12 votes, fewer than 30: not ranked', rank: 5, new: true });
    expect(by.get('orca-70b')).toMatchObject({ component: 0, provisional: false, rank: 1, new: false });
    // Battles without a timestamp say nothing of when a model arrived: no "new" mark from them.
    expect(by.get('tern-a')).toMatchObject({ component: 1, rank: 1, new: false, firstVoteAt: null });
    // Equal models: not separated, so they share a rank; the next model below is named.
    expect((by.get('puffin-8b') as { rank: number }).rank).toBe((by.get('quail-8b') as { rank: number }).rank);
    const top = by.get('orca-70b') as { toSeparate: { model: string; battles: number } };
    expect(top.toSeparate).toMatchObject({ battles: 0 });

    const csv = (await (await fetch(`${app.url}/api/leaderboard?format=csv`)).text()).trim().split('\n');
    const header = csv[0].split(',');
    const swift = csv.find((l) => l.startsWith('5,swift-3b,'))!;
    expect(swift).toContain('"12 votes, fewer than 30: not ranked"');
    expect(header.indexOf('elo_order')).toBeGreaterThan(0);
    expect(swift.split(',').at(-4)).toBe('true'); // new

    // A language with 20 battles: the board says why it is not fitted.
    const klingon = await (await fetch(`${app.url}/api/leaderboard?category=language:Klingon`)).json();
    expect(klingon).toMatchObject({ battles: 20, models: [], diagnostics: { status: { code: 'too-few-battles' } } });
  });

  test('the board shows the groups apart, provisional rows unranked, bands and new marks', async ({ page }, info) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.url}/leaderboard`);
    const groups = page.getByTestId('leaderboard-group');
    await expect(groups).toHaveCount(2);
    await expect(groups.nth(0).getByTestId('leaderboard-row')).toHaveCount(5);
    await expect(groups.nth(1)).toContainText('never compared with the models of the other groups');
    await expect(page.getByTestId('stat-groups')).toContainText('2');
    await expect(page.getByTestId('stat-provisional')).toContainText('1');

    const swift = page.locator('[data-testid="leaderboard-row"][data-model="swift-3b"]');
    await expect(swift).toHaveAttribute('data-provisional', '1');
    await expect(swift.getByTestId('cell-rank')).toHaveText('–');
    await expect(swift.getByTestId('provisional-reason')).toHaveText('12 votes, fewer than 30: not ranked');
    await expect(swift.getByTestId('new-mark')).toBeVisible();
    // Provisional rows come after the ranked ones of their group.
    await expect(groups.nth(0).getByTestId('leaderboard-row').last()).toHaveAttribute('data-model', 'swift-3b');

    // puffin and quail share a rank: one band, the count on its first row.
    const band = page.locator('[data-testid="leaderboard-row"][data-band]');
    expect(await band.count()).toBeGreaterThanOrEqual(2);
    await expect(band.first().getByTestId('cell-rank')).toContainText('×');
    await expect(page.locator('[data-model="orca-70b"]').getByTestId('cell-separate')).toHaveText('separated');

    const diagnostics = page.getByTestId('leaderboard-diagnostics');
    await diagnostics.locator('summary').click();
    await expect(diagnostics).toContainText('profile-likelihood intervals');
    await expect(diagnostics).toContainText('60 imported battles without a timestamp are taken in file order');
    await expect(page.getByText('95% profile-likelihood intervals')).toBeVisible();
    await expect(page.getByText('sandwich')).toHaveCount(0);
    await page.screenshot({ path: info.outputPath('leaderboard-desktop.png'), fullPage: false });

    // A board that could not be fitted says why.
    await page.getByTestId('category-select').selectOption('language:Klingon');
    await expect(page.getByTestId('no-rows')).toContainText('Not fitted: 20 battles, fewer than the 30 this board needs');
  });

  test('a model page gives the rank in its group, the battles to separate and the history by vote time', async ({ page }) => {
    await page.goto(`${app.url}/models/puffin-8b`);
    await expect(page.getByTestId('model-rank').locator('..')).toContainText('ranked models in group 1');
    await expect(page.getByTestId('model-to-separate').locator('..')).toContainText('next model below');
    await expect(page.getByTestId('model-win-rate').locator('..')).toContainText('decided win rate');
    await expect(page.getByTestId('model-board-note')).toContainText('group 1 of 2');
    const sep = await page.getByTestId('h2h-separate').allTextContents();
    expect(sep).toHaveLength(4);
    expect(sep.some((t) => /^\d[\d,]*$|separated|n\/a/.test(t))).toBe(true);
    // 60 days of votes: one point a day.
    await expect(page.getByTestId('chart-model-history')).toContainText('one point a day');

    await page.goto(`${app.url}/models/swift-3b`);
    await expect(page.getByTestId('model-rank').locator('..')).toContainText('12 votes, fewer than 30: not ranked');
    await expect(page.getByTestId('new-mark')).toBeVisible();
  });

  test('at 390 x 844 the table shows rank, model and rating with its interval without sideways scrolling', async ({ page }, info) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/leaderboard`);
    const row = page.locator('[data-testid="leaderboard-row"][data-model="orca-70b"]');
    await expect(row.getByTestId('cell-rank')).toBeVisible();
    await expect(row.locator('a')).toBeVisible();
    await expect(row.getByTestId('cell-rating')).toBeVisible();
    await expect(row.getByTestId('cell-ci-inline')).toBeVisible();
    await expect(row.getByTestId('cell-ci-inline')).toHaveText(/^\+\d+\.\d\/-\d+\.\d$/);
    await expect(row.getByTestId('cell-votes')).toBeHidden();
    // Nothing of the leaderboard sticks out: neither it nor its table needs a sideways scroll (the
    // site header above it is the layout's own).
    const widths = await page.evaluate(() => {
      const main = document.querySelector('main')!;
      const wrap = document.querySelector('[data-testid="leaderboard-table"]')!.parentElement!;
      const right = Math.max(...[...main.querySelectorAll('*')].filter((e) => !e.closest('[data-testid="leaderboard-charts"]')).map((e) => e.getBoundingClientRect().right));
      return { main: right, view: window.innerWidth, wrap: wrap.scrollWidth, wrapClient: wrap.clientWidth };
    });
    expect(widths.main).toBeLessThanOrEqual(widths.view);
    expect(widths.wrap).toBeLessThanOrEqual(widths.wrapClient);
    for (const cell of await row.locator('td:visible').all()) {
      const box = (await cell.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: info.outputPath('leaderboard-phone.png'), fullPage: false });
  });
});
