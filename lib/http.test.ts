import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors';
import { jsonError, parseJsonBody, parseSearchParams } from './http';

const schema = z.strictObject({ prompt: z.string().min(1), n: z.number().optional() });

function post(body: string, headers: Record<string, string> = {}) {
  return new Request('http://127.0.0.1/api/x', { method: 'POST', body, headers });
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a rejection');
}

describe('parseJsonBody', () => {
  it('returns the parsed body', async () => {
    await expect(parseJsonBody(post('{"prompt":"hi","n":2}'), schema)).resolves.toEqual({ prompt: 'hi', n: 2 });
  });

  it('malformed JSON → invalid_json', async () => {
    const e = await errorOf(parseJsonBody(post('{"prompt": '), schema));
    expect([e.code, e.status]).toEqual(['invalid_json', 400]);
    expect((await errorOf(parseJsonBody(post(''), schema))).code).toBe('invalid_json');
  });

  it('schema failure → validation_failed with the field path', async () => {
    const e = await errorOf(parseJsonBody(post('{"prompt": 5}'), schema));
    expect([e.code, e.status]).toEqual(['validation_failed', 400]);
    expect(e.message).toContain('prompt');
    expect((await errorOf(parseJsonBody(post('{"prompt":"x","extra":1}'), schema))).code).toBe('validation_failed');
  });

  it('a body over the limit → 413, whether or not content-length says so', async () => {
    const big = JSON.stringify({ prompt: 'x'.repeat(2000) });
    const e = await errorOf(parseJsonBody(post(big), schema, { maxBytes: 1000 }));
    expect([e.code, e.status]).toEqual(['payload_too_large', 413]);
    // A streamed body without content-length is counted as it arrives.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(500)));
        c.close();
      },
    });
    const req = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    const e2 = await errorOf(
      parseJsonBody(req, schema, { maxBytes: 1000, tooLarge: () => new AppError('prompt_too_long', 'too long') }),
    );
    expect(e2.code).toBe('prompt_too_long');
  });
});

describe('parseJsonBody and text that is not Unicode', () => {
  it('a lone surrogate anywhere in the body → validation_failed naming the field', async () => {
    const e = await errorOf(parseJsonBody(post('{"prompt":"bad \\ud800 half"}'), schema));
    expect([e.code, e.status]).toEqual(['validation_failed', 400]);
    expect(e.message).toContain('prompt');
    expect((await errorOf(parseJsonBody(post('{"prompt":"x","\\udc00":1}'), schema))).code).toBe('validation_failed');
    // A proper pair is fine.
    await expect(parseJsonBody(post('{"prompt":"\\ud83d\\ude00"}'), schema)).resolves.toEqual({ prompt: '😀' });
  });

  it('a NUL character anywhere in the body or the query → validation_failed naming the field (neither store is given one)', async () => {
    const e = await errorOf(parseJsonBody(post('{"prompt":"a\\u0000b"}'), schema));
    expect([e.code, e.status]).toEqual(['validation_failed', 400]);
    expect(e.message).toBe('Invalid request: prompt: contains a NUL character (U+0000), which cannot be stored.');
    expect((await errorOf(parseJsonBody(post('{"prompt":"x","k\\u0000":1}'), schema))).message).toContain('(key)');
    const q = await errorOf(Promise.resolve().then(() => parseSearchParams(new URLSearchParams('q=a%00b'), z.strictObject({ q: z.string() }))));
    expect([q.code, q.message]).toEqual(['validation_failed', 'Invalid query parameter q: contains a NUL character (U+0000), which cannot be stored.']);
    // Other control characters are the schemas' business, not this check's.
    await expect(parseJsonBody(post('{"prompt":"tab\\there"}'), schema)).resolves.toEqual({ prompt: 'tab\there' });
  });

  it('bytes that are not UTF-8 → invalid_json', async () => {
    const req = new Request('http://127.0.0.1/api/x', { method: 'POST', body: new Uint8Array([0x7b, 0x22, 0x70, 0xff, 0x22, 0x7d]) });
    const e = await errorOf(parseJsonBody(req, schema));
    expect([e.code, e.status]).toEqual(['invalid_json', 400]);
  });
});

describe('jsonError', () => {
  it('maps an AppError to its status and code', async () => {
    const res = jsonError(new AppError('not_found', 'No such battle.'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such battle.' } });
  });

  it('hides anything else behind a generic 500 and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = jsonError(new Error('SQLITE_ERROR near "gpt-4o" at /srv/models/x.gguf'));
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toMatch(/gpt|sqlite|gguf/i);
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });
});
