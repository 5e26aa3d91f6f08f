/**
 * Long answers are rendered as a list of Markdown blocks, so that a new frame re-renders only the
 * block it extends and a very long answer is parsed piece by piece instead of in one task that
 * freezes the page. An answer up to SPLIT_ABOVE characters stays one block (rendered exactly as
 * written); a longer one is cut at blank lines outside fenced code, into blocks of about
 * TARGET_CHARS; a paragraph or code block longer than MAX_CHARS is cut at a line break or a space
 * (a cut code block is re-fenced on both sides). Pure, so it is tested without a browser.
 */

export const SPLIT_ABOVE = 8_000;
const TARGET_CHARS = 4_000;
const MAX_CHARS = 8_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Pieces of text that end at a blank line outside a fence, each with the fence it is in at its end. */
interface Segment {
  text: string;
  /** The fence opened in this segment and not closed by its end. */
  openFence: string | null;
}

function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let fence: string | null = null;
  let start = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    const m = FENCE.exec(line);
    if (m) {
      if (fence === null) fence = m[1];
      else if (m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
    }
    pos = nl + 1;
    // A blank line outside a fence ends a segment (it stays with the text before it).
    if (fence === null && line.trim() === '' && pos - start > 0 && pos < text.length) {
      out.push({ text: text.slice(start, pos), openFence: null });
      start = pos;
    }
  }
  if (start < text.length) out.push({ text: text.slice(start), openFence: fence });
  return out;
}

/** Cuts an over-long segment at line breaks (or spaces, or anywhere) into pieces of at most MAX_CHARS. */
function cutLong(text: string): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > MAX_CHARS) {
    let at = rest.lastIndexOf('\n', MAX_CHARS);
    if (at < MAX_CHARS / 2) at = rest.lastIndexOf(' ', MAX_CHARS);
    if (at < MAX_CHARS / 2) at = MAX_CHARS;
    const code = rest.charCodeAt(at - 1);
    if (code >= 0xd800 && code <= 0xdbff) at -= 1;
    pieces.push(rest.slice(0, at + (rest[at] === '\n' || rest[at] === ' ' ? 1 : 0)));
    rest = rest.slice(pieces.at(-1)!.length);
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** A fenced code block cut in pieces: each piece is closed and the next one re-opened with the same fence. */
function cutFenced(text: string): string[] {
  const firstNl = text.indexOf('\n');
  const opening = text.slice(0, firstNl + 1);
  const fence = FENCE.exec(opening)?.[1] ?? '```';
  const body = cutLong(text.slice(firstNl + 1));
  return body.map((piece, i) => {
    const head = i === 0 ? opening : `${fence}\n`;
    const tail = i === body.length - 1 ? '' : `${piece.endsWith('\n') ? '' : '\n'}${fence}\n`;
    return head + piece + tail;
  });
}

export function splitBlocks(text: string): string[] {
  if (text.length <= SPLIT_ABOVE) return text ? [text] : [];
  const blocks: string[] = [];
  let current = '';
  for (const seg of segments(text)) {
    const fencedStart = FENCE.test(seg.text.trimStart().split('\n', 1)[0] ?? '');
    const parts = seg.text.length <= MAX_CHARS ? [seg.text] : fencedStart ? cutFenced(seg.text) : cutLong(seg.text);
    for (const part of parts) {
      if (current && current.length + part.length > TARGET_CHARS) {
        blocks.push(current);
        current = '';
      }
      current += part;
    }
  }
  if (current) blocks.push(current);
  return blocks;
}
