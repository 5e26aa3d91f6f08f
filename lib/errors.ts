/**
 * Typed errors whose codes map to an HTTP status and a message that is safe to show.
 * Details (SQL, provider responses, model names) go to the server log, never to the user.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unknown_host: 421,
  invalid_json: 400,
  validation_failed: 400,
  prompt_too_long: 413,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  consent_required: 403,
  proof_required: 403,
  proof_invalid: 403,
  not_found: 404,
  conflict: 409,
  already_voted: 409,
  not_ready: 409,
  battle_closed: 409,
  turn_limit: 409,
  rate_limited: 429,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  // Answered by server.mjs for requests that never reach a handler (see its status table).
  request_timeout: 408,
  uri_too_long: 414,
  headers_too_large: 431,
  no_models: 503,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Marks AppErrors across module copies: Next.js bundles each route on its own, so an error made
 * by the process-wide context (created by whichever route ran first) is not an `instanceof` the
 * AppError class of the route that catches it.
 */
const APP_ERROR = Symbol.for('pairwise.AppError');

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds after which the request may be tried again (sent as Retry-After). */
  readonly retryAfterSeconds?: number;
  readonly [APP_ERROR] = true;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[APP_ERROR] === true;
}

/** 503 with a Retry-After: the server is busy with something that will be done shortly. */
export function retryLater(message: string, retryAfterSeconds: number): AppError {
  return new AppError('unavailable', message, { retryAfterSeconds });
}
