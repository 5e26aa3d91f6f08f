import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run, STARTER_MODELS } from './download-models';

// A local server plays Hugging Face (the network edge), reached through HF_ENDPOINT.
let server: http.Server;
let endpoint: string;
let serveHtml = false;
const hits: string[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-dl-models-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const model = STARTER_MODELS.find((m) => req.url === `/${m.repo}/resolve/main/${m.file}`);
    if (!model) return void res.writeHead(404).end('not found');
    if (serveHtml) return void res.end('<html>a login page</html>');
    res.end(Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 1)]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const savedEndpoint = process.env.HF_ENDPOINT;
afterEach(() => {
  if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEndpoint;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('pairwise download-models', () => {
  it('downloads both models into --dir and prints registry entries for them', async () => {
    process.env.HF_ENDPOINT = endpoint;
    const dir = path.join(tmp, 'models');
    const io = capture();
    expect(await run(['--dir', dir])).toBe(0);
    for (const m of STARTER_MODELS) expect(fs.readFileSync(path.join(dir, m.file)).subarray(0, 4).toString()).toBe('GGUF');
    expect(fs.readdirSync(dir).sort()).toEqual(STARTER_MODELS.map((m) => m.file).sort());
    const snippet = io.out().slice(io.out().indexOf('{'));
    const entries = JSON.parse(`[${snippet}]`) as { id: string; provider: { kind: string; path: string } }[];
    expect(entries.map((e) => e.id)).toEqual(STARTER_MODELS.map((m) => m.id));
    expect(entries.every((e) => e.provider.kind === 'gguf' && e.provider.path.endsWith('.gguf'))).toBe(true);

    // A second run finds the files and fetches nothing.
    const before = hits.length;
    expect(await run(['--dir', dir])).toBe(0);
    expect(hits.length).toBe(before);
    expect(io.out()).toContain('already in');
  });

  it('refuses something that is not a GGUF file and leaves nothing behind', async () => {
    process.env.HF_ENDPOINT = endpoint;
    serveHtml = true;
    const dir = path.join(tmp, 'html');
    const io = capture();
    try {
      expect(await run(['--dir', dir])).toBe(1);
    } finally {
      serveHtml = false;
    }
    expect(io.err()).toContain('not a GGUF file');
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  });

  it('fails within seconds, with a clear message and exit code 1, when the host cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    process.env.HF_ENDPOINT = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const io = capture();
    const started = Date.now();
    expect(await run(['--dir', path.join(tmp, 'offline')])).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(io.err()).toMatch(/cannot reach 127\.0\.0\.1:\d+ .*could not be reached/s);
  });

  it('has --help and rejects unknown flags', async () => {
    const io = capture();
    expect(await run(['--help'])).toBe(0);
    expect(io.out()).toContain('--dir DIR');
    expect(await run(['--nope'])).toBe(2);
    expect(io.err()).toContain('unknown flag --nope (see pairwise download-models --help)');
  });
});
