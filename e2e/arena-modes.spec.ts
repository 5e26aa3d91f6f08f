import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { NO_LIMITS, withStore } from './fixtures/api-battle';
import { startApp, type AppServer } from './fixtures/app-server';
import { makePng, NOT_AN_IMAGE } from './fixtures/images';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { startAnthropicStub, startGoogleStub, type VisionStub } from './fixtures/vision-stubs';
import { BattlePage } from './pages/battle-page';

/**
 * The arena's other modes against the real built app: side by side with models chosen by name
 * (votes stored as not anonymous, on their own board only), direct chat with one model, images in
 * the prompt (vision models only, in each provider's format), shared read-only links, a reload
 * that brings the battle back, and a confirm before unvoted answers are thrown away.
 */

const EXPORT_TOKEN = 'arena-modes-spec-export-token-0123456789';
const KEY = 'arena-modes-spec-key';
const MAX_IMAGE_BYTES = 200_000;
const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

let stub: OpenAIStub;
let anthropic: VisionStub;
let google: VisionStub;
let app: AppServer;
let dir: string;

test.beforeAll(async () => {
  [stub, anthropic, google] = await Promise.all([startOpenAIStub(), startAnthropicStub(), startGoogleStub()]);
  app = await startApp({
    env: { PAIRWISE_EXPORT_TOKEN: EXPORT_TOKEN, MODES_KEY: KEY },
    registry: {
      settings: { limits: NO_LIMITS, maxImageBytes: MAX_IMAGE_BYTES },
      models: [
        { ...stubModel(stub, { id: 'harbor', name: 'Harbor Echo', organization: 'Harbor Labs', model: 'stub-echo:words=8', maxTokens: 64 }), vision: true },
        { ...stubModel(stub, { id: 'summit', name: 'Summit Echo', organization: 'Summit AI', model: 'stub-echo:words=10', maxTokens: 64 }), vision: true },
        stubModel(stub, { id: 'cedar', name: 'Cedar Echo', organization: 'Cedar Co', model: 'stub-echo:words=6', maxTokens: 64 }),
        // Offered by name only (weight 0 keeps them out of the anonymous pairing).
        { id: 'quill', name: 'Quill Vision', organization: 'Quill', weight: 0, vision: true, provider: { kind: 'anthropic', baseURL: anthropic.url, model: 'claude-stub', apiKeyEnv: 'MODES_KEY' } },
        { id: 'lumen', name: 'Lumen Vision', organization: 'Lumen', weight: 0, vision: true, provider: { kind: 'google', baseURL: google.url, model: 'gemini-stub', apiKeyEnv: 'MODES_KEY' } },
      ],
    },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-modes-'));
});

test.afterAll(async () => {
  await app?.stop();
  await Promise.all([stub?.close(), anthropic?.close(), google?.close()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const MODEL_WORDS = /harbor|summit|cedar|quill|lumen/i;

function file(name: string, data: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

function parseNdjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function board(category: string): Promise<{ battles: number; models: { model: string }[] } | null> {
  const res = await fetch(`${app.url}/api/leaderboard?category=${encodeURIComponent(category)}`);
  return res.ok ? ((await res.json()) as { battles: number; models: { model: string }[] }) : null;
}

async function exported(): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${app.url}/api/battles/export?format=json`, { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>[];
}

function battleRow(id: string) {
  return withStore(app.databasePath, (db) =>
    db.prepare('SELECT mode, anony, vision, model_a AS modelA, model_b AS modelB, status, turns, share_token AS shareToken FROM battles WHERE id = ?').get(id),
  ) as { mode: string; anony: number | null; vision: number; modelA: string; modelB: string; status: string; turns: number; shareToken: string | null };
}

/** axe on the page as it is now: no serious or critical violation. */
async function audit(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
  expect(blocking, `axe on ${state}`).toEqual([]);
  expect(results.passes.length, `axe on ${state}`).toBeGreaterThan(10);
}

async function anonymousVote(page: Page, prompt: string) {
  const battle = new BattlePage(page);
  await battle.goto(app.url);
  await battle.ask(prompt);
  await battle.waitForTurnEnd();
  await battle.voteButton('a').click();
  await expect(battle.modelName('a')).toBeVisible();
  return battle.battleId();
}

for (const size of SIZES) {
  test.describe(`at ${size.name} size`, () => {
    test.use({ viewport: size.viewport });

    test('side by side: two models chosen by name, names shown from the start, the vote stored as not anonymous', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      // The anonymous battle is the default and shows no names.
      await expect(page.getByTestId('kind-battle')).toHaveAttribute('aria-checked', 'true');
      await expect(page.getByTestId('model-picker')).toHaveCount(0);
      await page.getByTestId('kind-named').click();
      await expect(page.getByTestId('kind-named')).toHaveAttribute('aria-checked', 'true');
      await expect(battle.promptInput).toBeDisabled();
      await page.getByTestId('pick-a').selectOption('harbor');
      await page.getByTestId('pick-b').selectOption('cedar');
      // The same model cannot be on both sides.
      await expect(page.getByTestId('pick-b').locator('option[value="harbor"]')).toBeDisabled();
      await expect(battle.modelName('a')).toHaveText('Harbor Echo');
      await expect(battle.modelName('b')).toHaveText('Cedar Echo');

      await battle.ask(`Side by side at ${size.name} size`);
      await battle.waitForTurnEnd();
      await expect(page.getByTestId('kind-battle')).toBeDisabled();
      await battle.expectVotingEnabled(true);
      await battle.ask('And a follow-up');
      await battle.waitForTurnEnd();
      await expect(battle.answer('b', 2)).toContainText('This is turn 2');
      await battle.voteButton('b').click();
      await expect(page.locator('.reveal-summary')).toContainText('A was Harbor Echo');
      const id = await battle.battleId();
      expect(battleRow(id)).toMatchObject({ mode: 'named', anony: 0, modelA: 'harbor', modelB: 'cedar', status: 'voted', turns: 2 });
    });

    test('direct chat: one model, several turns with their history, no vote', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await page.getByTestId('kind-direct').click();
      await page.getByTestId('pick-model').selectOption('summit');
      await expect(battle.modelName('a')).toHaveText('Summit Echo');
      await expect(battle.response('b')).toHaveCount(0);
      await battle.ask(`Direct one at ${size.name}`);
      await battle.waitForTurnEnd();
      await battle.ask('Direct two');
      await battle.waitForTurnEnd();
      await expect(battle.answer('a', 2)).toContainText('This is turn 2 of our conversation');
      await expect(page.locator('.vote-bar')).toHaveCount(0);
      await expect(battle.newBattle).toHaveText(/New chat/);
      // The model got its own earlier answer as history.
      const last = stub.requests.filter((r) => r.model === 'stub-echo:words=10').at(-1)!;
      expect(last.messages!.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      const id = await battle.battleId();
      expect(battleRow(id)).toMatchObject({ mode: 'direct', modelA: 'summit', turns: 2, status: 'active' });
      expect(withStore(app.databasePath, (db) => db.prepare('SELECT count(*) AS n FROM messages WHERE battle_id = ? AND side = ?').get(id, 'b'))).toEqual({ n: 0 });
      const vote = await page.request.post(`${app.url}/api/battles/${id}/vote`, { data: { winner: 'model_a' } });
      expect(vote.status()).toBe(409);
      expect((await vote.json()).error.message).toBe('A direct chat has no vote.');
    });

    test('"New battle" with unvoted answers asks first, in a dialog', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await battle.ask(`Confirm me at ${size.name}`);
      await battle.waitForTurnEnd();
      const id = await battle.battleId();
      const dialog = page.getByTestId('new-battle-confirm');
      await battle.newBattle.click();
      await expect(dialog).toBeVisible();
      await expect(dialog.getByRole('heading')).toHaveText('Start a new battle?');
      // Focus starts on the safe choice; Esc keeps the battle.
      await expect(page.getByTestId('new-battle-confirm-cancel')).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      await expect(battle.arena).toHaveAttribute('data-battle-id', id);
      await battle.newBattle.click();
      await page.getByTestId('new-battle-confirm-cancel').click();
      await expect(battle.arena).toHaveAttribute('data-battle-id', id);
      await battle.newBattle.click();
      await page.getByTestId('new-battle-confirm-confirm').click();
      await expect(dialog).toBeHidden();
      await expect(battle.arena).toHaveAttribute('data-phase', 'idle');
      await expect(battle.arena).not.toHaveAttribute('data-battle-id', /.+/);
      expect(new URL(page.url()).searchParams.get('battle')).toBeNull();
      // After a vote there is nothing to lose: no question.
      await battle.ask('Vote then new');
      await battle.waitForTurnEnd();
      await battle.voteButton('tie').click();
      await expect(page.locator('.reveal-summary')).toBeVisible();
      await page.getByTestId('new-battle').click();
      await expect(dialog).toBeHidden();
      await expect(battle.arena).toHaveAttribute('data-phase', 'idle');
    });

    test('a voted battle can be shared read-only with no voter identity, and the owner can revoke the link', async ({ page, browser }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await battle.ask('A battle worth sharing');
      await battle.waitForTurnEnd();
      // Nothing to share before the vote.
      await expect(page.getByTestId('share-button')).toHaveCount(0);
      const id = await battle.battleId();
      const early = await page.request.post(`${app.url}/api/battles/${id}/share`);
      expect(early.status()).toBe(409);
      await battle.voteButton('b').click();
      await expect(battle.modelName('a')).toBeVisible();
      const names = { a: await battle.modelName('a').textContent(), b: await battle.modelName('b').textContent() };
      await page.getByTestId('share-button').click();
      const link = await page.getByTestId('share-link').inputValue();
      expect(link).toMatch(new RegExp(`^${app.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/share/[A-Za-z0-9_-]{43}$`));
      const token = link.split('/').at(-1)!;
      expect(battleRow(id).shareToken).toBe(token);

      const other = await browser.newContext({ viewport: size.viewport });
      try {
        const reader = await other.newPage();
        const res = await reader.goto(link);
        expect(res!.status()).toBe(200);
        await expect(reader.getByTestId('shared-battle')).toBeVisible();
        await expect(reader.getByTestId('shared-verdict')).toHaveText('Verdict: B was better');
        await expect(reader.getByTestId('shared-model-a')).toHaveText(names.a!);
        await expect(reader.getByTestId('shared-model-b')).toHaveText(names.b!);
        await expect(reader.locator('.turn-prompt').first()).toContainText('A battle worth sharing');
        // Nothing about who fought it: no voter id, account or battle id.
        const html = await reader.content();
        const voter = withStore(app.databasePath, (db) => db.prepare('SELECT voter_id AS v FROM battles WHERE id = ?').get(id)) as { v: string };
        expect(html).not.toContain(voter.v);
        expect(html).not.toContain(id);
        // A stranger cannot revoke it, nor read the battle through the API.
        expect((await reader.request.delete(`${app.url}/api/battles/${id}/share`)).status()).toBe(404);
        expect((await reader.request.get(`${app.url}/api/battles/${id}`)).status()).toBe(404);

        await page.getByTestId('share-revoke').click();
        await expect(page.getByTestId('share-button')).toBeVisible();
        expect(battleRow(id).shareToken).toBeNull();
        expect((await reader.goto(link))!.status()).toBe(404);
        // Sharing again makes a new link; the old one stays dead.
        await page.getByTestId('share-button').click();
        const again = await page.getByTestId('share-link').inputValue();
        expect(again).not.toBe(link);
        expect((await reader.goto(again))!.status()).toBe(200);
        expect((await reader.goto(link))!.status()).toBe(404);
      } finally {
        await other.close();
      }
    });

    test('a reload during a battle brings it back from the server; the history lists this browser\'s battles', async ({ page }) => {
      const battle = new BattlePage(page);
      await battle.goto(app.url);
      await battle.ask('Remember me after a reload');
      await battle.waitForTurnEnd();
      const id = await battle.battleId();
      expect(new URL(page.url()).searchParams.get('battle')).toBe(id);
      const text = await battle.answer('a', 1).textContent();
      await page.reload();
      await expect(battle.arena).toHaveAttribute('data-battle-id', id);
      await expect(battle.answer('a', 1)).toHaveText(text!);
      await expect(battle.modelName('a')).toHaveCount(0);
      await battle.expectVotingEnabled(true);
      await battle.ask('A follow-up after the reload');
      await battle.waitForTurnEnd();
      await expect(battle.answer('a', 2)).toContainText('This is turn 2');

      // Anonymous: the history is this browser's, reachable from the arena.
      await page.getByTestId('history-link').click();
      await expect(page).toHaveURL(/\/history$/);
      const item = page.locator(`[data-testid="my-battle"][data-battle-id="${id}"]`);
      await expect(item).toContainText('Remember me after a reload');
      await expect(item).toContainText('not voted yet');
      await item.getByTestId('my-battle-open').click();
      await expect(battle.arena).toHaveAttribute('data-battle-id', id);
      await expect(battle.answer('b', 2)).toContainText('This is turn 2');
      await battle.voteButton('a').click();
      await expect(battle.modelName('a')).toBeVisible();
      // A voted battle comes back revealed; someone else's id is simply not restored.
      await page.reload();
      await expect(battle.modelName('a')).toBeVisible();
      await expect(page.locator('.reveal-summary')).toBeVisible();
      await page.goto(`${app.url}/?battle=00000000-0000-4000-8000-000000000000`);
      await expect(battle.arena).toHaveAttribute('data-phase', 'idle');
      await expect.poll(() => new URL(page.url()).searchParams.get('battle')).toBeNull();
    });

    test('the new views pass an accessibility audit, and the page never gets wider than the screen', async ({ page }) => {
      const battle = new BattlePage(page);
      const fits = async (state: string) =>
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `width on ${state}`).toBeLessThanOrEqual(size.viewport.width);
      await battle.goto(app.url);
      await page.getByTestId('image-input').setInputFiles(file('tiny.png', makePng(32, 32)));
      await expect(page.getByTestId('image-preview')).toBeVisible();
      await audit(page, 'battle with an image attached');
      await fits('battle with an image attached');
      await page.getByTestId('image-remove').click();
      await page.getByTestId('kind-named').click();
      await expect(page.getByTestId('pick-a')).toBeVisible();
      await audit(page, 'side by side, choosing');
      await fits('side by side, choosing');
      await page.getByTestId('pick-a').selectOption('summit');
      await page.getByTestId('pick-b').selectOption('harbor');
      await battle.ask('Audit me');
      await battle.waitForTurnEnd();
      await battle.newBattle.click();
      await expect(page.getByTestId('new-battle-confirm')).toBeVisible();
      await audit(page, 'confirm dialog');
      await page.getByTestId('new-battle-confirm-cancel').click();
      await battle.voteButton('a').click();
      await page.getByTestId('share-button').click();
      const link = await page.getByTestId('share-link').inputValue();
      await audit(page, 'side by side, voted and shared');
      await fits('side by side, voted and shared');
      await page.getByTestId('new-battle').click();
      await page.getByTestId('kind-direct').click();
      await page.getByTestId('pick-model').selectOption('harbor');
      await battle.ask('Audit the chat');
      await battle.waitForTurnEnd();
      await audit(page, 'direct chat');
      await fits('direct chat');
      await page.goto(link);
      await audit(page, 'shared battle');
      await fits('shared battle');
      await page.goto(`${app.url}/history`);
      await expect(page.getByTestId('my-battle').first()).toBeVisible();
      await audit(page, 'history');
      await fits('history');
    });
  });
}

test('named votes are on their own board only; the main board and the export say so', async ({ page }) => {
  await anonymousVote(page, 'An anonymous battle for the main board');
  const counted = (anony: string) =>
    (withStore(app.databasePath, (db) => db.prepare(`SELECT count(*) AS n FROM votes v JOIN battles b ON b.id = v.battle_id WHERE ${anony}`).get()) as { n: number }).n;
  const anonymous = counted('b.anony IS NULL');
  const namedVotes = counted('b.anony = 0');
  // Two side-by-side votes at each size (one in the audit).
  expect(namedVotes).toBe(4);
  expect(anonymous).toBeGreaterThanOrEqual(1);
  // The main board counts only the anonymous battles; the named board only the named ones.
  await expect
    .poll(async () => [(await board('named'))?.battles, (await board('overall'))?.battles], { timeout: 60_000 })
    .toEqual([namedVotes, anonymous]);
  const records = await exported();
  const named = records.filter((r) => r.anony === false);
  expect(named.map((r) => `${r.model_a} vs ${r.model_b}`).sort()).toEqual(['harbor vs cedar', 'harbor vs cedar', 'summit vs harbor', 'summit vs harbor']);
  expect(records.filter((r) => r.anony === true)).toHaveLength(records.length - 4);
  // No direct chat is exported or counted.
  expect(records.some((r) => r.model_a === r.model_b)).toBe(false);
  await page.goto(`${app.url}/leaderboard`);
  await expect(page.getByTestId('category-select').locator('option[value="named"]')).toHaveText(/Side by side \(named\) \(4\)/);
});

test.describe('images in the prompt', () => {
  test('an anonymous image battle pairs vision models only; the image reaches the stub as an image_url part', async ({ page }) => {
    const battle = new BattlePage(page);
    const png = makePng(64, 48);
    const before = stub.requests.length;
    const bodies: string[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/api/')) void res.text().then((t) => bodies.push(t), () => {});
    });
    await battle.goto(app.url);
    await page.getByTestId('image-input').setInputFiles(file('picture.png', png));
    await expect(page.getByTestId('image-preview')).toBeVisible();
    await battle.ask('What colour is this picture?');
    await battle.waitForTurnEnd();
    await expect(page.getByTestId('turn-image')).toHaveCount(2);
    const id = await battle.battleId();
    // Both sides are vision models (cedar never is), both got the image.
    const row = battleRow(id);
    expect(row.vision).toBe(1);
    expect([row.modelA, row.modelB].sort()).toEqual(['harbor', 'summit']);
    const sent = stub.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    expect(sent).toHaveLength(2);
    for (const r of sent) {
      const user = r.messages!.find((m) => m.role === 'user')!;
      expect(user.content).toContainEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } });
    }
    // A follow-up keeps the image in each side's history.
    await battle.ask('And its shape?');
    await battle.waitForTurnEnd();
    const followUp = stub.requests.filter((r) => r.path.endsWith('/chat/completions')).slice(-2);
    for (const r of followUp) expect(JSON.stringify(r.messages)).toContain(png.toString('base64'));
    // Blind before the vote, image or not.
    for (const body of bodies) expect(body).not.toMatch(MODEL_WORDS);
    await battle.voteButton('a').click();
    await expect(battle.modelName('a')).toBeVisible();
    // Stored once, exported as a marker (never the bytes).
    expect(withStore(app.databasePath, (db) => db.prepare('SELECT count(*) AS n, max(bytes) AS bytes, max(media_type) AS type FROM battle_images WHERE battle_id = ?').get(id))).toEqual({
      n: 1,
      bytes: png.length,
      type: 'image/png',
    });
    const record = (await exported()).find((r) => r.question_id === id)!;
    const prompt = (record.conversation_a as { role: string; content: string }[])[0].content;
    expect(prompt).toMatch(new RegExp(`^What colour is this picture\\?\\n\\n\\[image image/png ${png.length} bytes sha256:[0-9a-f]{64}\\]$`));
    expect(JSON.stringify(record)).not.toContain(png.toString('base64').slice(0, 40));
    await expect.poll(async () => (await board('vision'))?.battles, { timeout: 60_000 }).toBe(1);
  });

  test('an oversized image and a file that is not an image are refused with clear messages, and nothing is stored', async ({ page }) => {
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    const count = () => withStore(app.databasePath, (db) => (db.prepare('SELECT count(*) AS n FROM battles').get() as { n: number }).n);
    const before = count();
    // Noise does not compress: about 270 KB, over the arena's 200 KB.
    const big = makePng(300, 300, [0, 0, 0], [0, 0, 0], true);
    // The page says so before uploading anything...
    await page.getByTestId('image-input').setInputFiles(file('big.png', big));
    await expect(page.getByTestId('image-error')).toHaveText('The image is too large: at most 0.2 MB is allowed.');
    await expect(page.getByTestId('image-preview')).toHaveCount(0);
    // ...and the server in the same words, or for a body beyond any image, in its own.
    const over = Buffer.concat([makePng(4, 4), Buffer.alloc(MAX_IMAGE_BYTES)]);
    const api = await page.request.post(`${app.url}/api/battles`, { data: { prompt: 'Too big?', images: [{ mediaType: 'image/png', data: over.toString('base64') }] } });
    expect(api.status()).toBe(413);
    expect((await api.json()).error).toEqual({ code: 'payload_too_large', message: 'The image is too large: at most 0.2 MB is allowed.' });
    const huge = await page.request.post(`${app.url}/api/battles`, { data: { prompt: 'Huge', images: [{ mediaType: 'image/png', data: big.toString('base64') }] } });
    expect(huge.status()).toBe(413);
    expect((await huge.json()).error.message).toBe('The request is too large: a prompt may have at most 8000 characters and an image at most 0.2 MB.');
    await battle.promptInput.fill('Not a picture');
    await page.getByTestId('image-input').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE });
    await battle.sendButton.click();
    await expect(battle.notice).toContainText('Unsupported image: use a PNG, JPEG, WebP or GIF file.');
    await page.getByTestId('image-remove').click();
    await page.getByTestId('image-input').setInputFiles({ name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
    await battle.sendButton.click();
    await expect(battle.notice).toContainText('Unsupported image');
    expect(count()).toBe(before);
  });

  test('a named pair with a model that cannot see images is refused; Anthropic and Google models get the image in their own formats', async ({ request }) => {
    const png = makePng(16, 16);
    const image = { mediaType: 'image/png', data: png.toString('base64') };
    const refused = await request.post(`${app.url}/api/battles`, { data: { prompt: 'Look', mode: 'named', models: ['harbor', 'cedar'], images: [image] } });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error.message).toBe('Invalid request: images: Cedar Echo cannot read images.');

    const res = await request.post(`${app.url}/api/battles`, { data: { prompt: 'Look at this', mode: 'named', models: ['quill', 'lumen'], images: [image] } });
    const events = parseNdjson(await res.text());
    expect(res.status()).toBe(200);
    const text = (side: string) => events.filter((e) => e.type === 'delta' && e.side === side).map((e) => e.text).join('');
    expect(text('a')).toBe('I was shown 1 image.');
    expect(text('b')).toBe('I was shown 1 image.');
    const a = anthropic.requests.at(-1)!.body as { messages: { content: unknown[] }[] };
    expect(a.messages[0].content).toContainEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: image.data } });
    const g = google.requests.at(-1)!.body as { contents: { parts: unknown[] }[] };
    expect(g.contents[0].parts).toContainEqual({ inlineData: { mimeType: 'image/png', data: image.data } });
  });

  test('an arena without two vision models refuses an image battle and says why', async ({ request }) => {
    const small = await startApp({
      registry: {
        models: [
          stubModel(stub, { id: 'plain-1', name: 'Plain One', model: 'stub-echo' }),
          { ...stubModel(stub, { id: 'plain-2', name: 'Plain Two', model: 'stub-echo' }), vision: true },
        ],
      },
    });
    try {
      const arena = await (await request.get(`${small.url}/api/arena`)).json();
      expect(arena.images).toMatchObject({ available: false });
      const res = await request.post(`${small.url}/api/battles`, { data: { prompt: 'Look', images: [{ mediaType: 'image/png', data: makePng(4, 4).toString('base64') }] } });
      expect(res.status()).toBe(503);
      const body = await res.json();
      expect(body.error).toEqual({
        code: 'no_models',
        message: 'Images need two models that can read them, and this arena has only one available. Send the prompt without the image.',
      });
      expect(JSON.stringify(body)).not.toMatch(/plain/i);
      expect(withStore(small.databasePath, (db) => db.prepare('SELECT count(*) AS n FROM battles').get())).toEqual({ n: 0 });
    } finally {
      await small.stop();
    }
  });
});

test.describe('blindness of the named modes', () => {
  test('the model list by name is fetched only in the named modes, never by the anonymous battle', async ({ page }) => {
    const urls: string[] = [];
    page.on('request', (r) => urls.push(new URL(r.url()).pathname));
    const battle = new BattlePage(page);
    await battle.goto(app.url);
    await battle.ask('Blind as ever');
    await battle.waitForTurnEnd();
    expect(urls.filter((u) => u.endsWith('/api/arena/models'))).toEqual([]);
    const arena = await (await page.request.get(`${app.url}/api/arena`)).text();
    expect(arena).not.toMatch(MODEL_WORDS);
  });
});
