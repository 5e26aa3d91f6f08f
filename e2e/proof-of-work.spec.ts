import { expect, test, type APIResponse } from '@playwright/test';
import { createAdmin, signIn } from './fixtures/admin';
import { startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { countRows } from './fixtures/store';
import { BattlePage } from './pages/battle-page';

// The self-hosted proof-of-work gate: switched on in the console, anonymous battles need a solved,
// unspent challenge (which the page solves by itself); a script without one, or replaying one,
// starts nothing; signed-in voters are not asked.

let stub: OpenAIStub;
let app: AppServer;
const ADMIN = { email: 'operator@example.org', password: 'a long operator passphrase' };

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { maxTurns: 2 },
      models: [
        stubModel(stub, { id: 'alpha-model', name: 'Alpha Model', model: 'stub-echo:words=8' }),
        stubModel(stub, { id: 'beta-model', name: 'Beta Model', model: 'stub-echo:words=9' }),
      ],
    },
  });
  createAdmin(app, ADMIN.email, ADMIN.password);
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

async function expectError(res: APIResponse, code: string) {
  expect(res.status(), await res.text()).toBe(403);
  expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

test('turned on in the console, the gate is solved by the page, refuses scripts without a fresh proof, and spares signed-in voters', async ({
  browser,
}) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, app, ADMIN.email, ADMIN.password, '/admin/settings');
  await admin.goto(`${app.url}/admin/settings`);
  const form = admin.getByTestId('settings-integrity');
  await form.getByTestId('proof-of-work').check();
  await form.getByTestId('proof-of-work-hashes').fill('200000');
  await form.getByTestId('save-integrity').click();
  await expect(form.getByText('Saved')).toBeVisible();

  // A visitor's browser: the page solves the challenge by itself and the battle starts.
  const visitorContext = await browser.newContext();
  const page = await visitorContext.newPage();
  const proofs: string[] = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/battles') proofs.push(req.headers()['pairwise-proof'] ?? '');
  });
  const battle = new BattlePage(page);
  const loadedAt = Date.now();
  await battle.goto(app.url);
  await battle.ask('Name a colour.');
  await battle.waitForTurnEnd();
  console.log(`page load to first battle answered, with a 200,000-hash proof: ${Date.now() - loadedAt} ms`);
  expect(proofs).toHaveLength(1);
  expect(proofs[0]).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  await battle.voteButton('a').click();
  await battle.expectRevealed();
  // The second battle uses the next proof, solved while the first ran.
  await battle.newBattle.click();
  await battle.ask('Name a fruit.');
  await battle.waitForTurnEnd();
  expect(proofs).toHaveLength(2);
  expect(proofs[1]).not.toBe(proofs[0]);

  // A script with the visitor's cookie: no proof, junk, or a replayed one start nothing.
  const battlesBefore = await countRows(app, 'battles');
  const script = visitorContext.request;
  await expectError(await script.post(`${app.url}/api/battles`, { data: { prompt: 'hello' } }), 'proof_required');
  await expectError(await script.post(`${app.url}/api/battles`, { data: { prompt: 'hello' }, headers: { 'pairwise-proof': 'bm90IGEgcHJvb2Y' } }), 'proof_invalid');
  await expectError(await script.post(`${app.url}/api/battles`, { data: { prompt: 'hello' }, headers: { 'pairwise-proof': proofs[0] } }), 'proof_invalid');
  expect(await countRows(app, 'battles')).toBe(battlesBefore);
  // The page says why, in words, when its proof is refused.
  await page.route('**/api/battles', (route) => route.continue({ headers: { ...route.request().headers(), 'pairwise-proof': proofs[0] } }));
  await battle.discardAndStartNew();
  await battle.ask('Name a tree.');
  await expect(battle.notice).toContainText('browser check did not pass');
  expect(await countRows(app, 'battles')).toBe(battlesBefore);

  // A signed-in voter is not asked.
  const signedIn = await adminContext.request.post(`${app.url}/api/battles`, { data: { prompt: 'hello' } });
  expect(signedIn.status(), await signedIn.text()).toBe(200);
  await signedIn.text();
  expect(await countRows(app, 'battles')).toBe(battlesBefore + 1);

  // Turned off again, a script needs nothing.
  await admin.goto(`${app.url}/admin/settings`);
  await admin.getByTestId('settings-integrity').getByTestId('proof-of-work').uncheck();
  await admin.getByTestId('settings-integrity').getByTestId('save-integrity').click();
  await expect(admin.getByTestId('settings-integrity').getByText('Saved')).toBeVisible();
  await expect
    .poll(async () => {
      const res = await script.post(`${app.url}/api/battles`, { data: { prompt: 'hello' } });
      await res.text();
      return res.status();
    })
    .toBe(200);

  await adminContext.close();
  await visitorContext.close();
});
