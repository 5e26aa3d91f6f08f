import fs from 'node:fs';
import path from 'node:path';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { ROOT, startApp, type AppServer } from './fixtures/app-server';
import { createAdmin, signIn, signUp } from './fixtures/admin';

/**
 * Nobody but an admin reaches the console. The pages and API routes are read from the app's own
 * route tree (every page.tsx under app/admin, every route.ts under app/api/admin and the methods
 * it exports), so a route added later is checked without anyone remembering to list it. An
 * anonymous visitor is sent to sign in (pages) or gets 401 (API); a signed-in voter gets 404
 * (pages: the console does not even confirm it exists) or 403 (API); an admin gets through.
 */

interface Found {
  pages: string[];
  routes: { path: string; methods: string[] }[];
}

function walk(dir: string, file: string): string[] {
  const out: string[] = [];
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) out.push(...walk(full, file));
    else if (item.name === file) out.push(full);
  }
  return out;
}

/** A URL path for a file in the route tree: route groups dropped, dynamic segments filled in. */
function urlPath(file: string): string {
  const rel = path.relative(path.join(ROOT, 'app'), path.dirname(file)).split(path.sep);
  const parts = rel
    .filter((s) => !(s.startsWith('(') && s.endsWith(')')))
    .map((s) => (s.startsWith('[') ? 'some-id' : s));
  return `/${parts.join('/')}`;
}

function routeTree(): Found {
  const pages = walk(path.join(ROOT, 'app', 'admin'), 'page.tsx').map(urlPath).sort();
  const routes = walk(path.join(ROOT, 'app', 'api', 'admin'), 'route.ts')
    .map((f) => {
      const source = fs.readFileSync(f, 'utf8');
      const methods = [...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
      return { path: urlPath(f), methods };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  return { pages, routes };
}

const tree = routeTree();
let app: AppServer;

test.beforeAll(async () => {
  app = await startApp({ registry: { models: [] } });
  createAdmin(app, 'root@example.org', 'the admin password');
});
test.afterAll(async () => {
  await app?.stop();
});

test('the route tree has the console in it', () => {
  // A walk that finds nothing would make every check below pass vacuously.
  expect(tree.pages).toEqual(expect.arrayContaining(['/admin', '/admin/models', '/admin/votes', '/admin/settings', '/admin/audit']));
  expect(tree.routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/admin/models', '/api/admin/votes', '/api/admin/settings']));
  for (const r of tree.routes) expect(r.methods.length, `${r.path} exports no handler`).toBeGreaterThan(0);
});

async function call(ctx: APIRequestContext, method: string, url: string) {
  const body = method === 'GET' ? undefined : {};
  return ctx.fetch(url, { method, data: body, headers: { Origin: app.url }, maxRedirects: 0 });
}

test('an anonymous visitor is sent to sign in from every console page and refused by every console API route', async () => {
  const anon = await playwrightRequest.newContext();
  try {
    for (const page of tree.pages) {
      const res = await anon.get(`${app.url}${page}`, { maxRedirects: 0 });
      expect([303, 307, 308], page).toContain(res.status());
      expect(res.headers().location, page).toMatch(/\/signin\?callbackUrl=/);
      expect(await res.text(), page).not.toContain('data-testid="admin-main"');
    }
    for (const r of tree.routes) {
      for (const m of r.methods) {
        const res = await call(anon, m, `${app.url}${r.path}`);
        expect(res.status(), `${m} ${r.path}`).toBe(401);
        expect(await res.json(), `${m} ${r.path}`).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
    }
  } finally {
    await anon.dispose();
  }
});

test('a signed-in voter gets 404 on every console page and 403 from every console API route; an admin gets through', async ({ browser }) => {
  const page = await browser.newPage();
  const root = await browser.newPage();
  try {
    await signUp(page, app, 'vera@example.org', 'vera password 1');
    for (const p of tree.pages) {
      const res = await page.request.get(`${app.url}${p}`, { maxRedirects: 0 });
      expect(res.status(), p).toBe(404);
      const html = await res.text();
      expect(html, p).not.toContain('data-testid="admin-main"');
      expect(html, p).not.toContain('Console');
    }
    for (const r of tree.routes) {
      for (const m of r.methods) {
        const res = await call(page.request, m, `${app.url}${r.path}`);
        expect(res.status(), `${m} ${r.path}`).toBe(403);
        expect(await res.json(), `${m} ${r.path}`).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
    }
    // The same pages and GET routes open for an admin (a page with an id may say 404 for a made-up one).
    await signIn(root, app, 'root@example.org', 'the admin password');
    for (const p of tree.pages) {
      const res = await root.request.get(`${app.url}${p}`, { maxRedirects: 0 });
      expect([200, 404], p).toContain(res.status());
      if (!p.includes('some-id') && !p.endsWith('/edit')) expect(res.status(), p).toBe(200);
      if (res.status() === 200) expect(await res.text(), p).toContain('data-testid="admin-main"');
    }
    for (const r of tree.routes) {
      if (!r.methods.includes('GET')) continue;
      const res = await root.request.get(`${app.url}${r.path}`);
      expect([200, 404], r.path).toContain(res.status());
      if (!r.path.includes('some-id')) expect(res.status(), r.path).toBe(200);
    }
  } finally {
    await page.close();
    await root.close();
  }
});
