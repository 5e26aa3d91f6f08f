import { sleep } from '../providers/abort';
import type { ModelProvider, StreamEvent, StreamRequest } from '../providers/types';

/**
 * Blindness for a battle between a recorded and a live model. A recorded answer streams at a
 * fixed pace from its first moment; a live one starts after a think and runs at its model's
 * speed; a live answer may also stop at its token limit, which a recorded one never does. Any of
 * that would tell the voter which side was recorded. So both sides of such a battle are held
 * until both have finished (or failed), then shown together at one pace, and a stop at the token
 * limit is reported as a plain stop (the text shows where it ends). What is left to see is each
 * answer's text and length, as in every battle.
 */

/** Word-sized pieces that keep their leading whitespace. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

class Gate {
  private left: number;
  private readonly waiting: (() => void)[] = [];

  constructor(sides: number) {
    this.left = sides;
  }

  /** A side has finished (or failed). */
  arrive(): void {
    this.left--;
    if (this.left <= 0) for (const w of this.waiting.splice(0)) w();
  }

  /** Resolves when every side has arrived, or the signal aborts. */
  async all(signal: AbortSignal): Promise<void> {
    if (this.left <= 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Wraps the providers of one turn's sides so that both replay together at `charsPerSecond`. */
export function equalPace(providers: ModelProvider[], charsPerSecond: number): ModelProvider[] {
  const gate = new Gate(providers.length);
  return providers.map((inner) => ({
    healthy: () => inner.healthy(),
    ...(inner.warmup ? { warmup: () => inner.warmup!() } : {}),
    stream: (request: StreamRequest) => replay(inner, request, gate, charsPerSecond),
  }));
}

async function* replay(inner: ModelProvider, request: StreamRequest, gate: Gate, cps: number): AsyncGenerator<StreamEvent> {
  let text = '';
  let finish: Extract<StreamEvent, { type: 'finish' }> | null = null;
  let failure: unknown = null;
  try {
    for await (const e of inner.stream(request)) {
      if (e.type === 'delta') text += e.text;
      else finish = e;
    }
  } catch (err) {
    failure = err;
  } finally {
    gate.arrive();
  }
  await gate.all(request.signal);
  if (failure) throw failure;
  if (request.signal.aborted || !finish || finish.finishReason === 'aborted') {
    yield { type: 'finish', finishReason: 'aborted', outputTokens: finish?.outputTokens };
    return;
  }
  const start = performance.now();
  let sent = 0;
  for (const piece of pieces(text)) {
    const wait = start + (sent / cps) * 1000 - performance.now();
    if (wait > 1) await sleep(wait, request.signal).catch(() => undefined);
    if (request.signal.aborted) {
      yield { type: 'finish', finishReason: 'aborted', outputTokens: finish.outputTokens };
      return;
    }
    sent += piece.length;
    yield { type: 'delta', text: piece };
  }
  yield { ...finish, finishReason: finish.finishReason === 'length' ? 'stop' : finish.finishReason };
}
