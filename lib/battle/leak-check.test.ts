import { describe, expect, it } from 'vitest';
import { modelEntrySchema, type ModelEntry } from '../registry/schema';
import { buildLeakWords, checkLeak, leakMatcher } from './leak-check';

function entry(id: string, name: string, organization: string): ModelEntry {
  return modelEntrySchema.parse({
    id,
    name,
    organization,
    provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', model: id },
  });
}

const models = [
  entry('gpt-4o-mini', 'GPT-4o mini', 'OpenAI'),
  entry('claude-3-5-sonnet', 'Claude 3.5 Sonnet', 'Anthropic'),
  entry('llama-3.1-8b-instruct', 'Llama 3.1 8B Instruct', 'Meta'),
  entry('mistral-7b-instruct', 'Mistral 7B Instruct', 'Mistral AI'),
  entry('gpt35', 'GPT-3.5', 'OpenAI'),
];

describe('buildLeakWords', () => {
  const words = buildLeakWords(models, ['Skynet']);

  it('has ids, names, organizations and their distinctive parts', () => {
    for (const w of ['gpt-4o-mini', 'gpt-4o', 'gpt', 'claude', 'claude-3', 'sonnet', 'anthropic', 'openai', 'llama', 'llama-3.1', 'meta', 'mistral', 'mistral ai', 'skynet', 'gpt35', 'gpt-3.5']) {
      expect(words, w).toContain(w);
    }
  });

  it('leaves out generic words, sizes and versions', () => {
    for (const w of ['instruct', 'mini', 'chat', 'ai', '8b', '7b', '3.1', '3', '5', 'unknown']) {
      expect(words, w).not.toContain(w);
    }
  });
});

describe('checkLeak', () => {
  const matcher = leakMatcher(buildLeakWords(models, ['Skynet']));

  it('finds a model name in an answer, case-insensitively, with the side and turn', () => {
    const reason = checkLeak(
      [
        { turn: 1, prompt: 'Who are you?', a: 'I am a helpful assistant.', b: 'Hello! I am CLAUDE, an assistant.' },
      ],
      matcher,
    );
    expect(reason).toBe('identity_leak: "claude" in answer b, turn 1');
  });

  it('reports the prompt of a later turn', () => {
    const reason = checkLeak(
      [
        { turn: 1, prompt: 'Hi', a: 'Hello.', b: 'Hi there.' },
        { turn: 2, prompt: 'Are you made by anthropic?', a: 'No.', b: 'I cannot say.' },
      ],
      matcher,
    );
    expect(reason).toBe('identity_leak: "anthropic" in prompt, turn 2');
  });

  it('names the most specific word and matches versioned names', () => {
    expect(checkLeak([{ turn: 1, prompt: 'x', a: 'I run on GPT-4o today.', b: 'y' }], matcher)).toBe(
      'identity_leak: "gpt-4o" in answer a, turn 1',
    );
  });

  it('matches whole words only', () => {
    const clean = [
      { turn: 1, prompt: 'Tell me about Claudette and metaphors.', a: 'Megapixels and mistrals? No: the gptx tool.', b: 'An instruct-tuned chat model, 8B, version 3.1.' },
    ];
    expect(checkLeak(clean, matcher)).toBeNull();
  });

  it('uses the configured extra words', () => {
    expect(checkLeak([{ turn: 1, prompt: 'p', a: 'a', b: 'Built by skynet.' }], matcher)).toBe(
      'identity_leak: "skynet" in answer b, turn 1',
    );
  });

  it('with an empty list never reports', () => {
    expect(checkLeak([{ turn: 1, prompt: 'claude', a: 'gpt', b: '' }], leakMatcher([]))).toBeNull();
  });
});
