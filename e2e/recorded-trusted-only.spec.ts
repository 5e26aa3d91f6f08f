import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAdmin, signIn, signUp } from './fixtures/admin';
import { NO_LIMITS } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { queryStore } from './fixtures/store';

/**
 * Recorded answers come from public sets, so a script can look both sides up and vote as it
 * likes. With the integrity setting recordedTrustedOnly, a recorded battle counts only when a
 * signed-in account voted: an anonymous voter's vote is kept, excluded as recorded_public, and
 * the board and its API say how many were left out and why.
 */

const SET = '@data/recorded-answers/vicuna80';

let app: AppServer;

test.beforeAll(async ({ browser }) => {
  app = await startApp({
    registry: {
      settings: { limits: NO_LIMITS },
      models: [
        { id: 'rec-gpt35', name: 'Recorded Turbo', provider: { kind: 'recorded', set: SET, answers: 'answer_gpt35.jsonl', charsPerSecond: 20_000 } },
        { id: 'rec-claude', name: 'Recorded Sonnet', provider: { kind: 'recorded', set: SET, answers: 'answer_claude.jsonl', charsPerSecond: 20_000 } },
      ],
    },
  });
  // The operator turns the setting on in the console (its settings API).
  createAdmin(app, 'operator@example.org', 'the operator passphrase');
  const operator = await browser.newPage();
  try {
    await signIn(operator, app, 'operator@example.org', 'the operator passphrase');
    const save = await operator.request.put(`${app.url}/api/admin/settings`, { data: { section: 'integrity', value: { recordedTrustedOnly: true } } });
    expect(save.status(), await save.text()).toBe(200);
  } finally {
    await operator.close();
  }
});

test.afterAll(async () => {
  await app?.stop();
});

/** One recorded battle read to its end, then its vote; returns what the vote answered. */
async function recordedVote(ctx: APIRequestContext, questionId: string): Promise<{ excluded: boolean }> {
  const res = await ctx.post(`${app.url}/api/battles`, { data: { mode: 'recorded', questionId } });
  const text = await res.text();
  expect(res.status(), text).toBe(200);
  const battleId = (JSON.parse(text.split('\n')[0]) as { battleId: string }).battleId;
  const vote = await ctx.post(`${app.url}/api/battles/${battleId}/vote`, { data: { winner: 'model_a' } });
  expect(vote.status(), await vote.text()).toBe(200);
  return (await vote.json()) as { excluded: boolean };
}

interface Board {
  battles: number;
  excluded: Record<string, number>;
}

test('recorded votes count only from signed-in accounts; the board says how many were left out and why', async ({ page, playwright }) => {
  test.setTimeout(120_000);
  // The setting is read from the store at each vote.
  const anonymous = await playwright.request.newContext();
  try {
    const first = await recordedVote(anonymous, '1');
    const second = await recordedVote(anonymous, '2');
    expect([first.excluded, second.excluded]).toEqual([true, true]);
  } finally {
    await anonymous.dispose();
  }
  expect(await queryStore(app, `SELECT excluded_reason AS r, count(*) AS n FROM votes GROUP BY excluded_reason`)).toEqual([{ r: 'recorded_public', n: 2 }]);

  // A signed-in account's recorded vote counts.
  await signUp(page, app, 'reader@example.org', 'a long enough passphrase');
  expect((await recordedVote(page.request, '3')).excluded).toBe(false);

  const board = async (): Promise<Board | null> => {
    const res = await page.request.get(`${app.url}/api/leaderboard`);
    return res.status() === 200 ? ((await res.json()) as Board) : null;
  };
  await expect.poll(board, { timeout: 60_000 }).toMatchObject({ battles: 1, excluded: { recorded_public: 2 } });

  await page.goto(`${app.url}/leaderboard`);
  const stat = page.getByTestId('stat-excluded');
  await expect(stat).toContainText('2');
  await expect(stat).toHaveAttribute('title', /2 on public recorded answers by anonymous voters/);
  await expect(page.getByTestId('note-recorded-public')).toContainText('2 votes on recorded answers by voters who were not signed in are not counted');
});
