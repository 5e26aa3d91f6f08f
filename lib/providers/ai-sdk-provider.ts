import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, streamText, type LanguageModel, type ModelMessage } from 'ai';
import type { ModelEntry, ProviderConfig } from '../registry/schema';
import { isAbortError } from './abort';
import { parseRetryAfter } from './backoff';
import { ProviderError, redact } from './provider-error';
import type { ModelProvider, StreamEvent, StreamRequest } from './types';

type RemoteConfig = Extract<ProviderConfig, { kind: 'openai-compatible' | 'openai' | 'anthropic' | 'google' }>;
type Env = Record<string, string | undefined>;

export interface RemoteProviderOptions {
  env?: Env;
  /** How long a health answer is reused (ms). */
  healthTtlMs?: number;
  /** Time allowed for the GET {baseURL}/models probe (ms). */
  healthTimeoutMs?: number;
}

function buildModel(config: RemoteConfig, apiKey: string | undefined): LanguageModel {
  switch (config.kind) {
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: config.baseURL,
        apiKey,
        // Asks for stream_options.include_usage, so the final chunk carries the token count.
        includeUsage: true,
      }).chatModel(config.model);
    case 'openai':
      // Chat Completions rather than Responses: it is what every OpenAI-compatible baseURL speaks too.
      return createOpenAI({ apiKey, baseURL: config.baseURL }).chat(config.model);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL: config.baseURL })(config.model);
    case 'google':
      return createGoogleGenerativeAI({ apiKey, baseURL: config.baseURL })(config.model);
  }
}

/**
 * openai-compatible, openai, anthropic and google models through the Vercel AI SDK. The API key is
 * read from the environment variable the registry names, at call time (so a key added later is
 * picked up), and is scrubbed from every error message.
 */
export class RemoteProvider implements ModelProvider {
  private readonly config: RemoteConfig;
  private readonly env: Env;
  private readonly healthTtlMs: number;
  private readonly healthTimeoutMs: number;
  private health: { at: number; value: Promise<boolean> } | null = null;
  private warnedMissingKey = false;

  constructor(
    private readonly entry: ModelEntry,
    options: RemoteProviderOptions = {},
  ) {
    this.config = entry.provider as RemoteConfig;
    this.env = options.env ?? process.env;
    this.healthTtlMs = options.healthTtlMs ?? 15_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 1_500;
  }

  private apiKey(): { name?: string; value?: string } {
    const name = this.config.apiKeyEnv;
    if (!name) return {};
    const value = this.env[name]?.trim();
    return { name, value: value || undefined };
  }

  private missingKeyError(name: string): ProviderError {
    return new ProviderError(
      'config',
      `model "${this.entry.id}" (${this.config.kind}): the environment variable ${name} is not set, so the model cannot be called`,
    );
  }

  async healthy(): Promise<boolean> {
    const key = this.apiKey();
    if (key.name && !key.value) {
      if (!this.warnedMissingKey) {
        this.warnedMissingKey = true;
        console.error(`[pairwise] ${this.missingKeyError(key.name).message}; it is left out of battles.`);
      }
      return false;
    }
    if (this.config.kind !== 'openai-compatible') return true;
    const now = Date.now();
    if (!this.health || now - this.health.at > this.healthTtlMs) {
      this.health = { at: now, value: this.probe(key.value) };
    }
    return this.health.value;
  }

  /** GET {baseURL}/models. A server without that route (404/405) is still up and may answer chats. */
  private async probe(apiKey: string | undefined): Promise<boolean> {
    const baseURL = this.config.baseURL ?? '';
    try {
      const res = await fetch(`${baseURL.replace(/\/+$/, '')}/models`, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(this.healthTimeoutMs),
      });
      await res.body?.cancel();
      return res.ok || res.status === 404 || res.status === 405;
    } catch {
      return false;
    }
  }

  stream(request: StreamRequest): AsyncIterable<StreamEvent> {
    return this.run(request);
  }

  private async *run(request: StreamRequest): AsyncGenerator<StreamEvent> {
    const key = this.apiKey();
    if (key.name && !key.value) throw this.missingKeyError(key.name);
    if (request.signal.aborted) {
      yield { type: 'finish', finishReason: 'aborted', outputTokens: 0 };
      return;
    }

    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    const messages: ModelMessage[] = request.messages
      .filter((m) => m.role !== 'system')
      .map((m): ModelMessage => {
        if (m.role === 'user' && m.images?.length) {
          // Image parts: each provider package writes them in its own wire format
          // (image_url data URL, Anthropic image source, Gemini inlineData).
          return {
            role: 'user',
            content: [{ type: 'text', text: m.content }, ...m.images.map((img) => ({ type: 'image' as const, image: img.data, mediaType: img.mediaType }))],
          };
        }
        return m.role === 'user' ? { role: 'user', content: m.content } : { role: 'assistant', content: m.content };
      });

    const fail = (err: unknown): ProviderError => this.wrap(err, key.value);
    let finishReason = 'stop';
    let outputTokens: number | undefined;
    let aborted = false;
    try {
      const result = streamText({
        model: buildModel(this.config, key.value),
        system: system.length ? system.join('\n\n') : undefined,
        messages,
        temperature: request.settings.temperature,
        maxOutputTokens: request.settings.maxTokens,
        abortSignal: request.signal,
        // The battle has its own timeout; a retry would only double the wait.
        maxRetries: 0,
        // Errors are re-thrown below; the SDK's default would also print them with request details.
        onError: () => {},
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            if (part.text) yield { type: 'delta', text: part.text };
            break;
          case 'finish':
            finishReason = part.finishReason;
            outputTokens = part.totalUsage.outputTokens;
            break;
          case 'abort':
            aborted = true;
            break;
          case 'error':
            throw part.error;
        }
      }
    } catch (err) {
      if (request.signal.aborted || isAbortError(err)) aborted = true;
      else throw fail(err);
    }
    if (aborted || request.signal.aborted) {
      yield { type: 'finish', finishReason: 'aborted', outputTokens };
      return;
    }
    yield { type: 'finish', finishReason, outputTokens };
  }

  private wrap(err: unknown, apiKey: string | undefined): ProviderError {
    if (err instanceof ProviderError) return err;
    const where = `model "${this.entry.id}" (${this.config.kind} ${this.config.model})`;
    const raw = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    if (APICallError.isInstance(err)) {
      const status = err.statusCode;
      // A 2xx status means the answer started and then broke (a dropped connection, bad chunks).
      const kind = status === undefined ? 'network' : status < 300 ? 'stream' : 'http';
      const detail = status === undefined || status < 300 ? `${raw}${cause}` : `HTTP ${status}: ${raw}`;
      const headers = err.responseHeaders ?? {};
      const retryMs = headers['retry-after-ms'] && /^\d+$/.test(headers['retry-after-ms']) ? Number(headers['retry-after-ms']) : null;
      const retryAfterMs = retryMs ?? parseRetryAfter(headers['retry-after'], Date.now()) ?? undefined;
      return new ProviderError(kind, redact(`${where}: ${detail}`, [apiKey]), { cause: err, status, retryAfterMs });
    }
    return new ProviderError('stream', redact(`${where}: ${raw}${cause}`, [apiKey]), { cause: err });
  }
}
