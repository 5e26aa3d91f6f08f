import type { ChatMessage, GenerationSettings, ModelProvider, StreamEvent } from '../providers/types';
import type { Side } from './state';

/**
 * Runs one turn on both sides at the same time and reports every piece as a side-tagged event.
 * What a side did (text, timings, full error) comes back as an outcome for storage; what the
 * browser sees is only the event stream, whose error texts are fixed sentences that cannot carry
 * a model name, a URL or a path.
 */

export type SideErrorCode = 'provider_error' | 'timeout' | 'empty' | 'aborted';

export type TurnEvent =
  | { type: 'delta'; side: Side; text: string }
  // No token count before the vote: characters per token would hint at the model's tokenizer.
  | { type: 'done'; side: Side; finishReason: 'stop' | 'length' }
  | { type: 'error'; side: Side; code: SideErrorCode; message: string };

export interface SideInput {
  side: Side;
  provider: ModelProvider;
  messages: ChatMessage[];
  settings: GenerationSettings;
  questionId?: string;
}

export interface SideOutcome {
  side: Side;
  ok: boolean;
  code?: SideErrorCode;
  content: string;
  /** 'stop' | 'length' when ok; the error code otherwise. */
  finishReason: string;
  /** Output tokens as the provider counted them, or an estimate (see estimateTokens). */
  tokens: number;
  ttftMs: number | null;
  durationMs: number;
  /** Full error for operators; null when ok. */
  error: string | null;
}

export interface RunTurnOptions {
  sides: SideInput[];
  /** A side still running after this long is stopped and fails with 'timeout'. */
  timeoutMs: number;
  /** Aborted when the client goes away: both sides stop and are stored as aborted. */
  signal?: AbortSignal;
  emit: (event: TurnEvent) => void;
  /** How long to wait for a provider to wind down after it was told to stop. */
  graceMs?: number;
}

/** About four characters a token, for providers that do not report a count. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.round(text.length / 4));
}

export function safeErrorMessage(side: Side, code: SideErrorCode, timeoutMs?: number): string {
  const who = `Side ${side.toUpperCase()}'s model`;
  switch (code) {
    case 'provider_error':
      return `${who} failed to answer (provider error).`;
    case 'timeout':
      if (!timeoutMs) return `${who} did not finish in time.`;
      return `${who} did not finish within ${+(timeoutMs / 1000).toFixed(1)} second${timeoutMs === 1000 ? '' : 's'}.`;
    case 'empty':
      return `${who} returned an empty answer.`;
    case 'aborted':
      return `Side ${side.toUpperCase()}'s answer was stopped before it finished.`;
  }
}

function normaliseFinish(reason: string): 'stop' | 'length' {
  return reason === 'length' || reason === 'max_tokens' || reason === 'max-tokens' ? 'length' : 'stop';
}

async function runSide(input: SideInput, opts: RunTurnOptions): Promise<SideOutcome> {
  const { side } = input;
  const started = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  let clientAborted = false;

  const onClientAbort = () => {
    clientAborted = true;
    controller.abort();
  };
  if (opts.signal?.aborted) onClientAbort();
  else opts.signal?.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);

  // Resolves when this side is told to stop, plus a grace period: a provider that ignores its
  // signal cannot hold the turn (and the battle) open.
  let stopWaiting: () => void = () => {};
  const stopped = new Promise<'stopped'>((resolve) => {
    const fire = () => setTimeout(() => resolve('stopped'), opts.graceMs ?? 2_000);
    if (controller.signal.aborted) fire();
    else controller.signal.addEventListener('abort', fire, { once: true });
    stopWaiting = () => resolve('stopped');
  });

  let content = '';
  let ttftMs: number | null = null;
  let finish: Extract<StreamEvent, { type: 'finish' }> | null = null;
  let failure: unknown = null;

  let iterator: AsyncIterator<StreamEvent> | null = null;
  try {
    iterator = input.provider
      .stream({ messages: input.messages, settings: input.settings, signal: controller.signal, questionId: input.questionId })
      [Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), stopped]);
      if (next === 'stopped') {
        void iterator.return?.()?.catch(() => {});
        break;
      }
      if (next.done) break;
      const ev = next.value;
      if (ev.type === 'delta') {
        if (!ev.text) continue;
        if (ttftMs === null) ttftMs = Math.round(performance.now() - started);
        content += ev.text;
        opts.emit({ type: 'delta', side, text: ev.text });
      } else if (ev.type === 'finish') {
        finish = ev;
        break;
      }
    }
  } catch (err) {
    failure = err;
  } finally {
    // Close the provider's stream also when we stop at its finish event: a generator left
    // suspended at that yield never runs its own cleanup (a GGUF provider would keep its slot).
    if (iterator) void iterator.return?.()?.catch(() => {});
    clearTimeout(timer);
    stopWaiting();
    opts.signal?.removeEventListener('abort', onClientAbort);
  }

  const durationMs = Math.round(performance.now() - started);
  const tokens = finish?.outputTokens ?? estimateTokens(content);
  const base = { side, content, ttftMs, durationMs, tokens };

  let code: SideErrorCode | null = null;
  let error: string | null = null;
  if (clientAborted) {
    code = 'aborted';
    error = 'the client closed the connection';
  } else if (timedOut) {
    code = 'timeout';
    error = `no complete answer within ${opts.timeoutMs} ms`;
  } else if (failure !== null) {
    code = 'provider_error';
    error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
  } else if (!finish || finish.finishReason === 'error' || finish.finishReason === 'aborted') {
    code = 'provider_error';
    error = finish ? `the stream finished with reason "${finish.finishReason}"` : 'the stream ended without a finish event';
  } else if (content.trim() === '') {
    code = 'empty';
    error = `empty answer (finish reason "${finish.finishReason}")`;
  }

  if (code) {
    opts.emit({ type: 'error', side, code, message: safeErrorMessage(side, code, opts.timeoutMs) });
    return { ...base, ok: false, code, finishReason: code, error };
  }
  const finishReason = normaliseFinish(finish!.finishReason);
  opts.emit({ type: 'done', side, finishReason });
  return { ...base, ok: true, finishReason, error: null };
}

/** Both sides concurrently; resolves with their outcomes (in the order given) once both are over. */
export async function runTurn(opts: RunTurnOptions): Promise<SideOutcome[]> {
  return Promise.all(opts.sides.map((s) => runSide(s, opts)));
}
