import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelEntrySchema } from '../registry/schema';
import { requireSharedData } from '../shared-data';
import { createProvider } from './create-provider';
import { ProviderError } from './provider-error';
import { RecordedProvider } from './recorded-provider';
import type { ModelProvider, StreamEvent } from './types';

const VICUNA = requireSharedData('recorded-answers/vicuna80');

function recorded(answers: string, charsPerSecond = 1_000_000, set = VICUNA): ModelProvider {
  const p = createProvider(
    modelEntrySchema.parse({
      id: 'rec',
      name: 'Rec',
      provider: { kind: 'recorded', set, answers: path.join(set, answers), charsPerSecond },
    }),
  );
  expect(p).toBeInstanceOf(RecordedProvider);
  return p;
}

function expectedAnswer(file: string, questionId: number): string {
  const line = fs
    .readFileSync(path.join(VICUNA, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { question_id: number; text: string })
    .find((a) => a.question_id === questionId);
  if (!line) throw new Error(`no answer ${questionId} in ${file}`);
  return line.text;
}

async function collect(p: ModelProvider, opts: { questionId?: string; prompt?: string; signal?: AbortSignal; onDelta?: (n: number) => void } = {}) {
  let text = '';
  let deltas = 0;
  let finish: Extract<StreamEvent, { type: 'finish' }> | undefined;
  for await (const e of p.stream({
    messages: [{ role: 'user', content: opts.prompt ?? 'ignored' }],
    settings: { temperature: 0.7, maxTokens: 16 },
    signal: opts.signal ?? new AbortController().signal,
    questionId: opts.questionId,
  })) {
    if (e.type === 'delta') {
      text += e.text;
      deltas++;
      opts.onDelta?.(deltas);
    } else finish = e;
  }
  return { text, deltas, finish };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-recorded-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('RecordedProvider', () => {
  it('streams the recorded answer of the question, whole, in many small pieces', async () => {
    const run = await collect(recorded('answer_claude.jsonl'), { questionId: '7' });
    const expected = expectedAnswer('answer_claude.jsonl', 7);
    expect(run.text).toBe(expected);
    expect(run.deltas).toBeGreaterThan(20);
    // maxTokens does not shorten a recorded answer; tokens are estimated from its length.
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', outputTokens: Math.ceil(expected.length / 4) });
  });

  it('finds the question by its text when no question id is given', async () => {
    const run = await collect(recorded('answer_bard.jsonl'), { prompt: 'How can I improve my time management skills?' });
    expect(run.text).toBe(expectedAnswer('answer_bard.jsonl', 1));
  });

  it('paces the answer at charsPerSecond', async () => {
    const expected = expectedAnswer('answer_alpaca-13b.jsonl', 2);
    const cps = (expected.length / 0.4) | 0; // about 400 ms for the whole answer
    const started = performance.now();
    const run = await collect(recorded('answer_alpaca-13b.jsonl', cps), { questionId: '2' });
    const elapsed = performance.now() - started;
    expect(run.text).toBe(expected);
    expect(elapsed).toBeGreaterThan(300);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('stops on abort with finishReason "aborted"', async () => {
    const ctrl = new AbortController();
    const full = expectedAnswer('answer_gpt4.jsonl', 3);
    const run = await collect(recorded('answer_gpt4.jsonl', 200), {
      questionId: '3',
      signal: ctrl.signal,
      onDelta: (n) => n === 2 && ctrl.abort(),
    });
    expect(run.finish?.finishReason).toBe('aborted');
    expect(run.text.length).toBeGreaterThan(0);
    expect(run.text.length).toBeLessThan(full.length);
    expect(full.startsWith(run.text)).toBe(true);
  });

  it('throws for a question it has no answer to', async () => {
    const err = await collect(recorded('answer_gpt4.jsonl'), { questionId: '9999' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('unknown_question');
  });

  it('is healthy only when its files are readable', async () => {
    expect(await recorded('answer_llama-13b.jsonl').healthy()).toBe(true);
    expect(await recorded('answer_nobody.jsonl').healthy()).toBe(false);
    expect(await recorded('answer_gpt4.jsonl', 400, path.join(tmp, 'no-such-set')).healthy()).toBe(false);
  });

  it('reports a malformed answer file with its line number', async () => {
    const set = path.join(tmp, 'set');
    fs.mkdirSync(set);
    fs.writeFileSync(path.join(set, 'question.jsonl'), '{"question_id": 1, "text": "Q?"}\n');
    fs.writeFileSync(path.join(set, 'answer_x.jsonl'), '{"question_id": 1, "text": "fine"}\n{"question_id": 2, "txt": "typo"}\n');
    const err = await collect(recorded('answer_x.jsonl', 1000, set), { questionId: '1' }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/answer_x\.jsonl:2: field "text"/);
  });
});
