import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The console's model use cases against a real temporary store and a real HTTP endpoint on
 * loopback (an OpenAI-compatible server speaking SSE): add, edit, switches, file mode, health
 * reasons and test connection. The deps object re-reads the registry from the store, as the app does.
 */

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-admin-models-')));
process.env.DATABASE_PATH = path.join(dir, 'store.db');
fs.mkdirSync(path.join(dir, 'models'));
fs.writeFileSync(path.join(dir, 'models', 'tiny.gguf'), 'not a model file');

const { getDb } = await import('@/db/index');
const { listModelRows } = await import('@/db/queries/models');
const { listAudit } = await import('@/db/queries/audit');
const { entriesFromRows, composeRegistry } = await import('@/lib/registry/live');
const { arenaSettingsSchema } = await import('@/lib/registry/schema');
const { parseOperatorSettings } = await import('@/lib/settings/schema');
const { createProvider } = await import('@/lib/providers/create-provider');
const models = await import('./models');
const { testDraftModel, testSavedModel } = await import('./test-connection');
const { isAppError } = await import('@/lib/errors');
type Deps = import('./deps').ConsoleDeps;
type ModelBackoffStatus = import('../providers/backoff').ModelBackoffStatus;
type Registry = import('@/lib/registry/schema').Registry;

/** A minimal OpenAI-compatible endpoint: GET /models, and chat completions as SSE. */
let server: http.Server;
let baseURL = '';
const seen: { model: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { model } = JSON.parse(body) as { model: string };
      seen.push({ model, auth: req.headers.authorization });
      if (model === 'broken') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"model broken is on fire"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string | null, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
      res.write(chunk('Hello, ', null));
      res.write(chunk('blue sky.', null));
      res.write(chunk(null, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  getDb().$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function fakeDeps(mode: 'database' | 'file' = 'database'): Deps & { reloads: number; paused: ModelBackoffStatus[] } {
  let registry: Registry = composeRegistry('test', arenaSettingsSchema.parse({}), []);
  const deps = {
    env: { PAIRWISE_MODEL_DIRS: path.join(dir, 'models') },
    registryMode: mode,
    reloads: 0,
    paused: [] as ModelBackoffStatus[],
    modelBackoff: () => deps.paused,
    registry: () => registry,
    operator: () => parseOperatorSettings({}),
    reload: async () => {
      deps.reloads++;
      registry = composeRegistry('test', arenaSettingsSchema.parse({}), entriesFromRows(await listModelRows(), dir).models);
    },
    provider: (id: string) => createProvider(registry.models.find((m) => m.id === id)!),
    isHealthy: async (id: string) => createProvider(registry.models.find((m) => m.id === id)!).healthy(),
    modelHealth: () => ({ ok: null, checkedAt: Date.now() }),
  };
  return deps;
}

async function codeOf(p: Promise<unknown>): Promise<[string, string] | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (isAppError(e)) return [e.code, e.message];
    throw e;
  }
}

const operator = { id: 'admin-1' };

describe('models in the console', () => {
  const deps = fakeDeps();

  it('adds a model: validated, stored with its audit entry, and in the registry at once', async () => {
    const out = await models.createModel(deps, operator, {
      id: 'echo-1',
      name: 'Echo One',
      provider: { kind: 'openai-compatible', baseURL, model: 'echo' },
    });
    expect(out).toMatchObject({ id: 'echo-1', source: 'console', status: 'ready', reason: null });
    expect(deps.reloads).toBe(1);
    expect(deps.registry().models.map((m) => m.id)).toEqual(['echo-1']);
    const { entries } = await listAudit({ limit: 10 });
    expect(entries[0]).toMatchObject({ action: 'model.create', target: 'echo-1', actorUserId: 'admin-1', before: null });
    // Defaults are filled in and stored, so the row reads as the registry file would.
    expect(JSON.parse(entries[0].after!)).toMatchObject({ weight: 1, enabled: true, organization: 'unknown' });
  });

  it('refuses a bad entry with the field named, a taken id, and an API key in place of a variable name', async () => {
    expect(await codeOf(models.createModel(deps, operator, { id: 'x', name: 'X', provider: { kind: 'openai-compatible', model: 'm' } }))).toEqual([
      'validation_failed',
      expect.stringContaining('provider.baseURL'),
    ]);
    expect((await codeOf(models.createModel(deps, operator, { id: 'echo-1', name: 'Again', provider: { kind: 'openai-compatible', baseURL, model: 'e' } })))?.[0]).toBe('conflict');
    const key = await codeOf(models.createModel(deps, operator, { id: 'k', name: 'K', provider: { kind: 'openai', model: 'gpt', apiKeyEnv: 'sk-live-abc123' } }));
    expect(key).toEqual(['validation_failed', expect.stringContaining('environment variable name')]);
    expect((await listModelRows()).map((r) => r.id)).toEqual(['echo-1']);
  });

  it('switches: enable, deprecate and weight are stored and audited one action each', async () => {
    await models.setModelSwitches(deps, operator, { id: 'echo-1', enabled: false });
    expect(deps.registry().models[0].enabled).toBe(false);
    expect((await models.getConsoleModel(deps, 'echo-1')).status).toBe('disabled');
    await models.setModelSwitches(deps, operator, { id: 'echo-1', enabled: true, weight: 0, deprecated: true });
    const m = await models.getConsoleModel(deps, 'echo-1');
    expect(m.entry).toMatchObject({ enabled: true, weight: 0, deprecated: true });
    expect(m.reason).toBe('weight 0: not drawn for new battles');
    const before = deps.reloads;
    // Nothing changes: nothing stored, nothing reloaded.
    await models.setModelSwitches(deps, operator, { id: 'echo-1', weight: 0 });
    expect(deps.reloads).toBe(before);
    const actions = (await listAudit({ limit: 10 })).entries.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['model.enable,model.deprecate,model.weight', 'model.disable']);
  });

  it('a model out of pairing after a provider 429 shows as paused, until when and why', async () => {
    const until = Date.UTC(2026, 11, 3, 15, 40, 5);
    deps.paused = [{ model: 'echo-1', state: 'paused', until, reason: 'HTTP 429, retry after 30 s', failures: 0 }];
    const m = await models.getConsoleModel(deps, 'echo-1');
    expect(m.status).toBe('paused');
    expect(m.reason).toBe('out of pairing until 2026-12-03 15:40:05 UTC: HTTP 429, retry after 30 s');
    deps.paused = [{ model: 'echo-1', state: 'probing', until: null, reason: 'HTTP 429, retry after 30 s', failures: 0 }];
    expect((await models.getConsoleModel(deps, 'echo-1')).reason).toBe('out of pairing until its next health check passes: HTTP 429, retry after 30 s');
    // Another model's pause, or one that is over, changes nothing.
    deps.paused = [{ model: 'other', state: 'paused', until, reason: 'x', failures: 0 }, { model: 'echo-1', state: 'ok', until: null, reason: null, failures: 0 }];
    expect((await models.getConsoleModel(deps, 'echo-1')).status).not.toBe('paused');
    deps.paused = [];
  });

  it('edits keep the id, fence new paths, and report why a model cannot be used', async () => {
    const gguf = await models.updateModel(deps, operator, { id: 'echo-1', name: 'Echo, local', provider: { kind: 'gguf', path: 'tiny.gguf' } });
    expect(gguf.entry?.provider).toMatchObject({ kind: 'gguf', path: path.join(dir, 'models', 'tiny.gguf') });
    // Not a real GGUF file: unreachable, and the reason names the file for the operator.
    expect(gguf.status).toBe('unreachable');
    expect(gguf.reason).toContain('not a GGUF file');
    expect((await codeOf(models.updateModel(deps, operator, { id: 'echo-1', name: 'E', provider: { kind: 'gguf', path: '../store.db' } })))?.[1]).toContain('must lie inside');
    expect((await codeOf(models.updateModel(deps, operator, { id: 'nope', name: 'E', provider: { kind: 'gguf', path: 'tiny.gguf' } })))?.[0]).toBe('not_found');
    const down = await models.updateModel(deps, operator, { id: 'echo-1', name: 'Echo', provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'echo' } });
    expect(down.status).toBe('unreachable');
    expect(down.reason).toContain('http://127.0.0.1:9/v1');
    await models.updateModel(deps, operator, { id: 'echo-1', name: 'Echo', provider: { kind: 'openai-compatible', baseURL, model: 'echo', apiKeyEnv: 'PAIRWISE_TEST_UNSET_KEY' } });
    expect((await models.getConsoleModel(deps, 'echo-1')).reason).toContain('PAIRWISE_TEST_UNSET_KEY');
    await models.updateModel(deps, operator, { id: 'echo-1', name: 'Echo', provider: { kind: 'openai-compatible', baseURL, model: 'echo' } });
  });

  it('file mode: the console shows the models and changes nothing', async () => {
    const fileDeps = fakeDeps('file');
    const refused = await codeOf(models.createModel(fileDeps, operator, { id: 'f', name: 'F', provider: { kind: 'openai-compatible', baseURL, model: 'f' } }));
    expect(refused).toEqual(['conflict', expect.stringContaining('PAIRWISE_REGISTRY=file')]);
    expect((await codeOf(models.setModelSwitches(fileDeps, operator, { id: 'echo-1', enabled: false })))?.[0]).toBe('conflict');
    expect((await models.listConsoleModels(fileDeps)).mode).toBe('file');
  });
});

describe('test connection', () => {
  const deps = fakeDeps();

  it('a draft answers with its latency and the start of its answer, and nothing is stored', async () => {
    await deps.reload();
    const rows = (await listModelRows()).length;
    const out = await testDraftModel(deps, { id: 'draft', name: 'Draft', provider: { kind: 'openai-compatible', baseURL, model: 'echo' } });
    expect(out).toMatchObject({ ok: true, sample: 'Hello, blue sky.', finishReason: 'stop' });
    if (out.ok) expect(out.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)).toEqual({ model: 'echo', auth: undefined });
    expect((await listModelRows()).length).toBe(rows);
  });

  it('a provider error comes back for the operator, with the key it used scrubbed', async () => {
    process.env.PAIRWISE_TEST_KEY = 'sk-secret-value-1234';
    try {
      const out = await testDraftModel(deps, { id: 'draft', name: 'Draft', provider: { kind: 'openai-compatible', baseURL, model: 'broken', apiKeyEnv: 'PAIRWISE_TEST_KEY' } });
      expect(out.ok).toBe(false);
      if (!out.ok) {
        expect(out.error).toContain('HTTP 500');
        expect(out.error).not.toContain('sk-secret-value-1234');
      }
      expect(seen.at(-1)?.auth).toBe('Bearer sk-secret-value-1234');
    } finally {
      delete process.env.PAIRWISE_TEST_KEY;
    }
    const missing = await testDraftModel(deps, { id: 'draft', name: 'Draft', provider: { kind: 'openai', model: 'gpt-x', apiKeyEnv: 'PAIRWISE_TEST_UNSET_KEY' } });
    expect(missing).toMatchObject({ ok: false, error: expect.stringContaining('PAIRWISE_TEST_UNSET_KEY is not set') });
  });

  it('a saved model is tested with the arena’s provider; paths in a draft are fenced', async () => {
    expect(await testSavedModel(deps, 'echo-1')).toMatchObject({ ok: true, sample: 'Hello, blue sky.' });
    expect((await codeOf(testSavedModel(deps, 'nope')))?.[0]).toBe('not_found');
    const escape = await codeOf(testDraftModel(deps, { id: 'r', name: 'R', provider: { kind: 'recorded', set: '/etc', answers: 'passwd' } }));
    expect(escape).toEqual(['validation_failed', expect.stringContaining('provider.set: must lie inside')]);
  });

  it('an endpoint that never answers is reported after the timeout', async () => {
    const hang = http.createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/v1`;
      const out = await testDraftModel(deps, { id: 'h', name: 'H', provider: { kind: 'openai-compatible', baseURL: url, model: 'x' } }, { timeoutMs: 300 });
      expect(out).toMatchObject({ ok: false, error: expect.stringContaining('within 0.3 s') });
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });
});
