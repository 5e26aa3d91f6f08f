import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_ROUTES_KEY, serveDirectly, type DirectRoutes } from './direct-routes';
import { NON_PAGE_CSP } from './security-headers.mjs';

// A real node:http server dispatching as server.mjs does: direct routes first, a marker otherwise.
let url = '';
let server: http.Server;
/** Answers under way (a request that never settles would hold its closures for ever). */
let pending = 0;
/** Answers that failed (server.mjs logs each as an error: a client going away is none). */
let failed = 0;
const seen: { method: string; url: string; params: Record<string, string>; body: string; cookie: string | null }[] = [];

beforeAll(async () => {
  serveDirectly([
    {
      method: 'POST',
      path: /^\/api\/things\/([^/]+)\/poke$/,
      params: ['id'],
      handler: async (req, segment) => {
        const params = await segment.params;
        seen.push({ method: req.method, url: req.url, params, body: await req.text(), cookie: req.headers.get('cookie') });
        if (params.id === 'boom') throw new Error('handler failed');
        const res = Response.json({ ok: true, id: params.id }, { status: 201, headers: { 'Cache-Control': 'no-store' } });
        res.headers.append('Set-Cookie', 'a=1; Path=/');
        res.headers.append('Set-Cookie', 'b=2; Path=/');
        return res;
      },
    },
  ]);
  const table = (globalThis as unknown as Record<symbol, DirectRoutes>)[DIRECT_ROUTES_KEY];
  server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    const direct = table.serve(req, res, pathname);
    if (direct) {
      pending += 1;
      void direct.finally(() => (pending -= 1)).catch(() => {});
      direct.catch(() => {
        failed += 1;
        res.writeHead(500);
        res.end('failed');
      });
      return;
    }
    res.writeHead(299);
    res.end('not direct');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('direct routes', () => {
  it('hands a matching request to the handler as a web Request and writes its Response back', async () => {
    const res = await fetch(`${url}/api/things/x%20y/poke?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'pw_voter=abc' },
      body: '{"hello":"wörld"}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true, id: 'x y' });
    // Both cookies, separately; the fixed security headers of every API answer.
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers.get('content-security-policy')).toBe(NON_PAGE_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', params: { id: 'x y' }, body: '{"hello":"wörld"}', cookie: 'pw_voter=abc' });
    expect(new URL(last.url).pathname + new URL(last.url).search).toBe('/api/things/x%20y/poke?q=1');
  });

  it('leaves other methods, other paths and a trailing slash to Next.js', async () => {
    const before = seen.length;
    for (const [method, path] of [
      ['GET', '/api/things/x/poke'],
      ['POST', '/api/things/x/poke/'],
      ['POST', '/api/things/x/y/poke'],
      ['POST', '/api/other'],
    ]) {
      const res = await fetch(`${url}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, `${method} ${path}`).toBe(299);
    }
    expect(seen.length).toBe(before);
  });

  it('leaves a Host that is no URL authority, and a parameter that does not decode, to Next.js', async () => {
    const before = seen.length;
    const { port } = server.address() as AddressInfo;
    const raw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(`${head}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`));
        let text = '';
        s.on('data', (d) => (text += d));
        s.on('close', () => resolve(text));
        s.on('error', reject);
      });
    expect(await raw('POST /api/things/x/poke HTTP/1.1\r\nHost: [::1')).toMatch(/^HTTP\/1\.1 299/);
    expect(await raw('POST /api/things/%E0%A4%A/poke HTTP/1.1\r\nHost: 127.0.0.1')).toMatch(/^HTTP\/1\.1 299/);
    expect(seen.length).toBe(before);
    expect(failed).toBe(0);
  });

  it('cuts a body just past 64 KiB, so the route refuses it as too large without holding all of it', async () => {
    const res = await fetch(`${url}/api/things/big/poke`, { method: 'POST', body: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(201);
    expect(seen.at(-1)!.body.length).toBe(64 * 1024 + 1);
  });

  it('a client that goes away halfway through its body is dropped: no handler call, the server goes on', async () => {
    const before = seen.length;
    const failedBefore = failed;
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('POST /api/things/half/poke HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"win');
        setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    await expect.poll(() => pending).toBe(0);
    expect(seen.length).toBe(before);
    expect(failed).toBe(failedBefore);
    expect((await fetch(`${url}/api/things/after/poke`, { method: 'POST', body: '{}' })).status).toBe(201);
  });

  it('a handler that throws ends in the server\u2019s own error answer, not a hung request', async () => {
    const res = await fetch(`${url}/api/things/boom/poke`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(500);
  });
});
