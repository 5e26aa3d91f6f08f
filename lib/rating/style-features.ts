import type { StyleFeatures } from './types';

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
// Rough BPE-sized pieces: one per CJK character, per run of letters, per 1-3 digits and per
// other symbol. Good enough for a covariate that only enters as (a − b) / (a + b + 1).
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}]+|\p{N}{1,3}|[^\s\p{L}\p{M}\p{N}]/gu;
const HEADER = /^#{1,6}\s/gm;
const ORDERED = /^\s*\d+\.\s/gm;
const UNORDERED = /^\s*[-*+]\s/gm;
const BOLD_STARS = /\*\*[^*\n]+\*\*/g;
const BOLD_UNDERSCORES = /__[^_\n]+__/g;

function count(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

/** The text outside fenced code blocks (``` or ~~~ fences; an unclosed fence runs to the end). */
export function stripFencedCode(markdown: string): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    if (fence === null) {
      const m = FENCE_OPEN.exec(line);
      if (m) fence = m[1];
      else kept.push(line);
    } else {
      const t = line.trim();
      if (t.length >= fence.length && t[0] === fence[0] && /^(`+|~+)$/.test(t)) fence = null;
    }
  }
  return kept.join('\n');
}

/**
 * Style covariates of one answer, as Chatbot Arena's style control: markdown headers (lines
 * starting with 1-6 '#' and a space), list items (ordered `1. ` and unordered `- `/`* `/`+ `)
 * and bold spans (`**x**`, `__x__`) are counted outside fenced code; `tokens` is the length of
 * the whole answer (code included) in approximate BPE tokens. For several assistant turns pass
 * them joined with '\n'.
 */
export function styleFeatures(markdownAnswer: string): StyleFeatures {
  const text = typeof markdownAnswer === 'string' ? markdownAnswer : '';
  const prose = stripFencedCode(text);
  return {
    tokens: count(TOKEN, text),
    headers: count(HEADER, prose),
    listItems: count(ORDERED, prose) + count(UNORDERED, prose),
    bold: count(BOLD_STARS, prose) + count(BOLD_UNDERSCORES, prose),
  };
}
