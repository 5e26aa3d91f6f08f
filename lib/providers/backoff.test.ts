import { describe, expect, it } from 'vitest';
import { createBackoff, parseRetryAfter, withBackoff } from './backoff';
import { ProviderError } from './provider-error';
import type { ModelProvider, StreamEvent } from './types';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const rateLimited = (retryAfterMs?: number) => new ProviderError('http', 'model "m": HTTP 429: slow down', { status: 429, retryAfterMs });

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('1.5', 0)).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(undefined, 0)).toBeNull();
  });
});

describe('createBackoff', () => {
  it('a 429 pauses the model for its Retry-After, then it waits for a health check', () => {
    const c = clock();
    const changes: string[] = [];
    const b = createBackoff({ now: c.now, onChange: (id, s) => changes.push(`${id}:${s.state}`) });
    b.record('m', rateLimited(5_000));
    expect(b.paused('m')).toBe(true);
    expect(b.status('m')).toMatchObject({ state: 'paused', until: c.now() + 5_000 });
    c.advance(4_999);
    expect(b.paused('m')).toBe(true);
    c.advance(2);
    expect(b.paused('m')).toBe(false);
    expect(b.probing('m')).toBe(true);
    b.recovered('m');
    expect(b.status('m').state).toBe('ok');
    expect(changes).toEqual(['m:paused', 'm:ok']);
  });

  it('a 429 without Retry-After uses the default', () => {
    const c = clock();
    const b = createBackoff({ now: c.now, defaultRetryMs: 7_000 });
    b.record('m', rateLimited());
    expect(b.status('m').until).toBe(c.now() + 7_000);
  });

  it('repeated failures pause the model, longer each time; a success resets the count', () => {
    const c = clock();
    const b = createBackoff({ now: c.now, failuresToPause: 3, basePauseMs: 10_000, maxPauseMs: 25_000 });
    const boom = new ProviderError('http', 'HTTP 500', { status: 500 });
    b.record('m', boom);
    b.record('m', boom);
    expect(b.paused('m')).toBe(false);
    b.record('m', boom);
    expect(b.status('m')).toMatchObject({ state: 'paused', until: c.now() + 10_000, failures: 3 });
    c.advance(10_001);
    b.recovered('m');
    b.record('m', boom);
    expect(b.status('m').until).toBe(c.now() + 20_000);
    c.advance(20_001);
    b.recovered('m');
    b.record('m', boom);
    expect(b.status('m').until).toBe(c.now() + 25_000);
    c.advance(25_001);
    b.recovered('m');
    b.record('m');
    b.record('m', boom);
    expect(b.paused('m')).toBe(false);
  });

  it('a failed health check after the pause looks again later', () => {
    const c = clock();
    const b = createBackoff({ now: c.now });
    b.record('m', rateLimited(1_000));
    c.advance(1_001);
    b.stillDown('m', 5_000);
    expect(b.paused('m')).toBe(true);
    expect(b.all()).toEqual([expect.objectContaining({ model: 'm', state: 'paused' })]);
  });
});

describe('withBackoff', () => {
  const provider = (events: StreamEvent[], fail?: Error): ModelProvider => ({
    healthy: async () => true,
    async *stream() {
      yield* events;
      if (fail) throw fail;
    },
  });
  const drain = async (p: ModelProvider, signal = new AbortController().signal) => {
    try {
      for await (const _ of p.stream({ messages: [], settings: { temperature: 0, maxTokens: 1 }, signal })) void _;
    } catch {
      /* recorded */
    }
  };

  it('reports failures and successes of generations, not aborts', async () => {
    const b = createBackoff({ failuresToPause: 2 });
    await drain(withBackoff('m', provider([{ type: 'delta', text: 'x' }], rateLimited(2_000)), b));
    expect(b.paused('m')).toBe(true);
    const b2 = createBackoff({ failuresToPause: 2 });
    const aborted = new AbortController();
    aborted.abort();
    await drain(withBackoff('m', provider([], new Error('aborted')), b2), aborted.signal);
    await drain(withBackoff('m', provider([], new Error('aborted')), b2), aborted.signal);
    expect(b2.status('m').failures).toBe(0);
    await drain(withBackoff('m', provider([], new Error('boom')), b2));
    await drain(withBackoff('m', provider([{ type: 'finish', finishReason: 'stop' }]), b2));
    expect(b2.status('m').failures).toBe(0);
  });
});
