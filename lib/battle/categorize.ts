/**
 * Facts about a battle's first prompt, stored with the battle so the leaderboard can refit
 * categories (language, coding, long prompt) without re-reading conversations.
 *
 * Language is a deliberately small heuristic, no model and no dictionary:
 *  1. Count letters per Unicode script. Kana → Japanese, Hangul → Korean, Han (without kana)
 *     → Chinese, and Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai by their script.
 *  2. Latin text is told apart by common function words ("the", "und", "les", "que", ...):
 *     the language with the most hits wins, English on a tie.
 *  3. Latin text without any of those words counts as English when all its letters are ASCII
     ("Say hello"), and as "unknown" otherwise; so does text without letters ("2 + 2 = ?").
 * Names follow Chatbot Arena's clean_battle files ("English", "Chinese", ...).
 */

export interface PromptFacts {
  language: string;
  isCode: boolean;
  promptChars: number;
}

const SCRIPTS: [string, RegExp][] = [
  ['Japanese', /[\p{Script=Hiragana}\p{Script=Katakana}]/gu],
  ['Korean', /\p{Script=Hangul}/gu],
  ['Chinese', /\p{Script=Han}/gu],
  ['Russian', /\p{Script=Cyrillic}/gu],
  ['Greek', /\p{Script=Greek}/gu],
  ['Arabic', /\p{Script=Arabic}/gu],
  ['Hebrew', /\p{Script=Hebrew}/gu],
  ['Hindi', /\p{Script=Devanagari}/gu],
  ['Thai', /\p{Script=Thai}/gu],
];

const LATIN = /\p{Script=Latin}/gu;

const STOP_WORDS: Record<string, string[]> = {
  English: ['the', 'and', 'is', 'are', 'was', 'you', 'what', 'how', 'why', 'a', 'an', 'of', 'to', 'in', 'for', 'with', 'me', 'my', 'i', 'it', 'this', 'that', 'can', 'please', 'write', 'explain', 'do', 'does', 'be', 'on', 'about'],
  Spanish: ['el', 'la', 'los', 'las', 'que', 'y', 'es', 'por', 'para', 'con', 'una', 'un', 'del', 'como', 'qué', 'cómo', 'pero', 'más', 'escribe'],
  French: ['le', 'la', 'les', 'et', 'est', 'des', 'une', 'un', 'du', 'que', 'pour', 'avec', 'dans', 'qui', 'pas', 'vous', 'je', 'comment', 'écris'],
  German: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ein', 'eine', 'ich', 'zu', 'mit', 'für', 'auf', 'wie', 'was', 'warum', 'bitte', 'schreibe'],
  Portuguese: ['o', 'os', 'as', 'que', 'e', 'é', 'um', 'uma', 'para', 'com', 'não', 'do', 'da', 'em', 'como', 'você', 'escreva'],
  Italian: ['il', 'lo', 'gli', 'e', 'è', 'che', 'di', 'un', 'una', 'per', 'con', 'non', 'come', 'perché', 'della', 'scrivi'],
};

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

export function detectLanguage(text: string): string {
  let best = { name: 'unknown', n: 0 };
  for (const [name, re] of SCRIPTS) {
    const n = count(text, re);
    if (n > best.n) best = { name, n };
  }
  // Kana decides Japanese even when Han characters are more numerous.
  const kana = count(text, SCRIPTS[0][1]);
  const latin = count(text, LATIN);
  if (kana > 0 && best.name === 'Chinese') best = { name: 'Japanese', n: best.n + kana };
  if (best.n > latin) return best.name;
  if (latin === 0) return 'unknown';

  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let choice = { name: 'unknown', hits: 0 };
  for (const [name, list] of Object.entries(STOP_WORDS)) {
    const set = new Set(list);
    const hits = words.filter((w) => set.has(w)).length;
    // English is listed first, so it keeps a tie.
    if (hits > choice.hits) choice = { name, hits };
  }
  if (choice.hits > 0) return choice.name;
  // No function word at all (e.g. "Say hello"): plain ASCII letters are most likely English;
  // accented Latin text without a telling word stays unknown.
  return words.every((w) => /^[a-z]+$/.test(w)) ? 'English' : 'unknown';
}

/**
 * A prompt is about code when it holds a fenced block or several lines that look like code, or
 * asks for a program in so many words. Arena's own "coding" tag is similarly keyword-based.
 */
export function looksLikeCode(text: string): boolean {
  if (/```|~~~/.test(text)) return true;
  const codeLine =
    /(^\s*(def|class|function|import|from|#include|package|public|private|const|let|var|fn|func|return|SELECT|INSERT|UPDATE|CREATE)\b)|([;{}]\s*$)|(=>)|(\w+\([^)]*\)\s*[{:;]?\s*$)/im;
  const lines = text.split('\n').filter((l) => codeLine.test(l));
  if (lines.length >= 2) return true;
  return /\b(python|javascript|typescript|java|c\+\+|c#|rust|golang|sql|regex|bash|html|css|kotlin|swift|php|ruby|haskell|function|code|program|script|algorithm|compile[rs]?|debug|bug|api|json|class|recursion)\b/i.test(
    text,
  );
}

export function categorizePrompt(prompt: string): PromptFacts {
  return { language: detectLanguage(prompt), isCode: looksLikeCode(prompt), promptChars: [...prompt].length };
}

/**
 * Custom tags of a battle: every rule whose pattern matches the first prompt, plus the recorded
 * question's category. Sorted and without repeats, so equal battles store equal tag lists.
 */
export function tagsFor(
  prompt: string,
  rules: readonly { tag: string; pattern: string }[],
  questionCategory?: string | null,
): string[] {
  const tags = new Set<string>();
  for (const rule of rules) if (new RegExp(rule.pattern, 'iu').test(prompt)) tags.add(rule.tag);
  if (questionCategory) tags.add(questionCategory);
  return [...tags].sort();
}
