import { describe, expect, it } from 'vitest';
import { readNdjson } from './ndjson';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(encoder.encode(p));
      controller.close();
    },
  });
}

async function collect(parts: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of readNdjson(streamOf(parts))) out.push(v);
  return out;
}

describe('readNdjson', () => {
  it('yields one value per line even when lines are split across chunks', async () => {
    const values = await collect(['{"a":', '1}\n{"b"', ':2}\n', '{"c":3}']);
    expect(values).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('skips blank and malformed lines but keeps the rest', async () => {
    const values = await collect(['{"a":1}\n\n', 'not json\n', '{"b":2}\n']);
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('decodes multi-byte characters split between chunks', async () => {
    const bytes = new TextEncoder().encode('{"t":"héllo ✓"}\n');
    const cut = 8; // between the two bytes of é
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, cut));
        c.enqueue(bytes.slice(cut));
        c.close();
      },
    });
    const out: unknown[] = [];
    for await (const v of readNdjson(stream)) out.push(v);
    expect(out).toEqual([{ t: 'héllo ✓' }]);
  });
});
