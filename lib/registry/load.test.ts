import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireSharedData } from '../shared-data';
import { loadRegistry, parseRegistry, recordedModelsFor, recordedPrompts, liveModels, RegistryError } from './load';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const tmpDirs: string[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-registry-'));
  tmpDirs.push(d);
  return d;
}

function writeRegistry(content: unknown): string {
  const file = path.join(tmpDir(), 'models.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function loadError(file: string): Promise<RegistryError> {
  const err = await loadRegistry({ file }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

const gguf = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id.toUpperCase(),
  provider: { kind: 'gguf', path: `${id}.gguf`, ...extra },
});

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('loadRegistry: bad files stop start-up with file, entry and field', () => {
  it('reports malformed JSON with the file and the line and column', async () => {
    const file = writeRegistry('{\n  "models": [\n    { "id": "a", }\n  ]\n}');
    const err = await loadError(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/malformed JSON at line 3 column \d+ \(position \d+\)/);
  });

  it('names the line and column even where JSON.parse does not say where', async () => {
    // Node 20 reports this one as "Unexpected token '}', ... is not valid JSON", without a position.
    const file = writeRegistry('{\n  "settings": {},\n  "models": }\n');
    const err = await loadError(file);
    expect(err.message).toContain('malformed JSON at line 3 column 13 (position 32): value expected (found "}")');
  });

  it('names the entry (index and id) and the field of a schema failure', async () => {
    const file = writeRegistry({
      models: [
        gguf('first'),
        { id: 'remote-one', name: 'Remote', provider: { kind: 'openai-compatible', baseURL: 'not a url', model: 'm' } },
      ],
    });
    const err = await loadError(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain('models[1] (id "remote-one")');
    expect(err.message).toContain('field "provider.baseURL"');
    expect(err.problems).toEqual([expect.objectContaining({ entryIndex: 1, entryId: 'remote-one', field: 'provider.baseURL' })]);
  });

  it('refuses a tag rule whose pattern is not a regular expression, naming the field', async () => {
    const err = await loadError(writeRegistry({ settings: { tagRules: [{ tag: 'math', pattern: '(unclosed' }] }, models: [gguf('first')] }));
    expect(err.message).toContain('settings.tagRules.0.pattern');
    expect(err.message).toContain('not a valid regular expression');
  });

  it('names a missing field and an unknown (misspelt) field', async () => {
    const err = await loadError(writeRegistry({ models: [{ id: 'x', name: 'X', provider: { kind: 'gguf', pth: 'x.gguf' } }] }));
    expect(err.problems.map((p) => p.field).sort()).toEqual(['provider.path', 'provider.pth']);
    expect(err.message).toContain('field "provider.path": required, but missing');
  });

  it('refuses a pasted API key where an environment variable name belongs, without echoing it', async () => {
    const key = 'sk-live-1234567890abcdef';
    const err = await loadError(writeRegistry({ models: [{ id: 'o', name: 'O', provider: { kind: 'openai', model: 'gpt', apiKeyEnv: key } }] }));
    expect(err.message).toContain('field "provider.apiKeyEnv"');
    expect(err.message).not.toContain(key);
  });

  it('refuses duplicate ids, pointing at the second one', async () => {
    const err = await loadError(writeRegistry({ models: [gguf('twin'), gguf('other'), gguf('twin')] }));
    expect(err.message).toContain('models[2] (id "twin")');
    expect(err.message).toContain('duplicate id "twin" (also models[0])');
  });

  it('refuses an unknown provider kind and an entry without an id', async () => {
    const err = await loadError(writeRegistry({ models: [{ name: 'No id', provider: { kind: 'gguf', path: 'a.gguf' } }, { id: 'k', name: 'K', provider: { kind: 'ollama' } }] }));
    expect(err.message).toContain('models[0], field "id"');
    expect(err.message).toContain('models[1] (id "k"), field "provider.kind"');
  });

  it('fails when a named registry file does not exist', async () => {
    const file = path.join(tmpDir(), 'missing.json');
    const err = await loadError(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain('ENOENT');
    // MODELS_FILE counts as named too: no silent fallback to discovery.
    await expect(loadRegistry({ env: { MODELS_FILE: file }, cwd: tmpDir() })).rejects.toThrow(RegistryError);
  });
});

describe('loadRegistry: paths and defaults', () => {
  it('applies defaults and resolves relative paths against the registry folder', async () => {
    const file = writeRegistry({
      models: [
        gguf('local', { path: 'weights/local.gguf' }),
        { id: 'rec', name: 'Rec', provider: { kind: 'recorded', set: 'sets/s1', answers: 'answer_rec.jsonl' } },
      ],
    });
    const dir = path.dirname(file);
    const reg = await loadRegistry({ file });
    expect(reg.source).toBe(file);
    expect(reg.settings.maxTurns).toBe(5);
    const [local, rec] = reg.models;
    expect(local.provider).toMatchObject({ path: path.join(dir, 'weights/local.gguf'), threads: 1, maxConcurrent: 1 });
    expect(local.defaults).toMatchObject({ temperature: 0.7, maxTokens: 512 });
    expect(local).toMatchObject({ enabled: true, weight: 1, organization: 'unknown' });
    // The answer file is named inside its prompt set.
    expect(rec.provider).toMatchObject({ set: path.join(dir, 'sets/s1'), answers: path.join(dir, 'sets/s1/answer_rec.jsonl') });
    // Missing files do not stop start-up, but they are reported.
    expect(reg.warnings).toContain(`model "local": ${path.join(dir, 'weights/local.gguf')} does not exist`);
  });

  it('resolves "@data/" paths to the reference data', async () => {
    const file = writeRegistry({ models: [gguf('stories', { path: '@data/models/stories260K/stories260K.gguf' })] });
    const reg = await loadRegistry({ file, dataRoot: ROOT });
    const p = reg.models[0].provider;
    expect(p.kind === 'gguf' && p.path).toBe(requireSharedData('models/stories260K/stories260K.gguf', ROOT));
    expect(reg.warnings).toEqual([]);
  });

  it('keeps going with a warning when "@data/" files are missing', async () => {
    const file = writeRegistry({ models: [gguf('ghost', { path: '@data/models/none/ghost.gguf' })] });
    const reg = await loadRegistry({ file, dataRoot: ROOT });
    expect(reg.models).toHaveLength(1);
    expect(reg.warnings?.[0]).toContain('npm run fetch-data');
  });

  it('reads MODELS_FILE relative to cwd', async () => {
    const file = writeRegistry({ models: [gguf('via-env')] });
    const reg = await loadRegistry({ env: { MODELS_FILE: path.basename(file) }, cwd: path.dirname(file) });
    expect(reg.models.map((m) => m.id)).toEqual(['via-env']);
  });

  it('the demo registry at the repository root is valid and every file it names exists', async () => {
    const reg = await loadRegistry({ file: path.join(ROOT, 'models.json'), dataRoot: ROOT });
    expect(reg.warnings).toEqual([]);
    expect(reg.models.filter((m) => m.provider.kind === 'gguf')).toHaveLength(2);
    expect(reg.models.filter((m) => m.provider.kind === 'recorded')).toHaveLength(7);
    for (const m of reg.models) {
      const p = m.provider;
      if (p.kind === 'gguf') expect(fs.existsSync(p.path)).toBe(true);
      if (p.kind === 'recorded') expect(fs.existsSync(p.answers)).toBe(true);
    }
    expect(liveModels(reg).map((m) => m.id)).toEqual(['stories260k', 'llama-2-tiny-random']);
    const prompts = await recordedPrompts(reg);
    expect(prompts).toHaveLength(80);
    expect(prompts[0]).toEqual({ questionId: '1', text: 'How can I improve my time management skills?', category: 'generic' });
  });
});

describe('default registry without a file', () => {
  it('lists ./models/*.gguf and the models of a local Ollama server', async () => {
    const cwd = tmpDir();
    fs.mkdirSync(path.join(cwd, 'models'));
    fs.writeFileSync(path.join(cwd, 'models', 'Qwen2.5 0.5B Instruct.Q4_K_M.gguf'), 'GGUF');
    fs.writeFileSync(path.join(cwd, 'models', 'notes.txt'), 'not a model');
    const ollama = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/api/tags' ? { models: [{ name: 'llama3.2:1b', model: 'llama3.2:1b' }] } : {}));
    });
    await new Promise<void>((r) => ollama.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
      const reg = await loadRegistry({ cwd, env: {}, ollamaURL: url });
      expect(reg.source).toContain('no registry file');
      expect(reg.models.map((m) => [m.id, m.organization, m.provider.kind])).toEqual([
        ['Qwen2.5-0.5B-Instruct.Q4_K_M', 'local', 'gguf'],
        ['llama3.2:1b', 'local', 'openai-compatible'],
      ]);
      expect(reg.models[0].provider).toMatchObject({ path: path.join(cwd, 'models', 'Qwen2.5 0.5B Instruct.Q4_K_M.gguf') });
      expect(reg.models[1].provider).toMatchObject({ baseURL: `${url}/v1`, model: 'llama3.2:1b' });
    } finally {
      await new Promise((r) => ollama.close(r));
    }
  });

  it('is empty, quickly, when there are no files and nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const started = Date.now();
    const reg = await loadRegistry({ cwd: tmpDir(), env: {}, ollamaURL: `http://127.0.0.1:${port}` });
    expect(reg.models).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('recorded prompt sets', () => {
  it('offers the questions that at least two enabled recorded models answered', async () => {
    const dir = tmpDir();
    const set = path.join(dir, 'set');
    fs.mkdirSync(set);
    const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    fs.writeFileSync(
      path.join(set, 'question.jsonl'),
      jsonl([1, 2, 3].map((n) => ({ question_id: n, text: `Question ${n}?`, category: n === 3 ? 'math' : 'generic' }))),
    );
    fs.writeFileSync(path.join(set, 'answer_a.jsonl'), jsonl([{ question_id: 1, text: 'A1' }, { question_id: 2, text: 'A2' }]));
    fs.writeFileSync(path.join(set, 'answer_b.jsonl'), jsonl([{ question_id: 2, text: 'B2' }, { question_id: 3, text: 'B3' }]));
    fs.writeFileSync(path.join(set, 'answer_c.jsonl'), jsonl([{ question_id: 1, text: 'C1' }, { question_id: 3, text: 'C3' }]));
    const rec = (id: string, enabled = true) => ({ id, name: id, enabled, provider: { kind: 'recorded', set: 'set', answers: `answer_${id}.jsonl` } });
    const file = path.join(dir, 'models.json');
    fs.writeFileSync(file, JSON.stringify({ models: [rec('a'), rec('b'), rec('c', false), gguf('live')] }));
    const reg = await loadRegistry({ file });
    expect(await recordedPrompts(reg)).toEqual([{ questionId: '2', text: 'Question 2?', category: 'generic' }]);
    expect((await recordedModelsFor(reg, '2')).map((m) => m.id)).toEqual(['a', 'b']);
    expect(await recordedModelsFor(reg, '1')).toEqual([]);
    expect(liveModels(reg).map((m) => m.id)).toEqual(['live']);
  });
});

describe('parseRegistry', () => {
  it('accepts an empty model list', () => {
    expect(parseRegistry('{"models": []}', { file: '/srv/models.json' }).models).toEqual([]);
  });
});
