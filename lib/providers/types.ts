/**
 * One interface for every kind of model: stream a chat completion for a list of messages.
 * Adapters live beside this file (one per provider kind) and are created by `createProvider`.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Images of a user message (only vision models are given any). */
  images?: ChatImage[];
}

export interface ChatImage {
  mediaType: string;
  data: Uint8Array;
}

export interface GenerationSettings {
  temperature: number;
  maxTokens: number;
}

export interface StreamRequest {
  /** Full history for this side, system prompt first when there is one. */
  messages: ChatMessage[];
  settings: GenerationSettings;
  /** Aborted when the user leaves, the battle times out, or the server shuts down. */
  signal: AbortSignal;
  /** For recorded providers: the prompt-set question this battle is about. */
  questionId?: string;
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'finish';
      /** 'stop' | 'length' | 'error' | 'aborted' | provider-specific */
      finishReason: string;
      /** Output tokens as counted by the provider, when it says. */
      outputTokens?: number;
    };

export interface ModelProvider {
  /**
   * Streams the answer: text deltas, then exactly one `finish` event. When `signal` aborts, the
   * stream ends promptly with `finishReason: 'aborted'` instead of throwing. Failures throw
   * (ProviderError from ./provider-error); such a message may name the model or endpoint, so
   * callers must not forward it to the browser.
   */
  stream(request: StreamRequest): AsyncIterable<StreamEvent>;
  /** Cheap readiness check used to skip unhealthy models when pairing. */
  healthy(): Promise<boolean>;
  /** Loads what the first request would otherwise wait for (GGUF weights); safe to skip. */
  warmup?(): Promise<void>;
  /** Frees native resources (GGUF models). */
  dispose?(): Promise<void>;
}

/** Prompts a recorded model can answer. */
export interface RecordedPrompt {
  questionId: string;
  text: string;
  category?: string;
}
