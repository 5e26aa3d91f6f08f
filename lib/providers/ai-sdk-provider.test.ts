import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { echoAnswer, startOpenAIStub, type OpenAIStub } from '../../e2e/fixtures/openai-stub';
import { modelEntrySchema } from '../registry/schema';
import { RemoteProvider } from './ai-sdk-provider';
import { createProvider } from './create-provider';
import { ProviderError, redact } from './provider-error';
import type { ChatMessage, ModelProvider, StreamEvent } from './types';

let stub: OpenAIStub;
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(async () => {
  await stub?.close();
});

function remote(provider: Record<string, unknown>, env: Record<string, string | undefined> = {}): ModelProvider {
  const p = createProvider(modelEntrySchema.parse({ id: 'remote-model', name: 'Remote', provider }), { env });
  expect(p).toBeInstanceOf(RemoteProvider);
  return p;
}

const compat = (model: string, extra: Record<string, unknown> = {}, env: Record<string, string | undefined> = {}) =>
  remote({ kind: 'openai-compatible', baseURL: stub.url, model, ...extra }, env);

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'Answer in Markdown.' },
  { role: 'user', content: 'What is a monad?' },
];

async function collect(p: ModelProvider, opts: { maxTokens?: number; signal?: AbortSignal; onDelta?: (n: number) => void; messages?: ChatMessage[] } = {}) {
  let text = '';
  let deltas = 0;
  const finishes: Extract<StreamEvent, { type: 'finish' }>[] = [];
  for await (const e of p.stream({
    messages: opts.messages ?? MESSAGES,
    settings: { temperature: 0.3, maxTokens: opts.maxTokens ?? 256 },
    signal: opts.signal ?? new AbortController().signal,
  })) {
    if (e.type === 'delta') {
      text += e.text;
      deltas++;
      opts.onDelta?.(deltas);
    } else finishes.push(e);
  }
  expect(finishes).toHaveLength(1);
  return { text, deltas, finish: finishes[0] };
}

const lastRequest = (model: string) => stub.requests.filter((r) => r.model === model).at(-1);
const words = (s: string) => s.match(/\s*\S+/g)?.length ?? 0;

describe('openai-compatible provider against the SSE stub', () => {
  it('streams the answer with the finish reason and the usage token count', async () => {
    const run = await collect(compat('stub-echo'));
    const expected = echoAnswer(MESSAGES);
    expect(run.text).toBe(expected);
    expect(run.deltas).toBe(words(expected));
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', outputTokens: words(expected) });

    const req = lastRequest('stub-echo')!;
    expect(req.stream).toBe(true);
    expect(req.messages).toEqual([
      { role: 'system', content: 'Answer in Markdown.' },
      { role: 'user', content: 'What is a monad?' },
    ]);
    expect(req.maxTokens).toBe(256);
    expect(req.temperature).toBe(0.3);
  });

  it('reports "length" when maxTokens cuts the answer', async () => {
    const run = await collect(compat('stub-echo'), { maxTokens: 5 });
    expect(run.deltas).toBe(5);
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'length', outputTokens: 5 });
  });

  it('keeps multi-turn history in order', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'one' },
      { role: 'user', content: 'second' },
    ];
    const run = await collect(compat('stub-echo'), { messages });
    expect(run.text).toContain('turn 2');
    expect(lastRequest('stub-echo')!.messages?.map((m) => m.content)).toEqual(['first', 'one', 'second']);
  });

  it('throws a ProviderError on HTTP 500', async () => {
    const err = await collect(compat('stub-fail')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'http', status: 500 });
  });

  it('throws when the connection drops mid-stream, after the first chunks', async () => {
    let seen = 0;
    const err = await collect(compat('stub-midstream'), { onDelta: (n) => (seen = n) }).catch((e: unknown) => e);
    expect(seen).toBe(3);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('stream');
  });

  it('finishes with no text for an empty answer', async () => {
    const run = await collect(compat('stub-empty'));
    expect(run.text).toBe('');
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', outputTokens: 0 });
  });

  it('stops on abort mid-answer and closes the connection', async () => {
    const ctrl = new AbortController();
    const model = 'stub-echo:chunk=40';
    const started = performance.now();
    const run = await collect(compat(model), { signal: ctrl.signal, onDelta: (n) => n === 2 && ctrl.abort() });
    expect(run.finish.finishReason).toBe('aborted');
    expect(run.deltas).toBeLessThan(5);
    expect(performance.now() - started).toBeLessThan(1_000); // the full answer would take ~1 s
    await vi.waitFor(() => expect(lastRequest(model)!.clientAborted).toBe(true));
  });

  it('stops on abort while the server has not answered yet', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 100);
    const started = performance.now();
    const run = await collect(compat('stub-hang'), { signal: ctrl.signal });
    expect(run.finish.finishReason).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('is healthy when GET /models answers, unhealthy when nothing listens, and caches the answer', async () => {
    expect(await compat('stub-echo').healthy()).toBe(true);
    const other = await startOpenAIStub();
    const cached = remote({ kind: 'openai-compatible', baseURL: other.url, model: 'stub-echo' });
    const uncached = createProvider(
      modelEntrySchema.parse({ id: 'u', name: 'U', provider: { kind: 'openai-compatible', baseURL: other.url, model: 'stub-echo' } }),
      { env: {}, health: { healthTtlMs: 0 } },
    );
    expect(await cached.healthy()).toBe(true);
    expect(await uncached.healthy()).toBe(true);
    const probes = other.requests.filter((r) => r.path === '/v1/models').length;
    await other.close();
    expect(await cached.healthy()).toBe(true); // within the 15 s cache
    expect(await uncached.healthy()).toBe(false);
    expect(probes).toBe(2);
  });
});

describe('API keys', () => {
  const KEY = 'sk-test-4f9a8b7c6d5e4f3a2b1c';
  let keyed: OpenAIStub;
  beforeAll(async () => {
    keyed = await startOpenAIStub({ apiKey: KEY });
  });
  afterAll(async () => {
    await keyed?.close();
  });

  it('sends the key from the named environment variable', async () => {
    const p = remote({ kind: 'openai-compatible', baseURL: keyed.url, model: 'stub-echo', apiKeyEnv: 'STUB_KEY' }, { STUB_KEY: KEY });
    expect(await p.healthy()).toBe(true);
    expect((await collect(p)).finish.finishReason).toBe('stop');
  });

  it('a missing key makes the model unhealthy and its calls fail with a clear message, before any request', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = keyed.requests.length;
    const p = remote({ kind: 'openai-compatible', baseURL: keyed.url, model: 'stub-echo', apiKeyEnv: 'STUB_KEY' }, {});
    expect(await p.healthy()).toBe(false);
    expect(errors.mock.calls.join(' ')).toContain('STUB_KEY is not set');
    errors.mockRestore();
    const err = await collect(p).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', kind: 'config' });
    expect(String(err)).toContain('STUB_KEY');
    expect(keyed.requests.length).toBe(before);
  });

  it('a rejected key surfaces as an HTTP error that never contains the key', async () => {
    const wrong = `${KEY}-wrong`;
    const p = remote({ kind: 'openai-compatible', baseURL: keyed.url, model: 'stub-echo', apiKeyEnv: 'STUB_KEY' }, { STUB_KEY: wrong });
    expect(await p.healthy()).toBe(false);
    const err = await collect(p).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 401 });
    expect(String((err as Error).message)).not.toContain(wrong);
    expect(JSON.stringify(err)).not.toContain(wrong);
  });

  it('redact() removes every occurrence of a secret', () => {
    expect(redact(`a ${KEY} b ${KEY}`, [KEY, undefined])).toBe('a [redacted] b [redacted]');
  });

  it('the openai kind streams through Chat Completions at a custom baseURL', async () => {
    const p = remote({ kind: 'openai', baseURL: keyed.url, model: 'stub-echo', apiKeyEnv: 'STUB_KEY' }, { STUB_KEY: KEY });
    const run = await collect(p);
    expect(run.text).toBe(echoAnswer(MESSAGES));
    expect(run.finish.outputTokens).toBe(words(run.text));
  });
});

describe('anthropic and google providers', () => {
  for (const kind of ['anthropic', 'google', 'openai'] as const) {
    it(`${kind}: healthy with its key, unhealthy (and failing clearly) without`, async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const withKey = remote({ kind, model: 'some-model', apiKeyEnv: 'VENDOR_KEY' }, { VENDOR_KEY: 'k-123456' });
      expect(await withKey.healthy()).toBe(true);
      const noKey = remote({ kind, model: 'some-model' }, {});
      expect(await noKey.healthy()).toBe(false);
      errors.mockRestore();
      const defaultEnv = { anthropic: 'ANTHROPIC_API_KEY', google: 'GOOGLE_GENERATIVE_AI_API_KEY', openai: 'OPENAI_API_KEY' }[kind];
      await expect(collect(noKey)).rejects.toThrow(defaultEnv);
    });
  }
});
