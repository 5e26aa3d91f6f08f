import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

/**
 * Accessibility: an automated audit (axe-core) of the arena in each of its states, the leaderboard
 * and a model page, at desktop and phone sizes, with no serious or critical violation; a whole
 * battle fought with the keyboard alone; and what a screen reader is told about the two sides.
 */

const SET = '@data/recorded-answers/vicuna80';
const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true },
] as const;

let stub: OpenAIStub;
let app: AppServer;
let empty: AppServer;
let unreachable: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  [app, empty, unreachable] = await Promise.all([
    startApp({
      registry: {
        models: [
          // Slow enough that the page can be audited while both answers stream.
          stubModel(stub, { id: 'ax-one', name: 'Aster One', organization: 'Aster', model: 'stub-echo:ttft=50:chunk=120:words=30' }),
          stubModel(stub, { id: 'ax-two', name: 'Aster Two', organization: 'Aster', model: 'stub-echo:ttft=50:chunk=120:words=40' }),
          stubModel(stub, { id: 'ax-three', name: 'Aster Three', organization: 'Aster', model: 'stub-echo:ttft=50:chunk=120:words=35' }),
          ...['answer_gpt35.jsonl', 'answer_claude.jsonl'].map((answers, i) => ({
            id: `ax-rec-${i}`,
            name: `Aster Recorded ${i}`,
            provider: { kind: 'recorded', set: SET, answers, charsPerSecond: 20_000 },
          })),
        ],
      },
    }),
    startApp({ registry: { models: [] } }),
    startApp({
      registry: {
        models: [1, 2, 3].map((n) => ({ id: `gone-${n}`, name: `Gone ${n}`, provider: { kind: 'gguf', path: `/nonexistent/gone-${n}.gguf` } })),
      },
    }),
  ]);
  // Three servers starting at once on two cores can fail a first health probe; wait until the
  // live models have answered one, so every test sees the same arena.
  await expect
    .poll(async () => {
      const info = await (await fetch(`${app.url}/api/arena`)).json();
      return info.modes[0].models;
    }, { timeout: 60_000 })
    .toBe(3);
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), empty?.stop(), unreachable?.stop()]);
  await stub?.close();
});

/** Runs axe on the page as it is now; serious and critical violations fail the test. */
async function audit(page: Page, state: string) {
  // After a client-side navigation Next.js sets the new title a moment after the page shows (later
  // on a loaded machine): audit the page once it has one, as a reader finds it.
  await expect(page, `title of ${state}`).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
  expect(blocking, `axe on ${state}`).toEqual([]);
  // The audit saw the page: axe checked rules that passed on it.
  expect(results.passes.length, `axe on ${state}`).toBeGreaterThan(10);
}

for (const size of SIZES) {
  test.describe(`at ${size.name} size`, () => {
    test.use({ viewport: size.viewport, hasTouch: 'hasTouch' in size, isMobile: 'isMobile' in size });

    test('the arena in each state of a live battle', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await expect(battle.promptInput).toBeVisible();
      await audit(page, 'live, before a prompt');

      await battle.ask('Describe a quiet harbour at dawn.');
      await expect(battle.arena).toHaveAttribute('data-phase', 'streaming');
      await audit(page, 'live, answers streaming');

      await battle.waitForTurnEnd();
      await battle.expectVotingEnabled(true);
      await audit(page, 'live, answers in, vote open');

      await battle.voteButton('b').click();
      await battle.expectRevealed();
      await audit(page, 'live, voted and revealed');
    });

    test('the arena in recorded mode', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await page.getByTestId('mode-recorded').click();
      await expect(page.getByTestId('recorded-picker')).toBeVisible();
      await audit(page, 'recorded, random question');
      await page.getByTestId('choose-question').click();
      await page.getByTestId('prompt-picker').getByRole('option').nth(3).click();
      await audit(page, 'recorded, a chosen question');

      await battle.sendButton.click();
      await battle.waitForTurnEnd();
      await audit(page, 'recorded, answers in');
      await battle.voteButton('tie').click();
      await battle.expectRevealed();
      await audit(page, 'recorded, voted');
    });

    test('the arena without usable models, and when it cannot load', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(empty.url);
      await expect(page.getByTestId('empty-state')).toHaveAttribute('data-reason', 'none-configured');
      await audit(page, 'no models configured');

      await battle.goto(unreachable.url);
      await expect(page.getByTestId('empty-state')).toHaveAttribute('data-reason', 'unreachable');
      await audit(page, 'models unreachable');

      await page.route('**/api/arena', (route) => route.fulfill({ status: 503, body: '' }));
      await page.goto(`${app.url}/`);
      await expect(page.locator('.arena-message[role="alert"]')).toContainText('could not be loaded');
      await audit(page, 'arena info unavailable');
    });

    test('the leaderboard and a model page', async ({ page }) => {
      // At least one counted vote, so the board has rows and the model page has data.
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await battle.ask('Name a river.');
      await battle.waitForTurnEnd();
      await battle.voteButton('a').click();
      const names = await battle.expectRevealed();

      await expect(async () => {
        await page.goto(`${app.url}/leaderboard`);
        // The board is recomputed shortly after a vote: reload until this vote's model is on it.
        await expect(page.getByTestId('leaderboard-row').filter({ hasText: names.a }).first()).toBeVisible({ timeout: 1_000 });
      }).toPass({ timeout: 60_000 });
      await audit(page, 'leaderboard');

      await page.getByTestId('leaderboard-row').filter({ hasText: names.a }).getByRole('link').first().click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText(names.a);
      await audit(page, 'model page');
    });
  });
}

test.describe('the keyboard and a screen reader', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  /** Presses Tab until `testId` has focus (at most 40 times), as a keyboard user would. */
  async function tabTo(page: Page, testId: string, key = 'Tab') {
    for (let i = 0; i < 40; i++) {
      if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testId) return;
      await page.keyboard.press(key);
    }
    throw new Error(`${testId} cannot be reached with ${key}`);
  }

  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

  test('a whole battle with the keyboard alone: prompt, vote by key, new battle, vote by Tab, recorded mode', async ({ page }) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);

    await tabTo(page, 'prompt-input');
    await page.keyboard.type('Name three birds.');
    await page.keyboard.press('Enter');
    await battle.waitForTurnEnd();
    // Esc leaves the prompt box; a number key votes.
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await battle.expectRevealed();
    await expect(battle.pane('b').locator('.pick-badge')).toHaveText('Your pick');

    // Focus waits on "New battle"; Enter starts one and puts the cursor back in the prompt box.
    expect(await focused(page)).toBe('new-battle');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('prompt-input');

    await page.keyboard.type('Name three trees.');
    await page.keyboard.press('Enter');
    await battle.waitForTurnEnd();
    await tabTo(page, 'vote-tie');
    await page.keyboard.press('Enter');
    await battle.expectRevealed();
    await expect(battle.pane('a').locator('.pick-badge')).toHaveText('Tie');

    // Recorded mode: the mode switch is a radio group (arrow keys), the start button a Tab away.
    await page.keyboard.press('Enter'); // New battle
    await expect.poll(() => focused(page)).toBe('prompt-input');
    await tabTo(page, 'mode-live', 'Shift+Tab');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('mode-recorded')).toHaveAttribute('aria-checked', 'true');
    await expect.poll(() => focused(page)).toBe('mode-recorded');
    await tabTo(page, 'send-button');
    await page.keyboard.press('Enter');
    await battle.waitForTurnEnd();
    await page.keyboard.press('4');
    await battle.expectRevealed();
    await expect(battle.pane('a').locator('.pick-badge')).toHaveText('Both bad');
  });

  test('a screen reader hears which side is which', async ({ page }) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await battle.ask('Name a colour.');
    await battle.waitForTurnEnd();

    // Each side is a region named for it; its answer starts with a heading that says whose it is,
    // and its status is read with the side's name.
    for (const side of ['A', 'B'] as const) {
      const region = page.getByRole('region', { name: `Model ${side}`, exact: true });
      await expect(region).toHaveCount(1);
      await expect(region.getByRole('heading', { name: `Model ${side}’s answer`, exact: true })).toHaveCount(1);
      await expect(region).toContainText(`Model ${side}: Done`);
    }
    // The regions are the panes that hold the answers.
    await expect(page.getByRole('region', { name: 'Model A', exact: true }).getByTestId('response-a')).toHaveCount(1);
    await expect(page.getByRole('region', { name: 'Model B', exact: true }).getByTestId('response-b')).toHaveCount(1);

    // The vote buttons say which side they choose, and the live hint says voting is open.
    const votes = page.getByRole('group', { name: 'Vote' });
    for (const name of ['A is better', 'B is better', 'Tie', 'Both are bad']) {
      await expect(votes.getByRole('button', { name, exact: true })).toBeEnabled();
    }
    await expect(page.locator('#vote-hint')).toHaveAttribute('aria-live', 'polite');
    await expect(page.locator('#vote-hint')).toHaveText('Vote with the buttons or press 1–4 (A, B, T, X).');

    await votes.getByRole('button', { name: 'A is better' }).click();
    const names = await battle.expectRevealed();
    // After the vote the reveal is announced (a status region) with both names.
    await expect(page.getByRole('status').filter({ hasText: 'Thanks for voting' })).toContainText(`A was ${names.a}`);
  });
});
