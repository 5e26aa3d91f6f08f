import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelEntrySchema } from './schema';
import { unreachableReason } from './unreachable-reason';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-unreachable-'));
const entry = (provider: Record<string, unknown>) => modelEntrySchema.parse({ id: 'm', name: 'M', provider });

let server: http.Server;
let url = '';
beforeAll(async () => {
  // Answers 401 to every request, like an endpoint given a wrong key.
  server = http.createServer((_req, res) => res.writeHead(401).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('unreachableReason: what an operator needs to fix', () => {
  it('names a missing GGUF file, a file that is not GGUF, and a load failure', async () => {
    const missing = path.join(dir, 'missing.gguf');
    expect(await unreachableReason(entry({ kind: 'gguf', path: missing }))).toBe(`file not found: ${missing}`);
    const text = path.join(dir, 'notes.gguf');
    fs.writeFileSync(text, 'hello world');
    expect(await unreachableReason(entry({ kind: 'gguf', path: text }))).toBe(`not a GGUF file: ${text}`);
    const real = path.join(dir, 'real.gguf');
    fs.writeFileSync(real, Buffer.from('GGUF\0\0\0\0'));
    expect(await unreachableReason(entry({ kind: 'gguf', path: real }), { loadError: new Error('bad tensor') })).toBe(
      'it failed to load (bad tensor)',
    );
  });

  it('names the unset key variable before trying the endpoint', async () => {
    const m = entry({ kind: 'openai-compatible', baseURL: url, model: 'x', apiKeyEnv: 'SOME_KEY' });
    expect(await unreachableReason(m, { env: {} })).toBe('the environment variable SOME_KEY (its API key) is not set');
    expect(await unreachableReason(m, { env: { SOME_KEY: 'k' } })).toBe(`${url}/models refused the API key (HTTP 401)`);
  });

  it('tells a closed port from an unknown host', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const at = `http://127.0.0.1:${closed}/v1`;
    expect(await unreachableReason(entry({ kind: 'openai-compatible', baseURL: at, model: 'x' }))).toBe(
      `nothing is listening at ${at} (connection refused)`,
    );
  });

  it('names unreadable recorded answers', async () => {
    const set = path.join(dir, 'set');
    fs.mkdirSync(set);
    fs.writeFileSync(path.join(set, 'question.jsonl'), '');
    const answers = path.join(set, 'answers.jsonl');
    expect(await unreachableReason(entry({ kind: 'recorded', set, answers }))).toBe(`file not found: ${answers}`);
  });
});
