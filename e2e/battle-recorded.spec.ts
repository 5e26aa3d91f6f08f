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

test('a battle on recorded answers: pick a question, both sides stream their recorded answer, vote reveals', async ({ page }) => {
  const battle = new BattlePage(page);
  await battle.goto(app.url);

  // Live is the default; switching to recorded answers replaces the prompt box by the picker.
  await expect(page.getByTestId('mode-live')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('mode-recorded').click();
  await expect(page.getByTestId('mode-recorded')).toHaveAttribute('aria-checked', 'true');
  await expect(battle.promptInput).toHaveCount(0);
  const picker = page.getByTestId('prompt-picker');
  await expect(picker.getByRole('option')).toHaveCount(80);

  // Search narrows the list; each question shows its category.
  await page.getByTestId('prompt-search').fill('quantum computing');
  const option = picker.getByRole('option');
  await expect(option).toHaveCount(1);
  await expect(option).toContainText('Can you explain the basics of quantum computing?');
  await expect(option.locator('.category-tag')).toHaveText('generic');
  await expect(battle.sendButton).toBeDisabled();
  await option.click();
  await expect(option).toHaveAttribute('aria-selected', 'true');

  await battle.sendButton.click();
  await battle.waitForTurnEnd();

  // The mode is fixed for the battle, and recorded battles have a single turn.
  await expect(page.getByTestId('mode-live')).toBeDisabled();
  await expect(battle.promptInput).toBeDisabled();
  await expect(battle.promptInput).toHaveAttribute('placeholder', /single turn/);
  await expect(battle.regenerate).toHaveCount(0);
  for (const side of ['a', 'b'] as const) {
    await expect(battle.response(side)).toContainText('Can you explain the basics of quantum computing?');
    await expect(battle.answer(side, 1)).toHaveAttribute('data-status', 'done');
  }
  const shown = { a: await battle.answer('a', 1).innerText(), b: await battle.answer('b', 1).innerText() };
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

  const stored = await (await page.request.get(`${app.url}/api/battles/${await battle.battleId()}`)).json();
  expect(stored.mode).toBe('recorded');
  // No request went to the live models.
  expect(stub.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(0);
});
