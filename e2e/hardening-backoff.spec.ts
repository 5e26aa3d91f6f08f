import { expect, test } from '@playwright/test';
import { createAdmin, signIn } from './fixtures/admin';
import { NO_LIMITS, streamBattle } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore } from './fixtures/store';

/**
 * A provider's 429 with Retry-After takes its model out of pairing for that long (the server log
 * and the console say so); afterwards its health check brings it back.
 */

const LIMITED = 'rate-limited-model';
const RETRY_S = 6;

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { limits: NO_LIMITS },
      models: [
        stubModel(stub, { id: 'steady-one', name: 'Steady One', model: 'stub-echo:words=3' }),
        stubModel(stub, { id: 'steady-two', name: 'Steady Two', model: 'stub-echo:words=4' }),
        // The first request gets 429 with Retry-After; later ones are answered.
        stubModel(stub, { id: LIMITED, name: 'Limited', model: `stub-429:retry=${RETRY_S}:times=1:words=5` }),
      ],
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

async function pairedWithLimited(battleId: string): Promise<boolean> {
  const [row] = await queryStore<{ a: string; b: string }>(app, 'SELECT model_a AS a, model_b AS b FROM battles WHERE id = ?', [battleId]);
  return row!.a === LIMITED || row!.b === LIMITED;
}

test('a 429 with Retry-After pauses the model for that long, then the health check brings it back', async ({ request, page }) => {
  test.setTimeout(120_000);
  createAdmin(app, 'ops@example.com', 'a long operator passphrase');
  await signIn(page, app, 'ops@example.com', 'a long operator passphrase');
  const consoleStatus = async () => {
    const res = await page.request.get(`${app.url}/api/admin/models`);
    expect(res.status()).toBe(200);
    const { models } = (await res.json()) as { models: { id: string; status: string; reason: string | null }[] };
    return models.find((m) => m.id === LIMITED)!;
  };
  // Battles until the limited model is drawn (two chances in three each time) and gets its 429.
  let limitedAt = 0;
  for (let i = 0; i < 20 && !limitedAt; i++) {
    const { battleId, events } = await streamBattle(request, app.url, `Battle ${i}`);
    if (await pairedWithLimited(battleId)) {
      expect(events.some((e) => e.type === 'error' && e.code === 'provider_error')).toBe(true);
      limitedAt = Date.now();
    }
  }
  expect(limitedAt, 'the limited model was never drawn').toBeGreaterThan(0);
  await expect.poll(() => app.logs()).toContain(`model "${LIMITED}" is out of pairing until`);
  expect(app.logs()).toContain(`HTTP 429, retry after ${RETRY_S} s`);
  // The console shows it paused, until when and why.
  const paused = await consoleStatus();
  expect(paused.status).toBe('paused');
  expect(paused.reason).toMatch(new RegExp(`^out of pairing until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC: .*HTTP 429, retry after ${RETRY_S} s`));

  // Within the pause it is never drawn: 12 battles that each had two chances in three to pick it.
  const during: string[] = [];
  while (during.length < 12 && Date.now() < limitedAt + (RETRY_S - 1) * 1000) {
    const { battleId, events } = await streamBattle(request, app.url, `During the pause ${during.length}`);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    during.push(battleId);
  }
  expect(during.length).toBeGreaterThanOrEqual(8);
  const drawn: string[] = [];
  for (const id of during) if (await pairedWithLimited(id)) drawn.push(id);
  expect(drawn).toEqual([]);

  // After it, the health check passes and it is paired (and answers) again.
  await new Promise((r) => setTimeout(r, Math.max(0, limitedAt + RETRY_S * 1000 + 300 - Date.now())));
  let back: string | null = null;
  for (let i = 0; i < 20 && !back; i++) {
    const { battleId, events } = await streamBattle(request, app.url, `After the pause ${i}`);
    if (await pairedWithLimited(battleId)) {
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      back = battleId;
    }
  }
  expect(back, 'the model did not come back').not.toBeNull();
  expect(app.logs()).toContain(`model "${LIMITED}" passed its health check and is back in pairing`);
  expect((await consoleStatus()).status).toBe('ready');
});
