import type { ChatMessage, GenerationSettings, ModelProvider, StreamEvent } from '../providers/types';
import { deltaFramer, DEFAULT_MAX_FRAME_CHARS, DEFAULT_UNIT_CHARS, type FramingOptions } from './delta-framer';
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

/**
 * Why a turn was stopped from outside, given as the reason of `RunTurnOptions.signal`; each is
 * stored with the aborted answers so operators can tell them apart.
 */
export const STOP_REASONS = {
  client_gone: 'the client closed the connection',
  client_stalled: 'the client stopped reading the answer',
  shutdown: 'the server shut down before the answer finished',
} as const;
export type StopReason = keyof typeof STOP_REASONS;

export interface RunTurnOptions {
  sides: SideInput[];
  /** A side still running after this long is stopped and fails with 'timeout'. */
  timeoutMs: number;
  /** Aborted (with a StopReason) when the turn must stop: both sides are stored as aborted. */
  signal?: AbortSignal;
  emit: (event: TurnEvent) => void;
  /** How long to wait for a provider to wind down after it was told to stop. */
  graceMs?: number;
  /**
   * Longest answer of one side, in characters: a side that goes past it is stopped there and
   * finishes with 'length', like a model that reached its token limit.
   */
  maxAnswerChars?: number;
  /** How deltas are re-framed before `emit` (see delta-framer.ts); without it they pass as they come. */
  framing?: Partial<FramingOptions>;
}

function stopReasonOf(signal: AbortSignal | undefined): string {
  const reason = signal?.reason;
  return typeof reason === 'string' && reason in STOP_REASONS ? STOP_REASONS[reason as StopReason] : STOP_REASONS.client_gone;
}

/** The first `max` characters of `text`, not ending inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
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

interface SideRun extends SideInput {
  onDelta: (text: string) => void;
  onEnd: (event: Closing) => void;
}

async function runSide(input: SideRun, opts: RunTurnOptions): Promise<SideOutcome> {
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
  const maxChars = opts.maxAnswerChars ?? Infinity;
  let capped = false;

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
        const text = cut(ev.text, maxChars - content.length);
        content += text;
        if (text) input.onDelta(text);
        if (content.length >= maxChars) {
          // The arena's answer cap: stop generating (the finally closes the provider's stream).
          capped = true;
          controller.abort();
          break;
        }
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
  if (capped) {
    finish = { type: 'finish', finishReason: 'length', outputTokens: finish?.outputTokens };
  } else if (clientAborted) {
    code = 'aborted';
    error = stopReasonOf(opts.signal);
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
    input.onEnd({ type: 'error', side, code, message: safeErrorMessage(side, code, opts.timeoutMs) });
    return { ...base, ok: false, code, finishReason: code, error };
  }
  const finishReason = normaliseFinish(finish!.finishReason);
  input.onEnd({ type: 'done', side, finishReason });
  return { ...base, ok: true, finishReason, error: null };
}

type Closing = Exclude<TurnEvent, { type: 'delta' }>;

/** Both sides concurrently; resolves with their outcomes (in the order given) once both are over. */
export async function runTurn(opts: RunTurnOptions): Promise<SideOutcome[]> {
  const framer = opts.framing
    ? deltaFramer<Closing>(
        opts.sides.map((s) => s.side),
        opts.emit,
        {
          frameMs: opts.framing.frameMs ?? 0,
          unitChars: opts.framing.unitChars ?? DEFAULT_UNIT_CHARS,
          maxFrameChars: opts.framing.maxFrameChars ?? DEFAULT_MAX_FRAME_CHARS,
          startTogether: opts.framing.startTogether ?? false,
        },
      )
    : null;
  try {
    return await Promise.all(
      opts.sides.map((s) =>
        runSide(
          {
            ...s,
            onDelta: framer ? (text) => framer.delta(s.side, text) : (text) => opts.emit({ type: 'delta', side: s.side, text }),
            onEnd: framer ? (e) => framer.end(e) : opts.emit,
          },
          opts,
        ),
      ),
    );
  } finally {
    framer?.close();
  }
}
