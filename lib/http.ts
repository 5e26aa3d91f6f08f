import type { z } from 'zod';
import { AppError, isAppError } from './errors';

/**
 * Small helpers shared by route handlers. Plain Web `Request`/`Response`, so nothing here depends
 * on Next.js. Errors leave as `{ error: { code, message } }` with the status of their code.
 */

const NO_STORE = { 'Cache-Control': 'no-store' };

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(NO_STORE)) if (!headers.has(k)) headers.set(k, v);
  return Response.json(body, { ...init, headers });
}

/**
 * The response for an error: an AppError keeps its status, code and (safe) message; anything
 * else is logged in full and answered with a generic 500, because its text may hold SQL, paths
 * or model names.
 */
export function jsonError(err: unknown, init: { headers?: HeadersInit } = {}): Response {
  if (isAppError(err)) {
    if (err.status >= 500) console.error(`[pairwise] ${err.code}: ${err.message}`, err.cause ?? '');
    return json({ error: { code: err.code, message: err.message } }, { status: err.status, headers: init.headers });
  }
  console.error('[pairwise] unexpected error:', err);
  return json(
    { error: { code: 'internal', message: 'Something went wrong on the server. Please try again.' } },
    { status: 500, headers: init.headers },
  );
}

export interface ParseJsonOptions {
  /** Largest body accepted, in bytes (default 64 KiB). */
  maxBytes?: number;
  /** The error for a body over the limit (default 413 payload_too_large). */
  tooLarge?: () => AppError;
}

async function readLimited(req: Request, maxBytes: number, tooLarge: () => AppError): Promise<string> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid UTF-8 text.');
  }
}

// In a /u pattern a surrogate pair is one code point, so \p{Cs} matches only a lone half.
const LONE_SURROGATE = /\p{Cs}/u;
// U+0000: Postgres text cannot hold it, so neither store is given one (the same answer on both).
const NUL = /\u0000/;

// Fatal: bytes that are not UTF-8 are refused rather than silently turned into U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function unstorable(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (text that is not valid Unicode)';
  if (NUL.test(text)) return 'contains a NUL character (U+0000), which cannot be stored';
  return null;
}

/**
 * The first string (key or value) in a parsed body that cannot be stored as it is, with its path
 * and why: not well-formed UTF-16 (JSON's \uD800 escapes can spell a lone surrogate, which has no
 * UTF-8 form, so it would be stored altered, SQLite gets U+FFFD, or echoed to a model as
 * garbage), or holding U+0000 (which Postgres text refuses). Null when all are fine.
 */
export function unstorableString(value: unknown): { path: (string | number)[]; why: string } | null {
  // Iterative: a body may nest deeper than the call stack goes.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const why = unstorable(v);
      if (why) return { path, why };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: path.length < 20 ? [...path, i] : path });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const why = unstorable(k);
        if (why) return { path: [...path, '(key)'], why };
        stack.push({ value: child, path: path.length < 20 ? [...path, k] : path });
      }
    }
  }
  return null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}

/**
 * Reads and validates a JSON body: over the limit → 413, not UTF-8 or unparsable → 400
 * invalid_json, a lone surrogate or a NUL anywhere → 400 validation_failed, schema failure → 400
 * validation_failed naming the field paths.
 */
export async function parseJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  options: ParseJsonOptions = {},
): Promise<z.output<S>> {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const tooLarge =
    options.tooLarge ?? (() => new AppError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`));
  const text = await readLimited(req, maxBytes, tooLarge);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
  const bad = unstorableString(data);
  if (bad) throw new AppError('validation_failed', `Invalid request: ${bad.path.length ? bad.path.join('.') : '(body)'}: ${bad.why}.`);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new AppError('validation_failed', `Invalid request: ${describeIssues(parsed.error)}.`);
  return parsed.data;
}

/**
 * Reads and validates a query string: every parameter is a string (the last one wins when a name
 * repeats); a schema failure → 400 validation_failed naming the parameter. Schemas are strict, so
 * a misspelt parameter is an error rather than silently ignored.
 */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parseSearchParams(new URL(req.url).searchParams, schema);
}

/** The same rules for the search parameters a page receives. */
export function parseSearchParams<S extends z.ZodType>(params: URLSearchParams | Record<string, string | string[] | undefined>, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) raw[k] = v;
  } else {
    for (const [k, v] of Object.entries(params)) if (v !== undefined) raw[k] = Array.isArray(v) ? (v.at(-1) ?? '') : v;
  }
  const bad = unstorableString(raw);
  if (bad) throw new AppError('validation_failed', `Invalid query parameter ${bad.path.join('.')}: ${bad.why}.`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name =
      issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.length ? issue.path.join('.') : '';
    throw new AppError('validation_failed', `Invalid query parameter${name ? ` ${name}` : ''}: ${issue.message}.`);
  }
  return parsed.data;
}
