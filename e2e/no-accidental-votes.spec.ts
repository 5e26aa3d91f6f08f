import { expect, test, type Page } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

// The single-key vote shortcuts (1–4, A, B, T, X) must never turn typing into a vote: not in the
// prompt box, not after a click on Regenerate or Send moved focus away from it, not when the box
// is disabled under the cursor. Every prompt typed here is full of those keys.
const KEYS = 'a b t x 1 2 3 4 abtx1234';

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { maxTurns: 2 },
      models: [
        stubModel(stub, { id: 'slow-one', name: 'Slow One', organization: 'Echo Co', model: 'stub-echo:ttft=300:chunk=25:words=40' }),
        stubModel(stub, { id: 'slow-two', name: 'Slow Two', organization: 'Echo Co', model: 'stub-echo:ttft=300:chunk=30:words=30' }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

/** Types the way a person does (key by key, with keydown events), wherever focus is now. */
async function typeKeys(page: Page, text = KEYS): Promise<void> {
  await page.keyboard.type(text, { delay: 40 });
}

test('typing a, b, t, x and 1-4 in every state of a battle casts no vote; a deliberate key still does', async ({ page }) => {
  const battle = new BattlePage(page);
  const voteRequests: string[] = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && /\/api\/battles\/[^/]+\/vote$/.test(new URL(req.url()).pathname)) voteRequests.push(req.url());
  });
  const expectNoVote = async () => {
    expect(voteRequests).toEqual([]);
    await expect(battle.arena).not.toHaveAttribute('data-phase', /voting|voted/);
    await expect(battle.modelName('a')).toHaveCount(0);
  };

  await battle.goto(app.url);

  // Before any battle: the prompt itself is typed into the box and sent with Enter.
  await battle.promptInput.click();
  await typeKeys(page, `Tell me ${KEYS}`);
  await page.keyboard.press('Enter');
  await expect(battle.arena).toHaveAttribute('data-phase', 'streaming');

  // While both answers stream, the voter starts the follow-up in the box.
  await typeKeys(page);
  await battle.waitForTurnEnd();
  await battle.expectVotingEnabled(true);
  // Voting is open: more typing in the box.
  await typeKeys(page);
  await expectNoVote();

  // Regenerate is clicked; the button is disabled while it runs, so focus falls to the page and
  // the voter, thinking they are still in the box, goes on typing, during and after the run.
  await battle.regenerate.click();
  await typeKeys(page);
  await battle.waitForTurnEnd();
  await typeKeys(page);
  // A pause longer than any typing window, then one more letter: focus was lost, not given.
  await page.waitForTimeout(1_500);
  await page.keyboard.press('a');
  await expectNoVote();

  // Esc out of the box and straight on typing: still typing.
  await battle.promptInput.click();
  await battle.promptInput.fill('');
  await typeKeys(page, 'x marks');
  await page.keyboard.press('Escape');
  await typeKeys(page, ' the 1 spot');
  await expectNoVote();

  // A follow-up sent with the Send button (disabled while it runs): typing goes on.
  await battle.promptInput.fill(`Second ${KEYS}`);
  await battle.sendButton.click();
  await typeKeys(page);
  await battle.waitForTurnEnd();
  // All turns used: the box is disabled under the cursor.
  await expect(battle.promptInput).toBeDisabled();
  await typeKeys(page);
  await page.waitForTimeout(1_500);
  await page.keyboard.press('2');
  await expectNoVote();

  // On another control (the Regenerate button, focused with Tab), keys belong to that control.
  await page.keyboard.press('Tab');
  await battle.regenerate.focus();
  await page.waitForTimeout(1_100);
  await page.keyboard.press('1');
  await expectNoVote();

  // The control case: a click on the page, a pause, one key. The same keys do vote when meant.
  await battle.blurTextFields();
  await page.waitForTimeout(1_100);
  await page.keyboard.press('2');
  await battle.expectRevealed();
  expect(voteRequests).toHaveLength(1);
});
