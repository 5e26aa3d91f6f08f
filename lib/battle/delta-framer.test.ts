import { describe, expect, it } from 'vitest';
import { deltaFramer, type FramedEvent } from './delta-framer';

type Done = { type: 'done'; side: 'a' | 'b' };

function framer(opts: Partial<{ frameMs: number; unitChars: number; maxFrameChars: number; startTogether: boolean }> = {}) {
  const out: FramedEvent<Done>[] = [];
  const f = deltaFramer<Done>(['a', 'b'], (e) => out.push(e), {
    frameMs: 0,
    unitChars: 4,
    maxFrameChars: 64,
    startTogether: false,
    ...opts,
  });
  const text = (side: 'a' | 'b') => out.filter((e) => e.type === 'delta' && e.side === side).map((e) => (e as { text: string }).text);
  return { f, out, text };
}

describe('deltaFramer', () => {
  it('sends whole units and keeps the remainder until the answer ends', () => {
    const { f, text } = framer();
    for (const t of ['He', 'llo', ' wor', 'ld']) f.delta('a', t);
    expect(text('a')).toEqual(['Hell', 'o wo']);
    f.end({ type: 'done', side: 'a' });
    expect(text('a')).toEqual(['Hell', 'o wo', 'rld']);
  });

  it('never splits a surrogate pair', () => {
    const { f, text } = framer();
    f.delta('a', 'abc😀d');
    // 'abc' + the high half would be 4 units: the pair stays together for the next frame.
    expect(text('a')).toEqual(['abc']);
    f.end({ type: 'done', side: 'a' });
    expect(text('a').join('')).toBe('abc😀d');
    for (const t of text('a')) expect(/\p{Cs}/u.test(t)).toBe(false);
  });

  it('cuts a large backlog into frames of at most maxFrameChars', () => {
    const { f, text } = framer({ maxFrameChars: 8 });
    f.delta('b', 'x'.repeat(30));
    expect(text('b')).toEqual(['xxxxxxxx', 'xxxxxxxx', 'xxxxxxxx', 'xxxx']);
  });

  it('waits frameMs between frames of a side', async () => {
    const { f, text } = framer({ frameMs: 50 });
    f.delta('a', 'aaaa');
    f.delta('a', 'bbbb');
    f.delta('a', 'cccc');
    expect(text('a')).toEqual(['aaaa']);
    await new Promise((r) => setTimeout(r, 80));
    expect(text('a')).toEqual(['aaaa', 'bbbbcccc']);
    f.close();
  });

  it('start together: the first side waits for the other, and each shows its first words before more', () => {
    const { f, out } = framer({ startTogether: true });
    f.delta('a', 'aaaa');
    f.delta('a', 'AAAA');
    f.end({ type: 'done', side: 'a' });
    expect(out).toEqual([]);
    f.delta('b', 'bbbb');
    expect(out.map((e) => `${e.type}:${e.side}:${'text' in e ? e.text : ''}`)).toEqual([
      'delta:a:aaaa',
      'delta:b:bbbb',
      'delta:a:AAAA',
      'done:a:',
    ]);
  });

  it('start together lets a side through when the other ends without a word', () => {
    const { f, out } = framer({ startTogether: true });
    f.delta('a', 'aaaa');
    f.end({ type: 'done', side: 'b' });
    expect(out.map((e) => `${e.type}:${e.side}`)).toEqual(['delta:a', 'done:b']);
  });
});
