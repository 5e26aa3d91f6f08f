import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { startApp, type AppServer } from './fixtures/app-server';
import { createAdmin, signIn, signUp } from './fixtures/admin';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { queryStore } from './fixtures/store';
import { BattlePage } from './pages/battle-page';

/**
 * The operator console against the real server, its store and real next-auth sessions: an
 * admin made with `pairwise admin create` adds a model served by the OpenAI-compatible stub,
 * tests its connection and meets it in the next battle without a restart; excludes a vote and
 * sees the board change; bans, disables and invites; paths typed in the console stay inside the
 * model folders. Each console page is also captured at 1280x800 under test-results/console/.
 */

test.describe.configure({ mode: 'serial' });

const ADMIN = { email: 'root@example.org', password: 'the admin password' };
const SHOTS = path.join(process.cwd(), 'test-results', 'console');

let stub: OpenAIStub;
let app: AppServer;
let modelsDir: string;
let outside: string;
let browser: Browser;
let admin: Page;

function query<T = Record<string, unknown>>(sql: string, ...args: unknown[]): Promise<T[]> {
  return queryStore<T>(app, sql, args);
}

/** One battle through the API, read to the end, then a vote; returns the battle id. */
async function fightAndVote(ctx: APIRequestContext, prompt: string, winner: string): Promise<string> {
  const res = await ctx.post(`${app.url}/api/battles`, { data: { prompt } });
  expect(res.status(), await res.text()).toBe(200);
  const id = (JSON.parse((await res.text()).split('\n')[0]) as { battleId: string }).battleId;
  const vote = await ctx.post(`${app.url}/api/battles/${id}/vote`, { data: { winner } });
  expect(vote.status(), await vote.text()).toBe(200);
  return id;
}

async function boardBattles(ctx: APIRequestContext): Promise<number> {
  const res = await ctx.get(`${app.url}/api/leaderboard`);
  if (res.status() !== 200) return -1;
  return ((await res.json()) as { battles: number }).battles;
}

test.beforeAll(async ({ browser: b }) => {
  browser = b;
  stub = await startOpenAIStub();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-console-'));
  modelsDir = path.join(dir, 'models');
  outside = path.join(dir, 'outside');
  fs.mkdirSync(modelsDir);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.gguf'), 'GGUF not for the console');
  fs.symlinkSync(path.join(outside, 'secret.gguf'), path.join(modelsDir, 'link-out.gguf'));
  app = await startApp({
    registry: {
      settings: { maxTurns: 2, timeoutMs: 15_000 },
      models: [stubModel(stub, { id: 'alpha-model', name: 'Alpha Model', organization: 'Alpha Labs', model: 'stub-echo:words=6' })],
    },
    env: { PAIRWISE_MODEL_DIRS: modelsDir },
  });
  createAdmin(app, ADMIN.email, ADMIN.password);
  admin = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(admin, app, ADMIN.email, ADMIN.password);
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await admin?.close();
  await app?.stop();
  await stub?.close();
});

test('an admin adds a stub model in the console, tests it, and it is in the next battle without a restart', async () => {
  // One model only: the arena cannot pair anything yet.
  const before = await admin.request.post(`${app.url}/api/battles`, { data: { prompt: 'Hello' } });
  expect(before.status()).toBe(503);

  await admin.goto(`${app.url}/admin/models`);
  const alpha = admin.locator('[data-testid="model-row"][data-model="alpha-model"]');
  await expect(alpha.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  await admin.screenshot({ path: path.join(SHOTS, 'models.png') });

  await admin.getByTestId('model-add').click();
  await expect(admin.getByTestId('model-form')).toBeVisible();
  await admin.getByTestId('model-kind').selectOption('openai-compatible');
  await admin.getByTestId('model-id').fill('gamma-model');
  await admin.getByTestId('model-name').fill('Gamma Model');
  await admin.getByTestId('model-organization').fill('Gamma Research');
  await admin.getByTestId('model-model').fill('stub-echo:words=5:ttft=40');
  await admin.getByTestId('model-baseURL').fill(stub.url);
  await admin.screenshot({ path: path.join(SHOTS, 'models-new.png') });

  const stubCalls = stub.requests.length;
  await admin.getByTestId('model-test').click();
  const result = admin.getByTestId('test-result');
  await expect(result).toHaveAttribute('data-ok', '1');
  await expect(admin.getByTestId('test-ttft')).toHaveText(/\d+ ms|\d\.\d\d s/);
  await expect(admin.getByTestId('test-sample')).not.toBeEmpty();
  expect(stub.requests.slice(stubCalls).some((r) => r.model === 'stub-echo:words=5:ttft=40' && r.stream)).toBe(true);
  // A test stores nothing.
  expect(await query('SELECT id FROM models WHERE id = ?', 'gamma-model')).toEqual([]);
  await admin.screenshot({ path: path.join(SHOTS, 'models-new-tested.png') });

  await admin.getByTestId('model-save').click();
  await expect(admin).toHaveURL(`${app.url}/admin/models`);
  const gamma = admin.locator('[data-testid="model-row"][data-model="gamma-model"]');
  await expect(gamma.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');
  expect(await query<{ source: string }>('SELECT source FROM models WHERE id = ?', 'gamma-model')).toEqual([{ source: 'console' }]);
  expect(await query<{ action: string }>(`SELECT action FROM audit_log WHERE target = 'gamma-model'`)).toEqual([{ action: 'model.create' }]);

  // The next battle, in a visitor's browser, pairs the new model: the arena has just these two.
  const visitor = await browser.newPage();
  try {
    const arena = new BattlePage(visitor);
    await arena.goto(app.url);
    await arena.ask('Tell me about tea.');
    await arena.waitForTurnEnd();
    await arena.blurTextFields();
    await arena.voteButton('tie').click();
    const names = [await arena.modelName('a').textContent(), await arena.modelName('b').textContent()].map((n) => n?.trim());
    expect(names.sort()).toEqual(['Alpha Model', 'Gamma Model']);
  } finally {
    await visitor.close();
  }
});

test('disabling, re-weighting and deprecating a model apply at once and are audited', async () => {
  await admin.goto(`${app.url}/admin/models`);
  const gamma = admin.locator('[data-testid="model-row"][data-model="gamma-model"]');
  await gamma.getByTestId('model-toggle-enabled').click();
  await expect(gamma.getByTestId('model-status')).toHaveAttribute('data-status', 'disabled');
  // Only one model left: new battles cannot start.
  expect((await admin.request.post(`${app.url}/api/battles`, { data: { prompt: 'Hi' } })).status()).toBe(503);
  await gamma.getByTestId('model-toggle-enabled').click();
  await expect(gamma.getByTestId('model-status')).toHaveAttribute('data-status', 'ready');

  await gamma.getByTestId('model-weight').fill('2.5');
  await gamma.getByTestId('model-weight-save').click();
  await expect(gamma.locator('td').nth(3)).toHaveText('2.5');
  await gamma.getByTestId('model-toggle-deprecated').click();
  await expect(gamma.getByTestId('model-toggle-deprecated')).toHaveText('Undeprecate');
  const entry = JSON.parse((await query<{ entry: string }>('SELECT entry FROM models WHERE id = ?', 'gamma-model'))[0].entry);
  expect(entry).toMatchObject({ weight: 2.5, deprecated: true, enabled: true });
  const actions = (await query<{ action: string }>(`SELECT action FROM audit_log WHERE target = 'gamma-model' ORDER BY id`)).map((r) => r.action);
  expect(actions).toEqual(['model.create', 'model.disable', 'model.enable', 'model.weight', 'model.deprecate']);
  await gamma.getByTestId('model-toggle-deprecated').click();
  await expect(gamma.getByTestId('model-toggle-deprecated')).toHaveText('Deprecate');

  // Test a saved model from its row.
  await gamma.getByTestId('model-row-test').click();
  await expect(gamma.getByTestId('test-result')).toHaveAttribute('data-ok', '1');

  // Edit: the form comes filled in; the id stays.
  await gamma.getByTestId('model-edit').click();
  await expect(admin.getByTestId('model-id')).toHaveValue('gamma-model');
  await expect(admin.getByTestId('model-id')).toHaveAttribute('readonly', '');
  await expect(admin.getByTestId('model-baseURL')).toHaveValue(stub.url);
  await admin.getByTestId('model-name').fill('Gamma Model II');
  await admin.getByTestId('model-save').click();
  await expect(admin).toHaveURL(`${app.url}/admin/models`);
  await expect(gamma).toContainText('Gamma Model II');
  const last = (await query<{ action: string; before: string; after: string }>(`SELECT action, before, after FROM audit_log WHERE target = 'gamma-model' ORDER BY id DESC LIMIT 1`))[0];
  expect(last.action).toBe('model.update');
  expect(JSON.parse(last.before).name).toBe('Gamma Model');
  expect(JSON.parse(last.after).name).toBe('Gamma Model II');
  await admin.request.put(`${app.url}/api/admin/models`, { data: { entry: { ...JSON.parse(last.after), name: 'Gamma Model' } } });
});

test('an unreachable model says why on the models page, and not in the arena', async () => {
  const res = await admin.request.post(`${app.url}/api/admin/models`, {
    data: { entry: { id: 'down-model', name: 'Down Model', provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'x' } } },
  });
  expect(res.status(), await res.text()).toBe(200);
  await admin.goto(`${app.url}/admin/models`);
  const down = admin.locator('[data-testid="model-row"][data-model="down-model"]');
  await expect(down.getByTestId('model-status')).toHaveAttribute('data-status', /unreachable|unchecked/);
  await expect(down.getByTestId('model-reason')).toContainText('127.0.0.1:9');
  const arena = await admin.request.get(`${app.url}/api/arena`);
  expect(await arena.text()).not.toContain('127.0.0.1:9');
  await admin.screenshot({ path: path.join(SHOTS, 'models-health.png') });
  const off = await admin.request.patch(`${app.url}/api/admin/models`, { data: { id: 'down-model', enabled: false } });
  expect(off.status()).toBe(200);
});

test('paths typed in the console must stay inside the model folders', async () => {
  const tryPath = async (provider: Record<string, unknown>) => {
    const res = await admin.request.post(`${app.url}/api/admin/models`, { data: { entry: { id: 'sneaky', name: 'Sneaky', provider } } });
    return { status: res.status(), body: (await res.json()) as { error?: { code: string; message: string } } };
  };
  for (const p of ['../outside/secret.gguf', path.join(outside, 'secret.gguf'), '/etc/passwd']) {
    const r = await tryPath({ kind: 'gguf', path: p });
    expect(r.status, p).toBe(400);
    expect(r.body.error?.message).toContain('provider.path: must lie inside');
  }
  const link = await tryPath({ kind: 'gguf', path: 'link-out.gguf' });
  expect(link.status).toBe(400);
  expect(link.body.error?.message).toContain('symbolic link');
  const data = await tryPath({ kind: 'gguf', path: '@data/../../../etc/passwd' });
  expect(data.status).toBe(400);
  expect(data.body.error?.message).toContain('leaves the reference data folder');
  const answers = await tryPath({ kind: 'recorded', set: '@data/recorded-answers/vicuna80', answers: '../../../../../../etc/passwd' });
  expect(answers.status).toBe(400);
  expect(answers.body.error?.message).toContain('provider.answers');
  // Test connection reads the file too: the same fence applies to a draft.
  const test = await admin.request.post(`${app.url}/api/admin/models/test`, {
    data: { entry: { id: 'sneaky', name: 'Sneaky', provider: { kind: 'recorded', set: outside, answers: 'x.jsonl' } } },
  });
  expect(test.status()).toBe(400);
  expect(await query('SELECT id FROM models WHERE id = ?', 'sneaky')).toEqual([]);

  // The form shows the refusal.
  await admin.goto(`${app.url}/admin/models/new`);
  await admin.getByTestId('model-kind').selectOption('gguf');
  await admin.getByTestId('model-id').fill('sneaky');
  await admin.getByTestId('model-name').fill('Sneaky');
  await admin.getByTestId('model-path').fill('../outside/secret.gguf');
  await admin.getByTestId('model-save').click();
  await expect(admin.getByTestId('model-form-error')).toContainText('must lie inside');

  // A file inside the reference data folder is accepted, and a recorded set answers the test.
  const ok = await admin.request.post(`${app.url}/api/admin/models/test`, {
    data: {
      entry: {
        id: 'recorded-vicuna',
        name: 'Recorded',
        provider: { kind: 'recorded', set: '@data/recorded-answers/vicuna80', answers: 'answer_gpt35.jsonl' },
      },
    },
  });
  expect(ok.status(), await ok.text()).toBe(200);
  expect(((await ok.json()) as { ok: boolean }).ok).toBe(true);
  // A tiny GGUF model from the reference data, run in-process by node-llama-cpp for the test.
  const gguf = await admin.request.post(`${app.url}/api/admin/models/test`, {
    data: {
      entry: {
        id: 'tiny-gguf',
        name: 'Tiny',
        provider: { kind: 'gguf', path: '@data/models/stories260K/stories260K.gguf', promptFormat: 'plain', threads: 1, contextSize: 256 },
      },
    },
  });
  const tested = (await gguf.json()) as { ok: boolean; sample?: string };
  expect(tested.ok, JSON.stringify(tested)).toBe(true);
  expect(tested.sample?.length).toBeGreaterThan(0);
});

test('an admin excludes a vote in the vote browser and the board changes; restoring it brings it back', async () => {
  const voter = await browser.newContext();
  try {
    for (const [k, w] of ['model_a', 'model_b', 'model_a'].entries()) await fightAndVote(voter.request, `Question number ${k}`, w);
  } finally {
    await voter.close();
  }
  const total = (await query<{ n: number }>('SELECT count(*) AS n FROM votes'))[0].n;
  await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total);

  await admin.goto(`${app.url}/admin/votes`);
  await expect(admin.getByTestId('count-counted')).toHaveText(String(total));
  const row = admin.getByTestId('vote-row').first();
  const battleId = await row.getAttribute('data-battle');
  await expect(row.locator('td').nth(3)).toContainText('Question number 2');
  await admin.screenshot({ path: path.join(SHOTS, 'votes.png') });
  await row.getByTestId('vote-exclude').click();
  await row.getByTestId('vote-exclude-note').fill('spam');
  await row.getByTestId('vote-exclude-confirm').click();
  await expect(row.getByTestId('vote-status')).toHaveAttribute('data-excluded', '1');
  await expect(row.getByTestId('vote-status')).toContainText('moderated: spam');
  expect(await query('SELECT excluded_reason, moderation, moderation_note FROM votes WHERE battle_id = ?', battleId)).toEqual([
    { excluded_reason: 'moderated: spam', moderation: 'exclude', moderation_note: 'spam' },
  ]);
  // The refresher recomputes the board within a few seconds.
  await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total - 1);

  await admin.goto(`${app.url}/admin/votes?reason=moderated`);
  await expect(admin.getByTestId('vote-row')).toHaveCount(1);
  await expect(admin.locator('[data-testid="count-reason"][data-reason="moderated"]')).toContainText('1');

  // The battle page has the whole conversation, for admins.
  await admin.getByTestId('vote-battle-link').click();
  await expect(admin.getByTestId('battle-conversation')).toContainText('Question number 2');
  await admin.screenshot({ path: path.join(SHOTS, 'battle.png') });
  await admin.getByTestId('vote-clear').click();
  await expect(admin.getByTestId('battle-vote').getByTestId('vote-status')).toHaveAttribute('data-excluded', '0');
  await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total);
  const audit = (await query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'vote.%' ORDER BY id`)).map((r) => r.action);
  expect(audit).toEqual(['vote.exclude', 'vote.clear']);
});

test('a banned voter’s votes leave the board; a disabled account is signed out at once', async () => {
  // A signed-in voter casts one vote.
  const person = await browser.newPage();
  try {
    await signUp(person, app, 'dana@example.org', 'dana password 1');
    const total = (await query<{ n: number }>('SELECT count(*) AS n FROM votes'))[0].n;
    await fightAndVote(person.request, 'From Dana', 'model_b');
    await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total + 1);
    const voterId = (await query<{ voter_id: string }>(`SELECT voter_id FROM votes ORDER BY id DESC LIMIT 1`))[0].voter_id;

    await admin.goto(`${app.url}/admin/voters`);
    const row = admin.locator(`[data-testid="voter-row"][data-voter="${voterId}"]`);
    await expect(row.getByTestId('voter-votes')).toHaveText('1');
    await admin.screenshot({ path: path.join(SHOTS, 'voters.png') });
    await row.getByTestId('voter-ban').click();
    await row.getByTestId('voter-ban-reason').fill('sock puppet');
    await row.getByTestId('voter-ban-confirm').click();
    await expect(row.getByTestId('voter-banned')).toContainText('sock puppet');
    expect(await query<{ r: string }>('SELECT excluded_reason AS r FROM votes WHERE voter_id = ?', voterId)).toEqual([{ r: 'banned' }]);
    await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total);
    await row.getByTestId('voter-unban').click();
    await expect(row.getByTestId('voter-ban')).toBeVisible();
    await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total + 1);

    // The operator overrides the trust pass: untrusted excludes the votes, automatic counts them again.
    await row.getByTestId('voter-trust').selectOption('untrusted');
    await expect.poll(() => query<{ r: string | null }>('SELECT excluded_reason AS r FROM votes WHERE voter_id = ?', voterId)).toEqual([
      { r: 'low_trust: operator' },
    ]);
    await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total);
    await expect(row.getByTestId('voter-trust')).toHaveValue('untrusted');
    await row.getByTestId('voter-trust').selectOption('auto');
    await expect.poll(() => query<{ r: string | null }>('SELECT excluded_reason AS r FROM votes WHERE voter_id = ?', voterId)).toEqual([{ r: null }]);
    await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(total + 1);

    // Disabling the account refuses its session on the very next request.
    expect(((await (await person.request.get(`${app.url}/api/account`)).json()) as { user: unknown }).user).not.toBeNull();
    await admin.goto(`${app.url}/admin/accounts`);
    const account = admin.locator('[data-testid="account-row"][data-email="dana@example.org"]');
    await account.getByTestId('account-disable').click();
    await account.getByTestId('account-disable-reason').fill('left the study');
    await account.getByTestId('account-disable-confirm').click();
    await expect(account.getByTestId('account-state')).toHaveText('disabled');
    expect(((await (await person.request.get(`${app.url}/api/account`)).json()) as { user: unknown }).user).toBeNull();
    await account.getByTestId('account-enable').click();
    await expect(account.getByTestId('account-state')).toHaveText('active');

    // The last admin cannot be demoted.
    const self = admin.locator(`[data-testid="account-row"][data-email="${ADMIN.email}"]`);
    await self.getByTestId('account-role').selectOption('voter');
    await expect(self).toContainText('last active admin');
  } finally {
    await person.close();
  }
});

test('an invite link is shown once, only its hash is stored, and revoking it stops it', async () => {
  await admin.goto(`${app.url}/admin/accounts`);
  await admin.getByTestId('invite-note').fill('for the study group');
  await admin.getByTestId('invite-uses').fill('3');
  await admin.getByTestId('invite-create').click();
  const link = await admin.getByTestId('invite-link').inputValue();
  expect(link).toMatch(new RegExp(`^${app.url}/signup\\?invite=[A-Za-z0-9_-]{20,}$`));
  const token = new URL(link).searchParams.get('invite')!;
  const rows = await query<{ token_hash: string; note: string }>('SELECT token_hash, note FROM invites');
  expect(rows).toHaveLength(1);
  expect(rows[0].note).toBe('for the study group');
  expect(rows[0].token_hash).not.toContain(token);
  expect(JSON.stringify(await query('SELECT * FROM audit_log'))).not.toContain(token);
  await admin.screenshot({ path: path.join(SHOTS, 'accounts.png') });

  // Sign-up by invite only: the link works, then is revoked and does not.
  const save = await admin.request.put(`${app.url}/api/admin/settings`, { data: { section: 'access', value: { voting: 'anonymous', signUp: 'invite' } } });
  expect(save.status()).toBe(200);
  const guest = await browser.newContext();
  try {
    const ok = await guest.request.post(`${app.url}/api/account/sign-up`, { data: { email: 'erin@example.org', password: 'erin password 1', invite: token } });
    expect(ok.status(), await ok.text()).toBe(200);
    await admin.reload();
    await admin.getByTestId('invite-row').first().getByTestId('invite-revoke').click();
    await expect(admin.getByTestId('invite-row').first().getByTestId('invite-state')).toHaveText('revoked');
    const refused = await guest.request.post(`${app.url}/api/account/sign-up`, { data: { email: 'finn@example.org', password: 'finn password 1', invite: token } });
    expect(refused.status()).toBe(403);
  } finally {
    await guest.close();
    await admin.request.put(`${app.url}/api/admin/settings`, { data: { section: 'access', value: { voting: 'anonymous', signUp: 'open' } } });
  }
});

test('settings saved in the console apply to the next request and are audited', async () => {
  await admin.goto(`${app.url}/admin/settings`);
  await admin.screenshot({ path: path.join(SHOTS, 'settings.png'), fullPage: false });
  await admin.getByTestId('arena-maxPromptChars').fill('40');
  await admin.getByTestId('save-arena').click();
  await expect(admin.getByTestId('settings-arena').getByTestId('settings-saved')).toBeVisible();
  const info = (await (await admin.request.get(`${app.url}/api/arena`)).json()) as { limits: { maxPromptChars: number } };
  expect(info.limits.maxPromptChars).toBe(40);
  const long = await admin.request.post(`${app.url}/api/battles`, { data: { prompt: 'x'.repeat(41) } });
  expect(long.status()).toBe(413);

  await admin.getByTestId('notice-text').fill('Be kind. Do not ask the models who they are.');
  await admin.getByTestId('notice-consent').check();
  await admin.getByTestId('save-notice').click();
  await expect(admin.getByTestId('settings-notice').getByTestId('settings-saved')).toBeVisible();
  const participation = (await (await admin.request.get(`${app.url}/api/arena`)).json()) as { participation: { notice: string; requireConsent: boolean } };
  expect(participation.participation).toMatchObject({ notice: 'Be kind. Do not ask the models who they are.', requireConsent: true });

  await admin.getByTestId('retention-days').fill('30');
  await admin.getByTestId('save-retention').click();
  await expect(admin.getByTestId('settings-retention').getByTestId('settings-saved')).toBeVisible();

  await admin.getByTestId('reset-arena').click();
  await expect(admin.getByTestId('settings-arena').getByTestId('settings-saved')).toBeVisible();
  const back = (await (await admin.request.get(`${app.url}/api/arena`)).json()) as { limits: { maxPromptChars: number } };
  expect(back.limits.maxPromptChars).toBe(8000);
  await admin.request.put(`${app.url}/api/admin/settings`, { data: { section: 'notice', value: { requireConsent: false } } });

  const saved = (await query<{ target: string }>(`SELECT target FROM audit_log WHERE action = 'settings.update' ORDER BY id`)).map((r) => r.target);
  expect(saved.slice(-5)).toEqual(['arena', 'notice', 'retention', 'arena', 'notice']);
});

test('the votes a model needs for a rank, set in the console, refit the board without a new vote', async () => {
  const board = async () => {
    const res = await admin.request.get(`${app.url}/api/leaderboard`);
    if (res.status() !== 200) return null;
    const b = (await res.json()) as { models: unknown[]; diagnostics: { provisional: { votes: number; models: number } } | null };
    return { threshold: b.diagnostics?.provisional.votes, provisional: b.diagnostics?.provisional.models, models: b.models.length };
  };
  await expect.poll(async () => (await board())?.models ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
  await admin.goto(`${app.url}/admin/settings`);
  const form = admin.getByTestId('settings-board');
  await expect(form.getByTestId('provisional-votes')).toHaveValue('30');
  await form.getByTestId('provisional-votes').fill('100000');
  await form.getByTestId('save-board').click();
  await expect(form.getByTestId('settings-saved')).toBeVisible();
  await expect.poll(board, { timeout: 30_000 }).toMatchObject({ threshold: 100000 });
  const all = (await board())!;
  expect(all.provisional).toBe(all.models);
  await form.getByTestId('provisional-votes').fill('0');
  await form.getByTestId('save-board').click();
  await expect.poll(board, { timeout: 30_000 }).toMatchObject({ threshold: 0, provisional: 0 });
  // A wrong value is refused with the field named; the default again.
  const bad = await admin.request.put(`${app.url}/api/admin/settings`, { data: { section: 'board', value: { provisionalVotes: 'many' } } });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('provisionalVotes');
  await form.getByTestId('provisional-votes').fill('30');
  await form.getByTestId('save-board').click();
  await expect.poll(board, { timeout: 30_000 }).toMatchObject({ threshold: 30 });
});

test('imports: listed with file, hash and counts; removing one takes its battles off the board', async () => {
  const file = path.join(app.dir, 'old-votes.jsonl');
  const lines = Array.from({ length: 30 }, (_, k) =>
    JSON.stringify({ model_a: 'legacy-13b', model_b: k % 2 ? 'alpha-model' : 'oldie-7b', winner: k % 3 ? 'model_a' : 'model_b', tstamp: 1_700_000_000 + k }),
  );
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const { spawnSync } = await import('node:child_process');
  const cli = spawnSync(process.execPath, [path.join(process.cwd(), 'bin', 'pairwise.mjs'), 'import', file], {
    env: { ...process.env, DATABASE_PATH: app.databasePath, ...(app.databaseUrl ? { DATABASE_URL: app.databaseUrl } : {}) },
    encoding: 'utf8',
  });
  expect(cli.status, cli.stderr).toBe(0);
  const before = (await query<{ n: number }>(`SELECT count(*) AS n FROM votes v JOIN battles b ON b.id = v.battle_id WHERE v.excluded_reason IS NULL AND b.status = 'voted'`))[0].n;
  await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(before);

  // Facts for a model only imported battles know.
  await admin.goto(`${app.url}/admin/models`);
  const legacy = admin.locator('[data-testid="model-info-form"][data-model="legacy-13b"]');
  await legacy.getByTestId('info-organization').fill('Legacy Lab');
  await legacy.getByTestId('info-license').fill('apache-2.0');
  await legacy.getByTestId('info-link').fill('https://example.org/legacy');
  await legacy.getByTestId('info-save').click();
  await expect(legacy.getByTestId('info-save')).toHaveText('Saved');
  const board = await admin.request.get(`${app.url}/leaderboard`);
  expect(await board.text()).toContain('Legacy Lab');
  await admin.goto(`${app.url}/models/legacy-13b`);
  await expect(admin.getByTestId('model-link')).toHaveAttribute('href', 'https://example.org/legacy');

  await admin.goto(`${app.url}/admin/imports`);
  const row = admin.getByTestId('import-row').first();
  await expect(row).toContainText('old-votes.jsonl');
  await expect(row).toContainText('30');
  await admin.screenshot({ path: path.join(SHOTS, 'imports.png') });
  await row.getByTestId('import-remove').click();
  await row.getByTestId('import-remove-confirm').click();
  await expect(admin.getByTestId('import-row')).toHaveCount(0);
  expect(await query(`SELECT id FROM battles WHERE source = 'import'`)).toEqual([]);
  await expect.poll(() => boardBattles(admin.request), { timeout: 20_000 }).toBe(before - 30);
});

test('the overview and the audit log list what was done', async () => {
  await admin.goto(`${app.url}/admin`);
  await expect(admin.getByTestId('admin-overview')).toBeVisible();
  await admin.screenshot({ path: path.join(SHOTS, 'overview.png') });
  await admin.goto(`${app.url}/admin/audit`);
  const actions = await admin.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
  for (const a of ['model.create', 'vote.exclude', 'voter.ban', 'account.disable', 'invite.create', 'invite.revoke', 'settings.update', 'import.delete', 'model_info.update']) {
    expect(actions).toContain(a);
  }
  await admin.screenshot({ path: path.join(SHOTS, 'audit.png') });
});
