import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, ROOT, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

/**
 * What a first visit shows for each kind of model pool, and what the operator reads in the start
 * log. Voters get counts and plain words; which model is unreachable, and why, is only in the log.
 */

const SET = '@data/recorded-answers/vicuna80';
const recorded = (id: string, answers: string) => ({
  id,
  name: `Recorded ${id}`,
  organization: 'Archive',
  provider: { kind: 'recorded', set: SET, answers, charsPerSecond: 20_000 },
});

let stub: OpenAIStub;
test.beforeAll(async () => {
  stub = await startOpenAIStub();
});
test.afterAll(async () => {
  await stub?.close();
});

async function withApp(registry: unknown, fn: (app: AppServer) => Promise<void>, live?: number) {
  const app = await startApp({ registry });
  try {
    // On a busy machine a model's first health probe can time out; wait until the live pool is
    // what the registry makes it, so the page is judged on the pool and not on start-up timing.
    if (live !== undefined) {
      await expect
        .poll(async () => (await (await fetch(`${app.url}/api/arena`)).json()).modes[0].models, { timeout: 60_000 })
        .toBe(live);
    }
    await fn(app);
  } finally {
    await app.stop();
  }
}

test('a live pool of only test fixtures opens in recorded mode, and says what the live models are', async ({ page }) => {
  const registry = {
    models: [
      { ...stubModel(stub, { id: 'tiny-1', name: 'Tiny One', model: 'stub-echo' }), fixture: true },
      { ...stubModel(stub, { id: 'tiny-2', name: 'Tiny Two', model: 'stub-echo' }), fixture: true },
      recorded('rec-a', 'answer_gpt35.jsonl'),
      recorded('rec-b', 'answer_claude.jsonl'),
    ],
  };
  await withApp(registry, async (app) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await expect(page.getByTestId('mode-recorded')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('recorded-picker')).toBeVisible();
    await expect(page.getByTestId('pool-note')).toHaveCount(0);

    await page.getByTestId('mode-live').click();
    await expect(page.getByTestId('pool-note')).toContainText('test fixtures: tiny models that write nonsense');
    await expect(page.getByTestId('pool-note')).toContainText('Recorded answers');
    await expect.poll(() => app.logs()).toContain(
      '[pairwise] arena: 2 live models (test fixtures only), recorded answers to 80 questions; the arena opens in recorded mode.',
    );
  }, 2);
});

test('two live models: live mode, with a plain word that every battle is the same pair', async ({ page }) => {
  const registry = {
    models: [
      stubModel(stub, { id: 'duo-1', name: 'Duo One', model: 'stub-echo' }),
      stubModel(stub, { id: 'duo-2', name: 'Duo Two', model: 'stub-echo' }),
    ],
  };
  await withApp(registry, async (app) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await expect(battle.promptInput).toBeVisible();
    await expect(page.getByTestId('mode-switch')).toHaveCount(0);
    await expect(page.getByTestId('pool-note')).toHaveText(
      'Only two live models are available, so every live battle pairs the same two (on random sides).',
    );
  }, 2);
});

test('three live models: no note', async ({ page }) => {
  const registry = {
    models: ['one', 'two', 'three'].map((n) => stubModel(stub, { id: `trio-${n}`, name: `Trio ${n}`, model: 'stub-echo' })),
  };
  await withApp(registry, async (app) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await expect(battle.promptInput).toBeVisible();
    await expect(page.getByTestId('pool-note')).toHaveCount(0);
  }, 3);
});

test('no models configured: the empty state explains how to add them', async ({ page }) => {
  await withApp({ models: [] }, async (app) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await expect(page.getByTestId('empty-state')).toHaveAttribute('data-reason', 'none-configured');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('No models yet');
    await expect(page.getByText('Download a starter pair')).toBeVisible();
  });
});

test('models configured but unreachable: the page counts them, the start log names each and why', async ({ page }) => {
  const closedPort = await freePort();
  const missingFile = path.join(os.tmpdir(), 'pairwise-missing-weights', 'nothing-here.gguf');
  const keyVar = 'PAIRWISE_E2E_UNSET_KEY';
  delete process.env[keyVar];
  const registry = {
    models: [
      { id: 'far-away', name: 'Far Away', provider: { kind: 'openai-compatible', baseURL: `http://127.0.0.1:${closedPort}/v1`, model: 'm' } },
      { id: 'keyless', name: 'Keyless', provider: { kind: 'openai-compatible', baseURL: stub.url, model: 'stub-echo', apiKeyEnv: keyVar } },
      { id: 'weightless', name: 'Weightless', provider: { kind: 'gguf', path: missingFile } },
    ],
  };
  await withApp(registry, async (app) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    const empty = page.getByTestId('empty-state');
    await expect(empty).toHaveAttribute('data-reason', 'unreachable');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The models cannot be reached right now');
    await expect(empty).toContainText('3 models are configured');
    // No recipe for adding models: they are there.
    await expect(page.getByText('Download a starter pair')).toHaveCount(0);

    // The reasons are for the operator only.
    const text = await page.locator('body').innerText();
    for (const secret of ['far-away', 'Far Away', 'keyless', 'weightless', String(closedPort), keyVar, missingFile, 'gguf']) {
      expect(text).not.toContain(secret);
    }
    const logs = () => app.logs();
    await expect.poll(logs).toContain(`model "far-away" is unreachable: nothing is listening at http://127.0.0.1:${closedPort}/v1 (connection refused)`);
    await expect.poll(logs).toContain(`model "keyless" is unreachable: the environment variable ${keyVar} (its API key) is not set`);
    await expect.poll(logs).toContain(`model "weightless" is unreachable: file not found: ${missingFile}`);
    await expect.poll(logs).toContain('0 live models, no recorded answers, 3 of 3 enabled models unreachable; the arena shows its empty state.');
  });
});

test('a broken registry stops start-up with the line and column, before anything says it is listening', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-broken-'));
  const modelsFile = path.join(dir, 'models.json');
  fs.writeFileSync(modelsFile, '{\n  "models": [\n    { "id": "a", "name": "A", }\n  ]\n}\n');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'server.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', MODELS_FILE: modelsFile, DATABASE_PATH: path.join(dir, 'x.db') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = run.stdout + run.stderr;
  expect(run.status).toBe(1);
  expect(output).toContain(`cannot start: Invalid model registry ${modelsFile}: malformed JSON at line 3 column 31 (position 46): property name expected`);
  expect(output).not.toMatch(/listening on|Ready/);
});
