import { z } from 'zod';

/**
 * Leaderboard categories: battle subsets refitted on their own. Every counted battle belongs to
 * "overall"; the others are decided from facts stored with the battle (see db/schema.ts), so no
 * conversation is re-read when ratings are computed.
 */

/**
 * A prompt longer than this many characters is a "long prompt". Chatbot Arena's "longer query"
 * category starts at 500 tokens; at roughly four characters per token that is 2,000 characters.
 */
export const LONG_PROMPT_CHARS = 2_000;

/** Languages and tags with fewer counted battles than this get no board of their own. */
export const MIN_CATEGORY_BATTLES = 1;
/**
 * A category board with fewer battles is stored unfitted, with the reason: no model on it could
 * have the 30 votes a rank needs (DEFAULT_PROVISIONAL_VOTES), so its ratings would only say how
 * few battles there were. The overall board is always fitted (its models are then provisional).
 */
export const MIN_FITTED_CATEGORY_BATTLES = 30;
/** Boards are kept for at most this many languages and tags (the most voted ones). */
export const MAX_LANGUAGE_CATEGORIES = 12;
export const MAX_TAG_CATEGORIES = 30;

export type FixedCategory = 'overall' | 'coding' | 'long-prompt' | 'multi-turn';
export const FIXED_CATEGORIES: FixedCategory[] = ['overall', 'coding', 'long-prompt', 'multi-turn'];

/**
 * "overall" | "coding" | "long-prompt" | "multi-turn" | "language:<name>" | "tag:<name>", and
 * "source:arena" / "source:import" (votes cast here / imported) when a store has both.
 */
export type CategoryId = string;

export const SOURCE_CATEGORIES = ['source:arena', 'source:import'];

/**
 * Boards outside the main one's selection: "named" holds the battles that were not anonymous
 * (side by side with chosen models here, and imported records with anony: false), which never
 * count on the main board or its other categories; "vision" holds the anonymous battles whose
 * prompt carried an image (they also count on the main board, like any category).
 */
export const NAMED_CATEGORY = 'named';
export const VISION_CATEGORY = 'vision';
export const MODE_CATEGORIES = [NAMED_CATEGORY, VISION_CATEGORY];

export const categoryIdSchema = z
  .string()
  .max(120)
  .refine(
    (s) =>
      (FIXED_CATEGORIES as string[]).includes(s) || SOURCE_CATEGORIES.includes(s) || MODE_CATEGORIES.includes(s) || /^(language|tag):[^\s].*$/u.test(s),
    'expected overall, coding, long-prompt, multi-turn, named, vision, source:arena, source:import, language:<name> or tag:<name>',
  );

/** The facts about one battle that decide its categories. */
export interface BattleFacts {
  language: string | null;
  isCode: boolean | number | null;
  promptChars: number | null;
  turns: number;
  /** JSON array text as stored in battles.tags. */
  tags: string | null;
  /** The prompt carried an image. */
  vision?: boolean | number | null;
  /** Not anonymous (clean_battle anony false): only the "named" board. */
  named?: boolean | number | null;
}

/** Categories of one battle, "overall" first; a battle that was not anonymous has only "named". */
export function categoriesOf(b: BattleFacts): CategoryId[] {
  if (b.named) return [NAMED_CATEGORY];
  const out: CategoryId[] = ['overall'];
  if (b.vision) out.push(VISION_CATEGORY);
  if (b.isCode) out.push('coding');
  if (b.promptChars != null && b.promptChars > LONG_PROMPT_CHARS) out.push('long-prompt');
  if (b.turns > 1) out.push('multi-turn');
  if (b.language && b.language !== 'unknown') out.push(`language:${b.language}`);
  for (const tag of parseTags(b.tags)) out.push(`tag:${tag}`);
  return out;
}

const tagCache = new Map<string, string[]>();

/** battles.tags is a JSON array of strings; anything else counts as no tags. */
export function parseTags(text: string | null): string[] {
  if (!text || text === '[]') return [];
  const hit = tagCache.get(text);
  if (hit) return hit;
  let tags: string[] = [];
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v)) tags = [...new Set(v.filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim()))];
  } catch {
    /* not JSON: no tags */
  }
  if (tagCache.size < 10_000) tagCache.set(text, tags);
  return tags;
}

export function categoryLabel(id: CategoryId): string {
  switch (id) {
    case 'overall':
      return 'Overall';
    case 'coding':
      return 'Coding';
    case 'long-prompt':
      return 'Long prompts';
    case 'multi-turn':
      return 'Multi-turn';
    case 'source:arena':
      return 'Votes cast here';
    case 'source:import':
      return 'Imported votes';
    case 'named':
      return 'Side by side (named)';
    case 'vision':
      return 'Vision (images)';
  }
  if (id.startsWith('language:')) return `Language: ${id.slice('language:'.length)}`;
  if (id.startsWith('tag:')) return `Tag: ${id.slice('tag:'.length)}`;
  return id;
}

export function categoryDescription(id: CategoryId): string {
  switch (id) {
    case 'overall':
      return 'Every counted vote of an anonymous battle.';
    case 'coding':
      return 'Battles whose first prompt is about code.';
    case 'long-prompt':
      return `Battles whose first prompt is longer than ${LONG_PROMPT_CHARS.toLocaleString('en-US')} characters (about 500 tokens).`;
    case 'multi-turn':
      return 'Battles with more than one user turn.';
    case 'source:arena':
      return 'Only the battles fought and voted in this arena.';
    case 'source:import':
      return 'Only the battles brought in with `pairwise import`.';
    case 'named':
      return 'Battles whose voter chose the models by name (side by side), and imported ones marked not anonymous. They count only here, never on the main board.';
    case 'vision':
      return 'Anonymous battles whose prompt carried an image (vision models only).';
  }
  if (id.startsWith('language:')) return `Battles whose first prompt is in ${id.slice('language:'.length)}.`;
  if (id.startsWith('tag:')) return `Battles tagged "${id.slice('tag:'.length)}".`;
  return '';
}
