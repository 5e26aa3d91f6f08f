import type { ModelEntry } from '../registry/schema';

/**
 * Identity-leak check. A vote whose answers say which model they come from ("I'm Claude", "as a
 * model trained by OpenAI") is no longer blind, so it is kept but excluded from ratings. It looks
 * for self-identification, not for words: an answer may mention Google Maps or Meta's history
 * without saying who wrote it.
 *
 *  - model names and their aliases (from the registry: ids, display names and their distinctive
 *    parts, plus the well-known names of each registry organization's models) count anywhere in
 *    an answer, except names that are also everyday words (llama, bard, claude, ...);
 *  - those everyday-word names and organization names count only in a self-identifying phrase:
 *    "I am / I'm / my name is / this is / as ... <name>", "<created|trained|made|...> by <org>";
 *  - in a prompt, a name or maker counts only inside an identity question ("are you GPT-4?",
 *    "were you made by Anthropic?"): asking is an attempt to unblind the battle;
 *  - the operator's `settings.leakWords` (code names) count anywhere.
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

/**
 * Well-known model names of an organization, added when the registry has a model of that
 * organization (a model fine-tuned or served under another id may still call itself by them).
 */
const ORG_ALIASES: Record<string, string[]> = {
  openai: ['chatgpt', 'gpt', 'gpt-3', 'gpt-3.5', 'gpt-4', 'gpt-4o', 'gpt-5'],
  anthropic: ['claude'],
  google: ['bard', 'gemini', 'palm', 'palm 2', 'gemma'],
  meta: ['llama'],
  mistral: ['mistral', 'mixtral', 'codestral'],
  lmsys: ['vicuna'],
  stanford: ['alpaca'],
  alibaba: ['qwen', 'tongyi'],
  microsoft: ['phi', 'copilot', 'bing chat'],
  deepseek: ['deepseek'],
  xai: ['grok'],
  cohere: ['command', 'command r', 'coral'],
  ai21: ['jurassic', 'jamba'],
  'technology innovation institute': ['falcon'],
  '01.ai': ['yi'],
  databricks: ['dolly', 'dbrx'],
};

/**
 * Names that are also everyday words or first names: found alone they say nothing ("llamas
 * graze", "the Bard of Avon", "Claude Monet"), so they count only in a self-identifying phrase.
 */
const EVERYDAY = new Set([
  'llama', 'bard', 'claude', 'alpaca', 'vicuna', 'falcon', 'orca', 'phi', 'dolly', 'koala', 'guanaco', 'gemini',
  'mistral', 'command', 'coral', 'jurassic', 'grok', 'copilot', 'pi', 'yi', 'palm', 'meta', 'stories', 'tiny',
  'sonnet', 'haiku', 'opus', 'flash', 'stable', 'wizard', 'zephyr', 'hermes', 'nova', 'titan', 'jamba',
]);

export interface LeakWords {
  /** Names that identify a model wherever an answer says them. */
  names: string[];
  /** Everyday-word names and organizations: only in a self-identifying phrase. */
  contextual: string[];
  /** The operator's code names: anywhere. */
  extra: string[];
}

function longestFirst(set: Set<string>): string[] {
  return [...set].sort((x, y) => y.length - x.length || x.localeCompare(y));
}

export function buildLeakWords(models: readonly ModelEntry[], extra: readonly string[] = []): LeakWords {
  const names = new Set<string>();
  const contextual = new Set<string>();
  const addName = (w: string) => (EVERYDAY.has(w) ? contextual : names).add(w);
  for (const m of models) {
    for (const whole of [m.id, m.name]) {
      const w = whole.toLowerCase().trim();
      if (distinctive(w, 2)) addName(w);
      for (const p of partsOf(whole)) if (distinctive(p, 3)) addName(p);
    }
    const org = m.organization.toLowerCase().trim();
    if (distinctive(org, 2)) contextual.add(org);
    for (const p of partsOf(m.organization)) if (distinctive(p, 3)) contextual.add(p);
    for (const [key, aliases] of Object.entries(ORG_ALIASES)) {
      if (org === key || org.split(/[\s,.]+/).includes(key) || org.startsWith(`${key} `)) for (const a of aliases) addName(a);
    }
  }
  // An organization word that is also a model name ("mistral") is a name.
  for (const n of names) contextual.delete(n);
  const extras = new Set<string>();
  for (const w of extra) {
    const t = w.toLowerCase().trim();
    if (t.length >= 2) extras.add(t);
  }
  return { names: longestFirst(names), contextual: longestFirst(contextual), extra: longestFirst(extras) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface LeakMatcher {
  /** The word through which `text` (an answer, or a prompt) gives a model away, or null. */
  find(text: string, where?: 'answer' | 'prompt'): string | null;
}

const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';
/** A few words inside one sentence. */
const GAP = "[^.!?\\n]{0,40}?";
/** "I am", "I'm", "my name is", "this is", "call me", "you're talking to", "as" (an AI ...). */
const SELF = "(?:i\\s+am|i['\u2019]m|my\\s+name\\s+is|my\\s+name['\u2019]s|call\\s+me|this\\s+is|you['\u2019]re\\s+(?:talking|chatting|speaking)\\s+(?:to|with)|as)";
/** "created by", "trained by", ... (optionally "the team at"). */
const MADE_BY =
  '(?:created|developed|trained|built|made|designed|programmed|owned|released|provided|maintained|fine-tuned|finetuned|powered|brought\\s+to\\s+you)\\s+by\\s+(?:the\\s+)?(?:(?:team|researchers|engineers|folks|people)\\s+(?:at|of)\\s+)?';
/** A prompt asking about identity: "are you", "were you made by", "who made you", "what model". */
const ASKING = "(?:are\\s+you|were\\s+you|is\\s+this|you\\s+are|r\\s+u|who\\s+(?:made|created|trained|built|developed)\\s+you|what\\s+(?:model|llm|ai)|which\\s+(?:model|llm|ai|company))";

function alternation(words: readonly string[]): string {
  return words.map(escapeRegExp).join('|');
}

/**
 * Word boundaries are "not a letter or digit" on either side, so "gpt-4" matches in "GPT-4 is" but
 * not in "gpt-4o", and "claude" matches in "Claude's" but not in "claudette".
 */
export function leakMatcher(words: LeakWords | readonly string[]): LeakMatcher {
  const w: LeakWords = Array.isArray(words) ? { names: [...words], contextual: [], extra: [] } : (words as LeakWords);
  const all = [...w.names, ...w.contextual];
  const term = (list: readonly string[]) => `${NOT_WORD_BEFORE}(${alternation(list)})${NOT_WORD_AFTER}`;
  const bare = [...w.names, ...w.extra].length ? new RegExp(term([...w.extra, ...w.names]), 'iu') : null;
  const extraOnly = w.extra.length ? new RegExp(term(w.extra), 'iu') : null;
  const selfId = all.length ? new RegExp(`${NOT_WORD_BEFORE}(?:${SELF}${GAP}|${MADE_BY})${term(all)}`, 'iu') : null;
  const asking = all.length ? new RegExp(`${NOT_WORD_BEFORE}${ASKING}${GAP}${term(all)}`, 'iu') : null;
  const lookup = new Map([...all, ...w.extra].map((x) => [x.toLowerCase(), x]));
  const found = (m: RegExpExecArray | null) => (m ? (lookup.get(m[1].toLowerCase()) ?? m[1].toLowerCase()) : null);
  return {
    find(text, where = 'answer') {
      if (where === 'prompt') return found(extraOnly?.exec(text) ?? null) ?? found(asking?.exec(text) ?? null);
      return found(bare?.exec(text) ?? null) ?? found(selfId?.exec(text) ?? null);
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
    const places: [string, string, 'prompt' | 'answer'][] = [
      ['prompt', t.prompt, 'prompt'],
      ['answer a', t.a, 'answer'],
      ['answer b', t.b, 'answer'],
    ];
    for (const [label, text, kind] of places) {
      const word = matcher.find(text, kind);
      if (word) return `identity_leak: "${word}" in ${label}, turn ${t.turn}`;
    }
  }
  return null;
}
