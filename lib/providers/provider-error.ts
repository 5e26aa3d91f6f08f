/**
 * A failed generation. The message is for the server log: it may name the model, the endpoint or
 * a file, so callers map it to a safe text before anything reaches the browser. It never contains
 * an API key: adapters pass every message through `redact` first.
 */
export type ProviderErrorKind = 'config' | 'http' | 'network' | 'stream' | 'unknown_question' | 'engine';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  /** HTTP status of the upstream answer, when there was one. */
  readonly status?: number;
  /** How long the provider asked us to wait (its Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(kind: ProviderErrorKind, message: string, options?: { cause?: unknown; status?: number; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.kind = kind;
    this.status = options?.status;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof ProviderError;
}

/** Removes every occurrence of the secrets from a text (keys shorter than 4 characters are not secrets worth hiding and would mangle the text). */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
