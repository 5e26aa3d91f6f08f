import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelEntry, ProviderConfig } from '../registry/schema';
import { QUESTIONS_FILE, readAnswers, readQuestions } from '../registry/recorded-set';
import { sleep } from './abort';
import { ProviderError } from './provider-error';
import type { ModelProvider, StreamEvent, StreamRequest } from './types';

type RecordedConfig = Extract<ProviderConfig, { kind: 'recorded' }>;

/** Rough token count of a recorded text (about four characters a token for English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Word-sized pieces that keep their leading whitespace, so the text streams like a live answer. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * Streams answers recorded earlier for a fixed prompt set, at `charsPerSecond`, so they arrive like
 * live answers. The whole recorded answer is sent: `maxTokens` does not cut it (the recorded text
 * is the thing being judged). Token counts are estimated from the length.
 */
export class RecordedProvider implements ModelProvider {
  private readonly config: RecordedConfig;

  constructor(private readonly entry: ModelEntry) {
    this.config = entry.provider as RecordedConfig;
  }

  async healthy(): Promise<boolean> {
    try {
      await fs.access(path.join(this.config.set, QUESTIONS_FILE), fs.constants.R_OK);
      await fs.access(this.config.answers, fs.constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** The recorded answer for a question (by id, or else by the exact question text). */
  private async answerFor(request: StreamRequest): Promise<string> {
    let answers: Map<string, string>;
    try {
      answers = await readAnswers(this.config.answers);
    } catch (err) {
      throw new ProviderError('engine', `model "${this.entry.id}": cannot read ${this.config.answers}: ${(err as Error).message}`, { cause: err });
    }
    let questionId = request.questionId;
    if (questionId === undefined) {
      const prompt = request.messages.filter((m) => m.role === 'user').at(-1)?.content.trim();
      const questions = await readQuestions(this.config.set).catch(() => []);
      questionId = questions.find((q) => q.text.trim() === prompt)?.questionId;
    }
    const answer = questionId === undefined ? undefined : answers.get(questionId);
    if (answer === undefined) {
      throw new ProviderError(
        'unknown_question',
        `model "${this.entry.id}": no recorded answer for question ${questionId === undefined ? '(none given and no question has this text)' : `"${questionId}"`}`,
      );
    }
    return answer;
  }

  stream(request: StreamRequest): AsyncIterable<StreamEvent> {
    return this.run(request);
  }

  private async *run(request: StreamRequest): AsyncGenerator<StreamEvent> {
    const answer = await this.answerFor(request);
    const cps = this.config.charsPerSecond;
    const start = performance.now();
    let sent = 0;
    let sentText = '';
    try {
      for (const piece of pieces(answer)) {
        // Pace against the start time, not per piece, so timer slack does not add up.
        const due = start + (sent / cps) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait, request.signal);
        else if (request.signal.aborted) break;
        sent += piece.length;
        sentText += piece;
        yield { type: 'delta', text: piece };
      }
    } catch (err) {
      if (!request.signal.aborted) throw err;
    }
    if (request.signal.aborted) {
      yield { type: 'finish', finishReason: 'aborted', outputTokens: estimateTokens(sentText) };
      return;
    }
    yield { type: 'finish', finishReason: 'stop', outputTokens: estimateTokens(answer) };
  }
}
