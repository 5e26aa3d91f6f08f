import { expect, test } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage, type Side } from './pages/battle-page';

// Two models on the local OpenAI-compatible stub whose answers differ (different filler
// lengths), so each side's history can be told apart in what the stub receives.
let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { maxTurns: 2 },
      models: [
        stubModel(stub, { id: 'short-echo', name: 'Short Echo', organization: 'Echo Co', model: 'stub-echo:chunk=2:words=3', maxTokens: 200 }),
        stubModel(stub, { id: 'long-echo', name: 'Long Echo', organization: 'Echo Co', model: 'stub-echo:chunk=2:words=9', maxTokens: 200 }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

test('two turns: each side keeps its own history, and the turn limit is enforced', async ({ page }) => {
  const battle = new BattlePage(page);
  await battle.goto(app.url);
  await expect(battle.turnsLeft).toHaveText('2 of 2 turns left');

  await battle.ask('Name a colour.');
  await battle.waitForTurnEnd();
  await expect(battle.turnsLeft).toHaveText('1 of 2 turns left');
  const firstAnswers: Record<Side, string> = {
    a: await battle.answer('a', 1).innerText(),
    b: await battle.answer('b', 1).innerText(),
  };
  // The two models answer differently, so the histories differ.
  expect(firstAnswers.a).not.toBe(firstAnswers.b);
  for (const side of ['a', 'b'] as const) expect(firstAnswers[side]).toContain('This is turn 1 of our conversation.');

  await battle.ask('Now name a fruit.');
  await expect(battle.answer('a', 2)).toBeVisible();
  await battle.waitForTurnEnd();

  for (const side of ['a', 'b'] as const) {
    // Turn 1 is still shown, unchanged, above turn 2.
    expect(await battle.answer(side, 1).innerText()).toBe(firstAnswers[side]);
    await expect(battle.answer(side, 2)).toContainText('This is turn 2 of our conversation.');
    await expect(battle.answer(side, 2)).toContainText('You asked: "Now name a fruit."');
    await expect(battle.response(side).locator('.turn-prompt')).toHaveText([/Name a colour\./, /Now name a fruit\./]);
  }

  // Each model received its own first answer as history, never the other side's.
  const secondTurnRequests = stub.requests.filter(
    (r) => r.path === '/v1/chat/completions' && (r.messages ?? []).filter((m) => m.role === 'user').length === 2,
  );
  expect(secondTurnRequests).toHaveLength(2);
  for (const r of secondTurnRequests) {
    const assistant = (r.messages ?? []).filter((m) => m.role === 'assistant');
    expect(assistant).toHaveLength(1);
    const history = String(assistant[0].content);
    const isShort = r.model!.includes('words=3');
    const other = secondTurnRequests.find((x) => x !== r)!;
    expect(history).toContain('word2');
    if (isShort) expect(history).not.toContain('word3');
    else expect(history).toContain('word8');
    expect(history).not.toBe(String((other.messages ?? []).find((m) => m.role === 'assistant')?.content));
  }

  // Limit reached: the prompt box is locked with the reason, and the battle can still be voted.
  await expect(battle.turnsLeft).toHaveText('0 of 2 turns left');
  await expect(battle.promptInput).toBeDisabled();
  await expect(battle.promptInput).toHaveAttribute('placeholder', /All 2 turns used/);
  await expect(battle.sendButton).toBeDisabled();
  await battle.expectVotingEnabled(true);

  // The server agrees: a third message is refused.
  const id = await battle.battleId();
  const refused = await page.request.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'One more?' } });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.code).toBe('turn_limit');

  await battle.voteButton('tie').click();
  const names = await battle.expectRevealed();
  expect([names.a, names.b].sort()).toEqual(['Long Echo', 'Short Echo']);
  await expect(battle.pane('a').locator('.pick-badge')).toHaveText('Tie');
});
