import type { ModelEntry } from '../registry/schema';
import { RemoteProvider, type RemoteProviderOptions } from './ai-sdk-provider';
import { GgufProvider } from './gguf-provider';
import { RecordedProvider } from './recorded-provider';
import type { ModelProvider } from './types';

export { ProviderError, isProviderError } from './provider-error';
export { unloadAllModels } from './llama-runtime';
export type { ChatMessage, GenerationSettings, ModelProvider, StreamEvent, StreamRequest } from './types';

export interface CreateProviderOptions {
  /** Where API keys are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Health-check tuning for remote endpoints. */
  health?: Pick<RemoteProviderOptions, 'healthTtlMs' | 'healthTimeoutMs'>;
}

/**
 * The adapter for a registry entry (whose paths loadRegistry has already made absolute). Create
 * providers once per process and reuse them: a GGUF provider owns a llama.cpp context, and its
 * concurrency bound only holds across requests that share it.
 *
 * Contract for every kind: `stream()` yields text deltas, then exactly one `finish` event.
 * Abort (request.signal) ends the stream with `finishReason: 'aborted'`; it does not throw.
 * Failures throw ProviderError, whose message may name the model or endpoint (log it, never
 * send it to the browser) and never contains an API key.
 */
export function createProvider(entry: ModelEntry, options: CreateProviderOptions = {}): ModelProvider {
  switch (entry.provider.kind) {
    case 'openai-compatible':
    case 'openai':
    case 'anthropic':
    case 'google':
      return new RemoteProvider(entry, { env: options.env, ...options.health });
    case 'gguf':
      return new GgufProvider(entry);
    case 'recorded':
      return new RecordedProvider(entry);
  }
}
