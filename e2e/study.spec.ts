import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ROOT, startApp, type AppServer } from './fixtures/app-server';

/**
 * A study as a new user would run one, against the real server and store: an admin sets it up
 * in the console on the Vicuna-80 recorded answers and makes three invitations; three
 * participants, each in a browser of their own and at the same time, enter their code, agree,
 * and judge their assigned items (attention check included) until the study has nothing left
 * for them; nothing they receive names a model. Then the admin downloads the report bundle and
 * the command-line tool reproduces its ratings and agreement statistics.
 */

const ADMIN = { email: 'lead@example.org', password: 'a long admin password' };
const MODELS = ['gpt-4', 'claude-v1', 'vicuna-13b'];
const registry = JSON.parse(fs.readFileSync(path.join(ROOT, 'models.json'), 'utf8')) as { models: { id: string; name: string; provider: Record<string, unknown> }[] };
const recorded = registry.models.filter((m) => m.provider.kind === 'recorded').map((m) => ({ ...m, provider: { ...m.provider, charsPerSecond: 20000 } }));

let app: AppServer;

test.beforeAll(async () => {
  app = await startApp({
    registry: { settings: { limits: { battle: { perMinute: 500, perDay: 5000 }, vote: { perMinute: 500, perDay: 5000 } } }, models: recorded },
    env: { PAIRWISE_ADMIN_EMAIL: ADMIN.email, PAIRWISE_ADMIN_PASSWORD: ADMIN.password },
  });
});
test.afterAll(async () => {
  await app?.stop();
});

async function signIn(page: Page) {
  await page.goto(`${app.url}/signin`);
  await page.getByTestId('signin-email').fill(ADMIN.email);
  await page.getByTestId('signin-password').fill(ADMIN.password);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('nav-account')).toBeVisible();
}

const cli = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, DATABASE_PATH: app.databasePath } });

/** One participant through their invitation to the end; returns what they judged and every body they received. */
async function participate(browser: Browser, link: string, index: number, shots: string | null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on('response', async (res) => {
    if (!res.url().startsWith(app.url)) return;
    try {
      bodies.push(await res.text());
    } catch {
      /* a body that was cancelled or is binary */
    }
  });
  await page.goto(link);
  await expect(page.getByTestId('study-consent')).toBeVisible();
  await page.getByTestId('study-consent-check').check();
  await page.getByTestId('study-start').click();

  const winners = ['vote-a', 'vote-b', 'vote-tie', 'vote-a', 'vote-b', 'vote-bothbad'];
  let judged = 0;
  const progress: string[] = [];
  for (;;) {
    const done = page.getByTestId('study-complete');
    const voteA = page.getByTestId('vote-a');
    await expect(done.or(voteA.and(page.locator(':enabled')))).toBeVisible({ timeout: 30_000 });
    if (await done.isVisible()) break;
    const battle = await page.getByTestId('study-item').getAttribute('data-battle-id');
    progress.push((await page.getByTestId('study-progress').textContent()) ?? '');
    await expect(page.getByTestId('response-a')).not.toBeEmpty();
    await expect(page.getByTestId('response-b')).not.toBeEmpty();
    if (shots && judged === 1) {
      await page.screenshot({ path: path.join(shots, 'participant-1280x800.png'), fullPage: false });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(shots, 'participant-390x844.png'), fullPage: false });
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await page.getByTestId(winners[(judged + index) % winners.length]).click();
    judged++;
    // The next item replaces this one.
    await expect(page.getByTestId('study-item').and(page.locator(`[data-battle-id="${battle}"]`))).toHaveCount(0, { timeout: 30_000 });
  }
  const finalProgress = await page.getByTestId('study-progress').textContent();
  await context.close();
  return { judged, progress, finalProgress, bodies };
}

test('an admin sets up a study, three participants complete it, and the report is reproduced from its bundle', async ({ page, browser }, testInfo) => {
  test.setTimeout(300_000);
  const shots = testInfo.outputPath('screens');
  fs.mkdirSync(shots, { recursive: true });

  // The admin defines the study in the console.
  await signIn(page);
  await page.goto(`${app.url}/admin/studies/new`);
  await expect(page.getByTestId('study-form-title')).toBeVisible();
  await page.getByTestId('study-form-title').fill('Vicuna-80 pilot');
  await page.getByTestId('study-form-slug').fill('vicuna-pilot');
  await page.getByTestId('study-form-set').selectOption('vicuna80');
  await page.getByTestId('study-form-sample').fill('4');
  for (const m of recorded) {
    const box = page.getByTestId(`study-form-model-${m.id}`);
    if (MODELS.includes(m.id)) await box.check();
    else await box.uncheck();
  }
  await page.getByTestId('study-form-per-pair').fill('2');
  await page.getByTestId('study-form-access').selectOption('invite');
  await page.getByTestId('study-form-checks').fill('1');
  await page.getByTestId('study-form-every').fill('3');
  await page.getByTestId('study-form-consent').fill('Your judgments are kept under a pseudonym and may be published.');
  await page.getByTestId('study-form-create').click();
  await expect(page.getByTestId('study-console-title')).toHaveText('Vicuna-80 pilot');
  await expect(page.getByTestId('study-status')).toHaveText('open');
  // 4 items x 3 pairs x 2 judgments.
  await expect(page.getByTestId('study-judged')).toHaveText('0 of 24');

  await page.getByTestId('invite-count').fill('3');
  await page.getByTestId('invite-make').click();
  const links = ((await page.getByTestId('invite-list').textContent()) ?? '').split('\n').map((l) => l.trim().split(/\s+/)[2]);
  expect(links).toHaveLength(3);

  // Three participants at once.
  const results = await Promise.all(links.map((link, i) => participate(browser, link, i, i === 0 ? shots : null)));
  // 24 design judgments over three people, each of the 12 cells at most once per person, and an
  // attention check for whoever judged three items.
  const total = results.reduce((s, r) => s + r.judged, 0);
  const checks = total - 24;
  expect(checks).toBe(results.filter((r) => r.judged - 1 >= 3).length);
  for (const r of results) {
    expect(r.judged).toBeLessThanOrEqual(13);
    expect(r.progress[0]).toMatch(/^0 of \d+$/);
    expect(r.finalProgress).toBe(`${r.judged} of ${r.judged}`);
  }
  // Blind to the end: nothing a participant received names a model.
  const names = recorded.flatMap((m) => [m.name]).concat(['claude-v1', 'vicuna-13b']);
  for (const r of results) for (const body of r.bodies) for (const name of names) expect(body.includes(name), `a response named ${name}`).toBe(false);

  // The admin sees the study complete and reads the report.
  await page.goto(`${app.url}/admin/studies/vicuna-pilot`);
  await expect(page.getByTestId('study-judged')).toHaveText('24 of 24');
  await expect(page.getByTestId('study-participants').locator('tbody tr')).toHaveCount(3);
  await page.getByTestId('study-report-link').click();
  await expect(page.getByTestId('study-report')).toBeVisible();
  await expect(page.locator('[data-section="Agreement"]')).toContainText("Krippendorff's alpha");
  await page.screenshot({ path: path.join(shots, 'report-1280x800.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(shots, 'report-390x844.png'), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The bundle, as the button downloads it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-bundle-download').click()]);
  const zipPath = testInfo.outputPath('bundle.zip');
  await download.saveAs(zipPath);
  const files = unzipSync(new Uint8Array(fs.readFileSync(zipPath)));
  const dir = testInfo.outputPath('bundle');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, path.basename(name)), bytes);
  const report = JSON.parse(strFromU8(files['vicuna-pilot/report.json'])) as {
    judgments: { counted: number; attentionChecks: number };
    ratings: { command: string; battles: number; models: { model: string }[] };
    agreement: { annotators: number; krippendorffAlpha: { value: number | null } };
  };
  expect(report.judgments).toMatchObject({ counted: 24, attentionChecks: checks });
  expect(report.agreement.annotators).toBe(3);
  expect(report.agreement.krippendorffAlpha.value).not.toBeNull();
  const csv = strFromU8(files['vicuna-pilot/judgments.csv']).trim().split('\n');
  expect(csv).toHaveLength(1 + total);
  expect(csv.slice(1).every((l) => /^annotator-0[123],/.test(l))).toBe(true);

  // The command line reproduces the report's ratings and agreement from the bundle.
  const ratings = cli(report.ratings.command.split(' ').slice(2), dir);
  expect(ratings.status, ratings.stderr).toBe(0);
  const fromCli = JSON.parse(ratings.stdout) as { battles: number; models: unknown[] };
  expect(fromCli.battles).toBe(24);
  expect(fromCli.models).toEqual(report.ratings.models);
  const agreement = cli(['study', 'analyze', 'judgments.json', '--json'], dir);
  expect(agreement.status, agreement.stderr).toBe(0);
  expect(JSON.parse(agreement.stdout)).toEqual(report.agreement);

  // The study's judgments are not on the main board or in the main export.
  const board = (await (await page.request.get(`${app.url}/api/battles/export?format=json`)).json()) as unknown[];
  expect(board).toEqual([]);
});
