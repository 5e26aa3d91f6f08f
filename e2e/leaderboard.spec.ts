import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cliStoreEnv, ROOT, startApp, storeForCli, type AppServer } from './fixtures/app-server';

/** Scripts read the battle export with this token (PAIRWISE_EXPORT_TOKEN) instead of an admin session. */
const EXPORT_TOKEN = 'leaderboard-spec-export-token-0123456789';
const withToken = { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } };
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { BattlePage } from './pages/battle-page';

/**
 * The leaderboard against the real built app: votes cast on the battle page reach the board
 * (recomputed in a worker thread of the production server), and a store filled by
 * `pairwise import` gives categories, style control, downloads, charts and model pages.
 */

const CLI = path.join(ROOT, 'bin', 'pairwise.mjs');

interface TableRow {
  model: string;
  rank: number;
  rating: number;
  votes: number;
}

async function tableRows(page: Page): Promise<TableRow[]> {
  return page.getByTestId('leaderboard-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      model: tr.getAttribute('data-model') ?? '',
      rank: Number(tr.getAttribute('data-rank') ?? NaN),
      rating: Number(tr.querySelector('[data-testid="cell-rating"]')?.textContent),
      votes: Number(tr.querySelector('[data-testid="cell-votes"]')?.textContent?.replace(/,/g, '')),
    })),
  );
}

test.describe('votes cast in the arena', () => {
  test.describe.configure({ mode: 'serial' });
  let stub: OpenAIStub;
  let app: AppServer;
  const registry = {
    models: [
      { id: 'tide-1', name: 'Tide One', organization: 'Tidal Works', license: 'Apache-2.0' },
      { id: 'tide-2', name: 'Tide Two', organization: 'Tidal Works', license: 'MIT' },
      { id: 'old-3', name: 'Old Three', organization: 'Legacy Lab', license: 'proprietary', deprecated: true, weight: 0 },
    ],
  };

  test.beforeAll(async () => {
    stub = await startOpenAIStub();
    app = await startApp({
      env: { PAIRWISE_EXPORT_TOKEN: EXPORT_TOKEN },
      registry: {
        models: registry.models.map((m) => ({
          ...m,
          provider: { kind: 'openai-compatible', baseURL: stub.url, model: 'stub-echo:words=12' },
          defaults: { maxTokens: 64 },
        })),
      },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await stub?.close();
  });

  test('an empty board explains how to get votes', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard`);
    await expect(page.getByTestId('leaderboard-empty')).toContainText('No votes yet');
    await expect(page.getByTestId('leaderboard-empty')).toContainText('npx pairwise import');
    const api = await (await fetch(`${app.url}/api/leaderboard`)).json();
    expect(api).toMatchObject({ battles: 0, models: [], category: 'overall', styleControl: false });
  });

  test('votes cast through the battle page appear on the board', async ({ page }) => {
    const battle = new BattlePage(page);
    const wins = new Map<string, number>();
    const ids = new Map(registry.models.map((m) => [m.name, m.id]));
    const prompts = ['Tell me about tides.', 'How do waves form?', 'Why is the sea salty?'];
    for (const prompt of prompts) {
      await battle.goto(app.url);
      await battle.ask(prompt);
      await battle.waitForTurnEnd();
      await battle.voteButton('a').click();
      const names = await battle.expectRevealed();
      const winner = ids.get(names.a)!;
      wins.set(winner, (wins.get(winner) ?? 0) + 1);
    }

    await page.goto(`${app.url}/leaderboard`);
    // The page refreshes itself while the new votes are being rated.
    await expect(page.getByTestId('stat-votes')).toHaveText('3', { timeout: 20_000 });
    await expect(page.getByTestId('leaderboard-updating')).toHaveCount(0, { timeout: 20_000 });
    const rows = await tableRows(page);
    expect(rows.map((r) => r.model).sort()).toEqual(['tide-1', 'tide-2']); // weight 0: never drawn
    expect(rows.reduce((s, r) => s + r.votes, 0)).toBe(6);
    const top = page.locator('[data-testid="leaderboard-row"]').first();
    await expect(top).toContainText('Tidal Works');
    await expect(page.getByTestId('leaderboard-row').filter({ hasText: 'Tide One' })).toContainText('Apache-2.0');

    const api = (await (await fetch(`${app.url}/api/leaderboard`)).json()) as { battles: number; models: { model: string; wins: number }[] };
    expect(api.battles).toBe(3);
    for (const m of api.models) expect(m.wins).toBe(wins.get(m.model) ?? 0);

    // The export names no voter.
    expect((await fetch(`${app.url}/api/battles/export?format=jsonl`)).status).toBe(401);
    const exported = await (await fetch(`${app.url}/api/battles/export?format=jsonl`, withToken)).text();
    const records = exported.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(3);
    for (const r of records) expect(r).toMatchObject({ judge: 'arena_user', anony: true, turn: 1 });
    const cookies = await page.context().cookies();
    for (const c of cookies) expect(exported).not.toContain(c.value);
    // Opt-in pseudonyms: one stable id per voter, which is not the voter's id.
    const pseudo = (await (await fetch(`${app.url}/api/battles/export?format=jsonl&pseudonyms=1`, withToken)).text())
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { judge: string }).judge);
    expect(new Set(pseudo).size).toBe(1);
    expect(pseudo[0]).toMatch(/^anon-[A-Za-z0-9_-]{12}$/);
    for (const c of cookies) expect(c.value).not.toContain(pseudo[0].slice(5));
    // The command line gives the same pseudonyms from the store and the secret beside it.
    const fromCli = cli(['export', '--format', 'jsonl', '--pseudonyms'], cliStoreEnv(app))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { judge: string }).judge);
    expect(fromCli).toEqual(pseudo);
  });
});

// ------------------------------------------------------------------------------------------------

const MODELS = ['atlas-7b', 'borealis-13b', 'cirrus-70b', 'dune-8b', 'ember-3b', 'fjord-34b'];

/** A clean_battle file with languages, code prompts, long prompts, follow-ups and answers. */
function battleFile(dir: string): string {
  let seed = 11;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const lines: string[] = [];
  for (let k = 0; k < 1500; k++) {
    const a = Math.floor(rnd() * MODELS.length);
    let b = Math.floor(rnd() * (MODELS.length - 1));
    if (b >= a) b++;
    const code = k % 5 === 0;
    // Coding battles follow a different order of strength, so the coding board differs.
    const strength = (i: number) => (code ? MODELS.length - i : i);
    const p = 1 / (1 + Math.exp(-(strength(a) - strength(b)) * 0.45));
    const r = rnd();
    const winner = r < 0.1 ? 'tie' : r < 0.15 ? 'tie (bothbad)' : rnd() < p ? 'model_a' : 'model_b';
    const german = k % 3 === 0;
    const prompt = code
      ? 'Write a Python function that merges two sorted lists.'
      : german
        ? 'Was ist die Hauptstadt von Deutschland und warum ist sie wichtig?'
        : k % 7 === 0
          ? `Summarise this text: ${'the river runs to the sea and the sea returns as rain '.repeat(45)}`
          : 'What is a good name for a boat?';
    const answer = (i: number) => (i % 2 ? `## Idea\n- **one**\n- two\n${'word '.repeat(20 + i * 5)}` : `Plain answer ${'word '.repeat(10 + i * 3)}`);
    const conv = (i: number) => {
      const c = [
        { role: 'user', content: prompt },
        { role: 'assistant', content: answer(i) },
      ];
      if (k % 11 === 0) c.push({ role: 'user', content: 'And then?' }, { role: 'assistant', content: answer(i) });
      return c;
    };
    const rec: Record<string, unknown> = { model_a: MODELS[a], model_b: MODELS[b], winner, tstamp: 1_717_200_000 + k * 97, judge: 'arena_user', anony: true };
    if (k % 2 === 0) {
      rec.conversation_a = conv(a);
      rec.conversation_b = conv(b);
    } else {
      rec.language = german ? 'German' : 'English';
    }
    lines.push(JSON.stringify(rec));
  }
  const file = path.join(dir, 'battles.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function cli(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
}

test.describe('an imported store', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppServer;
  let dir: string;
  let file: string;
  let store: Awaited<ReturnType<typeof storeForCli>> | undefined;

  test.beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-lb-'));
    file = battleFile(dir);
    store = await storeForCli(dir);
    const out = cli(['import', file, '--create'], store.env);
    expect(out).toContain('Imported 1,500 battles between 6 models');
    app = await startApp({
      env: { PAIRWISE_EXPORT_TOKEN: EXPORT_TOKEN },
      ...store.app,
      registry: {
        models: [
          {
            id: 'cirrus-70b',
            name: 'Cirrus 70B',
            organization: 'Cloudworks',
            license: 'Apache-2.0',
            provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'x' },
          },
          {
            id: 'ember-3b',
            name: 'Ember 3B',
            organization: 'Hearth',
            license: 'MIT',
            deprecated: true,
            provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'y' },
          },
        ],
      },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await store?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the board is computed after start-up and equals `pairwise ratings` on the same file', async () => {
    let body: { battles: number; models: unknown[]; category: string; styleControl: boolean; computedAt: string; method: string; freshness: { pass: string } | null };
    // The board as the counts pass fits it (the one that follows the votes); the command reads the battles themselves.
    await expect
      .poll(async () => {
        const res = await fetch(`${app.url}/api/leaderboard?format=json`);
        body = await res.json();
        return res.status === 200 ? body.freshness?.pass : res.status;
      })
      .toBe('counts');
    expect(body!).toMatchObject({ battles: 1500, category: 'overall', styleControl: false, method: 'bradley-terry' });
    expect(Date.parse(body!.computedAt)).toBeGreaterThan(Date.now() - 120_000);
    const expected = JSON.parse(cli(['ratings', '--input', file, '--format', 'json']));
    // The command's fields, plus the board's "new" mark and first vote.
    const engineFields = (models: Record<string, unknown>[]) => models.map(({ new: _n, firstVoteAt: _f, ...m }) => m);
    expect({ battles: body!.battles, models: engineFields(body!.models as Record<string, unknown>[]) }).toEqual({ battles: expected.battles, models: expected.models });
    expect(body!.models).toContainEqual(expect.objectContaining({ new: false, firstVoteAt: expect.stringMatching(/^2024-06-01T/) }));
    expect((body! as unknown as { diagnostics: { ci: string } }).diagnostics.ci).toBe('profile');

    const styled = await (await fetch(`${app.url}/api/leaderboard?style=1`)).json();
    expect(engineFields(styled.models)).toEqual(JSON.parse(cli(['ratings', '--input', file, '--format', 'json', '--style-control'])).models);
    expect(styled.style.coefficients).toHaveProperty('tokens');
  });

  test('bad parameters get JSON errors', async () => {
    for (const url of ['/api/leaderboard?format=xml', '/api/leaderboard?category=%20', '/api/leaderboard?style=maybe', '/api/battles/export?format=xml']) {
      const res = await fetch(`${app.url}${url}`, withToken);
      expect(res.status, url).toBe(400);
      const body = await res.json();
      expect(body.error.code, url).toBe('validation_failed');
      expect(typeof body.error.message).toBe('string');
    }
  });

  test('the table: registry facts, sorting, search, minimum votes, deprecated models', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard`);
    await expect(page.getByTestId('stat-votes')).toHaveText('1,500');
    // Ember 3B is deprecated in the registry: hidden until asked for.
    await expect(page.getByTestId('leaderboard-row')).toHaveCount(5);
    await page.getByTestId('deprecated-toggle').check();
    await expect(page.getByTestId('leaderboard-row')).toHaveCount(6);
    await expect(page.locator('[data-model="ember-3b"]')).toContainText('deprecated');
    await expect(page.locator('[data-model="cirrus-70b"]')).toContainText('Cloudworks');
    await expect(page.locator('[data-model="atlas-7b"]')).toContainText('unknown');

    const rows = await tableRows(page);
    expect(rows.map((r) => r.rating)).toEqual([...rows.map((r) => r.rating)].sort((a, b) => b - a));
    await page.getByTestId('sort-votes').click();
    const byVotes = (await tableRows(page)).map((r) => r.votes);
    expect(byVotes).toEqual([...byVotes].sort((a, b) => b - a));
    await page.getByTestId('sort-model').click();
    await expect(page.getByTestId('leaderboard-row').first()).toHaveAttribute('data-model', 'atlas-7b');

    await page.getByTestId('search-input').fill('cirr');
    await expect(page.getByTestId('leaderboard-row')).toHaveCount(1);
    await page.getByTestId('search-input').fill('');
    const minVotes = Math.max(...rows.map((r) => r.votes));
    await page.getByTestId('min-votes-input').fill(String(minVotes));
    await expect(page.getByTestId('leaderboard-row')).toHaveCount(rows.filter((r) => r.votes >= minVotes).length);
    await expect(page).toHaveURL(new RegExp(`minVotes=${minVotes}`));
  });

  test('switching category changes the board', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard?deprecated=1`);
    const overall = await tableRows(page);
    const select = page.getByTestId('category-select');
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['overall', 'coding', 'long-prompt', 'multi-turn', 'language:English', 'language:German']));

    await select.selectOption('coding');
    await expect(page.getByTestId('leaderboard-table')).toHaveAttribute('data-category', 'coding');
    await expect(page).toHaveURL(/category=coding/);
    const coding = await tableRows(page);
    // Whether a prompt is about code is known for the battles that carry their conversation.
    expect(Number((await page.getByTestId('stat-votes').innerText()).replace(/,/g, ''))).toBe(150);
    expect(coding.map((r) => r.model)).not.toEqual(overall.map((r) => r.model));
    expect(coding.reduce((s, r) => s + r.votes, 0)).toBe(300);

    await select.selectOption('language:German');
    await expect(page.getByTestId('leaderboard-table')).toHaveAttribute('data-category', 'language:German');
    expect(await tableRows(page)).not.toEqual(coding);

    // Style control: the same category refitted, with each model's change of rank.
    await select.selectOption('overall');
    await expect(page.getByTestId('leaderboard-table')).toHaveAttribute('data-category', 'overall');
    await page.getByTestId('style-toggle').check();
    await expect(page.getByTestId('leaderboard-table')).toHaveAttribute('data-style', '1');
    await expect(page.getByTestId('sort-rankChange')).toBeVisible();
    await expect(page.getByTestId('stat-votes')).toHaveText('1,500');
  });

  test('the CSV and JSON downloads parse and agree with the table', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard?category=coding&deprecated=1`);
    const table = await tableRows(page);
    expect(table).toHaveLength(6);

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    const csv = fs.readFileSync((await csvDownload.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'rank,model,rating,lower,upper,elo,votes,wins,losses,ties,component,provisional,provisional_reason,win_rate,decided_win_rate,separate_from,battles_to_separate,estimator,ci,ci_rounds,bootstrap_fallback_rounds,dispersion,model_kind,elo_order,new,first_vote,organization,license',
    );
    const fromCsv = csv.slice(1).map((line) => {
      const f = line.split(',');
      return { model: f[1], rank: Number(f[0]), rating: Number(Number(f[2]).toFixed(1)), votes: Number(f[6]) };
    });
    expect(fromCsv).toEqual(table);

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-json').click()]);
    const json = JSON.parse(fs.readFileSync((await jsonDownload.path())!, 'utf8'));
    expect(json).toMatchObject({ category: 'coding', styleControl: false, battles: 150 });
    expect(
      json.models.map((m: TableRow) => ({ model: m.model, rank: m.rank, rating: Number(m.rating.toFixed(1)), votes: m.votes })),
    ).toEqual(table);
  });

  test('the charts render', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard?deprecated=1`);
    const charts = page.getByTestId('leaderboard-charts');
    // Charts are drawn as they come into view.
    await expect(charts.getByTestId('chart-win-fraction')).toHaveCount(0);
    for (const box of await charts.locator('[data-mounted]').all()) {
      await box.scrollIntoViewIfNeeded();
      await expect(box).toHaveAttribute('data-mounted', '1');
    }
    await expect(charts.getByTestId('chart-intervals').locator('.recharts-scatter-symbol')).toHaveCount(6);
    await expect(charts.getByTestId('chart-intervals').locator('.recharts-errorBar')).toHaveCount(6);
    // Every ordered pair of the six models has a cell (all pairs met).
    await expect(charts.getByTestId('chart-win-fraction').locator('.recharts-scatter-symbol')).toHaveCount(30);
    await expect(charts.getByTestId('chart-battle-count').locator('.recharts-scatter-symbol')).toHaveCount(30);
    await expect(charts.getByTestId('chart-average-win-rate').locator('.recharts-bar-rectangle')).toHaveCount(6);
    await expect(charts.getByTestId('chart-history').locator('.recharts-line')).toHaveCount(6);
    await expect(charts.getByTestId('chart-win-fraction')).toContainText('Cirrus 70B');
    // The history is by vote time: the file's battles span two days (UTC), one point each.
    await expect(charts.getByTestId('chart-history')).toContainText('one point a day, 2 points');
    // Full names on hover, round rating ticks.
    await expect(charts.getByTestId('chart-win-fraction').locator('text title', { hasText: 'Cirrus 70B (cirrus-70b)' }).first()).toBeAttached();
    const ticks = await charts.getByTestId('chart-intervals').locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
    const values = ticks.map(Number);
    expect(values.length).toBeGreaterThanOrEqual(3);
    const step = values[1] - values[0];
    for (const v of values) expect(v % step).toBe(0);

    // The charts follow the table's search.
    await page.getByTestId('search-input').fill('3');
    await expect(charts.getByTestId('chart-intervals').locator('.recharts-scatter-symbol')).toHaveCount(3); // borealis-13b, ember-3b, fjord-34b
    await expect(charts.getByTestId('chart-win-fraction').locator('.recharts-scatter-symbol')).toHaveCount(6);
    await page.getByTestId('search-input').fill('');
    // The picker: the top 10 (all six here), then a chosen set.
    await charts.getByTestId('heatmap-picker').locator('summary').click();
    await charts.locator('[data-testid="heatmap-pick"][data-model="atlas-7b"]').uncheck();
    await expect(charts.getByTestId('heatmap-size')).toHaveValue('chosen');
    await expect(charts.getByTestId('chart-win-fraction').locator('.recharts-scatter-symbol')).toHaveCount(20);
  });

  test('a model page has its rating history and a head-to-head table', async ({ page }) => {
    await page.goto(`${app.url}/leaderboard`);
    await page.locator('[data-model="cirrus-70b"] a').click();
    await expect(page).toHaveURL(/\/models\/cirrus-70b$/);
    await expect(page.getByTestId('model-title')).toHaveText('Cirrus 70B');
    await expect(page.getByTestId('h2h-row')).toHaveCount(5);
    await expect(page.getByTestId('chart-model-history').locator('.recharts-line')).toHaveCount(1);
    const api = await (await fetch(`${app.url}/api/leaderboard`)).json();
    const me = api.models.find((m: { model: string }) => m.model === 'cirrus-70b');
    await expect(page.getByTestId('model-rating')).toHaveText(me.rating.toFixed(1));
    const h2hBattles = await page.getByTestId('h2h-row').evaluateAll((trs) => trs.reduce((s, tr) => s + Number(tr.children[1].textContent?.replace(/,/g, '')), 0));
    expect(h2hBattles).toBe(me.votes);

    expect((await fetch(`${app.url}/models/no-such-model`)).status).toBe(404);
  });

  test('the battle export streams every counted battle', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-the-same-length-000000' }, { authorization: EXPORT_TOKEN }] as Record<string, string>[]) {
      const refused = await fetch(`${app.url}/api/battles/export?format=csv`, { headers });
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.code).toBe('unauthorized');
    }
    const res = await fetch(`${app.url}/api/battles/export?format=csv`, withToken);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="pairwise-battles-.*\.csv"/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('model_a,model_b,winner,tstamp,judge,turn,anony,language,question_id');
    expect(lines).toHaveLength(1501);
    const json = await (await fetch(`${app.url}/api/battles/export`, withToken)).json();
    expect(json).toHaveLength(1500);
    expect(json[0].conversation_a[0]).toEqual({ role: 'user', content: expect.any(String) });
  });
});
