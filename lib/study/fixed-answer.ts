import { sleep } from '../providers/abort';
import type { ModelProvider, StreamEvent, StreamRequest } from '../providers/types';

/**
 * A side that streams a text written in the study definition (an attention check's sound or
 * broken answer), paced like a recorded answer so it looks like every other side.
 */
export class FixedAnswerProvider implements ModelProvider {
  constructor(
    private readonly text: string,
    private readonly charsPerSecond = 1500,
  ) {}

  async healthy(): Promise<boolean> {
    return true;
  }

  stream(request: StreamRequest): AsyncIterable<StreamEvent> {
    return this.run(request);
  }

  private async *run(request: StreamRequest): AsyncGenerator<StreamEvent> {
    const pieces = this.text.match(/\s*\S+|\s+$/g) ?? [];
    const start = performance.now();
    let sent = 0;
    for (const piece of pieces) {
      const wait = start + (sent / this.charsPerSecond) * 1000 - performance.now();
      try {
        if (wait > 1) await sleep(wait, request.signal);
      } catch {
        break;
      }
      if (request.signal.aborted) break;
      sent += piece.length;
      yield { type: 'delta', text: piece };
    }
    yield { type: 'finish', finishReason: request.signal.aborted ? 'aborted' : 'stop', outputTokens: Math.ceil(sent / 4) };
  }
}
