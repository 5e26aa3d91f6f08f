import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../e2e/fixtures/images';
import { startOpenAIStub, type OpenAIStub } from '../../e2e/fixtures/openai-stub';
import { startAnthropicStub, startGoogleStub, type VisionStub } from '../../e2e/fixtures/vision-stubs';
import { modelEntrySchema } from '../registry/schema';
import { createProvider } from './create-provider';
import type { ChatMessage, ModelProvider } from './types';

// An image in a user message reaches each kind of provider in that provider's own wire format,
// through the AI SDK, against local servers that speak the real streaming protocols.

let openai: OpenAIStub;
let anthropic: VisionStub;
let google: VisionStub;
beforeAll(async () => {
  [openai, anthropic, google] = await Promise.all([startOpenAIStub(), startAnthropicStub(), startGoogleStub()]);
});
afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close(), google?.close()]);
});

const PNG = makePng(8, 8);
const B64 = PNG.toString('base64');
const ENV = { VISION_KEY: 'test-key-not-secret' };

function provider(p: Record<string, unknown>): ModelProvider {
  return createProvider(modelEntrySchema.parse({ id: 'vision-model', name: 'Vision', vision: true, provider: p }), { env: ENV });
}

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'Describe images.' },
  { role: 'user', content: 'What is in this picture?', images: [{ mediaType: 'image/png', data: PNG }] },
];

async function answer(p: ModelProvider, messages = MESSAGES): Promise<{ text: string; finish: string }> {
  let text = '';
  let finish = '';
  for await (const e of p.stream({ messages, settings: { temperature: 0, maxTokens: 64 }, signal: new AbortController().signal })) {
    if (e.type === 'delta') text += e.text;
    else finish = e.finishReason;
  }
  return { text, finish };
}

describe('images in prompts', () => {
  it('openai-compatible: an image_url part with the data URL', async () => {
    const { finish } = await answer(provider({ kind: 'openai-compatible', baseURL: openai.url, model: 'stub-echo' }));
    expect(finish).toBe('stop');
    const user = openai.requests.at(-1)!.messages!.find((m) => m.role === 'user')!;
    expect(user.content).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${B64}` } },
    ]);
  });

  it('anthropic: a base64 image source block', async () => {
    const run = await answer(provider({ kind: 'anthropic', baseURL: anthropic.url, model: 'claude-stub', apiKeyEnv: 'VISION_KEY' }));
    expect(run).toEqual({ text: 'I was shown 1 image.', finish: 'stop' });
    const body = anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown[] }[]; system: unknown };
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0].content).toContainEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: B64 } });
    expect(body.messages[0].content).toContainEqual({ type: 'text', text: 'What is in this picture?' });
  });

  it('google: an inlineData part', async () => {
    const run = await answer(provider({ kind: 'google', baseURL: google.url, model: 'gemini-stub', apiKeyEnv: 'VISION_KEY' }));
    expect(run).toEqual({ text: 'I was shown 1 image.', finish: 'stop' });
    const { path, body } = google.requests.at(-1)!;
    expect(path).toMatch(/^\/v1beta\/models\/gemini-stub:streamGenerateContent/);
    const contents = body.contents as { role: string; parts: unknown[] }[];
    expect(contents[0].role).toBe('user');
    expect(contents[0].parts).toContainEqual({ inlineData: { mimeType: 'image/png', data: B64 } });
    expect(contents[0].parts).toContainEqual({ text: 'What is in this picture?' });
  });

  it('a message without images stays plain text', async () => {
    await answer(provider({ kind: 'anthropic', baseURL: anthropic.url, model: 'claude-stub', apiKeyEnv: 'VISION_KEY' }), [{ role: 'user', content: 'Hello' }]);
    const body = anthropic.requests.at(-1)!.body as { messages: { content: unknown[] }[] };
    expect(JSON.stringify(body.messages)).not.toContain('"image"');
    const run = await answer(provider({ kind: 'google', baseURL: google.url, model: 'gemini-stub', apiKeyEnv: 'VISION_KEY' }), [{ role: 'user', content: 'Hello' }]);
    expect(run.text).toBe('I was shown 0 images.');
  });
});
