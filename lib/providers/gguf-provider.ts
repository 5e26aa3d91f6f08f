import fs from 'node:fs/promises';
import type { ChatHistoryItem, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { ModelEntry, ProviderConfig } from '../registry/schema';
import { AsyncQueue } from './async-queue';
import { isAbortError } from './abort';
import { loadSharedModel } from './llama-runtime';
import { ProviderError } from './provider-error';
import { Semaphore } from './semaphore';
import type { ChatMessage, ModelProvider, StreamEvent, StreamRequest } from './types';

type GgufConfig = Extract<ProviderConfig, { kind: 'gguf' }>;

/** Turn markers of the "plain" prompt format; generation stops at the next user turn. */
const USER = 'User:';
const ASSISTANT = 'Assistant:';

/** "System\n\nUser: ...\nAssistant: ...\nUser: ...\nAssistant:" for models without a chat template. */
export function plainPrompt(messages: ChatMessage[]): string {
  const parts: string[] = [];
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content.trim());
  if (system.length) parts.push(`${system.join('\n\n')}\n`);
  for (const m of messages) {
    if (m.role === 'user') parts.push(`${USER} ${m.content.trim()}`);
    else if (m.role === 'assistant') parts.push(`${ASSISTANT} ${m.content.trim()}`);
  }
  parts.push(ASSISTANT);
  return parts.join('\n');
}

function finishReasonOf(stopReason: string): string {
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'abort') return 'aborted';
  return 'stop';
}

/**
 * A local GGUF file run in-process with node-llama-cpp. The file is loaded once per process
 * (shared with other entries that use it). Each provider keeps one context with `maxConcurrent`
 * sequences; a generation takes a sequence and gives it back (cleared) when it ends, so memory
 * stays at one KV cache per allowed concurrent generation. Requests beyond `maxConcurrent` wait
 * their turn, and leave the queue if they are aborted while waiting.
 *
 * Abort: the stream ends normally with `finishReason: 'aborted'` (it does not throw).
 * Token count: the tokens the model actually generated (stop-trigger tokens included).
 */
export class GgufProvider implements ModelProvider {
  private readonly config: GgufConfig;
  private readonly slots: Semaphore;
  private context: Promise<LlamaContext> | null = null;
  /**
   * Sequences handed back after a generation. Reusing one keeps its KV cache, and node-llama-cpp
   * re-evaluates only the part of the next prompt that differs (a follow-up turn shares its prefix).
   */
  private idle: LlamaContextSequence[] = [];
  private loadFailed = false;
  private disposed = false;

  constructor(private readonly entry: ModelEntry) {
    this.config = entry.provider as GgufConfig;
    this.slots = new Semaphore(this.config.maxConcurrent);
  }

  /** Generations running now and waiting for a slot (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.slots.running, waiting: this.slots.waiting };
  }

  async healthy(): Promise<boolean> {
    if (this.loadFailed || this.disposed) return false;
    try {
      const handle = await fs.open(this.config.path, 'r');
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
        return bytesRead === 4 && buffer.toString('latin1') === 'GGUF';
      } finally {
        await handle.close();
      }
    } catch {
      return false;
    }
  }

  private getContext(): Promise<LlamaContext> {
    if (!this.context) {
      this.context = (async () => {
        const model = await loadSharedModel(this.config.path);
        return model.createContext({
          contextSize: Math.min(this.config.contextSize, model.trainContextSize),
          sequences: this.config.maxConcurrent,
          threads: this.config.threads,
        });
      })();
      this.context.then(
        (ctx) =>
          ctx.onDispose.createListener(() => {
            this.context = null;
            this.idle = [];
          }),
        () => {
          this.loadFailed = true;
          this.context = null;
        },
      );
    }
    return this.context;
  }

  async warmup(): Promise<void> {
    await this.getContext();
  }

  stream(request: StreamRequest): AsyncIterable<StreamEvent> {
    return this.run(request);
  }

  private async *run(request: StreamRequest): AsyncGenerator<StreamEvent> {
    if (this.disposed) throw new ProviderError('engine', `model "${this.entry.id}": provider was disposed`);
    let release: () => void;
    try {
      release = await this.slots.acquire(request.signal);
    } catch (err) {
      if (request.signal.aborted) {
        yield { type: 'finish', finishReason: 'aborted', outputTokens: 0 };
        return;
      }
      throw err;
    }

    let sequence: LlamaContextSequence | null = null;
    let reusable = false;
    let finish: StreamEvent | null = null;
    const stop = new AbortController();
    const onAbort = () => stop.abort(request.signal.reason);
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      let context: LlamaContext;
      try {
        context = await this.getContext();
        sequence = this.idle.pop() ?? context.getSequence();
      } catch (err) {
        throw new ProviderError('engine', `model "${this.entry.id}": cannot load ${this.config.path}: ${(err as Error).message}`, { cause: err });
      }
      const model = context.model;
      const useChat = this.config.promptFormat === 'chat' || (this.config.promptFormat === 'auto' && hasChatTemplate(model));
      const maxTokens = Math.max(1, Math.min(request.settings.maxTokens, Math.floor(context.contextSize / 2)));

      const queue = new AsyncQueue<string>();
      let outputTokens = 0;
      let stopReason = 'eogToken';
      let engineFailed = false;
      const options = {
        maxTokens,
        temperature: request.settings.temperature,
        signal: stop.signal,
        // Abort ends the generation with what was produced instead of throwing.
        stopOnAbortSignal: true,
        onTextChunk: (text: string) => queue.push(text),
        onToken: (tokens: readonly unknown[]) => (outputTokens += tokens.length),
      };
      const seq = sequence;
      const generation = (async () => {
        if (useChat) {
          const { LlamaChatSession } = await import('node-llama-cpp');
          const session = new LlamaChatSession({ contextSequence: seq, autoDisposeSequence: false });
          const { history, prompt } = chatHistory(request.messages);
          session.setChatHistory(history);
          const r = await session.promptWithMeta(prompt, options);
          session.dispose({ disposeSequence: false });
          return r.stopReason;
        }
        const { LlamaCompletion } = await import('node-llama-cpp');
        const completion = new LlamaCompletion({ contextSequence: seq });
        const input = fitPrompt(model, request.messages, context.contextSize - maxTokens - 8);
        const r = await completion.generateCompletionWithMeta(input, { ...options, customStopTriggers: [USER] });
        completion.dispose();
        return r.metadata.stopReason;
      })().then(
        (reason) => {
          stopReason = reason;
          queue.end();
        },
        (err: unknown) => {
          engineFailed = true;
          queue.fail(err);
        },
      );

      let leading = true;
      try {
        for await (let text of queue) {
          // The prompt ends with "Assistant:"; the answer's own leading whitespace is noise.
          if (leading) {
            text = text.replace(/^\s+/, '');
            if (!text) continue;
            leading = false;
          }
          yield { type: 'delta', text };
        }
      } catch (err) {
        // An engine error caused by the abort itself is just the abort.
        if (request.signal.aborted || isAbortError(err)) stopReason = 'abort';
        else throw new ProviderError('engine', `model "${this.entry.id}": generation failed: ${(err as Error).message}`, { cause: err });
      } finally {
        // Also reached when the consumer stops reading early: stop the engine before freeing the slot.
        stop.abort();
        await generation;
        reusable = !engineFailed;
      }
      finish = { type: 'finish', finishReason: request.signal.aborted ? 'aborted' : finishReasonOf(stopReason), outputTokens };
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      if (sequence && !sequence.disposed) {
        // After a failure the sequence's state is unknown: free it (the id returns to the context
        // asynchronously, so wait before handing the slot on).
        if (reusable && !this.disposed && this.context) this.idle.push(sequence);
        else await sequence.dispose();
      }
      release();
    }
    // Yielded only after the slot is free: a reader that stops once it has the finish event
    // (without closing the iterator) must not keep the next request waiting.
    if (finish) yield finish;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const ctx = this.context;
    this.context = null;
    if (ctx) await ctx.then((c) => c.dispose()).catch(() => {});
  }
}

function hasChatTemplate(model: LlamaModel): boolean {
  return Boolean(model.fileInfo.metadata?.tokenizer?.chat_template);
}

/** Earlier turns as node-llama-cpp chat history, and the last user message as the prompt. */
function chatHistory(messages: ChatMessage[]): { history: ChatHistoryItem[]; prompt: string } {
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  const history: ChatHistoryItem[] = [];
  messages.forEach((m, i) => {
    if (i === lastUser) return;
    if (m.role === 'system') history.push({ type: 'system', text: m.content });
    else if (m.role === 'user') history.push({ type: 'user', text: m.content });
    else history.push({ type: 'model', response: [m.content] });
  });
  return { history, prompt: lastUser >= 0 ? messages[lastUser].content : '' };
}

/**
 * The plain prompt, shortened to `budget` tokens: the oldest turns go first (the system prompt and
 * the last user message stay), then the text is cut from its start.
 */
function fitPrompt(model: LlamaModel, messages: ChatMessage[], budget: number): string {
  const system = messages.filter((m) => m.role === 'system');
  let turns = messages.filter((m) => m.role !== 'system');
  let text = plainPrompt([...system, ...turns]);
  while (model.tokenize(text).length > budget && turns.length > 1) {
    turns = turns.slice(1);
    text = plainPrompt([...system, ...turns]);
  }
  const tokens = model.tokenize(text);
  if (tokens.length > budget) text = model.detokenize(tokens.slice(tokens.length - Math.max(1, budget)));
  return text;
}
