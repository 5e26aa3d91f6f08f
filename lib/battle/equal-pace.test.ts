import { describe, expect, it } from 'vitest';
import type { ModelProvider, StreamEvent, StreamRequest } from '../providers/types';
import { equalPace } from './equal-pace';

/** A provider that streams `text` in `chunk`-sized pieces, `delayMs` apart, after `firstMs`. */
function timed(text: string, { firstMs, delayMs, chunk, finishReason = 'stop', fail = false }: { firstMs: number; delayMs: number; chunk: number; finishReason?: string; fail?: boolean }): ModelProvider {
  return {
    healthy: async () => true,
    async *stream(): AsyncGenerator<StreamEvent> {
      await new Promise((r) => setTimeout(r, firstMs));
      for (let k = 0; k < text.length; k += chunk) {
        yield { type: 'delta', text: text.slice(k, k + chunk) };
        await new Promise((r) => setTimeout(r, delayMs));
      }
      if (fail) throw new Error('provider broke');
      yield { type: 'finish', finishReason, outputTokens: 3 };
    },
  };
}

const request = (): StreamRequest => ({ messages: [{ role: 'user', content: 'q' }], settings: { temperature: 0.7, maxTokens: 64 }, signal: new AbortController().signal });

async function run(p: ModelProvider, t0: number) {
  const events: { at: number; e: StreamEvent }[] = [];
  try {
    for await (const e of p.stream(request())) events.push({ at: performance.now() - t0, e });
  } catch (err) {
    return { events, error: err as Error };
  }
  return { events, error: null };
}

describe('equalPace', () => {
  it('shows both sides together, at one pace, whatever their own timing', async () => {
    const recorded = timed('The recorded answer streams at a fixed pace from the start.', { firstMs: 0, delayMs: 2, chunk: 6 });
    const live = timed('A live answer thinks first and then runs at its own uneven speed.', { firstMs: 120, delayMs: 9, chunk: 3, finishReason: 'length' });
    const [a, b] = equalPace([recorded, live], 2000);
    const t0 = performance.now();
    const [ra, rb] = await Promise.all([run(a, t0), run(b, t0)]);
    const firstA = ra.events.find((x) => x.e.type === 'delta')!.at;
    const firstB = rb.events.find((x) => x.e.type === 'delta')!.at;
    // Neither side shows anything before both have finished (the live one after > 120 ms).
    expect(firstA).toBeGreaterThan(120);
    expect(Math.abs(firstA - firstB)).toBeLessThan(25);
    // Word-sized pieces on both sides, whatever the provider's chunks were.
    const texts = (r: typeof ra) => r.events.flatMap((x) => (x.e.type === 'delta' ? [x.e.text] : []));
    expect(texts(ra).join('')).toBe('The recorded answer streams at a fixed pace from the start.');
    expect(texts(rb).join('')).toBe('A live answer thinks first and then runs at its own uneven speed.');
    for (const t of [...texts(ra), ...texts(rb)]) expect(t).toMatch(/^\s*\S+$/);
    // A stop at the token limit, which only a live model can have, reads as a plain stop.
    expect(ra.events.at(-1)!.e).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(rb.events.at(-1)!.e).toMatchObject({ type: 'finish', finishReason: 'stop', outputTokens: 3 });
  });

  it('lets the other side go when one fails, and reports the failure', async () => {
    const [a, b] = equalPace([timed('fine answer', { firstMs: 0, delayMs: 1, chunk: 4 }), timed('broken', { firstMs: 40, delayMs: 1, chunk: 2, fail: true })], 5000);
    const t0 = performance.now();
    const [ra, rb] = await Promise.all([run(a, t0), run(b, t0)]);
    expect(ra.error).toBeNull();
    expect(ra.events.at(-1)!.e).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(rb.error?.message).toBe('provider broke');
  });
});
