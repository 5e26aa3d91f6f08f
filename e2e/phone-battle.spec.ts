import { expect, test, type Locator, type Page } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

/**
 * A battle on a phone (390x844, touch): with two long answers stacked, the vote buttons stay on
 * screen wherever the reader is, and the keyboard hints are not shown. On a desktop the hints are.
 */

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      models: [
        stubModel(stub, { id: 'long-1', name: 'Long One', model: 'stub-echo:words=400', maxTokens: 2000 }),
        stubModel(stub, { id: 'long-2', name: 'Long Two', model: 'stub-echo:words=450', maxTokens: 2000 }),
        stubModel(stub, { id: 'long-3', name: 'Long Three', model: 'stub-echo:words=420', maxTokens: 2000 }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

/** True when the element lies wholly inside the viewport as it is scrolled now. */
async function onScreen(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const view = page.viewportSize()!;
  return !!box && box.y >= 0 && box.y + box.height <= view.height && box.x >= 0 && box.x + box.width <= view.width;
}

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the vote buttons stay reachable while either long answer is read', async ({ page }) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await battle.ask('Tell me everything about tides.');
    await battle.waitForTurnEnd();

    // The answers are far longer than the screen.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(3 * 844);

    // At the top of A, in the middle of A, at the top of B and in the middle of B: all four vote
    // buttons are on screen without scrolling to them.
    const a = battle.response('a');
    const b = battle.response('b');
    for (const [where, target, fraction] of [
      ['start of A', a, 0],
      ['middle of A', a, 0.5],
      ['start of B', b, 0],
      ['middle of B', b, 0.5],
    ] as const) {
      await target.evaluate((el, f) => {
        const r = el.getBoundingClientRect();
        window.scrollTo(0, window.scrollY + r.top + r.height * f - 80);
      }, fraction);
      for (const button of battle.voteButtons()) {
        expect(await onScreen(page, button), `${where}: ${await button.getAttribute('data-testid')}`).toBe(true);
      }
    }

    // The bar is compact: one row, under a tenth of the screen's height plus the hint.
    const bar = await page.locator('.vote-buttons').boundingBox();
    expect(bar!.height).toBeLessThan(844 / 10);

    // No keyboard hints on a touch screen.
    for (const button of battle.voteButtons()) await expect(button.locator('kbd')).toBeHidden();
    await expect(page.locator('#vote-hint')).toHaveText('Vote with the buttons or press 1–4 (A, B, T, X).');
    await expect(page.locator('#vote-hint .key-hint')).toBeHidden();

    // Voting from the middle of B works and reveals both.
    await battle.voteButton('b').click();
    await battle.expectRevealed();
    await expect(battle.newBattle).toBeVisible();
  });
});

test.describe('on a desktop', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the keyboard hints are shown', async ({ page }) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await expect(page.locator('.composer-meta .key-hint')).toBeVisible();
    await battle.ask('Say hello.');
    await battle.waitForTurnEnd();
    await expect(battle.voteButton('a').locator('kbd')).toBeVisible();
    await expect(page.locator('#vote-hint .key-hint')).toBeVisible();
  });
});
