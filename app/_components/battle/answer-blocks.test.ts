import { describe, expect, it } from 'vitest';
import { SPLIT_ABOVE, splitBlocks } from './answer-blocks';

const paragraphs = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} ${'text '.repeat(40)}`).join('\n\n');

describe('splitBlocks', () => {
  it('keeps an ordinary answer as one block, exactly', () => {
    const text = '## Title\n\n- a\n- b\n\n```js\nx\n\ny\n```\n';
    expect(splitBlocks(text)).toEqual([text]);
    expect(splitBlocks('')).toEqual([]);
  });

  it('cuts a long answer at blank lines into blocks that join back to the text', () => {
    const text = paragraphs(400);
    expect(text.length).toBeGreaterThan(SPLIT_ABOVE);
    const blocks = splitBlocks(text);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.join('')).toBe(text);
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(8_000);
    // Cuts fall after a blank line, never inside a paragraph.
    for (const b of blocks.slice(0, -1)) expect(b.endsWith('\n\n')).toBe(true);
  });

  it('never cuts at a blank line inside fenced code', () => {
    const code = '```python\n' + Array.from({ length: 300 }, (_, i) => `x${i} = ${i}\n`).join('\n') + '```\n';
    const text = `${paragraphs(30)}\n\n${code}\n${paragraphs(5)}`;
    const blocks = splitBlocks(text);
    const fences = (b: string) => (b.match(/^```/gm) ?? []).length;
    // Every block has balanced fences: a cut code block is closed and re-opened.
    for (const b of blocks) expect(fences(b) % 2).toBe(0);
    expect(blocks.join('').replace(/```\n```\n/g, '')).toContain('x299 = 299');
    expect(blocks.some((b) => b.startsWith('```python\n'))).toBe(true);
  });

  it('cuts a single paragraph of a megabyte at spaces', () => {
    const text = Array.from({ length: 150_000 }, (_, i) => `word${i}`).join(' ');
    const blocks = splitBlocks(text);
    expect(blocks.join('')).toBe(text);
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(8_001);
    for (const b of blocks.slice(0, -1)) expect(b.endsWith(' ')).toBe(true);
  });
});
