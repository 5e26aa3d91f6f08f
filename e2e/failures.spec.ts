import { expect, test, type Page } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore } from './fixtures/store';
import { BattlePage, type Side } from './pages/battle-page';

// Each case pairs a healthy stub model with a failing one (the registry holds just the two, so
// the pair is fixed; only the sides are a coin flip).
let stub: OpenAIStub;
let failing: AppServer | undefined;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
});

test.afterAll(async () => {
  await stub?.close();
});

test.afterEach(async () => {
  await failing?.stop();
  failing = undefined;
});

function registry(secondModel: string) {
  return {
    models: [
      stubModel(stub, { id: 'steady-echo', name: 'Steady Echo', organization: 'Calm Systems', model: 'stub-echo:chunk=5', maxTokens: 200 }),
      stubModel(stub, { id: 'flaky-model', name: 'Flaky Model', organization: 'Storm Inc', model: secondModel, maxTokens: 200 }),
    ],
  };
}

const chatRequests = () => stub.requests.filter((r) => r.path === '/v1/chat/completions');

async function expectOneSideFailed(battle: BattlePage, page: Page, app: AppServer): Promise<Side> {
  await battle.waitForTurnEnd();
  const failed = await battle.failedSides();
  expect(failed).toHaveLength(1);
  const bad = failed[0];
  const good: Side = bad === 'a' ? 'b' : 'a';

  // A clear message on the failed side only; the other side's answer is intact.
  const error = page.getByTestId(`error-${bad}`);
  await expect(error).toBeVisible();
  await expect(error).toContainText(`Model ${bad.toUpperCase()} failed.`);
  await expect(page.getByTestId(`error-${good}`)).toHaveCount(0);
  await expect(battle.answer(good, 1)).toHaveAttribute('data-status', 'done');
  await expect(battle.answer(good, 1).locator('h2')).toHaveText('Answer');
  // The message is the safe one: no model name, endpoint or upstream error text.
  const message = await error.innerText();
  for (const secret of ['stub-', 'Flaky', 'Storm', stub.url, String(stub.port), 'Internal failure']) {
    expect(message).not.toContain(secret);
  }

  // No vote is possible, and the page says why and what to do instead.
  await battle.expectVotingEnabled(false);
  await expect(page.locator('#vote-hint')).toHaveText(/cannot be voted/);
  await expect(battle.regenerate).toBeEnabled();
  await expect(battle.newBattle).toBeEnabled();
  await expect(battle.promptInput).toBeDisabled();

  // The server refuses a vote too, and stays healthy.
  const id = await battle.battleId();
  const vote = await page.request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } });
  expect(vote.status()).toBe(409);
  expect((await page.request.get(`${app.url}/api/health`)).ok()).toBe(true);
  const stored = await (await page.request.get(`${app.url}/api/battles/${id}`)).json();
  expect(stored.status).toBe('failed');
  expect(stored.sides[bad].find((m: { role: string }) => m.role === 'assistant').state).toBe('error');
  return bad;
}

test('a provider answering HTTP 500 fails its side only, with a clear message', async ({ page }) => {
  failing = await startApp({ registry: registry('stub-fail') });
  const battle = new BattlePage(page);
  await battle.goto(failing.url);
  await battle.ask('Tell me something.');
  await expectOneSideFailed(battle, page, failing);

  // Regenerate fails the same way, and a new battle starts cleanly afterwards.
  await battle.regenerate.click();
  await expectOneSideFailed(battle, page, failing);
  await battle.newBattle.click();
  await expect(battle.arena).toHaveAttribute('data-phase', 'idle');
  await expect(battle.response('a').locator('.answer')).toHaveCount(0);
  await expect(battle.promptInput).toBeEnabled();
});

test('a stream that drops mid-answer fails its side and keeps the partial text', async ({ page }) => {
  failing = await startApp({ registry: registry('stub-midstream:chunk=5') });
  const battle = new BattlePage(page);
  await battle.goto(failing.url);
  await battle.ask('Tell me something longer.');
  const bad = await expectOneSideFailed(battle, page, failing);
  // The words that arrived before the drop are still shown above the message.
  await expect(battle.answer(bad, 1).locator('.markdown')).toContainText('Answer');
});

/**
 * The battle page once both models answer: on a loaded machine the first health probe of a slow
 * stream can time out, and the page then says the models cannot be reached and offers "Check again".
 */
async function gotoReady(battle: BattlePage, url: string): Promise<void> {
  await battle.goto(url);
  await expect(async () => {
    if (!(await battle.promptInput.isVisible())) await battle.page.getByRole('button', { name: 'Check again' }).click({ timeout: 2_000 });
    await expect(battle.promptInput).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
}

test('closing the page or leaving it mid-answer stops both generations', async ({ browser }) => {
  // Slow answers: ~200 words at 50 ms each, so there is plenty of time to leave mid-answer.
  const slow = {
    models: [1, 2].map((n) => ({
      id: `slow-${n}`,
      name: `Slow ${n}`,
      provider: { kind: 'openai-compatible', baseURL: stub.url, model: `stub-echo:chunk=50:words=${200 + n}` },
      defaults: { maxTokens: 1000 },
    })),
  };
  failing = await startApp({ registry: slow });
  const app = failing;

  const expectStopped = async (battleId: string, requestsBefore: number) => {
    const mine = () => chatRequests().slice(requestsBefore);
    // The server closed both upstream requests before they finished...
    await expect.poll(() => mine().length).toBe(2);
    // (clientAborted: the connection was closed before the stub had sent the whole answer.)
    await expect.poll(() => mine().every((r) => r.clientAborted), { timeout: 15_000 }).toBe(true);
    // ...and stored both answers as aborted.
    await expect
      .poll(async () =>
        (
          await queryStore<{ side: string; finish: string | null }>(
            app,
            `SELECT side, finish_reason AS finish FROM messages WHERE battle_id = ? AND role = 'assistant' ORDER BY side`,
            [battleId],
          )
        ).map((r) => `${r.side}:${r.finish}`),
      )
      .toEqual(['a:aborted', 'b:aborted']);
  };

  // 1. Closing the tab.
  {
    const page = await browser.newPage();
    const battle = new BattlePage(page);
    await gotoReady(battle, app.url);
    const before = chatRequests().length;
    await battle.ask('Write a long story.');
    await expect(battle.answer('a', 1)).toHaveAttribute('data-status', 'streaming');
    await expect(battle.answer('b', 1)).toHaveAttribute('data-status', 'streaming');
    const id = await battle.battleId();
    await page.close();
    await expectStopped(id, before);
  }

  // 2. Navigating to another page of the app (the arena unmounts and aborts its request).
  {
    const page = await browser.newPage();
    const battle = new BattlePage(page);
    await gotoReady(battle, app.url);
    const before = chatRequests().length;
    await battle.ask('Write another long story.');
    await expect(battle.answer('a', 1)).toHaveAttribute('data-status', 'streaming');
    await expect(battle.answer('b', 1)).toHaveAttribute('data-status', 'streaming');
    const id = await battle.battleId();
    await page.getByRole('link', { name: 'Leaderboard' }).click();
    await expect(page).toHaveURL(/\/leaderboard/);
    await expectStopped(id, before);
    await page.close();
  }

  expect((await fetch(`${app.url}/api/health`)).ok).toBe(true);
});
