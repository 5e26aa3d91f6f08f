import { expect, test } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { BattlePage } from './pages/battle-page';

// Two tiny local models run in-process by node-llama-cpp: a real battle with no network at all.
const MODELS = {
  stories: { name: 'Stories 260K', organization: 'Karpathy tinyllamas' },
  random: { name: 'Llama 2 Tiny Random', organization: 'Fixture Works' },
};

const registry = {
  settings: { maxTurns: 3 },
  models: [
    {
      id: 'stories-260k',
      ...MODELS.stories,
      provider: {
        kind: 'gguf',
        path: '@data/models/stories260K/stories260K.gguf',
        contextSize: 512,
        threads: 1,
        promptFormat: 'plain',
      },
      defaults: { temperature: 0.8, maxTokens: 48 },
    },
    {
      id: 'llama-2-tiny-random',
      ...MODELS.random,
      provider: {
        kind: 'gguf',
        path: '@data/models/llama-2-tiny-random/llama-2-tiny-random.gguf',
        contextSize: 512,
        threads: 1,
        promptFormat: 'plain',
      },
      defaults: { temperature: 0.8, maxTokens: 48 },
    },
  ],
};

let app: AppServer;

test.beforeAll(async () => {
  app = await startApp({ registry });
});

test.afterAll(async () => {
  await app?.stop();
});

test('a battle between the two tiny GGUF models, from prompt to revealed vote, then a new battle', async ({ page }) => {
  const battle = new BattlePage(page);
  await battle.goto(app.url);

  // Nothing names a model before the battle, and there is nothing to vote on yet.
  await expect(battle.modelName('a')).toHaveCount(0);
  await expect(battle.voteButton('a')).toHaveCount(0);
  await expect(battle.sendButton).toBeDisabled();

  await battle.ask('Once upon a time there was a little dog who');
  await expect(battle.answer('a', 1)).toBeVisible();
  await expect(battle.answer('b', 1)).toBeVisible();
  await battle.waitForTurnEnd();

  // Both answers arrived and finished; the prompt is shown on each side.
  for (const side of ['a', 'b'] as const) {
    await expect(battle.answer(side, 1)).toHaveAttribute('data-status', 'done');
    await expect(battle.response(side)).toContainText('Once upon a time there was a little dog who');
    expect((await battle.answer(side, 1).locator('.markdown').innerText()).trim().length).toBeGreaterThan(0);
  }
  await battle.expectVotingEnabled(true);

  // Still blind: no name, organization or identity element anywhere on the page.
  await expect(battle.modelName('a')).toHaveCount(0);
  await expect(battle.modelName('b')).toHaveCount(0);
  const before = await page.locator('body').innerText();
  for (const m of Object.values(MODELS)) {
    expect(before).not.toContain(m.name);
    expect(before).not.toContain(m.organization);
  }

  // Typing a shortcut key inside the prompt box writes it; it does not vote.
  await battle.promptInput.focus();
  await page.keyboard.press('2');
  await expect(battle.promptInput).toHaveValue('2');
  await expect(battle.arena).toHaveAttribute('data-phase', 'ready');
  await battle.promptInput.fill('');

  // Outside the text box, "2" votes "B is better".
  const voted = page.waitForResponse((r) => r.url().endsWith('/vote') && r.request().method() === 'POST');
  await battle.blurTextFields();
  await page.keyboard.press('2');
  expect((await voted).status()).toBe(200);

  const names = await battle.expectRevealed();
  expect([names.a, names.b].sort()).toEqual([MODELS.random.name, MODELS.stories.name].sort());
  await expect(battle.voteButton('b')).toHaveCount(0); // the vote bar gives way to the result
  for (const side of ['a', 'b'] as const) {
    const pane = battle.pane(side);
    const model = Object.values(MODELS).find((m) => m.name === names[side])!;
    await expect(pane.locator('.model-org')).toHaveText(model.organization);
    await expect(pane.locator('.pane-stats')).toContainText('First token');
    await expect(pane.locator('.pane-stats')).toContainText('tok/s');
  }
  await expect(battle.pane('b').locator('.pick-badge')).toHaveText('Your pick');

  // The battle is closed to new messages: no prompt box, only "New battle".
  await expect(battle.promptInput).toHaveCount(0);
  await expect(battle.sendButton).toHaveCount(0);
  await expect(battle.newBattle).toBeFocused();

  // The server recorded the vote and reveals the same names.
  const id = await battle.battleId();
  const stored = await (await page.request.get(`${app.url}/api/battles/${id}`)).json();
  expect(stored.revealed.models.a.name).toBe(names.a);
  expect(stored.revealed.models.b.name).toBe(names.b);

  // "New battle" starts over: empty panes, names gone, prompt box open.
  await battle.newBattle.click();
  await expect(battle.arena).toHaveAttribute('data-phase', 'idle');
  await expect(battle.modelName('a')).toHaveCount(0);
  await expect(battle.modelName('b')).toHaveCount(0);
  await expect(battle.answer('a', 1)).toHaveCount(0);
  await expect(battle.promptInput).toBeEnabled();
  await expect(battle.promptInput).toHaveValue('');
  await expect(battle.arena).not.toHaveAttribute('data-battle-id', /.+/);

  // ...and a second battle is a different battle.
  await battle.ask('The cat sat on the');
  await battle.waitForTurnEnd();
  expect(await battle.battleId()).not.toBe(id);
});
