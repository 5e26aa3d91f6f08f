import http from 'node:http';
import net from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { NO_LIMITS, streamBattle, voteOn } from './fixtures/api-battle';
import { freePort, startApp, type AppServer } from './fixtures/app-server';
import { startOpenAIStub, type OpenAIStub } from './fixtures/openai-stub';
import { stubModel } from './fixtures/registry';
import { routeTree } from './fixtures/route-tree';

/**
 * Security headers on every page, route and file; a Content-Security-Policy that lets only the
 * app's own scripts run (checked in Chromium on the production build: the pages work and report
 * no violation); no framing by another site; no answer for a host the arena does not serve.
 */

let stub: OpenAIStub;
let app: AppServer;

test.beforeAll(async ({ playwright }) => {
  stub = await startOpenAIStub();
  app = await startApp({
    registry: {
      settings: { limits: NO_LIMITS },
      models: [
        stubModel(stub, { id: 'header-alpha', name: 'Alpha', model: 'stub-echo:words=10' }),
        stubModel(stub, { id: 'header-beta', name: 'Beta', model: 'stub-echo:words=12' }),
      ],
    },
  });
  // Votes, so that the leaderboard and the model pages have something to draw.
  const ctx = await playwright.request.newContext();
  for (let i = 0; i < 4; i++) {
    const { battleId } = await streamBattle(ctx, app.url, `Warm-up ${i}`);
    await voteOn(ctx, app.url, battleId, i % 2 ? 'model_a' : 'model_b');
  }
  await ctx.dispose();
  await expect
    .poll(async () => ((await (await fetch(`${app.url}/api/leaderboard`)).json()) as { models?: unknown[] }).models?.length ?? 0, { timeout: 30_000 })
    .toBe(2);
});

test.afterAll(async () => {
  await app?.stop();
  await stub?.close();
});

function expectCommonHeaders(headers: Headers, what: string) {
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(headers.get('permissions-policy'), what).toContain('camera=()');
  expect(headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
}

/**
 * Every page and API route of the app, read from the file system (e2e/fixtures/route-tree.ts),
 * so none is left out by a hand-made list; plus the answers a file does not name: a page with a
 * real record behind it, the 404 page, and the API's own errors.
 */
const TREE = routeTree();
const PAGES = [...TREE.pages.map((p) => p.url), '/models/header-alpha', '/no-such-page'];
const JSON_BODY = { body: '{}', headers: { 'content-type': 'application/json' } };
/** Methods that carry a body: sent an empty JSON object, which almost every route refuses (4xx). */
const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

test('the route tree was read: pages and API routes with their methods', () => {
  // A walk that found nothing (a moved app/ folder, a broken parser) must not pass the tests below.
  expect(TREE.pages.length).toBeGreaterThanOrEqual(20);
  expect(TREE.apis.length).toBeGreaterThanOrEqual(40);
  for (const api of TREE.apis) expect(api.methods.length, api.file).toBeGreaterThan(0);
  expect(TREE.apis.reduce((n, a) => n + a.methods.length, 0)).toBeGreaterThanOrEqual(55);
  // Dynamic segments and folders outside the URL tree were turned into a URL, not left in it.
  for (const { url, file } of [...TREE.pages, ...TREE.apis]) expect(url, file).not.toMatch(/[[\]()@]|\/_/);
  expect(TREE.apis.find((a) => a.file.includes('[...nextauth]'))?.methods).toEqual(['GET', 'POST']);
});

test('every page has the headers and a nonce CSP that allows no inline script without it', async () => {
  const nonces = new Set<string>();
  const checkedScripts = new Set<string>();
  const statuses = new Map<number, number>();
  for (const p of PAGES) {
    // Not followed: a redirect (a console page sending a stranger to sign in) is an answer too.
    const res = await fetch(`${app.url}${p}`, { redirect: 'manual' });
    const html = await res.text();
    const what = `GET ${p} (${res.status})`;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    expect(res.status, what).toBeLessThan(500);
    expectCommonHeaders(res.headers, what);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, what).toBeTruthy();
    nonces.add(nonce!);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
    expect(scriptSrc, what).not.toContain('unsafe-inline');
    expect(scriptSrc, what).not.toContain('unsafe-eval');
    expect(scriptSrc, what).not.toMatch(/https?:|\*/);
    // Every script the page carries is either from this origin or has this request's nonce.
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
      const src = /\bsrc="([^"]+)"/.exec(tag)?.[1];
      if (src) expect(src.startsWith('/_next/'), `${what}: ${tag}`).toBe(true);
      else expect(tag, what).toContain(`nonce="${nonce}"`);
    }
    // Scripts of the build are served with nosniff as well (each file once: pages share them).
    for (const src of [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]).slice(0, 2)) {
      if (checkedScripts.has(src)) continue;
      checkedScripts.add(src);
      const file = await fetch(`${app.url}${src}`);
      await file.arrayBuffer();
      expect(file.status).toBe(200);
      expect(file.headers.get('x-content-type-options'), src).toBe('nosniff');
    }
  }
  // A fresh nonce for every response.
  expect(nonces.size).toBe(PAGES.length);
  // The walk reached the answers that matter: rendered pages, redirects to sign in, the 404 page.
  expect(statuses.get(200), JSON.stringify([...statuses])).toBeGreaterThan(0);
  expect([...statuses.keys()].some((s) => s >= 300 && s < 400), JSON.stringify([...statuses])).toBe(true);
  expect(statuses.get(404), JSON.stringify([...statuses])).toBeGreaterThan(0);
  test.info().annotations.push({ type: 'pages', description: `${PAGES.length} pages: ${JSON.stringify(Object.fromEntries(statuses))}` });
});

test('every API route, each method it exports, and its errors have the headers', async ({ request }) => {
  const { battleId } = await streamBattle(request, app.url, 'headers of a battle');
  const calls: [string, RequestInit][] = TREE.apis.flatMap(({ url, methods }) =>
    methods.map((method): [string, RequestInit] => [url, { method, ...(MUTATIONS.has(method) ? JSON_BODY : {}) }]),
  );
  const fromTree = calls.length;
  // What the files do not say: a real record, other formats, next-auth's own actions (the sign-in
  // one redirects), a method a route does not take, a path no route serves, a path that is not
  // valid percent-encoding.
  calls.push(
    ['/api/battles/00000000-0000-4000-8000-000000000000', {}],
    [`/api/battles/${battleId}`, {}],
    ['/api/leaderboard?format=csv', {}],
    ['/api/auth/session', {}],
    ['/api/auth/csrf', {}],
    ['/api/auth/providers', {}],
    ['/api/auth/signin', {}],
    ['/api/battles', { method: 'GET' }],
    ['/api/health', { method: 'DELETE', ...JSON_BODY }],
    ['/api/battles/x/vote', { method: 'POST', body: '{"winner":"tie"}', headers: { 'content-type': 'application/json' } }],
    ['/api/battles/x/messages', { method: 'POST', body: '{"prompt":"x"}', headers: { 'content-type': 'application/json' } }],
    ['/api/battles/x/regenerate', { method: 'POST' }],
    ['/api/nope', {}],
    ['/api/battles/%E0%A4%A', {}],
  );
  const statuses = new Map<number, number>();
  for (const [url, init] of calls) {
    const res = await fetch(`${app.url}${url}`, { ...init, redirect: 'manual' });
    await res.arrayBuffer();
    const what = `${init.method ?? 'GET'} ${url} (${res.status})`;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    expect(res.status, what).toBeLessThan(500);
    expectCommonHeaders(res.headers, what);
    expect(res.headers.get('content-security-policy'), what).toContain("default-src 'none'");
  }
  test.info().annotations.push({
    type: 'api',
    description: `${fromTree} route/method pairs from ${TREE.apis.length} route files, ${calls.length - fromTree} more: ${JSON.stringify(Object.fromEntries(statuses))}`,
  });
  // The streamed answer of a battle and the battle itself, for its owner.
  const own = await request.get(`${app.url}/api/battles/${battleId}`);
  for (const [k, v] of Object.entries({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' })) {
    expect(own.headers()[k]).toBe(v);
  }
  const stream = await request.post(`${app.url}/api/battles`, { data: { prompt: 'stream headers' } });
  expect(stream.headers()['content-type']).toContain('application/x-ndjson');
  expect(stream.headers()['x-content-type-options']).toBe('nosniff');
  expect(stream.headers()['content-security-policy']).toContain("default-src 'none'");
});

function rawGet(port: number, path: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d));
    s.on('close', () => resolve({ status: Number(text.split(' ')[1]), text }));
    s.on('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

test('pages are not served for a host the arena does not serve (DNS rebinding)', async () => {
  for (const p of PAGES) {
    const res = await rawGet(app.port, p, 'rebind.attacker.example');
    expect(res.status, p).toBe(421);
    expect(res.text).not.toContain('<script');
    expect(res.text.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(res.text.toLowerCase()).toContain("content-security-policy: default-src 'none'");
  }
  expect((await rawGet(app.port, '/', `localhost:${app.port}`)).status).toBe(200);
});

/** Loads a page and collects every CSP violation and console error it reports. */
async function visit(page: Page, url: string) {
  const problems: string[] = [];
  page.on('console', (m) => {
    // The browser's own favicon request (the app has none) is no concern of the page.
    if (m.location().url.endsWith('/favicon.ico')) return;
    if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __violations: string[] }).__violations ??= [];
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
    });
  });
  await page.goto(url);
  return {
    problems,
    violations: () => page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
  };
}

test('the arena, leaderboard and model pages run under the CSP in Chromium without a violation', async ({ page }) => {
  const arena = await visit(page, app.url);
  // Hydrated and working: a battle streams and can be voted on.
  await page.getByTestId('prompt-input').fill('Does the CSP let the page work?');
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('response-a')).toContainText('You asked', { timeout: 30_000 });
  await expect(page.getByTestId('vote-tie')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('vote-tie').click();
  await expect(page.getByTestId('model-a-name')).toBeVisible();

  await page.getByRole('link', { name: 'Leaderboard' }).click();
  await expect(page.getByTestId('leaderboard-table')).toBeVisible();
  await page.mouse.wheel(0, 4000);
  await page.waitForTimeout(500);
  expect(await arena.violations()).toEqual([]);

  await page.goto(`${app.url}/models/header-beta`);
  await expect(page.locator('main')).toContainText('Beta');
  await page.mouse.wheel(0, 4000);
  await page.waitForTimeout(500);
  expect(await arena.violations()).toEqual([]);
  expect(arena.problems).toEqual([]);
});

test('a cross-site iframe cannot show the vote page', async ({ page }) => {
  const port = await freePort();
  const evil = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><body><h1>Win a prize</h1><iframe id="arena" src="${app.url}/" width="800" height="600"></iframe></body>`);
  });
  await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
  try {
    const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|X-Frame-Options/i.test(m.text()), timeout: 15_000 });
    await page.goto(`http://localhost:${port}/`);
    await refused;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Chromium replaces a refused frame with its own error page: no arena, no vote buttons.
    expect(frame?.url() ?? '').not.toContain(app.url);
    expect(await page.frameLocator('#arena').getByTestId('prompt-input').count()).toBe(0);
    expect(await page.frameLocator('#arena').getByTestId('vote-a').count()).toBe(0);
  } finally {
    evil.close();
  }
});
