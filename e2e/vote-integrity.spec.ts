import http from 'node:http';
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import { freePort, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { countRows, storeState as readStoreState } from './fixtures/store';

/**
 * A battle belongs to the browser (or account) that started it; state changes come only from the
 * app's own pages; battle creation and votes are rate limited per identity and per network.
 * Every refusal is checked against the store (SQLite or Postgres): nothing may change.
 */

function registry(stub: OpenAIStub, limits?: unknown) {
  return {
    settings: { maxTurns: 2, maxPromptChars: 500, timeoutMs: 15_000, ...(limits ? { limits } : {}) },
    models: [
      stubModel(stub, { id: 'alpha-model', name: 'Alpha Model', model: 'stub-echo:words=8' }),
      stubModel(stub, { id: 'beta-model', name: 'Beta Model', model: 'stub-echo:words=9' }),
    ],
  };
}

const storeState = (app: AppServer) => readStoreState(app);
const count = (app: AppServer, table: 'battles' | 'votes' | 'voters') => countRows(app, table);

async function expectError(res: APIResponse, status: number, code: string) {
  expect(res.status(), await res.text()).toBe(status);
  expect(res.headers()['content-type']).toContain('application/json');
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

/** Starts a battle and reads its stream to the end; the context keeps the voter cookie. */
async function fight(ctx: APIRequestContext, app: AppServer): Promise<string> {
  const res = await ctx.post(`${app.url}/api/battles`, { data: { prompt: 'Say hello' } });
  expect(res.status(), await res.text()).toBe(200);
  const first = JSON.parse((await res.text()).split('\n')[0]) as { battleId: string };
  return first.battleId;
}

test.describe('ownership and same-origin', () => {
  let stub: OpenAIStub;
  let app: AppServer;
  test.beforeAll(async () => {
    stub = await startOpenAIStub();
    app = await startApp({ registry: registry(stub) });
  });
  test.afterAll(async () => {
    await app?.stop();
    await stub?.close();
  });

  test('only the browser that started a battle can read, continue, regenerate or vote on it', async ({ request }) => {
    const id = await fight(request, app);
    const other = await playwrightRequest.newContext();
    try {
      // A second visitor with a voter cookie of its own.
      await fight(other, app);
      const before = await storeState(app);
      await expectError(await other.get(`${app.url}/api/battles/${id}`), 404, 'not_found');
      await expectError(await other.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } }), 404, 'not_found');
      await expectError(await other.post(`${app.url}/api/battles/${id}/messages`, { data: { prompt: 'more' } }), 404, 'not_found');
      await expectError(await other.post(`${app.url}/api/battles/${id}/regenerate`), 404, 'not_found');
      // The refusal is the one an unknown id gets, word for word.
      const unknown = await other.get(`${app.url}/api/battles/00000000-0000-4000-8000-000000000000`);
      const refused = await other.get(`${app.url}/api/battles/${id}`);
      expect(await refused.json()).toEqual(await unknown.json());
      expect(await storeState(app)).toEqual(before);
    } finally {
      await other.dispose();
    }
    expect((await request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'tie' } })).status()).toBe(200);
  });

  test('a vote without a cookie is refused and creates no voter', async ({ request }) => {
    const id = await fight(request, app);
    const before = await storeState(app);
    const res = await fetch(`${app.url}/api/battles/${id}/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ winner: 'model_a' }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await storeState(app)).toEqual(before);
  });

  test('a refused battle request without a cookie mints no voter and sets no cookie', async () => {
    const before = await storeState(app);
    for (const body of ['{"prompt": ', JSON.stringify({ prompt: '' }), JSON.stringify({ prompt: 'x'.repeat(600) })]) {
      const res = await fetch(`${app.url}/api/battles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect(await storeState(app)).toEqual(before);
  });

  test('cross-site and non-JSON mutations are refused', async ({ request }) => {
    const id = await fight(request, app);
    const before = await storeState(app);
    const vote = { data: { winner: 'model_a' } };
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { ...vote, headers: { origin: 'http://evil.example' } }), 403, 'forbidden');
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { ...vote, headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden');
    await expectError(await request.post(`${app.url}/api/battles/${id}/vote`, { ...vote, headers: { 'sec-fetch-site': 'same-site' } }), 403, 'forbidden');
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: 'x' }, headers: { origin: 'null' } }), 403, 'forbidden');
    await expectError(
      await request.post(`${app.url}/api/battles/${id}/vote`, { form: { winner: 'model_a' } }),
      415,
      'unsupported_media_type',
    );
    await expectError(
      await request.post(`${app.url}/api/battles/${id}/vote`, { data: '{"winner":"model_a"}', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
    expect(await storeState(app)).toEqual(before);
    // The app's own origin is fine.
    const own = await request.post(`${app.url}/api/battles/${id}/vote`, { ...vote, headers: { origin: app.url, 'sec-fetch-site': 'same-origin' } });
    expect(own.status()).toBe(200);
  });

  test('a host name the app does not serve is refused (DNS rebinding)', async ({ request }) => {
    const before = await storeState(app);
    await expectError(await request.get(`${app.url}/api/arena`, { headers: { host: 'attacker.example' } }), 421, 'unknown_host');
    await expectError(
      await request.post(`${app.url}/api/battles`, { data: { prompt: 'x' }, headers: { host: 'attacker.example:80', origin: 'http://attacker.example' } }),
      421,
      'unknown_host',
    );
    expect(await storeState(app)).toEqual(before);
  });

  test('a form posted from another site in Chromium creates no battle and no vote', async ({ page }) => {
    const id = await fight(page.request, app);
    const before = await storeState(app);
    // "localhost" and "127.0.0.1" are different sites to the browser: a page on the first posts to the second.
    const port = await freePort();
    const evil = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><body>
        <form id="battle" method="post" action="${app.url}/api/battles" enctype="text/plain">
          <input name='{"prompt":"forged","x":"' value='"}'></form>
        <form id="vote" method="post" action="${app.url}/api/battles/${id}/vote">
          <input name="winner" value="model_a"></form>
        <script>document.getElementById(location.hash.slice(1)).submit()</script></body>`);
    });
    await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
    try {
      for (const form of ['battle', 'vote']) {
        const answered = page.waitForResponse((r) => r.url().startsWith(app.url));
        await page.goto(`http://localhost:${port}/#${form}`);
        expect((await answered).status()).toBeGreaterThanOrEqual(400);
      }
    } finally {
      evil.close();
    }
    expect(await storeState(app)).toEqual(before);
  });
});

test.describe('rate limits', () => {
  let stub: OpenAIStub;
  let app: AppServer | undefined;
  const limited = (limits: unknown) => startApp({ registry: registry(stub, limits) }).then((a) => (app = a));
  test.beforeAll(async () => {
    stub = await startOpenAIStub();
  });
  test.afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  test.afterAll(async () => {
    await stub?.close();
  });

  test('votes past the limit get 429 with Retry-After, and the stored votes equal the limit', async ({ request }) => {
    const app = await limited({ vote: { perMinute: 2, perDay: 100 } });
    const ids = [await fight(request, app), await fight(request, app), await fight(request, app)];
    expect((await request.post(`${app.url}/api/battles/${ids[0]}/vote`, { data: { winner: 'model_a' } })).status()).toBe(200);
    // A refused request (unknown battle) does not use up the allowance.
    expect((await request.post(`${app.url}/api/battles/nope/vote`, { data: { winner: 'model_a' } })).status()).toBe(404);
    expect((await request.post(`${app.url}/api/battles/${ids[1]}/vote`, { data: { winner: 'model_b' } })).status()).toBe(200);
    const before = await storeState(app);
    const refused = await request.post(`${app.url}/api/battles/${ids[2]}/vote`, { data: { winner: 'tie' } });
    await expectError(refused, 429, 'rate_limited');
    const retryAfter = Number(refused.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await refused.json()).error.message).toMatch(/You can go on in \d+ seconds?/);
    expect(await storeState(app)).toEqual(before);
    expect(await count(app, 'votes')).toBe(2);
  });

  test('battles are limited per identity, and per network for visitors that drop their cookie', async ({ request }) => {
    const app = await limited({ battle: { perMinute: 2, perDay: 100 }, networkMultiplier: 3 });
    await fight(request, app);
    await fight(request, app);
    await expectError(await request.post(`${app.url}/api/battles`, { data: { prompt: 'again' } }), 429, 'rate_limited');
    expect(await count(app, 'battles')).toBe(2);
    // Without cookies every request is a new voter; the network (2 x 3 = 6 a minute) still counts.
    const statuses: number[] = [];
    for (let k = 0; k < 6; k++) {
      const res = await fetch(`${app.url}/api/battles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'cookieless' }),
      });
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(await count(app, 'battles')).toBe(6);
  });

  test('the page says when the voter can go on', async ({ page }) => {
    const app = await limited({ battle: { perMinute: 1, perDay: 100 } });
    await fight(page.request, app);
    await page.goto(app.url);
    await page.getByTestId('prompt-input').fill('One more, please');
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('battle-notice')).toContainText(/You can go on in \d+ seconds?/);
    expect(await count(app, 'battles')).toBe(1);
  });
});
