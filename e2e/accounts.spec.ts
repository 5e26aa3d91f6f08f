import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, request as playwrightRequest, test, type Page } from '@playwright/test';
import { createAdmin, signIn as signInAs } from './fixtures/admin';
import { freePort, ROOT, startApp, type AppServer } from './fixtures/app-server';
import { startOidcProvider, type OidcProvider } from './fixtures/oidc-provider';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { countRows, queryStore } from './fixtures/store';

/**
 * Accounts through the real next-auth routes, the real server and its store: sign-up,
 * sign-in, sign-out, the lock-out after repeated failures, an OpenID Connect sign-in against a
 * real OIDC provider on loopback, and the first admin made with the command-line tool.
 */

let stub: OpenAIStub;
let oidc: OidcProvider;
let app: AppServer;

test.beforeAll(async () => {
  stub = await startOpenAIStub();
  const port = await freePort();
  oidc = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc` });
  app = await startApp({
    port,
    registry: {
      models: [
        stubModel(stub, { id: 'alpha-model', name: 'Alpha Model', model: 'stub-echo:words=6' }),
        stubModel(stub, { id: 'beta-model', name: 'Beta Model', model: 'stub-echo:words=7' }),
      ],
    },
    env: { OIDC_ISSUER: oidc.issuer, OIDC_CLIENT_ID: oidc.clientId, OIDC_CLIENT_SECRET: oidc.clientSecret, OIDC_NAME: 'Corp SSO' },
  });
});
test.afterAll(async () => {
  await app?.stop();
  await oidc?.close();
  await stub?.close();
});

const query = <T>(sql: string, ...args: unknown[]) => queryStore<T>(app, sql, args);

async function signUp(page: Page, email: string, password: string, name: string) {
  await page.goto(`${app.url}/signup`);
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-password').fill(password);
  await page.getByTestId('signup-confirm').fill(password);
  await page.getByTestId('signup-submit').click();
  await expect(page.getByTestId('nav-account')).toHaveText(name);
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${app.url}/signin`);
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
}

test('sign up, sign out and sign in again; battles fought before signing up stay yours', async ({ page }) => {
  // An anonymous battle in this browser first.
  const res = await page.request.post(`${app.url}/api/battles`, { data: { prompt: 'Hello there' } });
  const battleId = (JSON.parse((await res.text()).split('\n')[0]) as { battleId: string }).battleId;

  await signUp(page, 'Ada@Example.org', 'correct horse battery', 'Ada');
  const [user] = await query<{ id: string; email: string; password_hash: string; role: string }>(`SELECT * FROM users WHERE email = 'ada@example.org'`);
  expect(user.role).toBe('voter');
  expect(user.password_hash).toMatch(/^scrypt\$/);
  expect((await query<{ user_id: string }>('SELECT user_id FROM battles WHERE id = ?', battleId))[0].user_id).toBe(user.id);

  await page.getByTestId('nav-signout').click();
  await expect(page.getByTestId('nav-signin')).toBeVisible();
  // Signed out, the browser no longer owns the account's battle.
  expect((await page.request.get(`${app.url}/api/battles/${battleId}`)).status()).toBe(404);

  await signIn(page, 'ada@example.org', 'wrong password!');
  await expect(page.getByTestId('signin-error')).toHaveText('Wrong email or password.');
  await signIn(page, 'ada@example.org', 'correct horse battery');
  await expect(page.getByTestId('nav-account')).toHaveText('Ada');
  expect((await page.request.get(`${app.url}/api/battles/${battleId}`)).status()).toBe(200);

  // A second browser signed in as the same account sees it too; a stranger does not.
  const other = await playwrightRequest.newContext();
  try {
    expect((await other.get(`${app.url}/api/battles/${battleId}`)).status()).toBe(404);
  } finally {
    await other.dispose();
  }
});

test('an unknown email and a wrong password get the same answer, and repeated failures lock the email', async ({ page }) => {
  await signUp(page, 'bob@example.org', 'a very good password', 'Bob');
  await page.getByTestId('nav-signout').click();
  await expect(page.getByTestId('nav-signin')).toBeVisible();

  await signIn(page, 'nobody@example.org', 'whatever it is');
  await expect(page.getByTestId('signin-error')).toHaveText('Wrong email or password.');
  for (let k = 0; k < 8; k++) {
    await signIn(page, 'bob@example.org', `wrong guess ${k}`);
    await expect(page.getByTestId('signin-error')).toBeVisible();
  }
  // The right password, but the email is locked now.
  await signIn(page, 'bob@example.org', 'a very good password');
  await expect(page.getByTestId('signin-error')).toHaveText(/Too many failed sign-ins\. Try again in \d+ minutes?\./);
  await expect(page.getByTestId('nav-signin')).toBeVisible();
});

test('sign-in through an OpenID Connect provider creates the account on first use', async ({ page }) => {
  await page.goto(`${app.url}/signin`);
  await page.getByTestId('signin-oidc').click();
  // The provider's own login and consent pages.
  await page.locator('input[name="login"]').fill('carol');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(new RegExp(`^${app.url}/`));
  await expect(page.getByTestId('nav-account')).toHaveText('Carol Example');
  const rows = await query<{ email: string; provider: string }>(
    `SELECT u.email, a.provider FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.email = 'carol@corp.example'`,
  );
  expect(rows).toEqual([{ email: 'carol@corp.example', provider: 'oidc' }]);
});

test('the first admin comes from `pairwise admin create`, and only admins see the console link', async ({ page }) => {
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pairwise.mjs'), 'admin', 'create', '--email', 'root@example.org'], {
    input: 'the admin password\nthe admin password\n',
    env: { ...process.env, DATABASE_PATH: app.databasePath, ...(app.databaseUrl ? { DATABASE_URL: app.databaseUrl } : {}) },
    encoding: 'utf8',
  });
  expect(cli.status, cli.stderr).toBe(0);
  expect(cli.stdout).toContain('Created admin root@example.org');
  expect(cli.stdout + cli.stderr).not.toContain('the admin password');

  await signIn(page, 'root@example.org', 'the admin password');
  await expect(page.getByTestId('nav-admin')).toBeVisible();

  const voter = await page.context().browser()!.newPage();
  try {
    await voter.goto(`${app.url}/signup`);
    await voter.getByTestId('signup-email').fill('dave@example.org');
    await voter.getByTestId('signup-password').fill('dave password 1');
    await voter.getByTestId('signup-confirm').fill('dave password 1');
    await voter.getByTestId('signup-submit').click();
    await expect(voter.getByTestId('nav-account')).toBeVisible();
    await expect(voter.getByTestId('nav-admin')).toHaveCount(0);
  } finally {
    await voter.close();
  }
});

test('"my data": a signed-in voter sees their battles and deletes them, votes included', async ({ page }) => {
  await signUp(page, 'erin@example.org', 'erin password 1', 'Erin');
  const ids: string[] = [];
  for (const prompt of ['First question', 'Second question']) {
    const res = await page.request.post(`${app.url}/api/battles`, { data: { prompt } });
    ids.push((JSON.parse((await res.text()).split('\n')[0]) as { battleId: string }).battleId);
  }
  expect((await page.request.post(`${app.url}/api/battles/${ids[0]}/vote`, { data: { winner: 'model_b' } })).status()).toBe(200);

  await page.goto(`${app.url}/account`);
  await expect(page.getByTestId('account-email')).toContainText('erin@example.org');
  await expect(page.getByTestId('my-battle')).toHaveCount(2);
  // Names only for the battle that was voted on.
  await expect(page.locator(`[data-battle-id="${ids[0]}"]`)).toContainText(/Alpha Model|Beta Model/);
  await expect(page.locator(`[data-battle-id="${ids[1]}"]`)).not.toContainText(/Alpha Model|Beta Model/);

  await page.getByTestId('my-data-delete').click();
  await page.getByTestId('my-data-confirm').click();
  await expect(page.getByTestId('my-data-message')).toHaveText('Deleted 2 battles with their conversations and votes.');
  await expect(page.getByTestId('my-battles-empty')).toBeVisible();
  const [user] = await query<{ id: string }>(`SELECT id FROM users WHERE email = 'erin@example.org'`);
  expect(await query(`SELECT id FROM battles WHERE user_id = ?`, user.id)).toEqual([]);
  expect(await query(`SELECT id FROM votes WHERE battle_id IN (?, ?)`, ids[0], ids[1])).toEqual([]);
  // Anonymous callers cannot delete anything.
  const anon = await playwrightRequest.newContext();
  try {
    const res = await anon.delete(`${app.url}/api/account/battles`, { data: { confirm: 'delete my data' } });
    expect(res.status()).toBe(401);
  } finally {
    await anon.dispose();
  }
});

test.describe('with the consent gate on', () => {
  let gated: AppServer;
  test.beforeAll(async ({ browser }) => {
    gated = await startApp({
      registry: {
        models: [
          stubModel(stub, { id: 'alpha-model', name: 'Alpha Model', model: 'stub-echo:words=6' }),
          stubModel(stub, { id: 'beta-model', name: 'Beta Model', model: 'stub-echo:words=7' }),
        ],
      },
    });
    // An operator turns the gate on in the console (its settings API); the app notices within seconds.
    createAdmin(gated, 'operator@example.org', 'the operator password');
    const operator = await browser.newPage();
    try {
      await signInAs(operator, gated, 'operator@example.org', 'the operator password');
      const save = await operator.request.put(`${gated.url}/api/admin/settings`, {
        data: { section: 'notice', value: { text: 'Rule one: do not ask who the model is.\n\nRule two: be kind.', requireConsent: true } },
      });
      expect(save.status(), await save.text()).toBe(200);
    } finally {
      await operator.close();
    }
    await expect.poll(async () => (await (await fetch(`${gated.url}/api/arena`)).json()).participation.requireConsent).toBe(true);
  });
  test.afterAll(async () => {
    await gated?.stop();
  });

  test('no battle starts before the voter agrees; after agreeing it does', async ({ page }) => {
    const refused = await page.request.post(`${gated.url}/api/battles`, { data: { prompt: 'Hello' } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('consent_required');
    expect(await countRows(gated, 'battles')).toBe(0);

    await page.goto(gated.url);
    await expect(page.getByTestId('rules-notice')).toContainText('Rule two: be kind.');
    await expect(page.getByTestId('prompt-input')).toHaveCount(0);
    await expect(page.getByTestId('rules-continue')).toBeDisabled();
    await page.getByTestId('rules-agree').check();
    await page.getByTestId('rules-continue').click();
    await page.getByTestId('prompt-input').fill('Now I may ask');
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('vote-a')).toBeEnabled();
    // The agreement is kept for this browser.
    await page.reload();
    await expect(page.getByTestId('prompt-input')).toBeVisible();
  });
});
