import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { requireSharedData } from '../lib/shared-data';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { BattlePage } from './pages/battle-page';

// Recorded answers of two real models to the vicuna80 prompt set, next to two live models so the
// page offers both modes.
const SET = '@data/recorded-answers/vicuna80';
const RECORDED = [
  { id: 'rec-gpt35', name: 'Recorded Turbo', organization: 'Org One', answers: 'answer_gpt35.jsonl' },
  { id: 'rec-claude', name: 'Recorded Sonnet', organization: 'Org Two', answers: 'answer_claude.jsonl' },
];

function recordedAnswer(file: string, questionId: number): string {
  const dir = requireSharedData('recorded-answers/vicuna80');
  for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { question_id: number; text: string };
    if (row.question_id === questionId) return row.text;
  }
  throw new Error(`no answer to ${questionId} in ${file}`);
}

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      models: [
        ...RECORDED.map((m) => ({
          id: m.id,
          name: m.name,
          organization: m.organization,
          provider: { kind: 'recorded', set: SET, answers: m.answers, charsPerSecond: 20_000 },
        })),
        stubModel(stub, { id: 'live-1', name: 'Live One', model: 'stub-echo' }),
        stubModel(stub, { id: 'live-2', name: 'Live Two', model: 'stub-echo:words=4' }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

test('a battle on recorded answers: choose a question, both sides stream their recorded answer, vote reveals', async ({ page }) => {
  const battle = new BattlePage(page);
  await battle.goto(app.url);

  // With only two live models every live battle would be the same pair: the arena opens on
  // recorded answers, with a random question unless one is chosen from the list.
  await expect(page.getByTestId('mode-recorded')).toHaveAttribute('aria-checked', 'true');
  await expect(battle.promptInput).toHaveCount(0);
  await expect(page.getByTestId('picker-chosen')).toHaveText('Question: a random one of 80');
  await expect(battle.sendButton).toBeEnabled();
  await page.getByTestId('choose-question').click();
  const picker = page.getByTestId('prompt-picker');
  await expect(picker.getByRole('option')).toHaveCount(80);

  // Search narrows the list; each question shows its category.
  await page.getByTestId('prompt-search').fill('quantum computing');
  const option = picker.getByRole('option');
  await expect(option).toHaveCount(1);
  await expect(option).toContainText('Can you explain the basics of quantum computing?');
  await expect(option.locator('.category-tag')).toHaveText('generic');
  await option.click();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('picker-chosen')).toHaveText('Question: Can you explain the basics of quantum computing?');

  await battle.sendButton.click();
  await battle.waitForTurnEnd();

  // The mode is fixed for the battle, and a recorded battle has a single turn: no prompt box, no
  // turn counter, no regenerate.
  await expect(page.getByTestId('mode-live')).toBeDisabled();
  await expect(battle.promptInput).toHaveCount(0);
  await expect(battle.turnsLeft).toHaveCount(0);
  await expect(battle.regenerate).toHaveCount(0);
  for (const side of ['a', 'b'] as const) {
    await expect(battle.response(side)).toContainText('Can you explain the basics of quantum computing?');
    await expect(battle.answer(side, 1)).toHaveAttribute('data-status', 'done');
  }
  const shown = {
    a: await battle.answer('a', 1).locator('.markdown').innerText(),
    b: await battle.answer('b', 1).locator('.markdown').innerText(),
  };
  expect(shown.a).not.toBe(shown.b);

  await battle.voteButton('bothbad').click();
  const names = await battle.expectRevealed();
  expect([names.a, names.b].sort()).toEqual(RECORDED.map((m) => m.name).sort());
  await expect(battle.pane('a').locator('.pick-badge')).toHaveText('Both bad');

  // Each side showed exactly its own model's recorded answer (compared as plain words, since the
  // page renders the Markdown).
  const words = (s: string) => s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  for (const side of ['a', 'b'] as const) {
    const model = RECORDED.find((m) => m.name === names[side])!;
    const expected = recordedAnswer(model.answers, 5);
    const firstSentence = words(expected.trim().split(/(?<=[.:!?])\s/)[0]);
    expect(words(shown[side])).toContain(firstSentence);
    expect(words(shown[side]).length).toBeGreaterThan(words(expected).length * 0.8);
  }

  // Replayed answers have no real speed: the reveal shows none, and links each name to its model page.
  for (const side of ['a', 'b'] as const) {
    await expect(battle.pane(side).locator('.pane-stats')).toHaveCount(0);
    const model = RECORDED.find((m) => m.name === names[side])!;
    await expect(battle.modelName(side)).toHaveAttribute('href', `/models/${model.id}`);
  }

  const stored = await (await page.request.get(`${app.url}/api/battles/${await battle.battleId()}`)).json();
  expect(stored.mode).toBe('recorded');
  expect(stored.revealed.stats.a).toMatchObject({ ttftMs: null, tokensPerSecond: null });
  expect(stored.revealed.stats.b).toMatchObject({ ttftMs: null, tokensPerSecond: null });
  // No request went to the live models.
  expect(stub.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(0);
});

test('the default is a random question: starting without choosing draws one of the set', async ({ page }) => {
  const battle = new BattlePage(page);
  const drawn = new Set<string>();
  for (let i = 0; i < 4; i++) {
    await battle.goto(app.url);
    await battle.sendButton.click();
    await battle.waitForTurnEnd();
    const stored = await (await page.request.get(`${app.url}/api/battles/${await battle.battleId()}`)).json();
    expect(stored.mode).toBe('recorded');
    expect(Number(stored.questionId)).toBeGreaterThanOrEqual(1);
    expect(Number(stored.questionId)).toBeLessThanOrEqual(80);
    drawn.add(stored.questionId);
  }
  // Four draws from 80 questions are all the same one with probability 1 / 80^3.
  expect(drawn.size).toBeGreaterThan(1);
});
