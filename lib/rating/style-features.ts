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

function sumCount(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (v && typeof v === 'object') {
    let s = 0;
    for (const x of Object.values(v as Record<string, unknown>)) {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) return null;
      s += x;
    }
    return s;
  }
  return null;
}

/**
 * Style features of one side from Chatbot Arena's `conv_metadata` (sum_assistant_a_tokens,
 * header_count_a, list_count_a, bold_count_a and the _b twins; the counts may be numbers or
 * objects of per-kind counts, which are summed). Null when a value is missing or not a count.
 */
export function styleFromConvMetadata(meta: Record<string, unknown>, side: 'a' | 'b'): StyleFeatures | null {
  const tokens = sumCount(meta[`sum_assistant_${side}_tokens`]);
  const headers = sumCount(meta[`header_count_${side}`]);
  const listItems = sumCount(meta[`list_count_${side}`]);
  const bold = sumCount(meta[`bold_count_${side}`]);
  if (tokens === null || headers === null || listItems === null || bold === null) return null;
  return { tokens, headers, listItems, bold };
}

/** Style features of the assistant turns of a conversation ([{ role, content }]), joined by '\n'. */
export function styleFromConversation(conversation: readonly { role: string; content: string }[]): StyleFeatures {
  return styleFeatures(
    conversation
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content)
      .join('\n'),
  );
}
