import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSharedData } from '../shared-data';
import { loadRegistry } from '../registry/load';
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
  entry('gemini-1.5-flash', 'Gemini 1.5 Flash', 'Google'),
];

describe('buildLeakWords', () => {
  const words = buildLeakWords(models, ['Skynet']);

  it('names: ids, names, their distinctive parts and the organizations\u2019 well-known model names', () => {
    for (const w of ['gpt-4o-mini', 'gpt-4o', 'gpt', 'chatgpt', 'claude-3', 'llama-3.1', 'mistral-7b', 'gemini-1.5']) expect(words.names, w).toContain(w);
  });

  it('contextual: organizations and names that are everyday words', () => {
    for (const w of ['openai', 'anthropic', 'google', 'claude', 'llama', 'gemini', 'meta', 'sonnet']) {
      expect([...words.names, ...words.contextual], w).toContain(w);
    }
    for (const w of ['openai', 'anthropic', 'google', 'claude', 'llama', 'meta', 'mistral']) expect(words.contextual, w).toContain(w);
    expect(words.extra).toEqual(['skynet']);
  });

  it('leaves out generic words, sizes and versions', () => {
    const all = [...words.names, ...words.contextual];
    for (const w of ['instruct', 'mini', 'chat', 'ai', '8b', '7b', '3.1', '3', '5', 'unknown']) expect(all, w).not.toContain(w);
  });
});

const matcher = leakMatcher(buildLeakWords(models, ['Skynet']));
const one = (a: string, b = 'Fine.', prompt = 'Tell me something.') => checkLeak([{ turn: 1, prompt, a, b }], matcher);

/**
 * Answers that say which model wrote them, in the ways models do: a test corpus the filter must
 * catch in full. (Written for this test; several follow what the recorded Claude answers say.)
 */
const SELF_IDENTIFYING = [
  "I'm ChatGPT, a large language model trained by OpenAI.",
  'As an AI language model developed by OpenAI, I cannot browse the internet.',
  'I am Claude, an AI assistant created by Anthropic to be helpful, harmless, and honest.',
  'Hello! My name is Claude.',
  "I'm an AI assistant made by Anthropic.",
  'I was trained by Google and I am Gemini.',
  'I am Gemini, a large language model from Google.',
  'This is Llama, fine-tuned by Meta.',
  'I am a large language model, trained by Google.',
  'You are talking to Mistral, a model made by Mistral AI.',
  'Sure! As GPT-4o, I can help you plan the trip.',
  'I am Sir Claude, knight of the realm and loyal servant to the crown.',
  "I was originally an ordinary AI assistant created by Anthropic to be helpful, harmless, and honest.",
  'I run on GPT-4o mini, so my knowledge has a cut-off.',
  'As a model built by the team at Anthropic, I try to be careful.',
  'Hi, I’m Llama 3.1, how can I help?',
  'My name’s Gemini and I love poems.',
  "I'm an AI developed by Meta AI.",
  'call me Claude if you like.',
  'I am an assistant powered by OpenAI.',
  'Greetings, ChatGPT here.',
  'Our own project, codenamed Skynet, answers now.',
];

/** Answers that mention models or their makers without saying who wrote them: must pass. */
const ORDINARY = [
  'Use Google Maps or Google Calendar to plan your day.',
  'Meta, formerly Facebook, owns Instagram and WhatsApp.',
  'Llamas and alpacas are domesticated South American camelids.',
  'Claude Monet painted water lilies at Giverny.',
  'The Bard of Avon wrote 154 sonnets; a sonnet has fourteen lines.',
  'OpenAI and Anthropic are both AI research companies.',
  'A mistral is a strong, cold wind in southern France.',
  'The Gemini constellation lies between Taurus and Cancer.',
  'I am not able to browse the internet, but here is what I know.',
  'As a language model, I do not have personal opinions.',
  'Google it: the answer is well documented.',
];

describe('checkLeak: self-identification', () => {
  it('catches every self-identifying answer of the corpus', () => {
    for (const text of SELF_IDENTIFYING) expect(one(text), text).toMatch(/^identity_leak: ".+" in answer a, turn 1$/);
    for (const text of SELF_IDENTIFYING) expect(one('Fine.', text), text).toMatch(/in answer b, turn 1$/);
  });

  it('lets ordinary mentions of makers, animals, winds and painters pass', () => {
    for (const text of ORDINARY) expect(one(text), text).toBeNull();
  });

  it('names the word, the side and the turn, and checks later turns', () => {
    expect(one('Hello! I am CLAUDE, an assistant.')).toBe('identity_leak: "claude" in answer a, turn 1');
    expect(
      checkLeak(
        [
          { turn: 1, prompt: 'Hi', a: 'Hello.', b: 'Hi there.' },
          { turn: 2, prompt: 'More', a: 'Sure.', b: 'I was made by Anthropic.' },
        ],
        matcher,
      ),
    ).toBe('identity_leak: "anthropic" in answer b, turn 2');
  });

  it('a prompt counts only when it asks who the model is', () => {
    expect(one('No.', 'I cannot say.', 'Are you made by anthropic?')).toBe('identity_leak: "anthropic" in prompt, turn 1');
    expect(one('No.', 'Maybe.', 'Are you GPT-4o?')).toBe('identity_leak: "gpt-4o" in prompt, turn 1');
    expect(one('Fine.', 'Fine.', 'Compare GPT-4o and Claude for coding.')).toBeNull();
    expect(one('Fine.', 'Fine.', 'Summarise what Google announced this year.')).toBeNull();
  });

  it('matches whole words only', () => {
    expect(one('Megapixels and mistrals? No: the gptx tool, by Claudette.', 'An instruct-tuned chat model, 8B, version 3.1.')).toBeNull();
  });

  it('uses the configured extra words anywhere, prompts included', () => {
    expect(one('a', 'Built by skynet.')).toBe('identity_leak: "skynet" in answer b, turn 1');
    expect(one('a', 'b', 'what does skynet think?')).toBe('identity_leak: "skynet" in prompt, turn 1');
  });

  it('with no words never reports', () => {
    expect(checkLeak([{ turn: 1, prompt: 'claude', a: 'gpt', b: '' }], leakMatcher([]))).toBeNull();
  });
});

describe('checkLeak on the recorded Vicuna-80 answers of seven real models', () => {
  it('excludes under 0.5 % of the pairings wrongly, and still the answers that name themselves', async () => {
    const dir = requireSharedData('recorded-answers/vicuna80');
    const registry = await loadRegistry({ file: path.resolve(import.meta.dirname, '..', '..', 'models.json') });
    const recordedMatcher = leakMatcher(buildLeakWords(registry.models, registry.settings.leakWords));
    const read = (file: string) =>
      new Map(
        fs
          .readFileSync(path.join(dir, file), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { question_id: number; text: string })
          .map((o) => [String(o.question_id), o.text]),
      );
    const questions = read('question.jsonl');
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('answer_')).sort();
    const answers = files.map(read);
    // Answers that do say who wrote them (read by hand): Claude as "Sir Claude", and as an
    // "assistant created by Anthropic".
    const selfNaming = (text: string) => /I am Sir Claude|assistant created by Anthropic/.test(text);
    let pairings = 0;
    let wrong = 0;
    let caught = 0;
    let leaking = 0;
    for (const [qid, prompt] of questions) {
      for (let i = 0; i < answers.length; i++) {
        for (let j = i + 1; j < answers.length; j++) {
          const a = answers[i].get(qid);
          const b = answers[j].get(qid);
          if (a === undefined || b === undefined) continue;
          pairings++;
          const truth = selfNaming(a) || selfNaming(b);
          const flagged = checkLeak([{ turn: 1, prompt, a, b }], recordedMatcher) !== null;
          if (truth) leaking++;
          if (truth && flagged) caught++;
          if (flagged && !truth) wrong++;
        }
      }
    }
    expect(pairings).toBeGreaterThan(1500);
    expect(leaking).toBeGreaterThan(0);
    expect(caught).toBe(leaking);
    expect(wrong / pairings).toBeLessThan(0.005);
  });
});
