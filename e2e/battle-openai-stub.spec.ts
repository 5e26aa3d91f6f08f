import { expect, test } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

// Two models behind the local OpenAI-compatible stub, which streams real SSE. The stub's echo
// model answers in Markdown and quotes the prompt, so a prompt carrying HTML makes an answer
// carrying HTML.
let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      models: [
        stubModel(stub, { id: 'slow-echo-1', name: 'Harbor Echo', organization: 'Harbor Labs', model: 'stub-echo:ttft=300:chunk=100:words=40', maxTokens: 300 }),
        stubModel(stub, { id: 'slow-echo-2', name: 'Summit Echo', organization: 'Summit AI', model: 'stub-echo:ttft=300:chunk=100:words=50', maxTokens: 300 }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

const HOSTILE =
  'Hi <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> [click](javascript:window.__pwned=3)';

test('answers stream side by side as Markdown; HTML in an answer is inert; votes wait for both sides', async ({ page }) => {
  const battle = new BattlePage(page);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await battle.goto(app.url);

  await battle.ask(HOSTILE);

  // While the answers stream (about 9 s each), both panes fill at the same time and no vote is
  // possible. Read in one look at the page, so the checks cannot straddle the end of the stream.
  const during = await page.waitForFunction(() => {
    const status = (side: string) =>
      document.querySelector(`[data-testid="response-${side}"] .answer[data-turn="1"]`)?.getAttribute('data-status');
    const text = (side: string) => document.querySelector(`[data-testid="response-${side}"] .markdown`)?.textContent ?? '';
    if (document.querySelector('.arena')?.getAttribute('data-phase') !== 'streaming') return null;
    if (status('a') !== 'streaming' || status('b') !== 'streaming' || !text('a') || !text('b')) return null;
    const disabled = (id: string) => (document.querySelector(`[data-testid="${id}"]`) as HTMLButtonElement | null)?.disabled;
    return {
      votes: ['vote-a', 'vote-b', 'vote-tie', 'vote-bothbad'].map(disabled),
      regenerate: disabled('regenerate'),
      hint: document.getElementById('vote-hint')?.textContent,
    };
  });
  expect(await during.jsonValue()).toEqual({
    votes: [true, true, true, true],
    regenerate: true,
    hint: 'Voting opens when both answers are finished.',
  });
  // Shortcuts do nothing while streaming.
  await battle.blurTextFields();
  await page.keyboard.press('1');
  await expect(battle.arena).toHaveAttribute('data-phase', 'streaming');
  await expect(battle.modelName('a')).toHaveCount(0);

  await battle.waitForTurnEnd();
  await battle.expectVotingEnabled(true);

  for (const side of ['a', 'b'] as const) {
    const answer = battle.answer(side, 1);
    // Markdown rendered: heading, list, bold, inline code.
    await expect(answer.locator('h2')).toHaveText('Answer');
    await expect(answer.locator('li')).toHaveCount(2);
    await expect(answer.locator('strong')).toHaveText('Bold point');
    await expect(answer.locator('code')).toHaveText('inline code');
    // The HTML the model wrote is shown as text, not run or rendered.
    await expect(answer).toContainText('<script>window.__pwned = 1</script>');
    await expect(answer).toContainText('<img src=x onerror="window.__pwned = 2">');
    await expect(answer.locator('script, img, iframe')).toHaveCount(0);
    // The javascript: link lost its URL and is plain text now.
    await expect(answer.locator('a', { hasText: 'click' })).toHaveCount(0);
    await expect(answer.locator('.md-unsafe-link')).toHaveText('click');
    await answer.locator('.md-unsafe-link').click();
    expect(await answer.innerHTML()).not.toContain('javascript:');
    await expect(answer.locator('[onerror], [onclick]')).toHaveCount(0);
  }
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);

  // Regenerate replaces the last answers before the vote.
  const before = stub.requests.filter((r) => r.path === '/v1/chat/completions').length;
  await battle.regenerate.click();
  await expect(battle.answer('a', 1)).toHaveAttribute('data-status', /waiting|streaming/);
  await battle.waitForTurnEnd();
  expect(stub.requests.filter((r) => r.path === '/v1/chat/completions').length).toBe(before + 2);
  await expect(battle.response('a').locator('.answer')).toHaveCount(1);
  await expect(battle.answer('a', 1).locator('h2')).toHaveText('Answer');

  // Keyboard vote: "x" is "both are bad".
  await battle.blurTextFields();
  await page.keyboard.press('x');
  const names = await battle.expectRevealed();
  expect([names.a, names.b].sort()).toEqual(['Harbor Echo', 'Summit Echo']);
  await expect(battle.pane('b').locator('.pick-badge')).toHaveText('Both bad');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
