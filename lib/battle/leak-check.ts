import type { ModelEntry } from '../registry/schema';

/**
 * Identity-leak check. A vote whose conversation names a model or its maker ("As Claude, made by
 * Anthropic, ...") is no longer blind, so it is kept but excluded from ratings. The word list is
 * built from the registry (ids, display names, organizations and their distinctive parts) plus
 * the operator's own `settings.leakWords`.
 */

/**
 * Parts that say nothing about which model answered: sizes, versions, fine-tune suffixes,
 * quantisation tags, and everyday words that appear in model names.
 */
const GENERIC = new Set([
  'a', 'an', 'the', 'and', 'of', 'by', 'for', 'with', 'in', 'on', 'to',
  'ai', 'llm', 'lm', 'model', 'models', 'instruct', 'instruction', 'chat', 'base', 'it', 'hf', 'gguf', 'ggml',
  'mini', 'nano', 'tiny', 'small', 'medium', 'large', 'xl', 'xxl', 'big', 'micro', 'lite', 'light',
  'pro', 'plus', 'max', 'ultra', 'turbo', 'flash', 'fast', 'preview', 'latest', 'beta', 'alpha', 'exp',
  'experimental', 'stable', 'dev', 'test', 'new', 'old', 'release', 'final', 'online', 'vision', 'code',
  'coder', 'math', 'reasoning', 'thinking', 'think', 'open', 'free', 'local', 'remote', 'default', 'random',
  'assistant', 'bot', 'inc', 'llc', 'ltd', 'corp', 'co', 'labs', 'lab', 'research', 'team', 'unknown',
  'org', 'com', 'net', 'io', 'sft', 'dpo', 'rlhf', 'awq', 'gptq', 'fp16', 'bf16', 'fp8', 'int8', 'int4',
  'story', 'stories', 'answer', 'answers', 'recorded', 'openai-compatible', 'ollama', 'user', 'system',
]);

/** Versions ("3", "3.5", "v2", "0613"), sizes ("8b", "70B", "260k", "8x7b") and quant tags ("q4_k_m"). */
function isNumericLike(part: string): boolean {
  return (
    /^v?\d+([._]\d+)*$/.test(part) ||
    /^\d+(\.\d+)?[kmbt]$/.test(part) ||
    /^\d+x\d+(\.\d+)?[kmbt]?$/.test(part) ||
    /^[qf]\d+(_[a-z0-9]+)*$/.test(part) ||
    /^\d{4}-?\d{2}-?\d{2}$/.test(part)
  );
}

function distinctive(term: string, minLength: number): boolean {
  return term.length >= minLength && /\p{L}/u.test(term) && !GENERIC.has(term) && !isNumericLike(term);
}

/** "meta-llama/Llama-3.1-8B-Instruct" → "meta-llama", "llama", "llama-3.1", "llama-3.1-8b", "meta", ... */
function partsOf(raw: string): string[] {
  const text = raw.toLowerCase().trim();
  const out = new Set<string>();
  // Path-like ids: each segment on its own ("org/model", "hf.co/x/y:tag").
  const segments = text.split(/[/:@\s(),;]+/).filter(Boolean);
  for (const seg of segments) {
    out.add(seg);
    // Hyphen/underscore/dot separated pieces, plus the growing prefixes that keep a version
    // attached to a family name ("gpt-4", "claude-3", "llama-3.1").
    const pieces = seg.split(/[-_+]+/).filter(Boolean);
    for (let i = 0; i < pieces.length; i++) {
      out.add(pieces[i]);
      if (i > 0) out.add(pieces.slice(0, i + 1).join('-'));
    }
    // "gpt35" / "llama2" style: letters glued to a version.
    for (const p of pieces) {
      const m = /^(\p{L}{3,})\d[\d.]*$/u.exec(p);
      if (m) out.add(m[1]);
    }
  }
  return [...out];
}

export function buildLeakWords(models: readonly ModelEntry[], extra: readonly string[] = []): string[] {
  const words = new Set<string>();
  for (const m of models) {
    for (const whole of [m.id, m.name, m.organization]) {
      const w = whole.toLowerCase().trim();
      // The whole id, name or maker is a leak even when short, unless it is itself generic.
      if (distinctive(w, 2)) words.add(w);
      for (const p of partsOf(whole)) if (distinctive(p, 3)) words.add(p);
    }
  }
  for (const w of extra) {
    const t = w.toLowerCase().trim();
    if (t.length >= 2) words.add(t);
  }
  // Longest first, so the reason names the most specific word that matched.
  return [...words].sort((x, y) => y.length - x.length || x.localeCompare(y));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface LeakMatcher {
  /** The first listed word found in `text` as a whole word (case-insensitive), or null. */
  find(text: string): string | null;
}

/**
 * Word boundaries are "not a letter or digit" on either side, so "gpt-4" matches in "GPT-4 is" but
 * not in "gpt-4o", and "claude" matches in "Claude's" but not in "claudette".
 */
export function leakMatcher(words: readonly string[]): LeakMatcher {
  if (words.length === 0) return { find: () => null };
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'iu');
  const lookup = new Map(words.map((w) => [w.toLowerCase(), w]));
  return {
    find(text) {
      const m = pattern.exec(text);
      if (!m) return null;
      return lookup.get(m[0].toLowerCase()) ?? m[0].toLowerCase();
    },
  };
}

export interface ConversationTurn {
  turn: number;
  prompt: string;
  a: string;
  b: string;
}

/**
 * Returns why the conversation leaks an identity, e.g. `identity_leak: "claude" in answer b,
 * turn 1`, or null when it does not. Checks each turn's prompt, then answer a, then answer b.
 */
export function checkLeak(conversation: readonly ConversationTurn[], matcher: LeakMatcher): string | null {
  for (const t of conversation) {
    const places: [string, string][] = [
      ['prompt', t.prompt],
      ['answer a', t.a],
      ['answer b', t.b],
    ];
    for (const [where, text] of places) {
      const word = matcher.find(text);
      if (word) return `identity_leak: "${word}" in ${where}, turn ${t.turn}`;
    }
  }
  return null;
}
