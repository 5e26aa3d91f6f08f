/**
 * One interface for every kind of model: stream a chat completion for a list of messages.
 * Adapters live beside this file (one per provider kind) and are created by `createProvider`.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
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
   * Streams the answer. Throws (or the iterator throws) on failure; a provider error message may
   * name the model or endpoint, so callers must not forward it to the browser.
   */
  stream(request: StreamRequest): AsyncIterable<StreamEvent>;
  /** Cheap readiness check used to skip unhealthy models when pairing. */
  healthy(): Promise<boolean>;
  /** Frees native resources (GGUF models). */
  dispose?(): Promise<void>;
}

/** Prompts a recorded model can answer. */
export interface RecordedPrompt {
  questionId: string;
  text: string;
  category?: string;
}
