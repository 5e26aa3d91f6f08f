import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { requireSharedData } from '../shared-data';
import { createProvider } from './create-provider';
import { GgufProvider, plainPrompt } from './gguf-provider';
import { loadedModelCount, unloadAllModels } from './llama-runtime';
import type { ChatMessage, ModelProvider, StreamEvent } from './types';

const STORIES = requireSharedData('models/stories260K/stories260K.gguf');
const RANDOM = requireSharedData('models/llama-2-tiny-random/llama-2-tiny-random.gguf');

function entry(id: string, provider: Record<string, unknown>): ModelEntry {
  return modelEntrySchema.parse({ id, name: id, provider: { kind: 'gguf', threads: 1, ...provider } });
}

const providers: ModelProvider[] = [];
function gguf(id: string, provider: Record<string, unknown>): GgufProvider {
  const p = createProvider(entry(id, provider));
  providers.push(p);
  expect(p).toBeInstanceOf(GgufProvider);
  return p as GgufProvider;
}

const ask = (content: string): ChatMessage[] => [{ role: 'user', content }];

interface Run {
  text: string;
  deltas: number;
  finish?: Extract<StreamEvent, { type: 'finish' }>;
  firstAt?: number;
  endAt?: number;
}

async function collect(
  p: ModelProvider,
  opts: { messages?: ChatMessage[]; maxTokens?: number; temperature?: number; signal?: AbortSignal; onDelta?: (run: Run) => void } = {},
): Promise<Run> {
  const run: Run = { text: '', deltas: 0 };
  for await (const e of p.stream({
    messages: opts.messages ?? ask('Tell me a story about a cat.'),
    settings: { temperature: opts.temperature ?? 0, maxTokens: opts.maxTokens ?? 32 },
    signal: opts.signal ?? new AbortController().signal,
  })) {
    if (e.type === 'delta') {
      run.firstAt ??= performance.now();
      run.text += e.text;
      run.deltas++;
      opts.onDelta?.(run);
    } else {
      run.finish = e;
    }
  }
  run.endAt = performance.now();
  return run;
}

afterAll(async () => {
  for (const p of providers) await p.dispose?.();
  await unloadAllModels();
});

describe('plainPrompt', () => {
  it('writes the system prompt first, then User/Assistant turns, ending with an open Assistant turn', () => {
    expect(
      plainPrompt([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Again' },
      ]),
    ).toBe('Be brief.\n\nUser: Hi\nAssistant: Hello!\nUser: Again\nAssistant:');
  });
});

describe('GgufProvider with real node-llama-cpp', () => {
  it('streams a story from stories260K token by token, within maxTokens', async () => {
    const p = gguf('stories', { path: STORIES });
    expect(await p.healthy()).toBe(true);
    const run = await collect(p, { maxTokens: 24 });
    expect(run.text.trim().length).toBeGreaterThan(10);
    expect(run.text).toMatch(/[a-z]{3,}/); // TinyStories English, not empty noise
    expect(run.deltas).toBeGreaterThan(5); // streamed, not delivered in one piece
    expect(run.finish?.finishReason).toBe('length');
    expect(run.finish?.outputTokens).toBe(24);
  });

  it('is deterministic at temperature 0 and keeps the whole history in the prompt', async () => {
    const p = gguf('stories-det', { path: STORIES });
    const a = await collect(p, { maxTokens: 16 });
    const b = await collect(p, { maxTokens: 16 });
    expect(a.text).toBe(b.text);
    const other = await collect(p, {
      maxTokens: 16,
      messages: [{ role: 'user', content: 'Tell me a story about a cat.' }, { role: 'assistant', content: 'No.' }, { role: 'user', content: 'Tell me a story about a cat.' }],
    });
    expect(other.text).not.toBe(a.text);
  });

  it('shares one loaded copy of a file between providers', async () => {
    const p1 = gguf('share-1', { path: STORIES });
    await collect(p1, { maxTokens: 2 });
    const before = loadedModelCount();
    const p2 = gguf('share-2', { path: STORIES, contextSize: 256 });
    await collect(p2, { maxTokens: 2 });
    expect(loadedModelCount()).toBe(before);
  });

  it('runs the random-weight tiny LLaMA too', async () => {
    const run = await collect(gguf('random', { path: RANDOM }), { maxTokens: 16, temperature: 0.8 });
    expect(run.text.length).toBeGreaterThan(0);
    expect(run.finish?.outputTokens).toBeLessThanOrEqual(16);
  });

  it('uses a chat wrapper in "chat" format even for a file without a template', async () => {
    const run = await collect(gguf('stories-chat', { path: STORIES, promptFormat: 'chat' }), {
      maxTokens: 12,
      messages: [{ role: 'system', content: 'You tell stories.' }, ...ask('Once upon a time')],
    });
    expect(run.text.length).toBeGreaterThan(0);
    expect(run.finish?.outputTokens).toBeLessThanOrEqual(12);
  });

  it('never runs more than maxConcurrent generations of a provider at once', async () => {
    const one = gguf('bound-1', { path: STORIES, maxConcurrent: 1 });
    const runs = await Promise.all([1, 2, 3].map(() => collect(one, { maxTokens: 48, temperature: 0.8 })));
    const spans = runs.map((r) => [r.firstAt!, r.endAt!]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);

    const two = gguf('bound-2', { path: STORIES, maxConcurrent: 2 });
    let peak = 0;
    let peakWaiting = 0;
    const watch = () => {
      peak = Math.max(peak, two.load.running);
      peakWaiting = Math.max(peakWaiting, two.load.waiting);
    };
    await Promise.all([1, 2, 3].map(() => collect(two, { maxTokens: 64, temperature: 0.8, onDelta: watch })));
    expect(peak).toBe(2);
    expect(peakWaiting).toBeGreaterThanOrEqual(1);
    expect(two.load).toEqual({ running: 0, waiting: 0 });
  });

  it('stops promptly on abort and reports finishReason "aborted"', async () => {
    const p = gguf('abort', { path: STORIES, contextSize: 2048 });
    const ctrl = new AbortController();
    let abortedAt = 0;
    const run = await collect(p, {
      maxTokens: 1000,
      temperature: 0.8,
      signal: ctrl.signal,
      onDelta: (r) => {
        if (r.deltas === 3) {
          abortedAt = performance.now();
          ctrl.abort();
        }
      },
    });
    expect(run.finish?.finishReason).toBe('aborted');
    expect(run.finish?.outputTokens).toBeLessThan(50);
    expect(run.endAt! - abortedAt).toBeLessThan(500);
    expect(p.load.running).toBe(0);
  });

  it('drops an aborted request from the queue without running it', async () => {
    const p = gguf('queue-abort', { path: STORIES, maxConcurrent: 1 });
    const first = collect(p, { maxTokens: 64 });
    const ctrl = new AbortController();
    const second = collect(p, { maxTokens: 64, signal: ctrl.signal });
    await new Promise((r) => setTimeout(r, 5));
    expect(p.load.waiting).toBe(1);
    ctrl.abort();
    const s = await second;
    expect(s.finish).toEqual({ type: 'finish', finishReason: 'aborted', outputTokens: 0 });
    expect(s.text).toBe('');
    expect((await first).finish?.finishReason).toBe('length');
  });

  it('frees its slot when the reader stops early', async () => {
    const p = gguf('early-exit', { path: STORIES, maxConcurrent: 1 });
    for await (const e of p.stream({ messages: ask('Hi'), settings: { temperature: 0, maxTokens: 200 }, signal: new AbortController().signal })) {
      if (e.type === 'delta') break;
    }
    expect(p.load.running).toBe(0);
    const next = await collect(p, { maxTokens: 8 });
    expect(next.finish?.outputTokens).toBe(8);
  });

  it('is unhealthy for a missing file or a file that is not GGUF', async () => {
    expect(await gguf('missing', { path: '/nonexistent/model.gguf' }).healthy()).toBe(false);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-gguf-'));
    const fake = path.join(dir, 'fake.gguf');
    fs.writeFileSync(fake, 'not a model at all');
    const p = gguf('fake', { path: fake });
    expect(await p.healthy()).toBe(false);
    await expect(collect(p)).rejects.toThrow(/cannot load/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('GgufProvider slot release', () => {
  it('frees its slot before the finish event, so a reader that stops there does not block the next request', async () => {
    const p = gguf('finish-first', { path: STORIES, maxConcurrent: 1 });
    const it = p.stream({ messages: ask('Hi'), settings: { temperature: 0, maxTokens: 4 }, signal: new AbortController().signal })[Symbol.asyncIterator]();
    let ev = await it.next();
    while (!ev.done && ev.value.type !== 'finish') ev = await it.next();
    expect(ev.done).toBe(false);
    // The iterator is left open on purpose.
    expect(p.load.running).toBe(0);
    const next = await collect(p, { maxTokens: 4 });
    expect(next.finish?.outputTokens).toBe(4);
  });
});
